from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "cdrp.sharing"
    label = "sharing"
    verbose_name = "Information sharing, offender cohorts and case lists"

    def ready(self) -> None:
        from cdrp.accounts import audit_trail, policy
        from cdrp.intelligence import hooks
        from cdrp.partnerships import evidence
        from cdrp.sharing import agreements, prescribed, restricted

        # The compliance rule on data-sharing agreements reads the register.
        evidence.register(evidence.DATA_SHARING_AGREEMENT, agreements.agreement_evidence)
        # The compliance rule on prescribed information reads the tracker.
        evidence.register(evidence.PRESCRIBED_INFORMATION, prescribed.prescribed_evidence)
        # The policy shows a restricted dataset only under an agreement covering it.
        policy.register_dataset_check(agreements.may_see_dataset)
        # A partner dataset is imported only under an agreement covering it.
        hooks.register_import_gate(agreements.partner_import_gate)
        # The audit trail redacts restricted registers' events for readers outside the group.
        audit_trail.register_restriction(restricted.LABELS, restricted.restricting_groups)
