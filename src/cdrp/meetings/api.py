"""JSON API for meetings: recording a decision at a group's meeting, counted one vote per council
area or agency (coordinators). Registered in `cdrp.api`."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow
from cdrp.accounts.policy import Permission
from cdrp.meetings.models import MinutesLocked
from cdrp.meetings.services import decide
from cdrp.partnerships.models import Group, Person

router = Router(tags=["registry"])


class BallotIn(Schema):
    person: str
    choice: str


class DecisionIn(Schema):
    group: str
    date: dt.date
    motion: str
    ballots: list[BallotIn]
    present: list[str] = []
    casting_vote: str | None = None


class BodyVoteOut(Schema):
    body: str
    choice: str
    cast_by: list[str]


class DecisionOut(Schema):
    id: int
    result: str
    votes_for: int
    votes_against: int
    abstentions: int
    bodies_present: int
    quorum: int
    casting_vote: str
    votes: list[BodyVoteOut]


@router.post(
    "/partnerships/{partnership}/decisions",
    response={201: DecisionOut},
    auth=AUTH,
    # The operation's name from when it was served by the registry's router: unchanged for clients.
    operation_id="cdrp_partnerships_api_record_decision",
)
@allow(Permission.EDIT)
def record_decision(request, partnership: str, body: DecisionIn):
    """Record a decision at a group's meeting, counting one vote per council area or agency.
    Refused (409) at a meeting whose minutes are approved."""
    g = get_object_or_404(Group, partnership=request.partnership, slug=body.group)
    slugs = {b.person for b in body.ballots} | set(body.present)
    people = {x.slug: x for x in Person.objects.filter(slug__in=slugs)}
    missing = sorted(slugs - set(people))
    if missing:
        raise HttpError(400, f"person: no such person {', '.join(missing)}")
    try:
        decision = decide(
            g,
            body.date,
            body.motion,
            [(people[b.person], b.choice) for b in body.ballots],
            present=[people[s] for s in body.present],
            casting_vote=body.casting_vote,
        )
    except MinutesLocked as exc:
        raise HttpError(409, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from None
    return Status(
        201,
        {
            "id": decision.pk,
            "result": decision.result,
            "votes_for": decision.votes_for,
            "votes_against": decision.votes_against,
            "abstentions": decision.abstentions,
            "bodies_present": decision.bodies_present,
            "quorum": decision.quorum,
            "casting_vote": decision.casting_vote,
            "votes": [
                {
                    "body": v.body,
                    "choice": v.choice,
                    "cast_by": sorted(p.slug for p in v.cast_by.all()),
                }
                for v in decision.votes.all()
            ],
        },
    )
