"""Partnership plan pages: revisions, drafting, approval by the strategy group, differences
between revisions, the published plan with its history, and the PDF."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, public, requires
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import shift
from cdrp.core import documents as stored
from cdrp.core.cache import cached_view
from cdrp.core.models import ConflictError, required_version
from cdrp.intelligence.models import Assessment
from cdrp.meetings.services import strategy_decisions
from cdrp.partnerships.models import Organisation, Partnership
from cdrp.plans import documents, services
from cdrp.plans.forms import (
    CommitmentForm,
    EngagementForm,
    IndicatorForm,
    ObjectiveForm,
    PlanForm,
    PriorityForm,
    ReviseForm,
    SeedForm,
    TargetForm,
)
from cdrp.plans.models import Indicator, Objective, Plan, Target

PUBLIC_STATUSES = [Plan.Status.APPROVED, Plan.Status.SUPERSEDED]


def _plan(request, revision: int, *, published: bool = False) -> Plan:
    queryset = Plan.objects.filter(partnership=request.partnership)
    if published:
        queryset = queryset.filter(status__in=PUBLIC_STATUSES)
    return get_object_or_404(queryset, revision=revision)


def _draft(request, revision: int) -> tuple[Plan, HttpResponse | None]:
    """The revision to change, or the page to go back to when it is no longer a draft."""
    plan = _plan(request, revision)
    if plan.editable:
        return plan, None
    try:
        plan.check_editable()
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return plan, _detail(plan)


def _detail(plan: Plan):
    return redirect("plans:plan-detail", partnership=plan.partnership.slug, revision=plan.revision)


def _strategic_assessments(partnership):
    return Assessment.objects.filter(partnership=partnership, kind=Assessment.Kind.STRATEGIC)


@requires(Permission.VIEW_MEMBER)
def plan_home(request, partnership):
    """The current plan, any draft revision and the history; the first draft for editors."""
    plans = Plan.objects.filter(partnership=request.partnership).select_related(
        "approval_decision__meeting"
    )
    can_edit = allows(request.user, Permission.EDIT, request.partnership)
    assessments = _strategic_assessments(request.partnership)
    return render(
        request,
        "plans/plan/home.html",
        {
            "partnership": request.partnership,
            "plans": plans,
            "current": services.current_plan(request.partnership),
            "draft": plans.filter(status=Plan.Status.DRAFT).first(),
            "can_edit": can_edit,
            "seed_form": SeedForm(assessments=assessments) if can_edit and assessments else None,
            "page_title": f"Partnership plan: {request.partnership.name}",
        },
    )


@requires(Permission.EDIT)
@require_POST
def plan_seed(request, partnership):
    """A new draft from a strategic assessment's recommended priorities."""
    assessments = _strategic_assessments(request.partnership)
    form = SeedForm(request.POST, assessments=assessments)
    if form.is_valid():
        assessment = assessments.get(pk=form.cleaned_data["assessment"])
        try:
            plan = services.seed_from_assessment(
                assessment, request.user, period_start=form.cleaned_data["period_start"]
            )
        except (ValidationError, RefusedInput) as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(
                request, f"Draft plan created with {plan.priorities.count()} priorities"
            )
            return _detail(plan)
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("plans:plan-home", partnership=partnership)


@requires(Permission.VIEW_MEMBER)
def plan_detail(request, partnership, revision):
    """One revision: the document, its status, and the next step for those who may take it."""
    plan = _plan(request, revision)
    editing = plan.editable and allows(request.user, Permission.EDIT, request.partnership)
    approving = plan.editable and allows(request.user, Permission.APPROVE, request.partnership)
    ctx = documents.context(plan)
    ctx.update(
        {
            "partnership": request.partnership,
            "editing": editing,
            "approving": approving,
            "decisions": strategy_decisions(request.partnership)[:20] if approving else [],
            "can_revise": plan.status == Plan.Status.APPROVED
            and allows(request.user, Permission.EDIT, request.partnership)
            and not Plan.objects.filter(
                partnership=request.partnership, status=Plan.Status.DRAFT
            ).exists(),
            "revise_form": ReviseForm(),
            "page_title": f"{plan.title}, revision {plan.revision}",
        }
    )
    return render(request, "plans/plan/detail.html", ctx)


