from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cdrp.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and audit"

    def ready(self) -> None:
        # middleware: its receiver notes each sign-in's time for the session lifetime rules.
        from cdrp.accounts import audit, middleware  # noqa: F401

        audit.connect()
        # Cached public pages go stale when any governance record changes (on any server).
        from cdrp.core.cache import register_version_source

        register_version_source(_latest_audit_event)


def _latest_audit_event() -> int | None:
    from cdrp.accounts.models import AuditEvent

    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
