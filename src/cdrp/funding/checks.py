"""Funding input checks and the one refusal: `FundingError`, a `RefusedInput` naming the field
("" for the form as a whole) with a message written for people, which already names the field
("Amount: ..."), so the error reads as its message alone. And who decides: a carried decision
of the partnership's strategy group (`cdrp.meetings.services.strategy_decisions`)."""

from __future__ import annotations

from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import MonthError, read_month
from cdrp.meetings.models import Decision
from cdrp.meetings.services import strategy_kind
from cdrp.partnerships.models import Partnership
from cdrp.plans.money import format_pence

__all__ = [
    "FundingError",
    "check_decision",
    "checked_amount",
    "checked_month",
    "checked_text",
    "field_label",
    "lock",
]


class FundingError(RefusedInput):
    """Refused funding input; `field` names the field at fault ("" for the whole form).

    >>> err = FundingError("amount", "Amount must be more than £0.00")
    >>> err.field, str(err)
    ('amount', 'Amount must be more than £0.00')
    """

    def __str__(self) -> str:
        return self.message


def lock(record):
    """Lock the record's row for the rest of the transaction and reload it in place, so the
    caller's object sees the stored values (and then the service's changes)."""
    type(record).objects.select_for_update().filter(pk=record.pk).first()
    record.refresh_from_db()
    return record


def checked_amount(value, field: str, *, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FundingError(field, f"{field_label(field)}: expected whole pence, got {value!r}")
    if value < 0:
        raise FundingError(
            field, f"{field_label(field)} must not be negative: got {format_pence(value)}"
        )
    if positive and value == 0:
        raise FundingError(field, f"{field_label(field)} must be more than £0.00")
    return value


def field_label(field: str) -> str:
    return field.replace("_pence", "").replace("_", " ").capitalize()


def checked_text(value, field: str, *, limit: int | None = None, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise FundingError(field, f"{field_label(field)}: enter the {field.replace('_', ' ')}")
    if limit and len(text) > limit:
        raise FundingError(field, f"{field_label(field)} must be {limit} characters or fewer")
    return text


def checked_month(value, field: str) -> str:
    text = (value or "").strip()
    try:
        return read_month(text, field)  # "November 2022" as typed, or "2022-11"
    except MonthError:
        raise FundingError(
            field,
            f"{field_label(field)}: enter a month and year, such as November 2022, got {text!r}",
        ) from None


# --- who decides ---------------------------------------------------------------------------


def check_decision(decision, partnership: Partnership, what: str) -> Decision:
    if not isinstance(decision, Decision):
        raise FundingError(
            "decision",
            f"Decision: choose the decision of {partnership.name}'s strategy group that "
            f"approved {what}",
        )
    if decision.result != Decision.Result.CARRIED:
        raise FundingError(
            "decision",
            f"Decision: “{decision.motion[:80]}” was not carried "
            f"({decision.get_result_display().lower()}): only a carried decision approves {what}",
        )
    group = decision.meeting.group
    if group.partnership_id != partnership.pk or group.kind != strategy_kind(partnership):
        raise FundingError(
            "decision",
            f"Decision: “{decision.motion[:80]}” is a decision of {group.name}, not of "
            f"{partnership.name}'s strategy group",
        )
    return decision