@requires(Permission.VIEW_MEMBER)
def plan_compare(request, partnership, revision, other):
    """What changed between two revisions."""
    new, old = _plan(request, revision), _plan(request, other)
    return _compare(request, old, new, public_view=False)


def _compare(request, old, new, *, public_view: bool):
    return render(
        request,
        "plans/plan/compare.html",
        {
            "partnership": request.partnership,
            "old": old,
            "new": new,
            "rows": services.differences(old, new),
            "public": public_view,
            "page_title": f"Changes from revision {old.revision} to revision {new.revision}",
        },
    )


def _download(request, plan: Plan, fmt: str) -> HttpResponse:
    name = f"plan-{plan.partnership.slug}-revision-{plan.revision}"
    if fmt == "pdf":
        return stored.response(request, documents.plan_pdf(plan), f"{name}.pdf")
    elif fmt == "json":
        response = HttpResponse(
            json.dumps(services.snapshot(plan), indent=1), content_type="application/json"
        )
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@requires(Permission.VIEW_MEMBER)
def plan_download(request, partnership, revision, fmt):
    return _download(request, _plan(request, revision), fmt)


@requires(Permission.EDIT)
@require_POST
def plan_revise(request, partnership, revision):
    """Start the annual revision: a draft copy of this approved revision."""
    plan = _plan(request, revision)
    form = ReviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["change_note"][0])
        return _detail(plan)
    try:
        new = services.revise(plan, request.user, form.cleaned_data["change_note"])
    except (ValidationError, RefusedInput) as exc:
        messages.error(request, _refusal(exc))
        return _detail(plan)
    messages.success(request, f"Revision {new.revision} started as a draft copy")
    return _detail(new)


@requires(Permission.APPROVE)
@require_POST
def plan_approve(request, partnership, revision):
    """Record the strategy group's approval, citing its carried decision."""
    plan = _plan(request, revision)
    decision = (
        strategy_decisions(request.partnership).filter(pk=request.POST.get("decision") or 0).first()
    )
    try:
        expected = required_version(request.POST.get("version"))
        services.approve(plan, request.user, decision, expected)
    except (ValidationError, ConflictError, ValueError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, f"Revision {plan.revision} approved: it is now the current plan")
    return _detail(plan)


def _form_page(request, plan, form, title, *, action_label="Save", extra=None):
    ctx = {
        "partnership": request.partnership,
        "plan": plan,
        "form": form,
        "title": title,
        "action_label": action_label,
        "page_title": title,
    }
    ctx.update(extra or {})
    return render(request, "plans/plan/form.html", ctx)


def _refusal(exc: Exception) -> str:
    """The words of a refusal: a service's `RefusedInput` reads "field: message", a record
    rule's ValidationError gives its first message."""
    if isinstance(exc, RefusedInput):
        return str(exc)
    return getattr(exc, "messages", [str(exc)])[0]


def _save(request, plan, form, write):
    """Run `write(cleaned_data)`; a refusal from the record rules goes back to the form."""
    try:
        write(form.cleaned_data)
    except ConflictError as exc:
        form.add_error(None, str(exc))
    except (ValidationError, RefusedInput) as exc:
        message = _refusal(exc)
        field, _, text = message.partition(": ")
        if text and field in form.fields:
            form.add_error(field, text[0].upper() + text[1:])
        else:
            form.add_error(None, message)
    else:
        messages.success(request, "Saved")
        return _detail(plan)
    return None


@requires(Permission.EDIT)
def plan_edit(request, partnership, revision):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    initial = {k: getattr(plan, k) for k in ("title", "period_start", "summary", "change_note")}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def write(data):
            services.update_plan(plan, required_version(request.POST.get("version")), **data)

        done = _save(request, plan, form, write)
        if done:
            return done
    return _form_page(request, plan, form, "Edit the plan", extra={"version": plan.version})


