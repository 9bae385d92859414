"""Pages of restricted information: the agreements register (public list), the offender cohort
and case lists (members of their restricted group only, a reason asked once per session, every
record shown audited), and the information governance lead's access report.

Every permission is the policy's (`cdrp.accounts.policy`): a record is resolved through the
partnership in the address and then checked itself (`may_read_restricted_record`); a record the
reader may not read is a 404, the same answer as a record that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cdrp.accounts.policy import (
    Permission,
    allows,
    is_governance_lead,
    may_edit_agreement,
    may_read_restricted_record,
    may_see_dataset,
    may_write_restricted_record,
    object_or_404,
    public_partnership,
    requires,
)
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import quarter_months
from cdrp.core.forms import model_choice
from cdrp.sharing import cohorts
from cdrp.sharing.agreements import public_agreements
from cdrp.sharing.forms import (
    AgreementForm,
    CaseActionForm,
    CaseForm,
    CohortMemberForm,
    writable_groups,
)
from cdrp.sharing.models import (
    Agreement,
    Case,
    CaseAction,
    CohortMember,
    Dataset,
    DeletionRecord,
)


@public_partnership
def agreements(request, partnership):
    """The register: the public list (titles, parties, dates, purpose) for everyone; datasets,
    bases, retention and status for the partnership's members too."""
    p = request.partnership
    member = allows(request.user, Permission.VIEW_MEMBER, p)
    rows = (
        Agreement.objects.filter(partnership=p).prefetch_related("parties")
        if member
        else (public_agreements(p))
    )
    return render(
        request,
        "sharing/agreements.html",
        {
            "partnership": p,
            "agreements": rows,
            "member": member,
            "can_edit": may_edit_agreement(request.user, p),
        },  # fmt: skip
    )


def _needs_reason(request, p):
    if cohorts.reason_of(request):
        return None
    url = reverse("sharing:reason", kwargs={"partnership": p.slug})
    return redirect(f"{url}?next={request.get_full_path()}")


@requires(Permission.VIEW_MEMBER)
def reason(request, partnership):
    """Why the reader needs restricted records: asked once per session, kept with each read."""
    p = request.partnership
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = ""
    error = ""
    if request.method == "POST":
        try:
            cohorts.give_reason(request, request.POST.get("reason", ""))
        except RefusedInput as exc:
            error = exc.message
        else:
            return redirect(target or reverse("sharing:cohort", kwargs={"partnership": p.slug}))
    return render(
        request,
        "sharing/reason.html",
        {"partnership": p, "next": target, "error": error},
    )


@requires(Permission.VIEW_MEMBER)
def cohort(request, partnership):
    """The offender cohort: aggregates for every member of the partnership, suppressed; the
    register itself for the cohort group's members."""
    p = request.partnership
    today = dt.date.today()
    start = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    # Member outputs show aggregates only, suppressed (the register's members read the records).
    summary = cohorts.cohort_summary(p, start, today, exact=False)
    # The register is shown only under an active agreement covering it, to which one of the
    # organisations the reader sits for is a party.
    covered = may_see_dataset(request.user, p, Dataset.COHORT)
    members = list(cohorts.visible_members(request.user, p)) if covered else []
    if members:
        asked = _needs_reason(request, p)
        if asked:
            return asked
        cohorts.read(members, request.user, cohorts.reason_of(request))
    return render(
        request,
        "sharing/cohort.html",
        {
            "partnership": p,
            "summary": summary,
            "members": members,
            "covered": covered,
            "can_add": covered and writable_groups(request.user, p, ("ppo",)).exists(),
        },
    )


@requires(Permission.VIEW_MEMBER)
def cohort_member(request, partnership, cohort_member):
    p = request.partnership
    record = object_or_404(CohortMember, p, pk=cohort_member)
    if not may_read_restricted_record(request.user, record, p) or not may_see_dataset(
        request.user, p, Dataset.COHORT
    ):
        raise Http404("No such record in this partnership")
    asked = _needs_reason(request, p)
    if asked:
        return asked
    offences = list(record.offences.select_related("supplied_by"))
    cohorts.read([record, *offences], request.user, cohorts.reason_of(request))
    return render(
        request,
        "sharing/cohort_member.html",
        {"partnership": p, "record": record, "offences": offences,
         "agencies": list(record.agencies.all())},
    )  # fmt: skip


@requires(Permission.VIEW_MEMBER)
def cases(request, partnership):
    p = request.partnership
    covered = may_see_dataset(request.user, p, Dataset.CASES)
    rows = list(cohorts.visible_cases(request.user, p).select_related("group")) if covered else []
    if rows:
        asked = _needs_reason(request, p)
        if asked:
            return asked
        cohorts.read(rows, request.user, cohorts.reason_of(request))
    return render(
        request,
        "sharing/cases.html",
        {
            "partnership": p,
            "cases": rows,
            "covered": covered,
            "can_add": covered and writable_groups(request.user, p).exists(),
        },  # fmt: skip
    )


