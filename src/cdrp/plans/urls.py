"""Plan, performance and funding pages (included under /plans/)."""

from django.urls import include, path

app_name = "plans"
# performance/ and funding/ first, so no plan address shadows them (the registry reserves
# those words as partnership slugs).
urlpatterns = [
    path("performance/", include("cdrp.plans.performance_urls")),
    path("funding/", include("cdrp.plans.funding_urls")),
    path("", include("cdrp.plans.plan_urls")),
]
