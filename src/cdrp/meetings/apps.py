from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cdrp.meetings"
    label = "meetings"
    verbose_name = "Meetings, calendars and the meeting planner"

    def ready(self) -> None:
        from cdrp.meetings import evidence

        evidence.connect()
