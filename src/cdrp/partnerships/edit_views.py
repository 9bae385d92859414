"""Registry edit pages: a partnership, its groups, seats, memberships, people and organisations,
and replacing a structure from a YAML file. Every write goes through the record's rules
(`ValidatedRecord.save`) or `cdrp.partnerships.services`; a stale edit is refused
(`save_versioned`)."""

from __future__ import annotations

import yaml
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import (
    Permission,
    allows,
    is_site_administrator,
    may_access,
    may_edit_shared,
    object_or_404,
    requires,
    requires_site_administrator,
)
from cdrp.core.uploads import upload_limit, upload_refusal
from cdrp.partnerships import services
from cdrp.partnerships.forms import (
    GroupForm,
    MembershipForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
    SeatForm,
    StructureUploadForm,
)
from cdrp.partnerships.models import (
    Area,
    Membership,
    Organisation,
    Partnership,
    Person,
    Seat,
)
from cdrp.partnerships.structure import StructureError, import_structure, load_structure
from cdrp.partnerships.views import group_or_404

# Edit forms ------------------------------------------------------------------------------------


def _form_page(
    request,
    form,
    *,
    title,
    partnership,
    back,
    submit="Save",
    intro="",
    delete_url="",
    delete_label="",
):
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "page_title": title,
            "partnership": partnership,
            "back": back,
            "submit": submit,
            "intro": intro,
            "delete_url": delete_url,
            "delete_label": delete_label,
        },
    )


@requires_site_administrator
def partnership_new(request):
    form = PartnershipForm(request.POST or None, instance=Partnership(), with_slug=True)
    if request.method == "POST" and form.is_valid():
        saved = form.save_versioned()
        if saved:
            messages.success(request, f"{saved.name} created.")
            return redirect(saved.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Add a partnership",
        partnership=None,
        back=reverse("partnerships:list"),
    )


@requires(Permission.EDIT)
def partnership_edit(request, partnership):
    p = request.partnership
    form = PartnershipForm(request.POST or None, instance=p)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, "Partnership saved.")
        return redirect(p.get_absolute_url())
    return _form_page(
        request, form, title=f"Edit {p.name}", partnership=p, back=p.get_absolute_url()
    )


@requires(Permission.EDIT)
def group_edit(request, partnership, group=None):
    p = request.partnership
    g = group_or_404(p, group) if group else None
    if g is not None and (refused := _joint_refusal(request, p, g)):
        return refused
    form = GroupForm(request.POST or None, instance=g, partnership=p)
    if request.method == "POST" and form.is_valid():
        saved = form.save_versioned()
        if saved:
            messages.success(request, f"{saved.name} saved.")
            return redirect(saved.get_absolute_url())
    back = g.get_absolute_url() if g else p.get_absolute_url()
    return _form_page(
        request, form, title=f"Edit {g.name}" if g else "Add a group", partnership=p, back=back
    )


@requires(Permission.EDIT)
def seat_edit(request, partnership, group, seat=None):
    p = request.partnership
    g = group_or_404(p, group)
    if refused := _joint_refusal(request, p, g):
        return refused
    s = get_object_or_404(Seat, pk=seat, group=g) if seat else None
    form = SeatForm(request.POST or None, instance=s, group=g)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, "Seat saved.")
        return redirect(g.get_absolute_url())
    delete_url = (
        reverse(
            "partnerships:seat-delete",
            kwargs={"partnership": p.slug, "group": g.slug, "seat": s.pk},
        )
        if s
        else ""
    )
    return _form_page(
        request,
        form,
        title=f"{'Edit seat' if s else 'Add a seat'}: {g.name}",
        partnership=p,
        back=g.get_absolute_url(),
        delete_url=delete_url,
        delete_label="Remove this seat and its members",
    )


@require_POST
@requires(Permission.EDIT)
def seat_delete(request, partnership, group, seat):
    p = request.partnership
    g = group_or_404(p, group)
    if refused := _joint_refusal(request, p, g):
        return refused
    s = get_object_or_404(Seat, pk=seat, group=g)
    try:
        services.remove_seat(s)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Seat “{s}” removed.")
    return redirect(g.get_absolute_url())


