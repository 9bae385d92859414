"""A read-only API shaped after the OParl 1.1 standard (https://oparl.org/spezifikation/): a
System, each partnership as a Body, its groups as Organizations, the people who sit on them
(Person, with their Memberships), its Meetings with their AgendaItems, and the papers as Files.
Registered in `cdrp.api` under /api/oparl/1.1/.

Each object answers as its page does (`cdrp.accounts.policy`): anyone sees the public meetings
of groups that are not restricted, a partner member every meeting of the partnership; an agenda
item that is restricted, or any item of a restricted group, and its papers, only for the
group's members (`cdrp.meetings.restricted`), each read audited; papers (Files) for partner
members only, as their download page. People's email and phone go only to those the policy lets
see them (`may_see_contacts`). An object of another partnership is not found (404).

Lists are complete in one page (OParl's `data`, `pagination`, `links`); ids are the objects'
URLs. Vendor extensions carry the `cdrp:` prefix, as the standard asks.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow, anyone, api_user
from cdrp.accounts.policy import Permission, allows, may_see_contacts
from cdrp.meetings import restricted
from cdrp.meetings.models import AgendaItem, Meeting, Paper
from cdrp.partnerships.models import Group, Membership, Partnership, Person

__all__ = ["router"]

router = Router(tags=["oparl"])

SCHEMA = "https://schema.oparl.org/1.1/"
LONDON = ZoneInfo("Europe/London")
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "csv": "text/csv",
}
BASE = "/oparl/1.1"
PUBLIC = [*AUTH, anyone]


def _url(request, path: str) -> str:
    return request.build_absolute_uri(f"/api{BASE}{path}")


def _stamp(value) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _list(items: list) -> dict:
    return {
        "data": items,
        "pagination": {
            "totalElements": len(items),
            "elementsPerPage": len(items),
            "currentPage": 1,
            "totalPages": 1,
        },
        "links": {},
    }


def _member(request, p: Partnership) -> bool:
    return allows(api_user(request), Permission.VIEW_MEMBER, p)


def _meetings(request, p: Partnership):
    """The meetings the reader may see: all for partner members, public ones for the public."""
    meetings = Meeting.objects.filter(group__partnership=p).select_related("group")
    if not _member(request, p):
        meetings = meetings.filter(public=True, group__restricted=False)
    return meetings


def _system(request) -> dict:
    return {
        "id": _url(request, "/system"),
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "body": _url(request, "/body"),
        "name": "Community safety partnerships",
        "product": "cdrp",
        "website": request.build_absolute_uri("/"),
    }


def _body(request, p: Partnership) -> dict:
    base = f"/body/{p.slug}"
    return {
        "id": _url(request, base),
        "type": SCHEMA + "Body",
        "system": _url(request, "/system"),
        "name": p.name,
        "shortName": p.slug,
        "website": request.build_absolute_uri(p.get_absolute_url()),
        "organization": _url(request, f"{base}/organization"),
        "person": _url(request, f"{base}/person"),
        "meeting": _url(request, f"{base}/meeting"),
        "paper": _url(request, f"{base}/paper"),
        "legislativeTerm": [],
        "classification": "Community safety partnership",
        "modified": _stamp(getattr(p, "updated_at", None)),
    }


def _membership(request, p: Partnership, m: Membership) -> dict:
    return {
        "id": _url(request, f"/body/{p.slug}/membership/{m.pk}"),
        "type": SCHEMA + "Membership",
        "person": _url(request, f"/body/{p.slug}/person/{m.person.slug}"),
        "organization": _url(request, f"/body/{p.slug}/organization/{m.seat.group.slug}"),
        "role": m.get_role_display(),
        "votingRight": bool(m.seat.voting),
        "startDate": m.start.isoformat() if m.start else None,
        "endDate": m.end.isoformat() if m.end else None,
        "cdrp:seat": m.seat.label,
        "cdrp:onBehalfOf": m.seat.body_label,
    }


def _organization(request, p: Partnership, g: Group) -> dict:
    base = f"/body/{p.slug}/organization/{g.slug}"
    return {
        "id": _url(request, base),
        "type": SCHEMA + "Organization",
        "body": _url(request, f"/body/{p.slug}"),
        "name": g.name,
        "shortName": g.short_name or None,
        "organizationType": "Gremium",
        "classification": g.get_kind_display(),
        "meeting": _url(request, f"/body/{p.slug}/meeting") + f"?organization={g.slug}",
        "cdrp:restricted": g.restricted,
    }


def _person(request, p: Partnership, x: Person, memberships: list) -> dict:
    contacts = may_see_contacts(api_user(request), x)
    return {
        "id": _url(request, f"/body/{p.slug}/person/{x.slug}"),
        "type": SCHEMA + "Person",
        "body": _url(request, f"/body/{p.slug}"),
        "name": x.name,
        "email": [x.email] if contacts and x.email else [],
        "phone": [x.phone] if contacts and x.phone else [],
        "status": [x.job_title] if x.job_title else [],
        "membership": [_membership(request, p, m) for m in memberships],
    }


def _file(request, p: Partnership, paper: Paper) -> dict:
    item = paper.item
    access = request.build_absolute_uri(
        reverse("meetings:paper", kwargs={"partnership": p.slug, "paper_id": paper.pk})
    )
    return {
        "id": _url(request, f"/body/{p.slug}/file/{paper.pk}"),
        "type": SCHEMA + "File",
        "name": paper.title,
        "fileName": paper.file.name.rsplit("/", 1)[-1],
        "mimeType": MIME.get(paper.kind, "application/octet-stream"),
        "date": paper.uploaded_on.isoformat(),
        "size": paper.size,
        "accessUrl": access,
        "downloadUrl": access,
        "agendaItem": [_url(request, f"/body/{p.slug}/agendaitem/{item.pk}")],
        "meeting": [_url(request, f"/body/{p.slug}/meeting/{item.meeting_id}")],
        "modified": _stamp(paper.updated_at),
    }


def _agenda_item(request, p: Partnership, item: AgendaItem, member: bool) -> dict:
    papers = list(item.papers.all()) if member else []
    return {
        "id": _url(request, f"/body/{p.slug}/agendaitem/{item.pk}"),
        "type": SCHEMA + "AgendaItem",
        "meeting": _url(request, f"/body/{p.slug}/meeting/{item.meeting_id}"),
        "number": str(item.position),
        "order": item.position,
        "name": item.title,
        "public": not item.restricted and not item.meeting.group.restricted,
        "auxiliaryFile": [_file(request, p, x) for x in papers],
        "modified": _stamp(item.updated_at),
    }


def _start_end(meeting: Meeting) -> tuple[str, str | None]:
    if meeting.start_time is None:
        return meeting.date.isoformat(), None
    start = dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=LONDON)
    end = start + dt.timedelta(minutes=round(float(meeting.group.meeting_hours or 2) * 60))
    return start.isoformat(), end.isoformat()


def _visible_items(request, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda items the reader may see (restricted ones only for the group's
    members; none of a restricted group's for the public), each restricted one audited."""
    user = api_user(request)
    items = [
        i
        for i in meeting.agenda.select_related("meeting__group").prefetch_related("papers")
        if restricted.may_read(user, i)
    ]
    restricted.audit_reads([i for i in items if restricted.restricting_group(i) is not None])
    return items


