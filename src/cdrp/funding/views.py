"""Funding and commissioning pages: the partnership's funding, each stream with its formula and
allocation table, each project with spend, milestones, variations and evaluation, spend
downloads, and the public transparency pages.

Members read; coordinators (EDIT) add streams, run formulas, commission projects and record
spend, variations and milestones; analysts (ANALYSE) plan and compute evaluations; chairs
(APPROVE) record the strategy group's approvals and publish. Every write goes through
`cdrp.funding.services` (one transaction each); a refusal comes back on the form, naming the field.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, public, requires
from cdrp.analysis.allocation import MEASURES, as_exact
from cdrp.analysis.months import window
from cdrp.core import tables
from cdrp.funding import evaluation as funding_evaluation
from cdrp.funding import queries as funding_queries
from cdrp.funding import services as funding
from cdrp.funding.checks import FundingError
from cdrp.funding.forms import (
    AllocationForm,
    DecisionForm,
    EvaluationForm,
    FormulaForm,
    MilestoneForm,
    ProjectForm,
    SpendForm,
    StreamForm,
    VariationForm,
)
from cdrp.funding.models import Evaluation, FundingStream, Milestone, Project, Spend, Variation
from cdrp.intelligence.assessments import latest_month
from cdrp.intelligence.services import incident_store
from cdrp.partnerships.models import Area, Partnership
from cdrp.plans.money import format_pence
from cdrp.store.schema import CATEGORY_NAMES

# --- helpers -----------------------------------------------------------------------------------


def _stream(partnership: Partnership, pk: int) -> FundingStream:
    """A stream the partnership holds or has an allocation of."""
    return get_object_or_404(funding_queries.visible_streams(partnership), pk=pk)


def _project(partnership: Partnership, pk: int, *, public: bool = False) -> Project:
    return get_object_or_404(funding_queries.visible_projects(partnership, public=public), pk=pk)


def _can(request, action: Permission, partnership=None) -> bool:
    return allows(request.user, action, partnership or request.partnership)


def _rows(projects) -> list[dict]:
    out = []
    for p in projects:
        available = p.budget_pence + p.variations_pence
        out.append(
            {
                "project": p,
                "available": available,
                "spent": p.spent_pence,
                "remaining": available - p.spent_pence,
                "over_half": available and p.spent_pence * 2 > available,
            }
        )
    return out


def _allocation_rows(stream: FundingStream) -> tuple[list[dict], dict]:
    allocations = list(stream.allocations.select_related("partnership", "decision__meeting__group"))
    rows = []
    for a in allocations:
        basis = a.basis or {}
        rows.append(
            {
                "allocation": a,
                "basis": basis,
                "formula": basis.get("method") == "formula",
                "districts": basis.get("districts", []),
                "inputs": basis.get("inputs", {}),
                "measure_shares": basis.get("measure_shares", {}),
                "quota": (basis.get("quota_pence") or {}).get("decimal"),
            }
        )
    total = sum(a.amount_pence for a in allocations)
    district_count = sum(len(r["districts"]) for r in rows)
    inputs_total = {m: sum(int(r["inputs"].get(m, 0)) for r in rows) for m in MEASURES if rows}
    summary = {
        "total": total,
        "share_total": sum((a.share or 0 for a in allocations), Decimal(0)),
        "unallocated": stream.amount_pence - total,
        "reconciles": total == stream.amount_pence,
        "partnerships": len(rows),
        "districts": district_count,
        "inputs_total": inputs_total,
        # Measures the formula actually weights (a zero weight is not read).
        "weights": {
            m: w for m, w in ((stream.formula or {}).get("weights") or {}).items() if as_exact(w)
        },
    }
    return rows, summary


# --- member pages ----------------------------------------------------------------------------


@requires(Permission.VIEW_MEMBER)
def funding_index(request, partnership):
    """Streams held by or allocated to the partnership, and its projects with their money."""
    p = request.partnership
    streams = list(funding_queries.visible_streams(p).prefetch_related("allocations"))
    for s in streams:
        own = [a for a in s.allocations.all() if a.partnership_id == p.pk]
        s.own_allocation = own[0] if own else None
    projects = _rows(funding_queries.visible_projects(p))
    totals = {
        "budget": sum(r["available"] for r in projects),
        "spent": sum(r["spent"] for r in projects),
        "remaining": sum(r["remaining"] for r in projects),
    }
    return render(
        request,
        "funding/index.html",
        {
            "partnership": p,
            "streams": streams,
            "projects": projects,
            "totals": totals,
            "can_edit": _can(request, Permission.EDIT),
            "page_title": f"Funding and commissioning: {p.name}",
        },
    )


def _form_page(request, form, *, title, submit, back, intro="", action=""):
    return render(
        request,
        "funding/form.html",
        {
            "partnership": request.partnership,
            "form": form,
            "page_title": title,
            "submit": submit,
            "back": back,
            "intro": intro,
            "action": action,
        },
    )


@requires(Permission.EDIT)
def stream_new(request, partnership):
    """Record a funding stream the partnership holds."""
    p = request.partnership
    form = StreamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stream = funding.create_stream(
                p,
                name=data["name"],
                source=data["source"],
                financial_year=data["financial_year"],
                amount_pence=data["amount"],
                conditions=data["conditions"],
            )
        except FundingError as exc:
            form.refuse(exc)
        else:
            messages.success(request, f"Funding stream recorded: {stream}")
            return redirect("plans:stream", partnership=p.slug, pk=stream.pk)
    return _form_page(
        request,
        form,
        title="Add a funding stream",
        submit="Add the stream",
        back=reverse("plans:funding", kwargs={"partnership": p.slug}),
        intro="Money the partnership holds: where it comes from, for which year, how much and "
        "on what conditions. Split it between partnerships by a formula on its page.",
    )


def _stream_context(request, stream: FundingStream, *, public: bool) -> dict:
    rows, summary = _allocation_rows(stream)
    holder = stream.partnership
    formula = stream.formula or {}
    decisions = {
        r["allocation"].decision_id: r["allocation"].decision
        for r in rows
        if r["allocation"].decision_id
    }
    return {
        "partnership": request.partnership,
        "stream": stream,
        "holder": holder,
        "formula_json": json.dumps(formula, indent=2),
        "decisions": list(decisions.values()),
        "rows": rows,
        "summary": summary,
        "formula": formula,
        "formula_measures": [
            (m, formula.get("weights", {}).get(m), MEASURES[m])
            for m in MEASURES
            if m in formula.get("weights", {})
        ],
        "formula_categories": [
            CATEGORY_NAMES.get(c, c) for c in (formula.get("crime_categories") or [])
        ],
        "public": public,
        "page_title": f"{stream.name} {stream.financial_year}",
    }


@requires(Permission.VIEW_MEMBER)
def stream_detail(request, partnership, pk, *, formula_form=None, allocation_form=None):
    """The stream: its formula (data) and every partnership's inputs, shares and amount."""
    stream = _stream(request.partnership, pk)
    ctx = _stream_context(request, stream, public=False)
    holder = stream.partnership
    can_edit = request.partnership == holder and _can(request, Permission.EDIT)
    if can_edit:
        formula = stream.formula or {}
        start, end = (formula.get("crime_period") or [None, None])[:2]
        if not (start and end):
            start, end = _latest_year_of_data()
        initial = {
            "partnerships": [r["allocation"].partnership_id for r in ctx["rows"]],
            "population_weight": _percent(formula, "population", 50),
            "crime_weight": _percent(formula, "crime", 50),
            "population_year": formula.get("population_year"),
            "crime_start": start,
            "crime_end": end,
            "crime_categories": formula.get("crime_categories") or [],
        }
        ctx["formula_form"] = formula_form or FormulaForm(initial=initial, stream=stream)
        ctx["allocation_form"] = allocation_form or AllocationForm()
    ctx.update(
        {
            "can_edit": can_edit,
            "can_publish": request.partnership == holder and _can(request, Permission.APPROVE),
            "error_form": formula_form if formula_form is not None else allocation_form,
        }
    )
    return render(request, "funding/stream.html", ctx)


