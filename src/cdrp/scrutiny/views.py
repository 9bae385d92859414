"""Pages of the accountability app. Public pages (no account needed): Face the People sessions
with their question form and published answers, the Community Call for Action log (and its Atom
feed, cdrp.scrutiny.feeds), and the committee's reviews with the partnership's responses.
Working pages under /manage/: moderation, the steps of a call, reviews and recommendations.

Every record is resolved through the partnership in the address (`object_or_404`); every
permission is asked of cdrp.accounts.policy; every write goes through cdrp.scrutiny.services
(audited as a GovernanceRecord)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import (
    Permission,
    allows,
    may_raise_call,
    may_read_call,
    object_or_404,
    public_partnership,
    requires,
)
from cdrp.accounts.public_forms import personal_details, rate_limited
from cdrp.core.forms import model_choice
from cdrp.partnerships.models import Organisation, Person
from cdrp.scrutiny import forms as f
from cdrp.scrutiny import services
from cdrp.scrutiny.law import CCFA, COMMITTEE, CRITERIA, TWO_TIER
from cdrp.scrutiny.models import (
    CommunityCall,
    Councillor,
    PublicSession,
    Question,
    Recommendation,
    Review,
)


def _ctx(request, title: str, **extra) -> dict:
    return {"partnership": request.partnership, "page_title": title, **extra}


def _form_page(request, title: str, form, submit: str, back: str, intro: str = ""):
    """The shared form page: 400 when a posted form was refused."""
    return render(
        request,
        "scrutiny/form.html",
        _ctx(request, title, form=form, submit=submit, back=back, intro=intro),
        status=400 if request.method == "POST" else 200,
    )


def _take_step(form, act, refused, done, invalid):
    """The shared post of a working page's step: validate `form` (None: nothing to validate),
    take the step (`act` with the cleaned data, through cdrp.scrutiny.services) and answer
    `done` (a redirect); a form that does not validate shows `refused(message)` with the
    `invalid` message (or `invalid(form)`), a step the services refuse with their message."""
    if form is not None and not form.is_valid():
        return refused(invalid(form) if callable(invalid) else invalid)
    try:
        act(form.cleaned_data if form is not None else {})
    except services.Refused as exc:
        return refused(exc.message)
    return done


# Public pages ----------------------------------------------------------------------------------


@public_partnership
def sessions(request, partnership):
    p = request.partnership
    items = PublicSession.objects.filter(partnership=p).exclude(
        status=PublicSession.Status.CANCELLED
    )
    return render(
        request,
        "scrutiny/sessions.html",
        _ctx(request, f"Face the People – {p.name}", sessions=items, today=timezone.localdate()),
    )


@public_partnership
def session(request, partnership, ftp_session: int):
    """A session: when and where, the questions to be answered, the answers once published,
    and the form to send a question in. The session is found first (another partnership's is
    404 whatever is posted), then the post is limited like every public form's."""
    s = object_or_404(PublicSession, request.partnership, pk=ftp_session)
    return _session_page_public(request, s)


@rate_limited("face-the-people")
def _session_page_public(request, s: PublicSession):
    p = request.partnership
    today = timezone.localdate()
    form = f.QuestionForm(request.POST or None)
    sent = request.GET.get("sent") == "1"
    status = 200
    if request.method == "POST":
        if form.is_valid():
            found = personal_details(form.cleaned_data["text"])
            try:
                services.submit_question(
                    s,
                    form.cleaned_data["text"],
                    asked_by=form.cleaned_data["asked_by"],
                    neighbourhood=form.cleaned_data["neighbourhood"],
                    held_because="contact details in the text" if found else "",
                    today=today,
                )
            except services.Refused as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                return redirect(reverse("scrutiny:session", args=[p.slug, s.pk]) + "?sent=1")
        else:
            status = 400
    published = s.answers_published_on is not None
    questions = s.questions.filter(status__in=[Question.Status.APPROVED, Question.Status.ANSWERED])
    return render(
        request,
        "scrutiny/session.html",
        _ctx(
            request,
            f"{s.title} – {p.name}",
            session=s,
            form=form,
            open=s.accepts_questions(today),
            sent=sent,
            published=published,
            questions=questions,
        ),
        status=status,
    )


@public_partnership
def calls(request, partnership):
    """The public log: every call, its status and each step dated."""
    p = request.partnership
    items = CommunityCall.objects.filter(partnership=p).select_related("councillor__person")
    return render(
        request,
        "scrutiny/calls.html",
        _ctx(
            request,
            f"Community Call for Action – {p.name}",
            calls=items,
            criteria=CRITERIA,
            law=[COMMITTEE, CCFA],
            two_tier=TWO_TIER,
            today=timezone.localdate(),
            can_raise=_may_raise_any(request.user, p),
        ),
    )