@requires(Permission.EDIT)
def priority_form(request, partnership, revision, pk=None):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    priority = get_object_or_404(plan.priorities, pk=pk) if pk else None
    initial = (
        {"name": priority.name, "rationale": priority.rationale, "categories": priority.categories}
        if priority
        else {}
    )
    form = PriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def write(data):
            version = required_version(request.POST.get("version")) if priority else None
            services.save_priority(plan, priority, version, **data)

        done = _save(request, plan, form, write)
        if done:
            return done
    title = f"Edit priority “{priority.name}”" if priority else "Add a priority"
    return _form_page(
        request, plan, form, title, extra={"version": priority.version if priority else ""}
    )


@requires(Permission.EDIT)
@require_POST
def priority_delete(request, partnership, revision, pk):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    priority = get_object_or_404(plan.priorities, pk=pk)
    try:
        services.delete_priority(priority)
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Priority “{priority.name}” removed from this draft")
    return _detail(plan)


@requires(Permission.EDIT)
def objective_form(request, partnership, revision, priority=None, pk=None):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    objective = _objective(plan, pk) if pk else None
    parent = objective.priority if objective else get_object_or_404(plan.priorities, pk=priority)
    initial = {"text": objective.text, "owner": objective.owner} if objective else {}
    form = ObjectiveForm(request.POST or None, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():

        def write(data):
            version = required_version(request.POST.get("version")) if objective else None
            services.save_objective(
                parent, objective, version, text=data["text"], owner=data["owner"]
            )

        done = _save(request, plan, form, write)
        if done:
            return done
    title = "Edit the objective" if objective else f"Add an objective to “{parent.name}”"
    return _form_page(
        request, plan, form, title, extra={"version": objective.version if objective else ""}
    )


@requires(Permission.EDIT)
@require_POST
def objective_delete(request, partnership, revision, pk):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    services.remove_from_draft(_objective(plan, pk))
    messages.success(request, "Objective removed from this draft")
    return _detail(plan)


def _objective(plan, pk):
    return get_object_or_404(Objective, pk=pk, priority__plan=plan)


@requires(Permission.EDIT)
def commitment_form(request, partnership, revision, objective):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    parent = _objective(plan, objective)
    form = CommitmentForm(request.POST or None, organisations=Organisation.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():

        def write(data):
            services.add_commitment(
                parent,
                organisation=data["organisation"],
                role=data["role"],
                resources=data["resources"],
                amount_pence=data["amount"],
            )

        done = _save(request, plan, form, write)
        if done:
            return done
    return _form_page(request, plan, form, "Add a partner's role and resources")


@requires(Permission.EDIT)
def indicator_form(request, partnership, revision, objective):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    parent = _objective(plan, objective)
    initial = {
        "target_start": plan.period_start,
        "target_end": shift(plan.period_start, 11),
        "baseline_start": shift(plan.period_start, -12),
        "baseline_end": shift(plan.period_start, -1),
    }
    form = IndicatorForm(request.POST or None, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():

        def write(data):
            fields = ("name", "source", "categories", "measure", "harm_weighted", "series")
            services.add_indicator(
                parent,
                _target_fields(data),
                direction=data["direction"],
                **{k: data[k] for k in fields},
            )

        done = _save(request, plan, form, _rename(write))
        if done:
            return done
    return _form_page(request, plan, form, "Add an indicator and its target")


def _target_fields(data) -> dict:
    """`services.add_target`'s fields from those of TargetForm (also part of IndicatorForm)."""
    return {
        "kind": data["target_kind"],
        "value": data["target_value"],
        "baseline_start": data["baseline_start"] or "",
        "baseline_end": data["baseline_end"] or "",
        "period_start": data["target_start"],
        "period_end": data["target_end"],
    }


def _rename(write):
    """Target errors name model fields; the form calls them target_…."""
    names = {"value": "target_value", "kind": "target_kind", "period_start": "target_start"}
    names["period_end"] = "target_end"

    def wrapped(data):
        try:
            write(data)
        except (ValidationError, RefusedInput) as exc:
            field, _, text = _refusal(exc).partition(": ")
            if text and field in names:
                raise services.PlanError(names[field], text) from exc
            raise

    return wrapped


@requires(Permission.EDIT)
def target_form(request, partnership, revision, indicator):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    parent = get_object_or_404(Indicator, pk=indicator, objective__priority__plan=plan)
    last = parent.targets.order_by("-period_end").first()
    start = shift(last.period_end, 1) if last else plan.period_start
    initial = {
        "target_start": start,
        "target_end": shift(start, 11),
        "baseline_start": shift(start, -12),
        "baseline_end": shift(start, -1),
    }
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def write(data):
            services.add_target(parent, **_target_fields(data))

        done = _save(request, plan, form, _rename(write))
        if done:
            return done
    return _form_page(request, plan, form, f"Add a target to “{parent.name}”")


@requires(Permission.EDIT)
@require_POST
def target_delete(request, partnership, revision, pk):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    services.remove_from_draft(
        get_object_or_404(Target, pk=pk, indicator__objective__priority__plan=plan)
    )
    messages.success(request, "Target removed from this draft")
    return _detail(plan)


@requires(Permission.EDIT)
@require_POST
def indicator_delete(request, partnership, revision, pk):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    indicator = get_object_or_404(Indicator, pk=pk, objective__priority__plan=plan)
    services.remove_from_draft(indicator)
    messages.success(request, f"Indicator “{indicator.name}” removed from this draft")
    return _detail(plan)


@requires(Permission.EDIT)
def engagement_form(request, partnership, revision):
    plan, refused = _draft(request, revision)
    if refused:
        return refused
    form = EngagementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def write(data):
            services.add_engagement(plan, **data)

        done = _save(request, plan, form, write)
        if done:
            return done
    return _form_page(request, plan, form, "Add a community engagement commitment")


# --- Public pages -------------------------------------------------------------------------------


def _public_partnership(request, slug: str):
    request.partnership = get_object_or_404(Partnership, slug=slug)
    return request.partnership


@public
@cached_view
def published_home(request, partnership):
    """The current plan and every earlier approved revision: open to everyone."""
    _public_partnership(request, partnership)
    plans = Plan.objects.filter(partnership=request.partnership, status__in=PUBLIC_STATUSES)
    current = plans.filter(status=Plan.Status.APPROVED).first()
    ctx = documents.context(current) if current else {}
    ctx.update(
        {
            "partnership": request.partnership,
            "current": current,
            "history": plans.exclude(pk=current.pk) if current else plans,
            "public": True,
            "page_title": f"Partnership plan: {request.partnership.name}",
        }
    )
    return render(request, "plans/plan/published.html", ctx)


@public
@cached_view
def published_plan(request, partnership, revision):
    """One approved or superseded revision, with what changed from the one before."""
    _public_partnership(request, partnership)
    plan = _plan(request, revision, published=True)
    ctx = documents.context(plan)
    ctx.update(
        {
            "partnership": request.partnership,
            "public": True,
            "page_title": f"{plan.title}, revision {plan.revision}",
        }
    )
    return render(request, "plans/plan/detail.html", ctx)


@public
def published_compare(request, partnership, revision):
    """What a published revision changed from the revision it revised."""
    _public_partnership(request, partnership)
    new = _plan(request, revision, published=True)
    if new.revises is None or new.revises.status not in PUBLIC_STATUSES:
        raise Http404("This revision has no earlier published revision")
    return _compare(request, new.revises, new, public_view=True)


@public
def published_download(request, partnership, revision, fmt):
    _public_partnership(request, partnership)
    return _download(request, _plan(request, revision, published=True), fmt)
