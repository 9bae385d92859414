"""Performance pages: the plan's indicators against their targets, the quarterly report (HTML,
PDF), CSV/XLSX downloads, and the partner measures entered by hand (manual series).

Members of the partnership read everything; coordinators enter a month of a manual series.
Figures are computed from the incident store on each request (`cdrp.performance`).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cdrp.accounts.policy import Permission, allows, requires
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import MonthError, label, month_range, quarter_months, read_month, shift
from cdrp.analysis.performance import PerformanceError
from cdrp.core import documents as stored
from cdrp.core.models import ConflictError
from cdrp.funding.models import Project
from cdrp.funding.queries import with_figures
from cdrp.performance import exports
from cdrp.performance.figures import performance_plan
from cdrp.performance.report import (
    METHOD,
    available_quarters,
    quarterly_report,
    stored_report_pdf,
)
from cdrp.performance.services import create_series, record_series_value
from cdrp.performance.status import by_priority, exceptions, plan_performance, status_counts
from cdrp.performance.store import default_store, last_month
from cdrp.plans.models import ManualSeries, SeriesValue


def _store():
    return default_store()


def _last_month(partnership, store) -> str | None:
    if store is None:
        return None
    try:
        return last_month(partnership, store)
    except Exception:
        return None


def _months(plan, last: str | None) -> list[str]:
    """Months a reader can choose to see the plan as of: from a year before the plan to the
    last month held, newest first."""
    if plan is None or last is None:
        return []
    first = shift(plan.period_start, -12)
    if last < first:
        return [last]
    return list(reversed(month_range(first, last)))


def _context(request, as_of_param: str | None) -> dict:
    partnership = request.partnership
    plan, draft = performance_plan(partnership)
    store = _store()
    last = _last_month(partnership, store)
    errors = []
    as_of = last
    if as_of_param:
        try:
            as_of = read_month(as_of_param, "as_of")
        except RefusedInput:
            errors.append(
                {
                    "text": "Month to show: enter a month and year, for example August 2022 "
                    f"(got “{as_of_param}”); showing the latest month held instead",
                    "href": "#as_of",
                }
            )
    if as_of is None and plan is not None:
        as_of = min(plan.period_end, shift(plan.period_start, 11))
    rows = plan_performance(plan, store, as_of) if plan is not None and as_of else []
    return {
        "partnership": partnership,
        "plan": plan,
        "draft": draft,
        "as_of": as_of,
        "as_of_label": label(as_of) if as_of else "",
        "last": last,
        "months": _months(plan, last),
        "rows": rows,
        "priorities": by_priority(rows),
        "exceptions": exceptions(rows),
        "counts": status_counts(rows),
        "quarters": available_quarters(plan, last),
        "errors": errors,
    }


@requires(Permission.VIEW_MEMBER)
def performance(request, partnership):
    """Every indicator of the current plan: so far, projected, status and sparkline."""
    ctx = _context(request, request.GET.get("as_of"))
    ctx["page_title"] = f"Performance: {request.partnership.name}"
    ctx["can_enter"] = allows(request.user, Permission.ANALYSE, request.partnership)
    ctx["method"] = METHOD
    _commissioned(request.partnership, ctx.get("priorities") or [])
    return render(request, "performance/page.html", ctx, status=400 if ctx["errors"] else 200)


def _commissioned(partnership, groups) -> None:
    """Funding follows performance: beside each priority, the projects commissioned against it
    (in any revision of the plan, matched by the priority's name), with budget and spend."""

    for group in groups:
        group["projects"] = with_figures(
            Project.objects.filter(
                Q(partnership=partnership) | Q(joint_with=partnership),
                priority__plan__partnership=partnership,
                priority__name=group["priority"].name,
            )
            .select_related("partnership")
            .distinct()
        )


def _plan_for(request, quarter: str):
    """The partnership's plan for a quarter's report: 404 with no plan or a malformed quarter."""
    plan, _ = performance_plan(request.partnership)
    if plan is None:
        raise Http404("The partnership has no plan yet")
    try:
        quarter_months(quarter)
    except RefusedInput:
        raise Http404(f"No quarter {quarter!r}: expected YYYY-Qn, e.g. 2022-Q3") from None
    return plan


def _report(request, quarter: str) -> dict:
    plan = _plan_for(request, quarter)
    try:
        return quarterly_report(plan, _store(), quarter)
    except PerformanceError as exc:
        raise Http404(str(exc)) from None


@requires(Permission.VIEW_MEMBER)
def report(request, partnership, quarter):
    """The quarterly performance report for the strategy group (HTML)."""
    data = _report(request, quarter)
    data["page_title"] = f"Performance report, {data['label']}"
    data["method"] = METHOD
    return render(request, "performance/report.html", data)


@requires(Permission.VIEW_MEMBER)
def report_pdf(request, partnership, quarter):
    """The quarterly performance report as a PDF, stored per version of what it is drawn from
    (`cdrp.performance.report.report_version`: a few queries); the statuses are computed only
    when that version has no PDF yet."""
    plan = _plan_for(request, quarter)
    try:
        doc = stored_report_pdf(plan, _store(), quarter, f"{request.partnership.pk}:{quarter}")
    except PerformanceError as exc:
        raise Http404(str(exc)) from None
    return stored.response(request, doc, f"performance-{request.partnership.slug}-{quarter}.pdf")


@requires(Permission.VIEW_MEMBER)
def download(request, partnership, what, fmt):
    """The statuses, or the monthly figures behind the indicators, as CSV or XLSX."""
    if what not in ("statuses", "indicators") or fmt not in ("csv", "xlsx"):
        raise Http404("No such download")
    ctx = _context(request, request.GET.get("as_of"))
    if ctx["errors"]:
        return HttpResponse(ctx["errors"][0]["text"], status=400, content_type="text/plain")
    rows = ctx["rows"]
    name = f"performance-{what}-{request.partnership.slug}-{ctx['as_of']}.{fmt}"
    if fmt == "csv":
        body = exports.statuses_csv(rows) if what == "statuses" else exports.indicators_csv(rows)
        response = HttpResponse(body, content_type="text/csv")
    else:
        body = exports.statuses_xlsx(rows) if what == "statuses" else exports.indicators_xlsx(rows)
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Manual series ------------------------------------------------------------------------------


class SeriesValueForm(forms.Form):
    month = forms.CharField(
        label="Month",
        help_text="For example, November 2022",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    value = forms.CharField(label="Value", help_text="A whole number, zero or more", required=False)
    denominator = forms.CharField(
        label="Out of (denominator)",
        help_text="The number the value is out of, for example the size of the cohort",
        required=False,
    )
    note = forms.CharField(label="Note (optional)", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, series: ManualSeries, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series
        for name in ("value", "denominator"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        if not series.has_denominator:
            del self.fields["denominator"]


class SeriesForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, required=False)
    description = forms.CharField(
        label="What it counts", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    source = forms.CharField(label="Who supplies the figures", max_length=200, required=False)
    has_denominator = forms.BooleanField(
        label="Each value is out of a number (a proportion, such as re-offenders in a cohort)",
        required=False,
    )


def _typed_month(value) -> str:
    """A month as typed ("November 2022" or "2022-11") as YYYY-MM; as typed when it is not one."""
    try:
        return read_month(value)
    except MonthError:
        return (value or "").strip()


def _series(request, slug: str) -> ManualSeries:
    return get_object_or_404(ManualSeries, partnership=request.partnership, slug=slug)


@requires(Permission.VIEW_MEMBER)
def series_list(request, partnership):
    """The partnership's manual series, with their latest months."""
    items = []
    for series in ManualSeries.objects.filter(partnership=request.partnership):
        values = list(series.values.order_by("-month")[:6])
        items.append({"series": series, "values": values, "count": series.values.count()})
    return render(
        request,
        "performance/series_list.html",
        {
            "partnership": request.partnership,
            "items": items,
            "can_enter": allows(request.user, Permission.ANALYSE, request.partnership),
            "can_define": allows(request.user, Permission.EDIT, request.partnership),
            "page_title": f"Partner measures: {request.partnership.name}",
        },
    )


@requires(Permission.VIEW_MEMBER)
def series_detail(request, partnership, series):
    """One series: every month entered."""
    item = _series(request, series)
    return render(
        request,
        "performance/series_detail.html",
        {
            "partnership": request.partnership,
            "series": item,
            "values": list(item.values.order_by("-month")),
            "can_enter": allows(request.user, Permission.ANALYSE, request.partnership),
            "can_define": allows(request.user, Permission.EDIT, request.partnership),
            "page_title": item.name,
        },
    )


@requires(Permission.ANALYSE)  # analysts enter partners' figures as they enter other data
def series_value(request, partnership, series):
    """Enter or correct one month of a series (a month already entered is replaced only once
    its current figure has been shown and confirmed, checked by version)."""
    item = _series(request, series)
    status = 200
    if request.method == "POST":
        form = SeriesValueForm(request.POST, series=item)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row, created = record_series_value(
                    item,
                    data["month"],
                    data["value"],
                    data.get("denominator"),
                    data["note"],
                    version=data["version"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
            except PerformanceError as exc:
                month = _typed_month(data["month"])
                field = exc.field if exc.field in form.fields else None
                field_label = form.fields[field].label if field else ""
                form.add_error(field, f"{field_label}: {exc.message}" if field_label else str(exc))
                held = SeriesValue.objects.filter(series=item, month=month).first()
                if exc.field == "month" and held is not None:
                    # Show the figure held, and let the coordinator confirm the replacement.
                    form.data = form.data.copy()
                    form.data["version"] = held.version
            else:
                verb = "Saved" if created else "Replaced"
                messages.success(request, f"{verb} {label(row.month)}: {_shown(row)}")
                return redirect("plans:series-detail", partnership=partnership, series=series)
        status = 400
    else:
        initial = {}
        month = request.GET.get("month")
        held = SeriesValue.objects.filter(series=item, month=month).first() if month else None
        if held is not None:
            initial = {
                "month": label(held.month),
                "value": held.value,
                "denominator": held.denominator,
                "note": held.note,
                "version": held.version,
            }
        form = SeriesValueForm(initial=initial, series=item)
    replacing = None
    version = form.data.get("version") if form.is_bound else form.initial.get("version")
    month = form.data.get("month") if form.is_bound else form.initial.get("month")
    if version not in (None, ""):
        replacing = SeriesValue.objects.filter(series=item, month=_typed_month(month)).first()
    return render(
        request,
        "performance/series_value.html",
        {
            "partnership": request.partnership,
            "series": item,
            "form": form,
            "replacing": replacing,
            "page_title": f"Enter a month: {item.name}",
        },
        status=status,
    )


def _shown(row: SeriesValue) -> str:
    return f"{row.value:,}" + (f" out of {row.denominator:,}" if row.denominator else "")


@requires(Permission.EDIT)
def series_create(request, partnership):
    """Add a partner measure to be entered month by month."""
    status = 200
    if request.method == "POST":
        form = SeriesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = create_series(
                    request.partnership,
                    data["name"],
                    description=data["description"],
                    source=data["source"],
                    has_denominator=data["has_denominator"],
                )
            except PerformanceError as exc:
                field = exc.field if exc.field in form.fields else None
                field_label = form.fields[field].label if field else ""
                form.add_error(field, f"{field_label}: {exc.message}" if field_label else str(exc))
            else:
                messages.success(request, f"Added “{created.name}”")
                return redirect(
                    reverse(
                        "plans:series-value",
                        kwargs={"partnership": partnership, "series": created.slug},
                    )
                )
        status = 400
    else:
        form = SeriesForm()
    return render(
        request,
        "performance/series_form.html",
        {
            "partnership": request.partnership,
            "form": form,
            "page_title": "Add a partner measure",
        },
        status=status,
    )
