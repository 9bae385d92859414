"""Meeting pages, one module per concern; every view is named here for `cdrp.meetings.urls`."""

from cdrp.meetings.views.action_views import action_close, action_create, actions
from cdrp.meetings.views.agenda_views import meeting_agenda, paper_download, paper_upload
from cdrp.meetings.views.committee_views import (
    agenda_publish,
    attendance_report,
    declaration_create,
    forward_plan,
    meeting_details,
)
from cdrp.meetings.views.meeting_views import (
    decision_new,
    group_meetings,
    meeting_page,
    public_meetings,
)
from cdrp.meetings.views.minutes_views import (
    attendance,
    minutes,
    minutes_amend,
    minutes_approve,
    minutes_edit,
    public_minutes,
)
from cdrp.meetings.views.planner_views import (
    WEB_SEARCH_SECONDS,
    calendar,
    load,
    meeting_pin,
    month,
    planner,
    planner_ics,
    planner_resolve,
    planner_save,
)

__all__ = [
    "agenda_publish",
    "attendance_report",
    "declaration_create",
    "forward_plan",
    "meeting_details",
    "WEB_SEARCH_SECONDS",
    "action_close",
    "action_create",
    "actions",
    "attendance",
    "calendar",
    "decision_new",
    "group_meetings",
    "load",
    "meeting_agenda",
    "meeting_page",
    "meeting_pin",
    "minutes",
    "minutes_amend",
    "minutes_approve",
    "minutes_edit",
    "month",
    "paper_download",
    "paper_upload",
    "planner",
    "planner_ics",
    "planner_resolve",
    "planner_save",
    "public_meetings",
    "public_minutes",
]
