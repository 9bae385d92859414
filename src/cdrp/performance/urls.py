"""Performance pages (included under /plans/performance/ by `cdrp.plans.urls`, so in the
namespace "plans": the addresses and names are those the site has always had)."""

from django.urls import path

from cdrp.performance import views as v

urlpatterns = [
    path("<slug:partnership>/", v.performance, name="performance"),
    path("<slug:partnership>/report/<str:quarter>/", v.report, name="performance-report"),
    path(
        "<slug:partnership>/report/<str:quarter>.pdf", v.report_pdf, name="performance-report-pdf"
    ),
    path(
        "<slug:partnership>/download/<str:what>.<str:fmt>",
        v.download,
        name="performance-download",
    ),
    path("<slug:partnership>/series/", v.series_list, name="series"),
    path("<slug:partnership>/series/new/", v.series_create, name="series-create"),
    path("<slug:partnership>/series/<slug:series>/", v.series_detail, name="series-detail"),
    path("<slug:partnership>/series/<slug:series>/value/", v.series_value, name="series-value"),
]
