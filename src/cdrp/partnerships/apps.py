from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "cdrp.partnerships"
    label = "partnerships"
    verbose_name = "Partnership registry"

    def ready(self) -> None:
        # Imported here: models may be imported only once the apps are ready.
        from cdrp.accounts import policy
        from cdrp.partnerships.models import Membership, Partnership

        def partnership(slug: str):
            return Partnership.objects.filter(slug=slug).first()

        def member_groups(user) -> frozenset[int]:
            return frozenset(
                Membership.objects.current()
                .filter(person__account=user)
                .values_list("seat__group_id", flat=True)
            )

        # The policy reads the registry through these (accounts imports nothing from here).
        policy.register_registry(partnership=partnership, member_groups=member_groups)