def _may_raise_any(user, partnership) -> bool:
    if not user.is_authenticated:
        return False
    return any(
        may_raise_call(user, partnership, c)
        for c in Councillor.objects.filter(partnership=partnership).select_related("person")
    )


@public_partnership
def call(request, partnership, ccfa: int):
    p = request.partnership
    c = object_or_404(CommunityCall.objects.select_related("councillor__person"), p, pk=ccfa)
    return render(
        request,
        "scrutiny/call.html",
        _ctx(
            request,
            f"{c.reference}: {c.title}",
            call=c,
            today=timezone.localdate(),
            may_manage=may_read_call(request.user, p, c),
        ),
    )


@public_partnership
def reviews(request, partnership):
    p = request.partnership
    items = Review.objects.filter(partnership=p).prefetch_related("recommendations__owner")
    return render(
        request,
        "scrutiny/reviews.html",
        _ctx(
            request,
            f"Scrutiny of the partnership – {p.name}",
            reviews=items,
            today=timezone.localdate(),
            committee=COMMITTEE,
        ),
    )


# A councillor raises a call --------------------------------------------------------------------


@public_partnership
def call_new(request, partnership):
    """A ward councillor (the person of a Councillor record, signed in) raises a call for their
    ward; a coordinator records one for any of the partnership's councillors."""
    p = request.partnership
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mine = Councillor.objects.filter(partnership=p).select_related("person")
    if not allows(request.user, Permission.EDIT, p):
        mine = mine.filter(person__account=request.user)
    choices = [c for c in mine if may_raise_call(request.user, p, c)]
    if not choices:
        raise PermissionDenied
    form = f.CallForm(request.POST or None)
    field = model_choice(form, "councillor")
    field.queryset = Councillor.objects.filter(pk__in=[c.pk for c in choices])
    if len(choices) == 1:
        field.initial = choices[0].pk
    if request.method == "POST" and form.is_valid():
        councillor = form.cleaned_data["councillor"]
        if not may_raise_call(request.user, p, councillor):
            raise PermissionDenied
        try:
            c = services.raise_call(
                councillor,
                title=form.cleaned_data["title"],
                matter=form.cleaned_data["matter"],
                on_behalf_of=form.cleaned_data["on_behalf_of"],
                routes_tried=form.cleaned_data["routes_tried"],
                user=request.user,
            )
        except services.Refused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("scrutiny:call-manage", p.slug, c.pk)
    return _form_page(
        request,
        "Raise a Community Call for Action",
        form,
        "Raise the call",
        reverse("scrutiny:calls", args=[p.slug]),
        intro="A ward councillor raises a call on behalf of residents when a local crime "
        "and disorder problem persists after the usual routes have been tried. "
        f"The law: {CCFA.citation}.",
    )


def _call_page(request, c: CommunityCall, error: str = "", status: int = 200):
    p = request.partnership
    return render(
        request,
        "scrutiny/call_manage.html",
        _ctx(
            request,
            f"{c.reference}: {c.title}",
            call=c,
            error=error,
            can_edit=allows(request.user, Permission.EDIT, p),
            screen_form=f.ScreenForm(),
            refer_form=f.ReferForm(),
            recommendations_form=f.RecommendationsForm(),
            response_form=f.ResponseForm(),
            today=timezone.localdate(),
            Status=CommunityCall.Status,
        ),
        status=status,
    )


@public_partnership
def call_manage(request, partnership, ccfa: int):
    """A call's working page: partner members and the councillor who raised it read it; those
    who edit the partnership's records take its steps."""
    p = request.partnership
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    c = object_or_404(CommunityCall.objects.select_related("councillor__person"), p, pk=ccfa)
    if not may_read_call(request.user, p, c):
        raise PermissionDenied
    return _call_page(request, c)


call_manage.cdrp_permission = Permission.VIEW_MEMBER  # type: ignore[attr-defined]


def _check_the_form(form) -> str:
    errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    return f"Check the form ({errors})"


def _step(request, ccfa: int, form_class, act):
    p = request.partnership
    c = object_or_404(CommunityCall, p, pk=ccfa)
    return _take_step(
        form_class(request.POST),
        lambda d: act(c, d),
        lambda error: _call_page(request, c, error=error, status=400),
        redirect("scrutiny:call-manage", p.slug, c.pk),
        _check_the_form,
    )


