"""Pages of restricted information, under /sharing/."""

from django.urls import path

from cdrp.sharing import views as v

app_name = "sharing"

urlpatterns = [
    path("<slug:partnership>/agreements/", v.agreements, name="agreements"),
    path("<slug:partnership>/reason/", v.reason, name="reason"),
    path("<slug:partnership>/cohort/", v.cohort, name="cohort"),
    path("<slug:partnership>/cohort/<int:cohort_member>/", v.cohort_member, name="cohort-member"),
    path("<slug:partnership>/cases/", v.cases, name="cases"),
    path("<slug:partnership>/cases/<int:case>/", v.case, name="case"),
    path("<slug:partnership>/prescribed/", v.prescribed_tracker, name="prescribed"),
    path("<slug:partnership>/processing/", v.processing, name="processing"),
    path("<slug:partnership>/access/", v.access_report, name="access-report"),
    path("<slug:partnership>/subject-access/", v.subject_access, name="subject-access"),
    path("<slug:partnership>/agreements/add/", v.agreement_add, name="agreement-add"),
    path(
        "<slug:partnership>/agreements/<int:agreement>/edit/",
        v.agreement_edit,
        name="agreement-edit",
    ),
    path("<slug:partnership>/cohort/add/", v.cohort_member_add, name="cohort-member-add"),
    path(
        "<slug:partnership>/cohort/<int:cohort_member>/edit/",
        v.cohort_member_edit,
        name="cohort-member-edit",
    ),
    path("<slug:partnership>/cases/add/", v.case_add, name="case-add"),
    path("<slug:partnership>/cases/<int:case>/edit/", v.case_edit, name="case-edit"),
    path(
        "<slug:partnership>/cases/<int:case>/actions/add/",
        v.case_action_add,
        name="case-action-add",
    ),
    path(
        "<slug:partnership>/cases/<int:case>/actions/<int:case_action>/edit/",
        v.case_action_edit,
        name="case-action-edit",
    ),
]
