"""Meeting pages under /meetings/, and recording a decision, reached from the registry's group
page at the address it has always had (/partnerships/<partnership>/groups/<group>/decisions/new/).
"""

from django.urls import include, path

from cdrp.meetings import views

app_name = "meetings"
meeting_patterns = [
    path("<slug:partnership>/planner/", views.planner, name="planner"),
    path("<slug:partnership>/planner.ics", views.planner_ics, name="planner-ics"),
    path("<slug:partnership>/planner/save", views.planner_save, name="planner-save"),
    path("<slug:partnership>/planner/resolve", views.planner_resolve, name="planner-resolve"),
    path("<slug:partnership>/meeting/<int:meeting_id>/pin", views.meeting_pin, name="pin"),
    path("<slug:partnership>/meeting/<int:meeting_id>/agenda", views.meeting_agenda, name="agenda"),
    path("<slug:partnership>/groups/<slug:group>/", views.group_meetings, name="group"),
    path(
        "<slug:partnership>/groups/<slug:group>/attendance/",
        views.attendance_report,
        name="attendance-report",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/details",
        views.meeting_details,
        name="details",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/publish",
        views.agenda_publish,
        name="publish",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/declarations",
        views.declaration_create,
        name="declaration-create",
    ),
    path("<slug:partnership>/forward-plan/", views.forward_plan, name="forward-plan"),
    path("<slug:partnership>/meeting/<int:meeting_id>/", views.meeting_page, name="meeting"),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/attendance",
        views.attendance,
        name="attendance",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/actions",
        views.action_create,
        name="action-create",
    ),
    path("<slug:partnership>/meeting/<int:meeting_id>/minutes", views.minutes, name="minutes"),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/minutes/edit",
        views.minutes_edit,
        name="minutes-edit",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/items/<int:item_id>/papers",
        views.paper_upload,
        name="paper-upload",
    ),
    path("<slug:partnership>/papers/<int:paper_id>/", views.paper_download, name="paper"),
    path("<slug:partnership>/load/", views.load, name="load"),
    path("<slug:partnership>/calendar/", views.month, name="month"),
    path("<slug:partnership>/public/", views.public_meetings, name="public"),
    path(
        "<slug:partnership>/public/<int:meeting_id>/minutes",
        views.public_minutes,
        name="public-minutes",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/minutes/approve",
        views.minutes_approve,
        name="minutes-approve",
    ),
    path(
        "<slug:partnership>/meeting/<int:meeting_id>/minutes/amend",
        views.minutes_amend,
        name="minutes-amend",
    ),
    path("<slug:partnership>/actions/", views.actions, name="actions"),
    path("<slug:partnership>/meetings.ics", views.calendar, name="calendar"),
    path(
        "<slug:partnership>/actions/<int:action_id>/close", views.action_close, name="action-close"
    ),
]
urlpatterns = [
    path("meetings/", include(meeting_patterns)),
    path(
        "partnerships/<slug:partnership>/groups/<slug:group>/decisions/new/",
        views.decision_new,
        name="decision-new",
    ),
]
