"""Community pages: public (no account) — find my area, the area page, surveys and their results,
PACT meetings, assessment summaries, alerts — and the coordinator's pages to run them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import (
    Permission,
    allows,
    public,
    public_partnership,
    requires,
    suppress_below,
)
from cdrp.accounts.public_forms import rate_limited
from cdrp.analysis.errors import RefusedInput
from cdrp.community import alerts, areas, pact, summaries, surveys
from cdrp.community.forms import (
    AnswerForm,
    PactForm,
    QuestionForm,
    SubscribeForm,
    SummaryForm,
    SurveyForm,
    TaskForm,
    VotesForm,
)
from cdrp.community.models import (
    ActionPublication,
    Answer,
    AssessmentSummary,
    PactMeeting,
    PactPriority,
    Question,
    Response,
    Survey,
)
from cdrp.core.cache import cached_view
from cdrp.core.forms import model_choice
from cdrp.meetings.models import Action, Decision
from cdrp.meetings.services import strategy_decisions
from cdrp.partnerships.models import Area, Group, Person


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _today() -> dt.date:
    return dt.date.today()


def _int(value) -> int:
    """A posted id, or 0 (found nowhere) when it is not a number."""
    text = str(value or "")
    return int(text) if text.isdigit() else 0


# Find my area -----------------------------------------------------------------------------------


@public
def finder(request):
    from django.apps import apps

    query = request.GET.get("q", "").strip()
    postcode = request.GET.get("postcode", "").strip()
    found, error = [], ""
    if postcode:
        from cdrp.store.postcodes import normalise

        if normalise(postcode) is None:
            error = "Enter a full postcode, like PR7 1DP"
        else:
            area = areas.find_by_postcode(postcode)
            if area is not None:
                return redirect("community:area", code=area.code)
            error = "We could not find that postcode in the areas this service covers"
    elif query:
        found = areas.find_areas(query)
    partnership_model = apps.get_model("partnerships", "Partnership")
    partnerships = (
        partnership_model.objects.filter(districts__isnull=False)
        .exclude(status="historical")
        .distinct()
        .order_by("name")
    )
    return render(
        request,
        "community/finder.html",
        {
            "query": query,
            "postcode": postcode,
            "found": [(a, areas.partnership_of(a)) for a in found],
            "searched": bool(query),
            "error": error,
            "partnerships": partnerships,
            "page_title": "Find your area",
        },
    )


@public_partnership
@cached_view
def area_map(request, partnership):
    p = request.partnership
    return render(
        request,
        "community/map.html",
        {
            "partnership": p,
            "map": areas.ward_map(p.districts.all()),
            "districts": p.districts.order_by("name"),
            "wards": surveys.partnership_wards(p),
            "page_title": f"Map of wards – {p.name}",
        },
    )


@public
@cached_view
def area(request, code):
    place = areas.area_by_code(code)
    if place is None:
        raise Http404("No such area")
    p = areas.partnership_of(place)
    if p is None:
        raise Http404("No partnership serves this area")
    today = _today()
    return render(
        request,
        "community/area.html",
        {
            "area": place,
            "partnership": p,
            "priorities": areas.plan_priorities(p),
            "projects": areas.projects(p),
            "actions": areas.public_actions(p, place),
            "pact": areas.pact_priorities(place)[:12],
            "trend": areas.trend(place),
            "meetings": areas.next_public_meetings(p, today),
            "said": areas.you_said_we_did(place, p),
            "surveys": Survey.objects.filter(partnership=p, status=Survey.Status.OPEN),
            "summaries": summaries.published_summaries(p)[:1],
            "wards": (
                place.children.filter(level=Area.Level.WARD).order_by("name")
                if place.level == Area.Level.DISTRICT
                else []
            ),
            "subscribe": SubscribeForm(),
            "threshold": suppress_below(),
            "page_title": f"{place.name}: community safety",
        },
    )


@public
@rate_limited("subscribe")
@require_POST
def subscribe(request, code):
    place = areas.area_by_code(code)
    if place is None:
        raise Http404("No such area")
    p = areas.partnership_of(place)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "community/subscribe.html",
            {"area": place, "form": form, "page_title": "Get e-mail alerts"},
            status=400,
        )
    ward = place if place.level == Area.Level.WARD else None
    alerts.subscribe(p, ward, form.cleaned_data["email"], _base(request))
    return render(
        request,
        "community/message.html",
        {
            "title": "Check your e-mail",
            "lines": [
                f"We have sent a link to {form.cleaned_data['email']}. Open it within "
                f"{alerts.CONFIRM_DAYS} days to start alerts about {place.name}."
            ],
            "page_title": "Check your e-mail",
        },
    )


@public
def confirm(request, token):
    subscription = alerts.confirm(token)
    if subscription is None:
        raise Http404("This link has expired or is not valid")
    return render(
        request,
        "community/message.html",
        {
            "title": "Your alerts have started",
            "lines": [
                "You will get an e-mail when something is published about this area. Every "
                "e-mail has a link to stop them."
            ],
            "page_title": "Your alerts have started",
        },
    )


@public
@csrf_exempt  # one-click unsubscribe (RFC 8058): mail clients post without a form
def unsubscribe(request, token):
    if request.method == "POST":
        alerts.unsubscribe(token)
        return render(
            request,
            "community/message.html",
            {
                "title": "You have unsubscribed",
                "lines": [
                    "We will not send you any more alerts, and we have deleted your address."
                ],
                "page_title": "You have unsubscribed",
            },
        )
    return render(
        request, "community/unsubscribe.html", {"token": token, "page_title": "Stop alerts"}
    )


# Surveys: public ---------------------------------------------------------------------------------


def _survey(request, survey_id: int) -> Survey:
    return get_object_or_404(Survey, partnership=request.partnership, pk=survey_id)


@public_partnership
def survey_list(request, partnership):
    p = request.partnership
    return render(
        request,
        "community/surveys.html",
        {
            "partnership": p,
            "open": Survey.objects.filter(partnership=p, status=Survey.Status.OPEN),
            "published": Survey.objects.filter(partnership=p, status=Survey.Status.PUBLISHED),
            "summaries": summaries.published_summaries(p),
            "pacts": PactMeeting.objects.filter(partnership=p).select_related("meeting", "ward")[
                :10
            ],
            "page_title": f"Have your say – {p.name}",
        },
    )


def _ward_choices(partnership) -> list[tuple[str, str]]:
    return list(surveys.partnership_wards(partnership).values_list("code", "name"))


@public_partnership
def survey_answer(request, partnership, survey_id):
    # The survey is found through the partnership first: another partnership's survey is 404
    # whatever is posted, before any size or burst limit answers.
    survey = _survey(request, survey_id)
    return _answer(request, partnership, survey)


@rate_limited("survey")
def _answer(request, partnership, survey):
    if survey.status != Survey.Status.OPEN:
        if survey.status == Survey.Status.PUBLISHED:
            return redirect(
                "community:survey-results", partnership=partnership, survey_id=survey.pk
            )
        raise Http404("This survey is not open")
    wards = _ward_choices(request.partnership)
    form = AnswerForm(survey, wards, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = surveys.submit(survey, form.answers(), _today())
        except RefusedInput as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "community/thanks.html",
                {
                    "survey": survey,
                    "partnership": request.partnership,
                    "held": response.status == Response.Status.HELD,
                    "page_title": "Thank you",
                },
            )
    return render(
        request,
        "community/answer.html",
        {
            "survey": survey,
            "partnership": request.partnership,
            "form": form,
            "page_title": survey.title,
        },
        status=400 if request.method == "POST" else 200,
    )


@public_partnership
def survey_results(request, partnership, survey_id):
    survey = _survey(request, survey_id)
    staff = allows(request.user, Permission.ENGAGE, request.partnership)
    if survey.status == Survey.Status.PUBLISHED:
        results = survey.results
    elif staff and survey.status == Survey.Status.CLOSED:
        results = surveys.compute_results(survey)  # a preview before publishing
    else:
        raise Http404("The results of this survey are not published")
    return render(
        request,
        "community/results.html",
        {
            "survey": survey,
            "partnership": request.partnership,
            "results": results,
            "preview": survey.status != Survey.Status.PUBLISHED,
            "page_title": f"Results: {survey.title}",
        },
    )


@public_partnership
def summary(request, partnership, summary_id):
    found = get_object_or_404(
        AssessmentSummary.objects.select_related("assessment", "approval_decision__meeting"),
        pk=summary_id,
        assessment__partnership=request.partnership,
    )
    if found.published_on is None and not allows(
        request.user, Permission.VIEW_MEMBER, request.partnership
    ):
        raise Http404("This summary is not published")
    return render(
        request,
        "community/summary.html",
        {
            "summary": found,
            "partnership": request.partnership,
            "page_title": f"Summary: {found.assessment.title}",
        },
    )


@public_partnership
def pact_public(request, partnership, pact_id):
    meeting = get_object_or_404(
        PactMeeting.objects.select_related("meeting", "ward"),
        pk=pact_id,
        partnership=request.partnership,
    )
    return render(
        request,
        "community/pact.html",
        {
            "pact": meeting,
            "partnership": request.partnership,
            "priorities": meeting.priorities.select_related("action", "action__owner"),
            "reported": pact.reported_back(meeting),
            "staff": False,
            "page_title": str(meeting),
        },
    )


# Coordinators -----------------------------------------------------------------------------------


@requires(Permission.ENGAGE)
def manage(request, partnership):
    from django.apps import apps

    p = request.partnership
    assessment_model = apps.get_model("intelligence", "Assessment")
    return render(
        request,
        "community/manage.html",
        {
            "partnership": p,
            "surveys": Survey.objects.filter(partnership=p),
            "held": Response.objects.filter(
                survey__partnership=p, status=Response.Status.HELD
            ).count(),
            "unthemed": Answer.objects.filter(
                response__survey__partnership=p,
                response__status=Response.Status.ACCEPTED,
                question__kind=Question.Kind.TEXT,
                moderated=False,
            ).count(),
            "pacts": PactMeeting.objects.filter(partnership=p).select_related("meeting", "ward"),
            "assessments": assessment_model.objects.filter(
                partnership=p, kind="strategic", status__in=["approved", "published"]
            ),
            "actions": Action.objects.filter(partnership=p, group__restricted=False)
            .select_related("publication", "group")
            .order_by("-due")[:50],
            "page_title": f"Community engagement – {p.name}",
        },
    )


@requires(Permission.ENGAGE)
def survey_new(request, partnership):
    form = SurveyForm(request.POST or None)
    model_choice(form, "ward").queryset = surveys.partnership_wards(request.partnership)
    if request.method == "POST" and form.is_valid():
        survey = form.save(commit=False)
        survey.partnership = request.partnership
        survey.save()
        return redirect("community:survey-edit", partnership=partnership, survey_id=survey.pk)
    return render(
        request,
        "community/form.html",
        {
            "form": form,
            "partnership": request.partnership,
            "title": "New survey",
            "page_title": "New survey",
        },
    )


@requires(Permission.ENGAGE)
def survey_edit(request, partnership, survey_id):
    survey = _survey(request, survey_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if survey.status != Survey.Status.DRAFT:
            form.add_error(None, "Questions can be added only while the survey is a draft")
        else:
            question = form.save(commit=False)
            question.survey = survey
            question.options = form.cleaned_data["options"]
            question.position = survey.questions.count() + 1
            question.save()
            return redirect("community:survey-edit", partnership=partnership, survey_id=survey.pk)
    return render(
        request,
        "community/survey_edit.html",
        {
            "survey": survey,
            "partnership": request.partnership,
            "form": form,
            "responses": survey.responses.count(),
            "page_title": f"Edit: {survey.title}",
        },
    )


@requires(Permission.ENGAGE)
@require_POST
def survey_step(request, partnership, survey_id, step):
    survey = _survey(request, survey_id)
    steps = {"open": surveys.open_survey, "close": surveys.close, "publish": surveys.publish}
    if step not in steps:
        raise Http404("No such step")
    try:
        steps[step](survey, _today())
    except RefusedInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The survey is now: {survey.get_status_display().lower()}.")
        if step in ("open", "publish"):
            what = "is open for your views" if step == "open" else "results are published"
            alerts.notify(
                survey.partnership,
                survey.ward,
                f"{survey.title}: {what}",
                f"{survey.partnership.name}: {survey.title} {what}.\n"
                + _base(request)
                + reverse("community:surveys", args=[partnership]),
                _base(request),
            )
    return redirect("community:survey-edit", partnership=partnership, survey_id=survey.pk)


@requires(Permission.ENGAGE)
def moderation(request, partnership):
    p = request.partnership
    if request.method == "POST":
        response = get_object_or_404(
            Response, pk=_int(request.POST.get("response")), survey__partnership=p
        )
        themes = {
            int(key[6:]): value
            for key, value in request.POST.items()
            if key.startswith("theme-") and key[6:].isdigit()
        }
        surveys.moderate(
            response,
            accept=request.POST.get("decision") != "reject",
            themes=themes,
            withhold_text=request.POST.get("decision") == "withhold",
        )
        messages.success(request, "Moderation recorded.")
        return redirect("community:moderation", partnership=partnership)
    queue = (
        Response.objects.filter(survey__partnership=p)
        .filter(status=Response.Status.HELD)
        .select_related("survey")
        .prefetch_related("answers__question")
    )
    themes_needed = (
        Response.objects.filter(
            survey__partnership=p,
            status=Response.Status.ACCEPTED,
            answers__question__kind=Question.Kind.TEXT,
            answers__moderated=False,
        )
        .distinct()
        .select_related("survey")
        .prefetch_related("answers__question")
    )
    return render(
        request,
        "community/moderation.html",
        {
            "partnership": p,
            "queue": list(queue[:50]),
            "themes_needed": list(themes_needed[:50]),
            "page_title": "Moderation queue",
        },
    )


@requires(Permission.ENGAGE)
def pact_new(request, partnership):
    p = request.partnership
    form = PactForm(request.POST or None)
    model_choice(form, "group").queryset = Group.objects.filter(partnership=p, restricted=False)
    model_choice(form, "ward").queryset = surveys.partnership_wards(p)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = pact.arrange(data["group"], data["date"], data["ward"], data["period"])
        except RefusedInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("community:pact-manage", partnership=partnership, pact_id=made.pk)
    return render(
        request,
        "community/form.html",
        {
            "form": form,
            "partnership": p,
            "title": "New PACT meeting",
            "page_title": "New PACT meeting",
        },
    )


@requires(Permission.ENGAGE)
def pact_manage(request, partnership, pact_id):
    p = request.partnership
    meeting = get_object_or_404(PactMeeting, pk=pact_id, partnership=p)
    votes = VotesForm(request.POST if request.POST.get("form") == "votes" else None)
    task_form = TaskForm(request.POST if request.POST.get("form") == "task" else None)
    model_choice(task_form, "owner").queryset = Person.objects.filter(
        memberships__seat__group__partnership=p
    ).distinct()
    if request.method == "POST":
        try:
            if request.POST.get("form") == "votes" and votes.is_valid():
                pact.record_votes(
                    meeting, votes.cleaned_data["votes"], votes.cleaned_data["attendees"] or 0
                )
                pact.choose(meeting)
                messages.success(request, "Votes recorded and the priorities chosen.")
                return redirect(request.path)
            if request.POST.get("form") == "task" and task_form.is_valid():
                priority = get_object_or_404(
                    PactPriority, pk=_int(request.POST.get("priority")), pact=meeting
                )
                pact.task(priority, task_form.cleaned_data["owner"], task_form.cleaned_data["due"])
                messages.success(request, f"“{priority.title}” is now an action.")
                return redirect(request.path)
        except RefusedInput as exc:
            messages.error(request, exc.message)
    priorities = list(meeting.priorities.select_related("action", "action__owner"))
    posted = _int(request.POST.get("priority")) if request.POST.get("form") == "task" else 0
    for priority in priorities:
        # One form for each chosen priority, with its own ids and labels (the posted one keeps
        # its errors); the fields' names are the same in each.
        if priority.chosen and priority.action_id is None:
            form = task_form if priority.pk == posted else TaskForm()
            form.auto_id = f"id_task{priority.pk}_%s"
            model_choice(form, "owner").queryset = model_choice(task_form, "owner").queryset
            form.fields["owner"].label = f"Who owns “{priority.title}”"
            form.fields["due"].label = f"Due date for “{priority.title}”"
            priority.task_form = form
    return render(
        request,
        "community/pact.html",
        {
            "pact": meeting,
            "partnership": p,
            "priorities": priorities,
            "reported": pact.reported_back(meeting),
            "staff": True,
            "votes_form": votes,
            "task_form": task_form,
            "page_title": str(meeting),
        },
    )


@requires(Permission.ENGAGE)
def summary_edit(request, partnership, assessment_id):
    from django.apps import apps

    assessment = get_object_or_404(
        apps.get_model("intelligence", "Assessment"),
        pk=assessment_id,
        partnership=request.partnership,
    )
    try:
        found = summaries.draft(assessment)
    except RefusedInput as exc:
        messages.error(request, exc.message)
        return redirect("community:manage", partnership=partnership)
    form = SummaryForm(
        request.POST or None,
        initial={
            "priorities": found.priorities,
            "trends": found.trends,
            "community": found.community,
        },
    )
    if request.method == "POST" and form.is_valid():
        found.priorities = form.cleaned_data["priorities"]
        found.trends = form.cleaned_data["trends"]
        found.community = form.cleaned_data["community"]
        found.save()
        if request.POST.get("decision"):
            decision = Decision.objects.filter(pk=_int(request.POST["decision"])).first()
            try:
                summaries.publish(found, decision, request.user)
            except RefusedInput as exc:
                messages.error(request, exc.message)
                return redirect(request.path)
            alerts.notify(
                request.partnership,
                None,
                f"Published: a summary of {assessment.title}",
                f"{request.partnership.name} has published a summary of its strategic "
                f"assessment.\n{_base(request)}"
                + reverse("community:summary", args=[partnership, found.pk]),
                _base(request),
            )
            messages.success(request, "The summary is published.")
        return redirect("community:summary", partnership=partnership, summary_id=found.pk)
    return render(
        request,
        "community/summary_edit.html",
        {
            "partnership": request.partnership,
            "assessment": assessment,
            "summary": found,
            "form": form,
            "decisions": strategy_decisions(request.partnership)[:20],
            "page_title": "Public summary",
        },
    )


@requires(Permission.ENGAGE)
@require_POST
def action_publish(request, partnership, action_id):
    action = get_object_or_404(
        Action, pk=action_id, partnership=request.partnership, group__restricted=False
    )
    found = ActionPublication.objects.filter(action=action).first()
    if found:
        found.delete()
        messages.success(request, "The action is no longer shown to the public.")
    else:
        ward = Area.objects.filter(level=Area.Level.WARD, code=action.hotspot).first()
        ActionPublication(action=action, ward=ward).save()
        messages.success(request, "The action is shown on the public area pages.")
    return redirect("community:manage", partnership=partnership)
