from django.apps import AppConfig


class WorkdayConfig(AppConfig):
    name = "cdrp.workday"
    label = "workday"
    verbose_name = "The working day: each person's home page and notifications"

    def ready(self) -> None:
        from cdrp.accounts import home, notifications
        from cdrp.workday import checks, views

        # The site's home (core:home) shows a signed-in person their dashboard.
        home.register_dashboard(views.dashboard)
        notifications.register_check("actions", checks.overdue_actions)
        notifications.register_check("assessments", checks.stale_assessments)
        notifications.register_check("data", checks.new_months)