def _meeting(request, p: Partnership, meeting: Meeting) -> dict:
    member = _member(request, p)
    start, end = _start_end(meeting)
    return {
        "id": _url(request, f"/body/{p.slug}/meeting/{meeting.pk}"),
        "type": SCHEMA + "Meeting",
        "name": str(meeting),
        "meetingState": meeting.get_status_display(),
        "cancelled": False,
        "start": start,
        "end": end,
        "location": {
            "id": _url(request, f"/body/{p.slug}/meeting/{meeting.pk}#location"),
            "type": SCHEMA + "Location",
            "description": meeting.venue,
        }
        if meeting.venue
        else None,
        "organization": [_url(request, f"/body/{p.slug}/organization/{meeting.group.slug}")],
        "agendaItem": [
            _agenda_item(request, p, i, member) for i in _visible_items(request, meeting)
        ],
        "web": meeting.webcast_link or None,
        "cdrp:public": meeting.public,
        "cdrp:agendaPublished": meeting.agenda_published_on.isoformat()
        if meeting.agenda_published_on
        else None,
        "modified": _stamp(meeting.updated_at),
    }


def _partnership(slug: str) -> Partnership:
    return get_object_or_404(Partnership, slug=slug)


@router.get(f"{BASE}/system", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC, partnership_arg=None)
def oparl_system(request):
    """The OParl System: where the bodies are listed."""
    return _system(request)


@router.get(f"{BASE}/body", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC, partnership_arg=None)
def oparl_bodies(request):
    """Every partnership as an OParl Body."""
    return _list([_body(request, p) for p in Partnership.objects.order_by("name")])


