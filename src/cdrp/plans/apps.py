from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cdrp.plans"
    label = "plans"
    verbose_name = "Plans: the partnership plan and its revisions"

    def ready(self) -> None:
        from cdrp.plans import evidence

        evidence.connect()
