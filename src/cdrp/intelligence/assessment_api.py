"""JSON API for strategic assessments: the list and the whole stored document.

Registered in `cdrp.api` with ``api.add_router("/", "cdrp.intelligence.assessment_api.router")``.
Members read every assessment of their partnership; everyone reads published ones (partner-data
figures protected by the policy's disclosure control).
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.policy import Permission, allows, public_document, sees_exact_figures
from cdrp.intelligence.models import Assessment

router = Router(tags=["assessments"])


def _anyone(request):
    return request.user


class AssessmentOut(Schema):
    id: int
    kind: str
    title: str
    period_start: str
    period_end: str
    months: int
    status: str
    built_at: dt.datetime
    fingerprint: str


def _row(a: Assessment) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "title": a.title,
        "period_start": a.period_start,
        "period_end": a.period_end,
        "months": a.months,
        "status": a.status,
        "built_at": a.built_at,
        "fingerprint": (a.fingerprint or {}).get("digest", ""),
    }


def _visible(request):
    queryset = Assessment.objects.filter(partnership=request.partnership)
    if not allows(api_user(request), Permission.VIEW_MEMBER, request.partnership):
        queryset = queryset.filter(status=Assessment.Status.PUBLISHED)
    return queryset


@router.get(
    "/partnerships/{partnership}/assessments",
    response=list[AssessmentOut],
    auth=[*AUTH, _anyone],
)
@allow(Permission.VIEW_PUBLIC)
def assessment_list(request, partnership: str):
    """Assessments of a partnership, newest first (published ones only for the public)."""
    return [_row(a) for a in _visible(request)]


@router.get("/partnerships/{partnership}/assessments/{pk}", auth=[*AUTH, _anyone])
@allow(Permission.VIEW_PUBLIC)
def assessment_document(request, partnership: str, pk: int):
    """The whole structured assessment: sections, tables, figures, findings with evidence."""
    record = get_object_or_404(_visible(request), pk=pk)
    document = record.document
    if not sees_exact_figures(api_user(request), request.partnership):
        document = public_document(document)
    return {**_row(record), "document": document}
