from django.urls import include, path

from cdrp.intelligence import views

app_name = "intelligence"
urlpatterns = [
    path("data/", views.sources, name="sources"),
    path("data/coverage/", views.coverage, name="coverage"),
    path("data/quarantine/", views.quarantine, name="quarantine"),
    path(
        "data/<slug:partnership>/quarantine/",
        views.partnership_quarantine,
        name="partnership-quarantine",
    ),
    path("counts/", views.counts, name="counts"),
    path("assessments/", include("cdrp.intelligence.assessment_urls")),
    path("tactical/", include("cdrp.intelligence.tactical_urls")),
]
