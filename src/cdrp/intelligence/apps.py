from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "cdrp.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence: data, assessments and hot-spots"

    def ready(self) -> None:
        from cdrp.intelligence import evidence

        evidence.connect()