def _latest_year_of_data() -> tuple[str, str]:
    """The last twelve months of police.uk data in the store (empty if it cannot be read)."""

    try:
        last = latest_month(incident_store())
    except Exception:  # a form default, never a reason for the page to fail
        last = None
    if not last:
        return "", ""
    return window(last, 12)[0], last


def _percent(formula: dict, measure: str, default) -> Decimal:
    raw = (formula.get("weights") or {}).get(measure)
    if raw is None:
        return Decimal(default) if not formula else Decimal(0)
    try:
        return (Decimal(str(raw)) * 100).normalize()
    except InvalidOperation:
        return Decimal(default)


def _held(request, pk) -> FundingStream:
    return get_object_or_404(FundingStream, partnership=request.partnership, pk=pk)


@requires(Permission.EDIT)
@require_POST
def stream_allocate(request, partnership, pk):
    """Run the formula: replace the stream's allocations with the computed shares."""
    stream = _held(request, pk)
    form = FormulaForm(request.POST, stream=stream)
    if form.is_valid():
        try:
            made = funding.allocate_by_formula(
                stream,
                form.cleaned_data["partnerships"],
                form.formula(),
                incident_store(),
                decision=form.cleaned_data["decision"],
            )
        except FundingError as exc:
            form.refuse(exc)
        else:
            messages.success(
                request,
                f"Split between {len(made)} partnerships; the amounts add to "
                f"{format_pence(sum(a.amount_pence for a in made))}",
            )
            return redirect("plans:stream", partnership=partnership, pk=pk)
    return stream_detail.__wrapped__(request, partnership, pk, formula_form=form)