@requires(Permission.VIEW_MEMBER)
def case(request, partnership, case):
    p = request.partnership
    record = object_or_404(Case, p, pk=case)
    if not may_read_restricted_record(request.user, record, p) or not may_see_dataset(
        request.user, p, Dataset.CASES
    ):
        raise Http404("No such record in this partnership")
    asked = _needs_reason(request, p)
    if asked:
        return asked
    actions = list(record.actions.select_related("agency"))
    cohorts.read([record, *actions], request.user, cohorts.reason_of(request))
    return render(
        request, "sharing/case.html", {"partnership": p, "record": record, "actions": actions}
    )


@requires(Permission.ADMINISTER)
def access_report(request, partnership):
    """For the information governance lead: reads of restricted records, per person and per
    record."""
    p = request.partnership
    if not is_governance_lead(request.user, p):  # the same rule, said by its name
        raise Http404
    return render(
        request,
        "sharing/access_report.html",
        {
            "partnership": p,
            "people": cohorts.access_by_person(p),
            "records": cohorts.access_by_record(p),
            "deletions": list(DeletionRecord.objects.filter(partnership_id=p.pk)[:100]),
        },
    )


@requires(Permission.ADMINISTER)
def subject_access(request, partnership):
    """For the information governance lead: every record of the partnership naming a person,
    with the reads of them, as JSON or PDF."""
    import json

    from django.http import HttpResponse

    from cdrp.sharing.subject_access import export, export_pdf

    p = request.partnership
    if not is_governance_lead(request.user, p):
        raise Http404
    name = request.GET.get("name", "").strip()
    fmt = request.GET.get("format", "")
    error = ""
    if name and fmt in ("json", "pdf"):
        try:
            data = export(name, p, request.user)
        except ValueError as exc:
            error = str(exc)
        else:
            stem = "subject-access-" + "-".join(name.lower().split())
            if fmt == "json":
                response = HttpResponse(
                    json.dumps(data, indent=1, default=str), content_type="application/json"
                )
            else:
                response = HttpResponse(export_pdf(data), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "sharing/subject_access.html",
        {"partnership": p, "name": name, "error": error},
    )


@requires(Permission.VIEW_MEMBER)
def prescribed_tracker(request, partnership):
    """The prescribed-information tracker: each responsible authority's returns of the last
    four quarters due, late or missing flagged. Coordinators record a return received."""
    from cdrp.sharing.models import Dataset, PrescribedReturn
    from cdrp.sharing.prescribed import SOURCE, tracker

    p = request.partnership
    can_record = allows(request.user, Permission.EDIT, p)
    error = ""
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        organisation = p.responsible_authorities.filter(
            slug=request.POST.get("organisation")
        ).first()
        dataset = request.POST.get("dataset", "")
        quarter = request.POST.get("quarter", "")
        try:
            received = dt.date.fromisoformat(request.POST.get("received_on", ""))
        except ValueError:
            received = None
        try:
            quarter_months(quarter)
        except RefusedInput:
            quarter = ""
        if organisation is None or dataset not in Dataset.values or received is None or not quarter:
            error = (
                "Choose a responsible authority and a dataset, give the quarter as YYYY-Qn "
                "and the date received as YYYY-MM-DD"
            )
        else:
            row, _ = PrescribedReturn.objects.get_or_create(
                partnership=p, organisation=organisation, dataset=dataset, quarter=quarter
            )
            row.received_on = received
            row.save()
            return redirect(reverse("sharing:prescribed", kwargs={"partnership": p.slug}))
    return render(
        request,
        "sharing/prescribed.html",
        {"partnership": p, "rows": tracker(p, dt.date.today()), "source": SOURCE,
         "can_record": can_record, "error": error},
    )  # fmt: skip


@requires(Permission.VIEW_MEMBER)
def processing(request, partnership):
    """The record of processing (UK GDPR Article 30), generated from the models."""
    from cdrp.sharing.processing import record

    return render(
        request,
        "sharing/processing.html",
        {"partnership": request.partnership, "entries": record()},
    )


# Adding and changing the registers --------------------------------------------------------------
# The cohort's and the case lists' forms are for the current members of the record's restricted
# group (`may_write_restricted_record`, `may_add_to_restricted_group`), under an agreement
# covering the register for them, through the partnership in the address; a record anyone else
# names is a 404, an add page with no group of theirs to add to a 403. An edit form shows the
# record, so opening it is a read (a reason asked once per session, one audit event); saving is
# audited as a change (`GovernanceRecord`) and refused if the record changed since the form was
# opened (the version the form carries). The agreements register is kept by the coordinators.


