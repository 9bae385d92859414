from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cdrp.plans"
    label = "plans"
    verbose_name = "Plans: partnership plan, performance, funding and commissioning"

    def ready(self) -> None:
        from cdrp.plans import evidence

        evidence.connect()