@requires(Permission.EDIT)
@require_POST
def stream_allocation(request, partnership, pk):
    """Set one partnership's allocation by hand (refused beyond the stream)."""
    stream = _held(request, pk)
    form = AllocationForm(request.POST)
    if form.is_valid():
        try:
            funding.allocate(
                stream,
                form.cleaned_data["partnership"],
                form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except FundingError as exc:
            form.refuse(exc)
        else:
            messages.success(request, "Allocation recorded")
            return redirect("plans:stream", partnership=partnership, pk=pk)
    return stream_detail.__wrapped__(request, partnership, pk, allocation_form=form)


@requires(Permission.APPROVE)
@require_POST
def stream_publish(request, partnership, pk):
    stream = _held(request, pk)
    publish = request.POST.get("publish", "1") == "1"
    funding.publish_stream(stream, publish)
    messages.success(
        request, "Published on the transparency page" if publish else "Withdrawn from publication"
    )
    return redirect("plans:stream", partnership=partnership, pk=pk)


@requires(Permission.EDIT)
def project_new(request, partnership):
    """Commission a project against a plan priority, funded from an allocation."""
    p = request.partnership
    form = ProjectForm(request.POST or None, partnership=p, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = funding.create_project(
                p,
                title=data["title"],
                description=data["description"],
                lead_organisation=data["lead_organisation"],
                budget_pence=data["budget"],
                priority=data["priority"],
                allocation=data["allocation"],
                joint_with=data["joint_with"],
                start=data["start"],
                end=data["end"],
            )
        except FundingError as exc:
            form.refuse(exc)
        else:
            messages.success(
                request, f"Project recorded: {project}. The strategy group must approve it."
            )
            return redirect("plans:project", partnership=p.slug, pk=project.pk)
    return _form_page(
        request,
        form,
        title="Commission a project",
        submit="Add the project",
        back=reverse("plans:funding", kwargs={"partnership": p.slug}),
        intro="A project is proposed until the strategy group approves its spend by a carried "
        "decision. Its budget must fit in what is left of the allocation that funds it.",
    )


def _project_context(request, project: Project, *, public: bool) -> dict:
    f = funding_queries.figures(project)
    evaluation = Evaluation.objects.filter(project=project).first()
    area_names = {}
    if evaluation is not None:
        codes = [
            *evaluation.target_areas,
            *evaluation.buffer_areas,
            *evaluation.control_areas,
        ]
        area_names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
        area_names.update((evaluation.result or {}).get("names") or {})
    return {
        "partnership": request.partnership,
        "project": project,
        "figures": f,
        "spend": project.spend.all(),
        "milestones": project.milestones.all(),
        "variations": project.variations.select_related("decision__meeting"),
        "evaluation": evaluation,
        "result": (evaluation.result if evaluation else None) or {},
        "target_names": [area_names.get(c, c) for c in evaluation.target_areas]
        if evaluation
        else [],
        "categories": [CATEGORY_NAMES.get(c, c) for c in evaluation.categories]
        if evaluation
        else [],
        "joint": list(project.joint_with.all()),
        "today": timezone.localdate(),
        "public": public,
        "page_title": project.title,
    }


@requires(Permission.VIEW_MEMBER)
def project_detail(request, partnership, pk, *, bound: dict | None = None):
    """The project: money, spend, milestones, variations, approval and evaluation."""
    project = _project(request.partnership, pk)
    ctx = _project_context(request, project, public=False)
    own = project.partnership_id == request.partnership.pk
    can_edit = own and _can(request, Permission.EDIT)
    can_approve = own and _can(request, Permission.APPROVE)
    bound = bound or {}
    ctx.update(
        {
            "own": own,
            "can_edit": can_edit,
            "can_approve": can_approve,
            "can_analyse": own and _can(request, Permission.ANALYSE),
            "spend_form": bound.get("spend") or SpendForm(),
            "variation_form": bound.get("variation") or VariationForm(),
            "milestone_form": bound.get("milestone") or MilestoneForm(),
            "approve_form": bound.get("approve") or DecisionForm(partnership=project.partnership),
            "error_forms": [f for f in bound.values() if f is not None],
        }
    )
    return render(request, "funding/project.html", ctx)


def _own_project(request, pk) -> Project:
    return get_object_or_404(Project, partnership=request.partnership, pk=pk)


def _project_action(form_class, name: str, run, done: str, **form_kwargs):
    """A POST handler for one of the project page's forms: on refusal the page comes back with
    the form and its errors."""

    def view(request, partnership, pk):
        project = _own_project(request, pk)
        kwargs = {k: v(project) for k, v in form_kwargs.items()}
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                run(project, form.cleaned_data)
            except FundingError as exc:
                form.refuse(exc)
            else:
                messages.success(request, done)
                return redirect("plans:project", partnership=partnership, pk=pk)
        return project_detail.__wrapped__(request, partnership, pk, bound={name: form})

    return require_POST(view)


project_spend = requires(Permission.EDIT)(
    _project_action(
        SpendForm,
        "spend",
        lambda p, d: funding.record_spend(p, d["date"], d["amount"], d["description"]),
        "Spend recorded",
    )
)
project_variation = requires(Permission.EDIT)(
    _project_action(
        VariationForm,
        "variation",
        lambda p, d: funding.add_variation(p, d["amount"], d["reason"]),
        "Variation recorded: it counts once the strategy group approves it",
    )
)
project_milestone = requires(Permission.EDIT)(
    _project_action(
        MilestoneForm,
        "milestone",
        lambda p, d: funding.add_milestone(p, d["title"], d["due"]),
        "Milestone added",
    )
)
project_approve = requires(Permission.APPROVE)(
    _project_action(
        DecisionForm,
        "approve",
        lambda p, d: funding.approve_project(p, d["decision"]),
        "Approval recorded: spend can now be recorded",
        partnership=lambda p: p.partnership,
    )
)


@requires(Permission.APPROVE)
@require_POST
def variation_approve(request, partnership, pk, variation):
    project = _own_project(request, pk)
    record = get_object_or_404(Variation, project=project, pk=variation)
    form = DecisionForm(request.POST, partnership=project.partnership, prefix=f"v{record.pk}")
    if form.is_valid():
        try:
            funding.approve_variation(record, form.cleaned_data["decision"])
        except FundingError as exc:
            form.refuse(exc)
        else:
            messages.success(request, "Variation approved: the budget available has increased")
            return redirect("plans:project", partnership=partnership, pk=pk)
    return project_detail.__wrapped__(request, partnership, pk, bound={"approve": form})


@requires(Permission.EDIT)
@require_POST
def milestone_complete(request, partnership, pk, milestone):
    project = _own_project(request, pk)
    record = get_object_or_404(Milestone, project=project, pk=milestone)
    try:
        funding.complete_milestone(record)
    except FundingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Milestone completed: {record.title}")
    return redirect("plans:project", partnership=partnership, pk=pk)


@requires(Permission.EDIT)
@require_POST
def project_complete(request, partnership, pk):
    project = _own_project(request, pk)
    try:
        funding.complete_project(project)
    except FundingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Project marked complete")
    return redirect("plans:project", partnership=partnership, pk=pk)


@requires(Permission.APPROVE)
@require_POST
def project_publish(request, partnership, pk):
    project = _own_project(request, pk)
    publish = request.POST.get("publish", "1") == "1"
    try:
        funding.publish_project(project, publish)
    except FundingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Published on the transparency page" if publish else "Withdrawn from publication",
        )
    return redirect("plans:project", partnership=partnership, pk=pk)


@requires(Permission.ANALYSE)
def evaluation_plan(request, partnership, pk):
    """Plan the evaluation: method, outcome, target/buffer/control LSOAs, before and after."""
    project = _own_project(request, pk)
    current = Evaluation.objects.filter(project=project).first()
    initial = {}
    if current is not None:
        initial = {
            "method": current.method,
            "categories": current.categories,
            "target_areas": " ".join(current.target_areas),
            "buffer_areas": " ".join(current.buffer_areas),
            "control_areas": " ".join(current.control_areas),
            "before_start": current.before_start,
            "before_end": current.before_end,
            "after_start": current.after_start,
            "after_end": current.after_end,
        }
    form = EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            funding_evaluation.set_evaluation(project, **form.cleaned_data)
        except FundingError as exc:
            form.refuse(exc)
        else:
            messages.success(request, "Evaluation plan saved; compute it when the data is in")
            return redirect(
                reverse("plans:project", kwargs={"partnership": partnership, "pk": pk})
                + "#evaluation"
            )
    return _form_page(
        request,
        form,
        title=f"Evaluation plan: {project.title}",
        submit="Save the plan",
        back=reverse("plans:project", kwargs={"partnership": partnership, "pk": pk}),
        intro="Before and after in the target area against a comparison area, with a buffer "
        "to measure displacement (weighted displacement quotient and difference). The two "
        "periods must be of equal length; same months a year apart keep the seasons matched.",
    )


@requires(Permission.ANALYSE)
@require_POST
def evaluation_run(request, partnership, pk):
    """Compute the evaluation from the incident store."""
    project = _own_project(request, pk)
    evaluation = get_object_or_404(Evaluation, project=project)
    try:
        funding_evaluation.evaluate(evaluation, incident_store())
    except FundingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Evaluated: {evaluation.get_verdict_display()}")
    return redirect(
        reverse("plans:project", kwargs={"partnership": partnership, "pk": pk}) + "#evaluation"
    )


# --- downloads ---------------------------------------------------------------------------------

SPEND_COLUMNS = [
    "project",
    "lead_organisation",
    "funded_from",
    "date",
    "description",
    "amount_pounds",
    "amount_pence",
]


def _spend_rows(partnership: Partnership) -> list[list]:
    projects = funding_queries.visible_projects(partnership).values_list("pk", flat=True)
    spend = (
        Spend.objects.filter(project__in=list(projects))
        .select_related("project__lead_organisation", "project__allocation__stream")
        .order_by("project__title", "date", "pk")
    )
    rows = []
    for s in spend:
        stream = s.project.allocation.stream if s.project.allocation else None
        rows.append(
            [
                s.project.title,
                s.project.lead_organisation.name,
                f"{stream.name} {stream.financial_year}" if stream else "",
                s.date.isoformat(),
                s.description,
                format_pence(s.amount_pence, symbol=False).replace(",", ""),
                s.amount_pence,
            ]
        )
    return rows


@requires(Permission.VIEW_MEMBER)
def spend_download(request, partnership, fmt):
    """Every spend line of the partnership's projects as CSV or XLSX (amounts exact)."""
    rows = _spend_rows(request.partnership)
    name = f"spend-{request.partnership.slug}"
    if fmt == "csv":
        text = tables.csv_text(rows, header=SPEND_COLUMNS, lineterminator="\r\n")
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        total = sum(r[6] for r in rows)
        sheet = tables.Sheet(
            "Spend",
            # Pounds as an exact decimal, shown with two places; pence kept as an integer.
            [
                SPEND_COLUMNS,
                *([*row[:5], Decimal(row[5]), row[6]] for row in rows),
                [],
                ["Total", "", "", "", "", Decimal(total) / 100, total],
            ],
            number_formats={6: "#,##0.00"},
            widths=(46, 34, 40, 12, 50, 14, 14),
        )
        response = HttpResponse(
            tables.xlsx_bytes([sheet]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- public pages ------------------------------------------------------------------------------


def _public_partnership(request, slug: str) -> Partnership:
    request.partnership = get_object_or_404(Partnership, slug=slug)
    return request.partnership


@public
def transparency(request, partnership):
    """Every published stream (with its allocations) and every published project with its
    budget, spend and outcome. Open to everyone; no personal data."""
    p = _public_partnership(request, partnership)
    streams = list(
        funding_queries.visible_streams(p, public=True).prefetch_related("allocations__partnership")
    )
    for s in streams:
        s.allocated_pence = sum(a.amount_pence for a in s.allocations.all())
    projects = _rows(funding_queries.visible_projects(p, public=True).select_related("evaluation"))
    totals = {
        "budget": sum(r["available"] for r in projects),
        "spent": sum(r["spent"] for r in projects),
    }
    return render(
        request,
        "funding/transparency.html",
        {
            "partnership": p,
            "streams": streams,
            "projects": projects,
            "totals": totals,
            "public": True,
            "page_title": f"Funding and spending: {p.name}",
        },
    )


@public
def transparency_stream(request, partnership, pk):
    p = _public_partnership(request, partnership)
    stream = get_object_or_404(funding_queries.visible_streams(p, public=True), pk=pk)
    return render(request, "funding/stream.html", _stream_context(request, stream, public=True))


@public
def transparency_project(request, partnership, pk):
    p = _public_partnership(request, partnership)
    project = _project(p, pk, public=True)
    return render(request, "funding/project.html", _project_context(request, project, public=True))
