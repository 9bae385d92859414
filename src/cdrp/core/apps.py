from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cdrp.core"
    label = "core"
    verbose_name = "Service shell"
