"""Strategic assessment pages: list and build, the document, downloads, lifecycle, public copy.

Every page renders the stored document; nothing is recomputed. When the inputs' fingerprints
no longer match (a re-imported month, revised populations), the page says the assessment is out
of date and names what changed.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, public, public_document, requires
from cdrp.analysis.months import MonthError, read_month
from cdrp.core import documents as stored
from cdrp.core.models import ConflictError, required_version
from cdrp.core.progress import queue
from cdrp.intelligence import documents
from cdrp.intelligence.assessment_tasks import build_assessment_task, render_when_saved
from cdrp.intelligence.assessments import AssessmentError, advance, latest_month, staleness
from cdrp.intelligence.models import Assessment
from cdrp.intelligence.services import incident_store
from cdrp.meetings.services import strategy_decisions
from cdrp.partnerships.models import Partnership

_STEP_ACTION = {
    Assessment.Status.REVIEWED: Permission.EDIT,
    Assessment.Status.APPROVED: Permission.APPROVE,
    Assessment.Status.PUBLISHED: Permission.APPROVE,
}
_STEP_LABEL = {
    Assessment.Status.REVIEWED: "Record review by the officer working group",
    Assessment.Status.APPROVED: "Record approval by the strategy group",
    Assessment.Status.PUBLISHED: "Publish",
}


def _assessment(request, pk: int, *, published: bool = False) -> Assessment:
    queryset = Assessment.objects.filter(partnership=request.partnership)
    if published:
        queryset = queryset.filter(status=Assessment.Status.PUBLISHED)
    return get_object_or_404(queryset, pk=pk)


def _stale(assessment) -> list[str]:
    try:
        return staleness(assessment, incident_store())
    except Exception as exc:  # a page that cannot check says so rather than failing
        return [f"the inputs could not be checked ({exc})"]


@requires(Permission.VIEW_MEMBER)
def assessment_list(request, partnership):
    """The partnership's assessments, newest first, with the build form for analysts."""
    items = Assessment.objects.filter(partnership=request.partnership)
    try:
        latest = latest_month(incident_store())
    except Exception:
        latest = None
    return render(
        request,
        "intelligence/assessment/list.html",
        {
            "partnership": request.partnership,
            "items": items,
            "latest": latest,
            "annuals": items.filter(kind=Assessment.Kind.STRATEGIC),
            "can_build": allows(request.user, Permission.ANALYSE, request.partnership),
            "page_title": f"Strategic assessments: {request.partnership.name}",
        },
    )


@requires(Permission.ANALYSE)
@require_POST
def assessment_build(request, partnership):
    """Queue a build (the worker runs it; the task page shows progress)."""
    kind = request.POST.get("kind", "strategic")
    end = request.POST.get("end") or None
    try:
        months = int(request.POST.get("months") or 12)
    except ValueError:
        months = 0
    errors = []
    if kind not in ("strategic", "refresh"):
        errors.append("Choose a strategic assessment or a refresh")
    if end is not None:
        try:
            end = read_month(end, "end")
        except MonthError:
            errors.append("Enter the last month as a month and year, for example November 2022")
    if not 1 <= months <= 24:
        errors.append("Enter a number of months from 1 to 24")
    if not request.partnership.districts.exists():
        errors.append("The partnership has no districts in the registry")
    annual_id = None
    if kind == "refresh":
        annual = (
            Assessment.objects.filter(partnership=request.partnership, kind="strategic")
            .order_by("-period_end", "-built_at")
            .first()
        )
        if annual is None:
            errors.append("A refresh needs an annual strategic assessment: build one first")
        else:
            annual_id = annual.pk
    if errors:
        for error in errors:
            messages.error(request, error)
        return redirect("intelligence:assessment-list", partnership=partnership)
    label = "Build the refresh" if kind == "refresh" else "Build the strategic assessment"
    task_id = queue(
        build_assessment_task,
        label,
        request.user,
        request.partnership.pk,
        end,
        months,
        kind,
        annual_id,
        request.user.pk,
    )
    return redirect("core:task", task_id=task_id)


@requires(Permission.VIEW_MEMBER)
def assessment_detail(request, partnership, pk):
    """The document with its status, stale flag, downloads and the next lifecycle step."""
    assessment = _assessment(request, pk)
    ctx = documents.context(assessment, svg=False)
    nxt = assessment.next_status
    ctx.update(
        {
            "partnership": request.partnership,
            "stale": _stale(assessment),
            "next_status": nxt,
            "next_label": _STEP_LABEL.get(nxt),
            "can_advance": bool(nxt)
            and allows(request.user, _STEP_ACTION[nxt], request.partnership),
            "decisions": strategy_decisions(assessment.partnership)[:20]
            if nxt == Assessment.Status.APPROVED
            else [],
            "page_title": assessment.title,
        }
    )
    return render(request, "intelligence/assessment/detail.html", ctx)


