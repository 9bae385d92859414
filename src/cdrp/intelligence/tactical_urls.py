"""Tactical assessment pages (included under /intelligence/tactical/)."""

from django.urls import path

from cdrp.intelligence import tactical_views as views

urlpatterns = [
    path("<slug:partnership>/", views.tactical_page, name="tactical"),
    path("<slug:partnership>/pack.<str:fmt>", views.tactical_download, name="tactical-download"),
]
