"""Partnership plan pages (included under /plans/)."""

from django.urls import path

from cdrp.plans import views as v

P = "<slug:partnership>/revision/<int:revision>"
urlpatterns = [
    path("<slug:partnership>/", v.plan_home, name="plan-home"),
    path("<slug:partnership>/new/", v.plan_seed, name="plan-seed"),
    path(f"{P}/", v.plan_detail, name="plan-detail"),
    path(f"{P}/plan.<str:fmt>", v.plan_download, name="plan-download"),
    path(f"{P}/compare/<int:other>/", v.plan_compare, name="plan-compare"),
    path(f"{P}/edit/", v.plan_edit, name="plan-edit"),
    path(f"{P}/revise/", v.plan_revise, name="plan-revise"),
    path(f"{P}/approve/", v.plan_approve, name="plan-approve"),
    path(f"{P}/priorities/add/", v.priority_form, name="priority-add"),
    path(f"{P}/priorities/<int:pk>/", v.priority_form, name="priority-edit"),
    path(f"{P}/priorities/<int:pk>/delete/", v.priority_delete, name="priority-delete"),
    path(f"{P}/priorities/<int:priority>/objectives/add/", v.objective_form, name="objective-add"),
    path(f"{P}/objectives/<int:pk>/", v.objective_form, name="objective-edit"),
    path(f"{P}/objectives/<int:pk>/delete/", v.objective_delete, name="objective-delete"),
    path(f"{P}/indicators/<int:indicator>/targets/add/", v.target_form, name="target-add"),
    path(f"{P}/targets/<int:pk>/delete/", v.target_delete, name="target-delete"),
    path(
        f"{P}/objectives/<int:objective>/commitments/add/",
        v.commitment_form,
        name="commitment-add",
    ),
    path(f"{P}/objectives/<int:objective>/indicators/add/", v.indicator_form, name="indicator-add"),
    path(f"{P}/indicators/<int:pk>/delete/", v.indicator_delete, name="indicator-delete"),
    path(f"{P}/engagement/add/", v.engagement_form, name="engagement-add"),
    path("<slug:partnership>/published/", v.published_home, name="published-home"),
    path("<slug:partnership>/published/<int:revision>/", v.published_plan, name="published-plan"),
    path(
        "<slug:partnership>/published/<int:revision>/changes/",
        v.published_compare,
        name="published-compare",
    ),
    path(
        "<slug:partnership>/published/<int:revision>/plan.<str:fmt>",
        v.published_download,
        name="published-download",
    ),
]