def _download(request, assessment, fmt: str, *, public_copy: bool = False) -> HttpResponse:
    name = f"assessment-{assessment.pk}-{assessment.period_end}"
    if fmt == "pdf":
        if documents.pdf_rendering(assessment, public=public_copy):
            return stored.waiting(request, f"the PDF of {assessment.title}")
        doc = documents.assessment_pdf(assessment, public=public_copy)
        return stored.response(request, doc, f"{name}.pdf")
    elif fmt == "json":
        document = assessment.document
        if public_copy:
            document = public_document(document)
        response = HttpResponse(json.dumps(document, indent=1), content_type="application/json")
    elif fmt == "csv":
        response = HttpResponse(documents.annex_csv(assessment), content_type="text/csv")
    elif fmt == "xlsx":
        return stored.response(request, documents.assessment_xlsx(assessment), f"{name}.xlsx")
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@requires(Permission.VIEW_MEMBER)
def assessment_download(request, partnership, pk, fmt):
    """PDF, JSON or the annex (CSV, XLSX) of the stored document."""
    return _download(request, _assessment(request, pk), fmt)


def _advance_view(step: str):
    @require_POST
    def view(request, partnership, pk):
        assessment = _assessment(request, pk)
        if assessment.next_status != step:
            messages.error(
                request,
                f"This assessment is {assessment.get_status_display().lower()}: it cannot be "
                f"moved to {Assessment.Status(step).label.lower()}",
            )
            return redirect("intelligence:assessment-detail", partnership=partnership, pk=pk)
        if step == Assessment.Status.PUBLISHED and _stale(assessment):
            messages.error(request, "This assessment is out of date: build it again to publish")
            return redirect("intelligence:assessment-detail", partnership=partnership, pk=pk)
        if step == Assessment.Status.APPROVED and request.POST.get("decision"):
            decision = (
                strategy_decisions(assessment.partnership)
                .filter(pk=request.POST["decision"])
                .first()
            )
            if decision is None:
                messages.error(request, "Choose a decision of the strategy group that was carried")
                return redirect("intelligence:assessment-detail", partnership=partnership, pk=pk)
            assessment.approval_decision = decision
        try:
            expected = required_version(request.POST.get("version"))
            advance(assessment, request.user, expected)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except (ConflictError, AssessmentError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            render_when_saved(assessment)
            messages.success(request, f"Status: {assessment.get_status_display()}")
        return redirect("intelligence:assessment-detail", partnership=partnership, pk=pk)

    return view


assessment_review = requires(Permission.EDIT)(_advance_view(Assessment.Status.REVIEWED))
assessment_approve = requires(Permission.APPROVE)(_advance_view(Assessment.Status.APPROVED))
assessment_publish = requires(Permission.APPROVE)(_advance_view(Assessment.Status.PUBLISHED))


def _public_partnership(slug: str) -> Partnership:
    return get_object_or_404(Partnership, slug=slug)


@public
def published_list(request, partnership):
    """Published assessments of a partnership: open to everyone."""
    request.partnership = _public_partnership(partnership)
    items = Assessment.objects.filter(
        partnership=request.partnership, status=Assessment.Status.PUBLISHED
    )
    return render(
        request,
        "intelligence/assessment/published_list.html",
        {
            "partnership": request.partnership,
            "items": items,
            "page_title": f"Published strategic assessments: {request.partnership.name}",
        },
    )


@public
def published_detail(request, partnership, pk):
    """A published assessment, with partner-data counts below the threshold suppressed."""
    request.partnership = _public_partnership(partnership)
    assessment = _assessment(request, pk, published=True)
    ctx = documents.context(assessment, svg=False, public=True)
    ctx.update(
        {
            "partnership": request.partnership,
            "public": True,
            "page_title": assessment.title,
        }
    )
    return render(request, "intelligence/assessment/detail.html", ctx)


@public
def published_download(request, partnership, pk, fmt):
    """The published PDF or JSON (suppressed)."""
    request.partnership = _public_partnership(partnership)
    if fmt not in ("pdf", "json"):
        raise Http404("No such format")
    return _download(request, _assessment(request, pk, published=True), fmt, public_copy=True)