@requires(Permission.EDIT)
@require_POST
def call_screen(request, partnership, ccfa: int):
    return _step(
        request,
        ccfa,
        f.ScreenForm,
        lambda c, d: services.screen(
            c,
            local_matter=d["local_matter"] == "yes",
            persistent=d["persistent"] == "yes",
            routes_tried_first=d["routes_tried"] == "yes",
            reasons=d["reasons"],
        ),
    )


@requires(Permission.EDIT)
@require_POST
def call_refer(request, partnership, ccfa: int):
    return _step(
        request,
        ccfa,
        f.ReferForm,
        lambda c, d: services.refer(
            c, referred=d["referred"] == "yes", committee=d["committee"], reason=d["reason"]
        ),
    )


@requires(Permission.EDIT)
@require_POST
def call_recommendations(request, partnership, ccfa: int):
    return _step(
        request,
        ccfa,
        f.RecommendationsForm,
        lambda c, d: services.record_recommendations(c, d["recommendations"], on=d["on"]),
    )


@requires(Permission.EDIT)
@require_POST
def call_respond(request, partnership, ccfa: int):
    return _step(
        request,
        ccfa,
        f.ResponseForm,
        lambda c, d: services.publish_response(c, d["response"]),
    )


# Working pages ---------------------------------------------------------------------------------


@requires(Permission.VIEW_MEMBER)
def manage(request, partnership):
    p = request.partnership
    return render(
        request,
        "scrutiny/manage.html",
        _ctx(
            request,
            "Accountability",
            sessions=PublicSession.objects.filter(partnership=p),
            pending=Question.objects.filter(
                session__partnership=p, status=Question.Status.PENDING
            ).count(),
            calls=CommunityCall.objects.filter(partnership=p).select_related("councillor__person"),
            councillors=Councillor.objects.filter(partnership=p).select_related(
                "person", "council"
            ),
            reviews=Review.objects.filter(partnership=p),
            can_edit=allows(request.user, Permission.EDIT, p),
            today=timezone.localdate(),
        ),
    )


@requires(Permission.EDIT)
def session_new(request, partnership):
    p = request.partnership
    form = f.SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        s = form.save(commit=False)
        s.partnership = p
        s.save()
        return redirect("scrutiny:session-manage", p.slug, s.pk)
    return _form_page(
        request,
        "Arrange a Face the People session",
        form,
        "Arrange the session",
        reverse("scrutiny:manage", args=[p.slug]),
    )


def _session_page(request, s: PublicSession, error: str = "", status: int = 200):
    return render(
        request,
        "scrutiny/session_manage.html",
        _ctx(
            request,
            f"{s.title}: questions",
            session=s,
            error=error,
            pending=s.questions.filter(status=Question.Status.PENDING),
            approved=s.questions.filter(status=Question.Status.APPROVED),
            answered=s.questions.filter(status=Question.Status.ANSWERED),
            rejected=s.questions.filter(status=Question.Status.REJECTED),
            can_edit=allows(request.user, Permission.EDIT, request.partnership),
        ),
        status=status,
    )


@requires(Permission.VIEW_MEMBER)
def session_manage(request, partnership, ftp_session: int):
    s = object_or_404(PublicSession, request.partnership, pk=ftp_session)
    return _session_page(request, s)


@requires(Permission.EDIT)
@require_POST
def question_moderate(request, partnership, ftp_question: int):
    q = object_or_404(
        Question.objects.select_related("session"), request.partnership, pk=ftp_question
    )
    return _take_step(
        f.ModerateForm(request.POST),
        lambda d: services.moderate(
            q, request.user, approve=d["decision"] == "approve", reason=d["reason"]
        ),
        lambda error: _session_page(request, q.session, error, 400),
        redirect("scrutiny:session-manage", request.partnership.slug, q.session_id),
        "Choose approve or reject",
    )


@requires(Permission.EDIT)
@require_POST
def question_answer(request, partnership, ftp_question: int):
    q = object_or_404(
        Question.objects.select_related("session"), request.partnership, pk=ftp_question
    )
    return _take_step(
        f.AnswerForm(request.POST),
        lambda d: services.answer(q, d["answer"], d["answered_by"]),
        lambda error: _session_page(request, q.session, error, 400),
        redirect("scrutiny:session-manage", request.partnership.slug, q.session_id),
        "Enter the answer and who gave it",
    )


