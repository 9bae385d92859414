from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "cdrp.community"
    label = "community"
    verbose_name = "Communities: my area, consultations, PACT, feeds and alerts"

    def ready(self) -> None:
        from cdrp.community import surveys
        from cdrp.intelligence import hooks

        # The strategic assessment's community views read closed surveys' results directly
        # (intelligence sits below this app: it owns the hook, we register into it).
        hooks.register_survey_provider(surveys.assessment_survey)
