from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cdrp.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and audit"

    def ready(self) -> None:
        # middleware: its receiver notes each sign-in's time for the session lifetime rules.
        from cdrp.accounts import audit, middleware  # noqa: F401

        audit.connect()
