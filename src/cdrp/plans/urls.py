"""Plan, performance and funding pages (included under /plans/).

The performance and funding apps' pages keep their /plans/… addresses and their names in the
"plans" namespace (other apps' templates reverse ``plans:funding`` and ``plans:performance``),
so their URL modules are included here by name; nothing here imports them."""

from django.urls import include, path

app_name = "plans"
# performance/ and funding/ first, so no plan address shadows them (the registry reserves
# those words as partnership slugs).
urlpatterns = [
    path("performance/", include("cdrp.performance.urls")),
    path("funding/", include("cdrp.funding.urls")),
    path("", include("cdrp.plans.plan_urls")),
]
