"""Search pages, included under /partnerships/<partnership>/search/ by cdrp.urls."""

from django.urls import path

from cdrp.search import views

app_name = "search"
urlpatterns = [path("", views.search_page, name="search")]
