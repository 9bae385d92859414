from django.urls import path

from cdrp.intelligence import views

app_name = "intelligence"
urlpatterns = [
    path("data/", views.sources, name="sources"),
    path("data/coverage/", views.coverage, name="coverage"),
    path("data/quarantine/", views.quarantine, name="quarantine"),
    path("counts/", views.counts, name="counts"),
]
