"""JSON API for the partnership plan: the revisions and each revision whole.

Members read every revision (drafts too); everyone reads approved and superseded ones.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.policy import Permission, allows
from cdrp.plans.models import Plan
from cdrp.plans.services import snapshot

router = Router(tags=["plans"])


def _anyone(request):
    return request.user


class PlanOut(Schema):
    revision: int
    title: str
    status: str
    period_start: str
    period_end: str
    approved_at: dt.datetime | None
    revises: int | None


def _visible(request):
    queryset = Plan.objects.filter(partnership=request.partnership).select_related("revises")
    if not allows(api_user(request), Permission.VIEW_MEMBER, request.partnership):
        queryset = queryset.exclude(status=Plan.Status.DRAFT)
    return queryset


@router.get("/partnerships/{partnership}/plans", response=list[PlanOut], auth=[*AUTH, _anyone])
@allow(Permission.VIEW_PUBLIC)
def plan_list(request, partnership: str):
    """Revisions of the partnership plan, newest first (drafts for members only)."""
    return [
        {
            "revision": p.revision,
            "title": p.title,
            "status": p.status,
            "period_start": p.period_start,
            "period_end": p.period_end,
            "approved_at": p.approved_at,
            "revises": p.revises.revision if p.revises else None,
        }
        for p in _visible(request)
    ]


@router.get("/partnerships/{partnership}/plans/{revision}", auth=[*AUTH, _anyone])
@allow(Permission.VIEW_PUBLIC)
def plan_revision(request, partnership: str, revision: int):
    """One revision whole: priorities, objectives, partners' roles, indicators, targets and
    engagement commitments."""
    return snapshot(get_object_or_404(_visible(request), revision=revision))
