from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "cdrp.performance"
    label = "performance"
    verbose_name = "Performance against the partnership plan"

    def ready(self) -> None:
        # The strategic assessment reviews last year's plan through this hook: intelligence sits
        # below performance and does not import it.
        from cdrp.intelligence.hooks import register_plan_review
        from cdrp.performance.review import plan_review, plan_review_record

        register_plan_review(plan_review, plan_review_record)
