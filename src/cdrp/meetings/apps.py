from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cdrp.meetings"
    label = "meetings"
    verbose_name = "Meetings, calendars and the meeting planner"

    def ready(self) -> None:
        from cdrp.accounts import audit_trail
        from cdrp.meetings import evidence, locks, panels, restricted
        from cdrp.partnerships import pages

        evidence.connect()
        # Approved minutes, and the meeting's attendance, decisions and votes, never change.
        locks.connect()
        # The registry's group page lists the group's decisions.
        pages.register_group_context(panels.group_decisions)
        # The audit trail redacts restricted meeting records for readers outside their group.
        audit_trail.register_restriction(
            restricted.RESTRICTED_LABELS, restricted.restricting_groups
        )
