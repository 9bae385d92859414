"""The service shell's pages: home, health check, task progress. They keep the `core` URL
namespace they have always had (core:home …); their views ask the policy, so they live here."""

from django.urls import path

from cdrp.accounts import ops_views
from cdrp.accounts import shell_views as views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("glossary/", views.glossary, name="glossary"),
    path("tasks/<str:task_id>/", views.task_page, name="task"),
    path("tasks/<str:task_id>/progress", views.task_progress, name="task-progress"),
]
