from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "cdrp.health"
    label = "health"
    verbose_name = "Partnership health: hallmarks, skills review, closer working, duplication"

    def ready(self) -> None:
        from cdrp.health import skills, sources

        skills.connect()
        sources.connect()
