"""The partnership registry: areas, organisations, people, partnerships, their groups, seats and
memberships, and merger proposals (meetings, decisions and votes live in `cdrp.meetings.models`).

Record rules live here (`clean`, run on every save of a governance record); operations spanning
several records live in `cdrp.partnerships.services`.

The records are kept in three modules (`registry`, `groups`, `merger`); every name is importable
from `cdrp.partnerships.models`, as migrations and the other apps expect.
"""

from cdrp.partnerships.models.groups import Group, Membership, MembershipQuerySet, Seat
from cdrp.partnerships.models.merger import MergerAgreement, MergerProposal, MergerTransition
from cdrp.partnerships.models.registry import (
    RESERVED_SLUGS,
    Area,
    Organisation,
    Partnership,
    Person,
    ValidatedRecord,
    validate_partnership_slug,
)

__all__ = [
    "RESERVED_SLUGS",
    "Area",
    "Group",
    "Membership",
    "MembershipQuerySet",
    "MergerAgreement",
    "MergerProposal",
    "MergerTransition",
    "Organisation",
    "Partnership",
    "Person",
    "Seat",
    "ValidatedRecord",
    "validate_partnership_slug",
]
