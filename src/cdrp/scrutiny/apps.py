from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "cdrp.scrutiny"
    label = "scrutiny"
    verbose_name = "Accountability: Face the People, Community Call for Action, scrutiny"
