from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "cdrp.sharing"
    label = "sharing"
    verbose_name = "Information sharing, offender cohorts and case lists"
