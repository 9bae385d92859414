from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "cdrp.performance"
    label = "performance"
    verbose_name = "Performance against the partnership plan"
