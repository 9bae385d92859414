from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cdrp.plans"
    label = "plans"
    verbose_name = "Plans: partnership plan, performance, funding and commissioning"

    def ready(self) -> None:
        from cdrp.intelligence.hooks import register_plan_review
        from cdrp.plans import evidence, performance

        evidence.connect()
        register_plan_review(performance.plan_review, performance.plan_review_record)
