"""Partnership health pages: the hallmarks self-assessment (page and PDF), the annual skills
review, the closer-working appraisal (page and PDF) and the duplicated-effort report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cdrp.accounts import policy
from cdrp.accounts.policy import Permission, allows, requires
from cdrp.analysis import months
from cdrp.analysis.errors import RefusedInput
from cdrp.core import documents as stored
from cdrp.health import services, skills
from cdrp.health.documents import hallmarks_pdf, site_url
from cdrp.health.forms import RatingForm, ReportedForm, ReviewForm, ScoreForm, TrainingForm
from cdrp.health.hallmarks import CRITERIA, HALLMARKS, STATUS_LABELS
from cdrp.health.models import CriterionScore, SelfAssessment, SkillsReview
from cdrp.meetings.models import Meeting
from cdrp.partnerships.models import Person


def _year(request) -> int:
    """The financial year asked for; without one, the latest with records."""
    text = request.GET.get("year") or request.POST.get("year") or ""
    try:
        year = int(text) if text else services.default_year(request.partnership)
    except ValueError:
        raise Http404("No such year") from None
    if year < 1998 or year > services.current_year():
        raise Http404("No such year")
    return year


def _hallmarks_url(p, year: int) -> str:
    return reverse("health:hallmarks", kwargs={"partnership": p.slug}) + f"?year={year}"


@requires(Permission.VIEW_MEMBER)
def hallmarks(request, partnership):
    p = request.partnership
    year = _year(request)
    report = services.report(p, year)
    return render(
        request,
        "health/hallmarks.html",
        {
            **report,
            "page_title": f"Six hallmarks self-assessment {report['year'].label}: {p.name}",
            "years": services.years_of(p),
            "hallmarks": HALLMARKS,
            "statuses": STATUS_LABELS,
            "scores": CriterionScore.Score.choices,
            "can_edit": allows(request.user, Permission.EDIT, p),
        },
    )


@require_POST
@requires(Permission.EDIT)
def hallmarks_score(request, partnership):
    p = request.partnership
    year = _year(request)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a score from 1 (weak) to 4 (excellent).")
    else:
        d = form.cleaned_data
        try:
            services.record_score(p, year, d["criterion"], d["score"], d["judgement"])
            messages.success(request, f"Score recorded for {d['criterion']}.")
        except RefusedInput as exc:
            messages.error(request, exc.message)
    criterion = form.data.get("criterion", "")
    return redirect(_hallmarks_url(p, year) + (f"#{criterion}" if criterion in CRITERIA else ""))


@require_POST
@requires(Permission.EDIT)
def hallmarks_reported(request, partnership):
    p = request.partnership
    year = _year(request)
    form = ReportedForm(request.POST)
    assessment = SelfAssessment.objects.filter(partnership=p, year=year).first()
    if assessment is None or not form.is_valid():
        messages.error(request, "Score at least one criterion, then say where it was reported.")
    else:
        assessment.reported_to = form.cleaned_data["reported_to"].strip()
        assessment.save()
        messages.success(request, "Recorded where the self-assessment was reported.")
    return redirect(_hallmarks_url(p, year))


@requires(Permission.VIEW_MEMBER)
def hallmarks_download(request, partnership):
    p = request.partnership
    year = _year(request)
    doc = hallmarks_pdf(services.report(p, year), site_url(request))
    return stored.response(request, doc, f"{p.slug}-hallmarks-{year}.pdf")


# Skills and knowledge ---------------------------------------------------------------------------


@requires(Permission.VIEW_MEMBER)
def skills_home(request, partnership):
    p = request.partnership
    group = p.strategy_group()
    meetings = (
        Meeting.objects.filter(group=group, date__lte=dt.date.today()).order_by("-date")[:12]
        if group
        else []
    )
    return render(
        request,
        "health/skills_home.html",
        {
            "partnership": p,
            "page_title": f"Skills and knowledge reviews: {p.name}",
            "reviews": SkillsReview.objects.filter(partnership=p).select_related("group"),
            "group": group,
            "meetings": meetings,
            "can_edit": allows(request.user, Permission.EDIT, p),
            "form": ReviewForm(),
        },
    )


@require_POST
@requires(Permission.EDIT)
def skills_new(request, partnership):
    p = request.partnership
    group = p.strategy_group()
    form = ReviewForm(request.POST)
    if group is None or not form.is_valid():
        messages.error(request, "Give the date of the review, for example 28 9 2022.")
        return redirect("health:skills", partnership=p.slug)
    d = form.cleaned_data
    meeting = None
    if d.get("meeting"):
        meeting = policy.object_or_404(Meeting.objects.select_related("group"), p, pk=d["meeting"])
    try:
        review = skills.record_review(p, group, d["held_on"], meeting, d.get("notes", ""))
    except RefusedInput as exc:
        messages.error(request, exc.message)
        return redirect("health:skills", partnership=p.slug)
    return redirect("health:skills-review", partnership=p.slug, pk=review.pk)


def _review(request, pk: int) -> SkillsReview:
    return policy.object_or_404(
        SkillsReview.objects.select_related("group", "partnership", "meeting"),
        request.partnership,
        pk=pk,
    )


@requires(Permission.VIEW_MEMBER)
def skills_review(request, partnership, pk: int):
    p = request.partnership
    review = _review(request, pk)
    return render(
        request,
        "health/skills_review.html",
        {
            "partnership": p,
            "page_title": f"{review}: {p.name}",
            "m": skills.matrix(review),
            "levels": skills.LEVELS,
            "working": skills.WORKING,
            "can_edit": allows(request.user, Permission.EDIT, p),
        },
    )


def _member(review: SkillsReview, slug: str) -> Person:
    person = get_object_or_404(Person, slug=slug)
    if person.pk not in {x.pk for x in skills.members(review.group, review.held_on)}:
        raise Http404("No such member of this group")
    return person


@require_POST
@requires(Permission.EDIT)
def skills_rate(request, partnership, pk: int):
    p = request.partnership
    review = _review(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            skills.rate(review, _member(review, d["person"]), d["competence"], d["level"])
            messages.success(request, "Rating recorded.")
        except RefusedInput as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Choose a member, a competence and a level from 0 to 3.")
    return redirect("health:skills-review", partnership=p.slug, pk=review.pk)


@require_POST
@requires(Permission.EDIT)
def skills_training(request, partnership, pk: int):
    p = request.partnership
    review = _review(request, pk)
    form = TrainingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            skills.add_training(
                review, d["competence"], d["description"], _member(review, d["owner"]), d["due"]
            )
            messages.success(request, "Training action raised.")
        except RefusedInput as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:  # the meetings app's refusal (a due date too early)
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(
            request,
            "Give the competence, what to do, who and by when (a date, for example 31 1 2023).",
        )
    return redirect("health:skills-review", partnership=p.slug, pk=review.pk)


# Closer working ---------------------------------------------------------------------------------


def _appraised(request) -> list:
    """The partnerships compared: the predecessors of the URL partnership's own merger (the
    registry's merger page), else it and those named by `with` (slugs); each checked by the
    policy."""
    from django.core.exceptions import PermissionDenied

    from cdrp.partnerships.models import MergerProposal, Partnership

    p = request.partnership
    proposal = MergerProposal.objects.filter(merged=p).first()
    related = (
        frozenset(proposal.predecessors.values_list("pk", flat=True)) if proposal else frozenset()
    )
    slugs = [s for s in request.GET.getlist("with") if s]
    if slugs:
        others = list(Partnership.objects.filter(slug__in=slugs).exclude(pk=p.pk))
        if len(others) != len(set(slugs) - {p.slug}):
            raise Http404("No such partnership")
        chosen = ([] if p.pk in related else [p]) + others
    elif related:
        chosen = list(Partnership.objects.filter(pk__in=related).order_by("name"))
    else:
        chosen = [p]
    if not policy.may_appraise(request.user, p, [x for x in chosen if x.pk != p.pk], related):
        raise PermissionDenied
    return chosen


def _appraisal_context(request) -> dict:
    from cdrp.health.appraisal import appraise
    from cdrp.intelligence.services import incident_store

    p = request.partnership
    chosen = _appraised(request)
    context = {"partnership": p, "chosen": chosen, "site": ""}  # the PDF's links: full URLs
    if len(chosen) < 2:
        return context
    store: Any = incident_store()
    try:
        from cdrp.store import load_geography

        if load_geography(store) is None:
            store = None
    except (OSError, ValueError):  # a store that cannot be read is reported as none
        store = None
    border_to = None
    text = request.GET.get("border_to", "").strip()
    if text:
        try:
            border_to = months.read_month(text, "border_to")
        except RefusedInput:
            messages.error(
                request,
                "Give the last month of the border analysis as a month and year, for example "
                "November 2022.",
            )
    context.update(appraise(chosen, store, border_to=border_to), border_to=border_to or "")
    return context


@requires(Permission.VIEW_MEMBER)
def appraisal(request, partnership):
    from cdrp.partnerships.models import Partnership

    context = _appraisal_context(request)
    p = request.partnership
    context.update(
        page_title=f"Closer working options appraisal: {p.name}",
        candidates=Partnership.objects.exclude(pk=p.pk)
        .filter(status__in=[Partnership.Status.CURRENT, Partnership.Status.HISTORICAL])
        .order_by("name")[:200],
        query=request.GET.urlencode(),
    )
    return render(request, "health/appraisal.html", context)


@requires(Permission.VIEW_MEMBER)
def appraisal_download(request, partnership):
    from cdrp.health.documents import appraisal_pdf

    context = _appraisal_context(request)
    if "options" not in context:
        raise Http404("Choose at least two partnerships to appraise")
    doc = appraisal_pdf(context, site_url(request))
    return stored.response(request, doc, f"{request.partnership.slug}-closer-working.pdf")


# Duplicated effort ------------------------------------------------------------------------------


@requires(Permission.VIEW_MEMBER)
def duplication(request, partnership):
    from cdrp.health.duplication import report

    p = request.partnership
    as_at = None
    text = request.GET.get("as_at", "")
    if text:
        as_at = months.read_date(text)
        if as_at is None:
            messages.error(request, "Give the date, for example 15 3 2023 or 15 March 2023.")
    context = report(p, as_at)
    context.update(page_title=f"Duplicated effort: {p.name}", as_at_text=text)
    return render(request, "health/duplication.html", context)
