"""Site administration of meeting records. A meeting whose minutes are approved, and its
minutes, attendance, decisions and votes, are shown read-only and cannot be deleted here (the
model refuses too: cdrp.meetings.locks); amendments are made only by a later meeting's decision
(`cdrp.meetings.services.amend_minutes`), never here."""

from django.contrib import admin

from cdrp.meetings.models import (
    Attendance,
    Decision,
    Meeting,
    Minutes,
    MinutesAmendment,
    Vote,
    approved_meeting_ids,
    meeting_id_of,
)


class LockedAdmin(admin.ModelAdmin):
    """Change and delete only while the record's meeting has no approved minutes."""

    def _locked(self, obj) -> bool:
        return obj is not None and bool(approved_meeting_ids({meeting_id_of(obj)}))

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(LockedAdmin):
    list_display = ["group", "date", "status", "public"]
    list_filter = ["status", "public"]
    date_hierarchy = "date"


@admin.register(Minutes)
class MinutesAdmin(LockedAdmin):
    list_display = ["meeting", "approved"]
    list_filter = ["approved"]


@admin.register(Attendance)
class AttendanceAdmin(LockedAdmin):
    list_display = ["meeting", "seat", "person", "status"]


@admin.register(Decision)
class DecisionAdmin(LockedAdmin):
    list_display = ["motion", "meeting", "result", "votes_for", "votes_against"]
    list_filter = ["result"]


@admin.register(Vote)
class VoteAdmin(LockedAdmin):
    list_display = ["decision", "body", "choice"]


@admin.register(MinutesAmendment)
class MinutesAmendmentAdmin(admin.ModelAdmin):
    list_display = ["minutes", "number", "decision"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