@requires(Permission.EDIT)
def membership_edit(request, partnership, group, membership=None):
    p = request.partnership
    g = group_or_404(p, group)
    if refused := _joint_refusal(request, p, g):
        return refused
    m = get_object_or_404(Membership, pk=membership, seat__group=g) if membership else None
    initial = {}
    if m is None and request.GET.get("seat"):
        initial["seat"] = request.GET["seat"]
    form = MembershipForm(request.POST or None, instance=m, group=g, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save_versioned()
        if saved:
            messages.success(request, f"{saved.person} is now recorded in the seat “{saved.seat}”.")
            return redirect(g.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"{'Edit member' if m else 'Add a member'}: {g.name}",
        partnership=p,
        back=g.get_absolute_url(),
        intro="" if Person.objects.exists() else "Add the person first.",
    )


@upload_limit("UPLOAD_MAX_BYTES", "structure files")
@requires(Permission.EDIT)
def structure_import(request, partnership):
    """Replace this partnership's structure from a YAML file (all or nothing). A file over the
    upload limit is refused while it is read (cdrp.core.uploads)."""
    p = request.partnership
    refused = upload_refusal(request) if request.method == "POST" else None
    form = StructureUploadForm(request.POST or None, request.FILES or None)
    if refused:
        form.is_valid()
        form.errors["file"] = form.error_class([refused])
    elif request.method == "POST" and form.is_valid():
        name = request.FILES["file"].name
        text = form.cleaned_data["file"]
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            docs = []  # import_structure reports the line
        slugs = {(d.get("partnership") or {}).get("slug") for d in docs if isinstance(d, dict)}
        if slugs - {p.slug}:
            form.add_error("file", f"The file may only describe {p.name} (slug “{p.slug}”).")
        elif refused := _shared_changes_refused(request.user, text, name):
            for problem in refused:
                form.add_error("file", problem)
        else:
            try:
                import_structure(text, name)
            except StructureError as exc:
                for problem in exc.problems:
                    form.add_error("file", problem)
            else:
                messages.success(request, f"Structure imported from {name}.")
                return redirect(p.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Import a structure: {p.name}",
        partnership=p,
        back=p.get_absolute_url(),
        submit="Import",
    )


def _shared_changes_refused(user, text: str, name: str) -> list[str]:
    """What a structure file would change in records other partnerships share and the user may
    not edit: people and organisations held only by partnerships where the user has no EDIT
    right, and areas (reference data, changed by site administrators). Naming such a record
    unchanged is fine: that is how a seat is given to a shared organisation or person."""

    try:
        docs = load_structure(text, name)
    except StructureError:
        return []  # import_structure reports the file's own problems
    problems = []
    for d in docs:
        # "Merged from" is shown on the predecessors' own pages: claiming (or dropping) one needs
        # the edit right there, as proposing a merger does.
        own = Partnership.objects.filter(slug=d["partnership"]["slug"]).first()
        claimed = set(own.merged_from.values_list("slug", flat=True)) if own else set()
        for slug in sorted(claimed ^ set(d["partnership"]["merged_from"])):
            other = Partnership.objects.filter(slug=slug).first()
            if other is not None and not allows(user, Permission.EDIT, other):
                problems.append(
                    f"{name}: merged_from “{slug}” ({other.name}): only a coordinator or "
                    "administrator of that partnership may record or remove a merger from it."
                )
        # A joint group is part of every partnership it serves: writing one (or making a group
        # joint, or dropping one) needs the edit right in each of them.
        existing = {g.slug: g for g in own.groups.all()} if own else {}
        for g in d["groups"]:
            held = existing.get(g["slug"])
            before = set(held.serves.values_list("slug", flat=True)) if held else set()
            for slug in sorted(before | set(g["serves"])):
                other = Partnership.objects.filter(slug=slug).first()
                if other is not None and not allows(user, Permission.EDIT, other):
                    problems.append(
                        f"{name} line {g['_line']}: group “{g['slug']}” serves {other.name} too: "
                        "only someone who may edit for every partnership a joint group serves "
                        "may write it."
                    )
        for slug, held in existing.items():
            if slug not in {g["slug"] for g in d["groups"]}:
                for other in held.serves.all():
                    if not allows(user, Permission.EDIT, other):
                        problems.append(
                            f"{name}: group “{slug}” serves {other.name} too: only someone who "
                            "may edit for every partnership it serves may remove it."
                        )
        for a in d["areas"]:
            area = Area.objects.filter(code=a["code"]).select_related("parent").first()
            held_area = (
                (area.name, area.level, area.parent.code if area.parent else None)
                if area is not None
                else None
            )
            if area is not None and held_area != (a["name"], a["level"], a["parent"]):
                if not is_site_administrator(user):
                    problems.append(
                        f"{name} line {a['_line']}: area {area.code} ({area.name}) is reference "
                        "data shared by every partnership: only a site administrator changes "
                        "it. Leave its entry as it is."
                    )
        for o in d["organisations"]:
            org = Organisation.objects.filter(slug=o["slug"]).select_related("area").first()
            held_org = (
                (org.name, org.kind, org.area.code if org.area else None, org.website)
                if org is not None
                else None
            )
            if org is not None and held_org != (o["name"], o["kind"], o["area"], o["website"]):
                if not may_access(user, Permission.EDIT, org):
                    problems.append(
                        f"{name} line {o['_line']}: organisation “{org.slug}” ({org.name}) "
                        "belongs to partnerships where you may not edit: leave its entry as "
                        "it is."
                    )
        for x in d["people"]:
            person = Person.objects.filter(slug=x["slug"]).select_related("organisation").first()
            if person is None:
                continue
            held_person = (
                person.name,
                person.job_title,
                person.organisation.slug if person.organisation else None,
                person.email,
                person.phone,
                person.placeholder,
            )
            wanted = tuple(
                x[k] for k in ("name", "job_title", "organisation", "email", "phone", "placeholder")
            )
            if held_person != wanted and not may_access(user, Permission.EDIT, person):
                problems.append(
                    f"{name} line {x['_line']}: person “{person.slug}” sits in partnerships "
                    "where you may not edit: leave their entry as it is."
                )
    return problems


def _joint_refusal(request, p: Partnership, group):
    """For a joint group (serving several partnerships): 403 unless the user may edit in every
    partnership it serves, since a change to it changes it for all of them."""
    if group.is_joint and not may_edit_shared(request.user, group):
        return _shared_refusal(request, p, group)
    return None


def _shared_refusal(request, p: Partnership, record):
    """403 for a shared record this coordinator may use but not change, saying who can."""
    holders = Partnership.objects.filter(pk__in=record.holding_partnership_ids()).order_by("name")
    return render(
        request,
        "partnerships/shared_record.html",
        {
            "partnership": p,
            "record": record,
            "holders": holders,
            "page_title": f"{record} is shared",
        },
        status=403,
    )


@requires(Permission.EDIT)
def person_edit(request, partnership, person=None):
    p = request.partnership
    x = object_or_404(Person, p, slug=person) if person else None
    if x is not None and not may_edit_shared(request.user, x):
        return _shared_refusal(request, p, x)
    accounts = None
    if allows(request.user, Permission.EDIT, p):
        # The partnership's own users (and whoever is linked now): a coordinator links a person
        # to an account of their partnership, never to another partnership's.
        User = get_user_model()
        accounts = (
            User.objects.filter(Q(cdrp_roles__partnership=p) | Q(pk=getattr(x, "account_id", None)))
            .distinct()
            .order_by("username")
        )
    form = PersonForm(request.POST or None, instance=x, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        saved = form.save_versioned()
        if saved:
            messages.success(request, f"{saved.name} saved.")
            return redirect(saved.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Edit {x.name}" if x else "Add a person",
        partnership=p,
        back=x.get_absolute_url() if x else p.get_absolute_url(),
    )


@requires(Permission.EDIT)
def organisation_edit(request, partnership, organisation=None):
    p = request.partnership
    o = object_or_404(Organisation, p, slug=organisation) if organisation else None
    if o is not None and not may_edit_shared(request.user, o):
        return _shared_refusal(request, p, o)
    form = OrganisationForm(request.POST or None, instance=o)
    if request.method == "POST" and form.is_valid() and form.save_versioned():
        messages.success(request, "Organisation saved.")
        return redirect(p.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Edit {o.name}" if o else "Add an organisation",
        partnership=p,
        back=p.get_absolute_url(),
    )