def _form_page(request, p, form, *, title, submit, back, intro=""):
    return render(
        request,
        "sharing/form.html",
        {"partnership": p, "form": form, "page_title": title, "submit": submit, "back": back,
         "intro": intro},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _url(name: str, p, **kwargs) -> str:
    return reverse(f"sharing:{name}", kwargs={"partnership": p.slug, **kwargs})


def _writable(request, model, p, pk, dataset):
    record = object_or_404(model, p, pk=pk)
    if not may_write_restricted_record(request.user, record, p) or not may_see_dataset(
        request.user, p, dataset
    ):
        raise Http404("No such record in this partnership")
    return record


def _add(request, p, form_class, dataset, *, title, back, saved):
    from cdrp.accounts.policy import may_add_to_restricted_group

    instance = form_class._meta.model(partnership=p)
    form = form_class(request.POST or None, instance=instance, partnership=p, user=request.user)
    groups = model_choice(form, "group").queryset
    if not groups.exists() or not may_see_dataset(request.user, p, dataset):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        if not may_add_to_restricted_group(request.user, form.cleaned_data["group"], p):
            raise PermissionDenied
        record = form.save_versioned()
        if record is not None:
            return redirect(saved(record))
    return _form_page(request, p, form, title=title, submit="Save", back=back)


def _edit(request, p, record, form, *, title, back, saved, shown=()):
    """The edit page of a restricted record: opening it is an audited read."""
    if request.method == "POST":
        if form.is_valid():
            saved_record = form.save_versioned()
            if saved_record is not None:
                return redirect(saved)
        return _form_page(request, p, form, title=title, submit="Save changes", back=back)
    asked = _needs_reason(request, p)
    if asked:
        return asked
    cohorts.read([record, *shown], request.user, cohorts.reason_of(request))
    return _form_page(request, p, form, title=title, submit="Save changes", back=back)


@requires(Permission.VIEW_MEMBER)
def cohort_member_add(request, partnership):
    p = request.partnership
    return _add(
        request, p, CohortMemberForm, Dataset.COHORT, title="Add someone to the offender cohort",
        back=_url("cohort", p),
        saved=lambda r: _url("cohort-member", p, cohort_member=r.pk),
    )  # fmt: skip


@requires(Permission.VIEW_MEMBER)
def cohort_member_edit(request, partnership, cohort_member):
    p = request.partnership
    record = _writable(request, CohortMember, p, cohort_member, Dataset.COHORT)
    form = CohortMemberForm(request.POST or None, instance=record, partnership=p,
                            user=request.user)  # fmt: skip
    back = _url("cohort-member", p, cohort_member=record.pk)
    return _edit(request, p, record, form, title=f"Change {record}", back=back, saved=back)


@requires(Permission.VIEW_MEMBER)
def case_add(request, partnership):
    p = request.partnership
    return _add(
        request, p, CaseForm, Dataset.CASES, title="Add a case", back=_url("cases", p),
        saved=lambda r: _url("case", p, case=r.pk),
    )  # fmt: skip


@requires(Permission.VIEW_MEMBER)
def case_edit(request, partnership, case):
    p = request.partnership
    record = _writable(request, Case, p, case, Dataset.CASES)
    form = CaseForm(request.POST or None, instance=record, partnership=p, user=request.user)
    back = _url("case", p, case=record.pk)
    return _edit(request, p, record, form, title=f"Change {record}", back=back, saved=back)


@requires(Permission.VIEW_MEMBER)
def case_action_add(request, partnership, case):
    p = request.partnership
    record = _writable(request, Case, p, case, Dataset.CASES)
    form = CaseActionForm(request.POST or None, instance=CaseAction(case=record), partnership=p)
    back = _url("case", p, case=record.pk)
    if request.method == "POST" and form.is_valid() and form.save_versioned() is not None:
        return redirect(back)
    return _form_page(request, p, form, title=f"Add an action on {record}", submit="Save",
                      back=back)  # fmt: skip


@requires(Permission.VIEW_MEMBER)
def case_action_edit(request, partnership, case, case_action):
    p = request.partnership
    record = _writable(request, Case, p, case, Dataset.CASES)
    action = record.actions.filter(pk=case_action).first()
    if action is None:
        raise Http404("No such action on this case")
    form = CaseActionForm(request.POST or None, instance=action, partnership=p)
    back = _url("case", p, case=record.pk)
    return _edit(request, p, action, form, title=f"Change {action}", back=back, saved=back)


@requires(Permission.EDIT)
def agreement_add(request, partnership):
    p = request.partnership
    if not may_edit_agreement(request.user, p):
        raise PermissionDenied
    form = AgreementForm(request.POST or None, instance=Agreement(partnership=p), partnership=p)
    back = _url("agreements", p)
    if request.method == "POST" and form.is_valid() and form.save_versioned() is not None:
        return redirect(back)
    return _form_page(request, p, form, title="Record an information sharing agreement",
                      submit="Save", back=back)  # fmt: skip


@requires(Permission.EDIT)
def agreement_edit(request, partnership, agreement):
    p = request.partnership
    if not may_edit_agreement(request.user, p):
        raise PermissionDenied
    record = object_or_404(Agreement, p, pk=agreement)
    form = AgreementForm(request.POST or None, instance=record, partnership=p)
    back = _url("agreements", p)
    if request.method == "POST" and form.is_valid() and form.save_versioned() is not None:
        return redirect(back)
    return _form_page(request, p, form, title=f"Change “{record.title}”", submit="Save changes",
                      back=back)  # fmt: skip
