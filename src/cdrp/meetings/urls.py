from django.urls import path

from cdrp.meetings import views

app_name = "meetings"
urlpatterns = [
    path("<slug:partnership>/planner/", views.planner, name="planner"),
    path("<slug:partnership>/planner.ics", views.planner_ics, name="planner-ics"),
]