@router.get(f"{BASE}/body/{{partnership}}", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_body(request, partnership: str):
    return _body(request, request.partnership)


@router.get(f"{BASE}/body/{{partnership}}/organization", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_organizations(request, partnership: str):
    """The partnership's groups as OParl Organizations."""
    p = request.partnership
    groups = Group.objects.filter(partnership=p).order_by("position", "name")
    return _list([_organization(request, p, g) for g in groups])


@router.get(f"{BASE}/body/{{partnership}}/organization/{{group}}", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_organization(request, partnership: str, group: str):
    p = request.partnership
    return _organization(request, p, get_object_or_404(Group, partnership=p, slug=group))


def _memberships(p: Partnership):
    return (
        Membership.objects.current(dt.date.today())
        .filter(seat__group__partnership=p)
        .select_related("person", "seat__group", "seat__organisation", "seat__council_area")
        .order_by("seat__group__position", "seat__position", "pk")
    )


@router.get(f"{BASE}/body/{{partnership}}/person", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_people(request, partnership: str):
    """The people who sit on the partnership's groups today, with their memberships."""
    p = request.partnership
    by_person: dict[int, list] = {}
    people: dict[int, Person] = {}
    for m in _memberships(p):
        by_person.setdefault(m.person_id, []).append(m)
        people[m.person_id] = m.person
    ordered = sorted(people.values(), key=lambda x: x.name)
    return _list([_person(request, p, x, by_person[x.pk]) for x in ordered])


@router.get(f"{BASE}/body/{{partnership}}/person/{{person}}", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_person(request, partnership: str, person: str):
    p = request.partnership
    memberships = list(_memberships(p).filter(person__slug=person))
    if not memberships:
        raise HttpError(404, "Not Found")
    return _person(request, p, memberships[0].person, memberships)


@router.get(f"{BASE}/body/{{partnership}}/meeting", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_meetings(request, partnership: str, organization: str | None = None):
    """The meetings the reader may see, newest first (?organization=group-slug narrows)."""
    p = request.partnership
    meetings = _meetings(request, p)
    if organization:
        meetings = meetings.filter(group__slug=organization)
    return _list([_meeting(request, p, m) for m in meetings.order_by("-date", "pk")])


@router.get(f"{BASE}/body/{{partnership}}/meeting/{{meeting_id}}", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_meeting(request, partnership: str, meeting_id: int):
    p = request.partnership
    return _meeting(request, p, get_object_or_404(_meetings(request, p), pk=meeting_id))


@router.get(f"{BASE}/body/{{partnership}}/agendaitem/{{item_id}}", response=dict, auth=PUBLIC)
@allow(Permission.VIEW_PUBLIC)
def oparl_agenda_item(request, partnership: str, item_id: int):
    """One agenda item; a restricted one is not found for a reader outside its group."""
    p = request.partnership
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__group").filter(
            meeting__in=_meetings(request, p)
        ),
        pk=item_id,
    )
    if not restricted.may_read(api_user(request), item):
        raise HttpError(404, "Not Found")
    restricted.audit_reads([item] if restricted.restricting_group(item) else [])
    return _agenda_item(request, p, item, _member(request, p))


@router.get(f"{BASE}/body/{{partnership}}/paper", response=dict, auth=AUTH)
@allow(Permission.VIEW_MEMBER)
def oparl_files(request, partnership: str):
    """The papers (as OParl Files) the reader may read: partner members, restricted ones only
    for the group's members."""
    p = request.partnership
    user = api_user(request)
    papers = [
        x
        for x in Paper.objects.filter(item__meeting__group__partnership=p)
        .select_related("item__meeting__group")
        .order_by("-item__meeting__date", "item__position", "pk")
        if restricted.may_read(user, x)
    ]
    restricted.audit_reads([x for x in papers if restricted.restricting_group(x) is not None])
    return _list([_file(request, p, x) for x in papers])


@router.get(f"{BASE}/body/{{partnership}}/file/{{paper_id}}", response=dict, auth=AUTH)
@allow(Permission.VIEW_MEMBER)
def oparl_file(request, partnership: str, paper_id: int):
    p = request.partnership
    paper = get_object_or_404(
        Paper.objects.select_related("item__meeting__group"),
        pk=paper_id,
        item__meeting__group__partnership=p,
    )
    if not restricted.may_read(api_user(request), paper):
        raise HttpError(404, "Not Found")
    restricted.audit_reads([paper] if restricted.restricting_group(paper) else [])
    return _file(request, p, paper)
