"""Plan, performance and funding pages (included under /plans/)."""

from django.urls import include, path

app_name = "plans"
urlpatterns = [
    path("", include("cdrp.plans.plan_urls")),
    path("performance/", include("cdrp.plans.performance_urls")),
    path("funding/", include("cdrp.plans.funding_urls")),
]
