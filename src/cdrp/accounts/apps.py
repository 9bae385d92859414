from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cdrp.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and audit"

    def ready(self) -> None:
        from cdrp.accounts import audit

        audit.connect()