@requires(Permission.EDIT)
@require_POST
def session_publish(request, partnership, ftp_session: int):
    s = object_or_404(PublicSession, request.partnership, pk=ftp_session)
    return _take_step(
        None,
        lambda d: services.publish_answers(s),
        lambda error: _session_page(request, s, error, 400),
        redirect("scrutiny:session", request.partnership.slug, s.pk),
        "",
    )


@requires(Permission.EDIT)
def councillor_new(request, partnership):
    p = request.partnership
    form = f.CouncillorForm(request.POST or None)
    model_choice(form, "person").queryset = Person.objects.all()
    model_choice(form, "council").queryset = p.responsible_authorities.filter(
        kind=Organisation.Kind.DISTRICT_COUNCIL
    )
    if request.method == "POST" and form.is_valid():
        Councillor(
            partnership=p,
            person=form.cleaned_data["person"],
            ward=form.cleaned_data["ward"],
            council=form.cleaned_data["council"],
        ).save()
        return redirect("scrutiny:manage", p.slug)
    return _form_page(
        request,
        "Add a ward councillor",
        form,
        "Add the councillor",
        reverse("scrutiny:manage", args=[p.slug]),
        intro="A councillor with a sign-in account (on their person record) can then raise "
        "calls for their ward themselves.",
    )


@requires(Permission.EDIT)
def review_new(request, partnership):
    p = request.partnership
    form = f.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        r = Review(partnership=p, **form.cleaned_data)
        r.save()
        return redirect("scrutiny:review-manage", p.slug, r.pk)
    return _form_page(
        request,
        "Record a scrutiny review",
        form,
        "Record the review",
        reverse("scrutiny:manage", args=[p.slug]),
    )


def _owners(partnership):
    """People who sit, or sat, in the partnership: who may own a recommendation."""
    return Person.objects.filter(memberships__seat__group__partnership=partnership).distinct()


def _review_page(request, r: Review, form=None, error: str = "", status: int = 200):
    p = request.partnership
    if form is None:
        form = f.RecommendationForm()
    model_choice(form, "owner").queryset = _owners(p)
    return render(
        request,
        "scrutiny/review_manage.html",
        _ctx(
            request,
            r.title,
            review=r,
            form=form,
            error=error,
            recommendations=r.recommendations.select_related("owner"),
            respond_form=f.RecommendationResponseForm(),
            close_form=f.CloseRecommendationForm(),
            can_edit=allows(request.user, Permission.EDIT, p),
            today=timezone.localdate(),
        ),
        status=status,
    )


@requires(Permission.VIEW_MEMBER)
def review_manage(request, partnership, scrutiny_review: int):
    r = object_or_404(Review, request.partnership, pk=scrutiny_review)
    return _review_page(request, r)


@requires(Permission.EDIT)
@require_POST
def recommendation_add(request, partnership, scrutiny_review: int):
    p = request.partnership
    r = object_or_404(Review, p, pk=scrutiny_review)
    form = f.RecommendationForm(request.POST)
    model_choice(form, "owner").queryset = _owners(p)
    if not form.is_valid():
        return _review_page(request, r, form, status=400)
    services.add_recommendation(
        r, form.cleaned_data["text"], form.cleaned_data["owner"], form.cleaned_data["due"]
    )
    return redirect("scrutiny:review-manage", p.slug, r.pk)


@requires(Permission.EDIT)
@require_POST
def recommendation_respond(request, partnership, scrutiny_rec: int):
    rec = object_or_404(
        Recommendation.objects.select_related("review"), request.partnership, pk=scrutiny_rec
    )
    return _take_step(
        f.RecommendationResponseForm(request.POST),
        lambda d: services.respond_to_recommendation(rec, d["decision"], d["response"]),
        lambda error: _review_page(request, rec.review, error=error, status=400),
        redirect("scrutiny:review-manage", request.partnership.slug, rec.review_id),
        "Choose a decision and give the response",
    )


@requires(Permission.EDIT)
@require_POST
def recommendation_close(request, partnership, scrutiny_rec: int):
    rec = object_or_404(
        Recommendation.objects.select_related("review"), request.partnership, pk=scrutiny_rec
    )
    # Both fields are optional: the form always validates, and the services say what is missing.
    return _take_step(
        f.CloseRecommendationForm(request.POST),
        lambda d: services.close_recommendation(
            rec, d.get("outcome", ""), dropped=bool(d.get("dropped"))
        ),
        lambda error: _review_page(request, rec.review, error=error, status=400),
        redirect("scrutiny:review-manage", request.partnership.slug, rec.review_id),
        "Check the form",
    )
