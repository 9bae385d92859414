"""The working day's pages: each person's actions (closed from their home page) and their
notifications. The home page itself is the shell's `core:home` (see apps.py)."""

from django.urls import path

from cdrp.workday import views

app_name = "workday"
urlpatterns = [
    path(
        "my/<slug:partnership>/actions/<int:action_id>/update",
        views.action_update,
        name="action-update",
    ),
    path(
        "my/<slug:partnership>/actions/<int:action_id>/close",
        views.action_close,
        name="action-close",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read", views.notification_read, name="notification-read"),
    path("notifications/settings", views.preferences, name="preferences"),
]
