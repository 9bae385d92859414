"""Money as integer pence: parsing what people type and showing it back, exactly (no floats)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from cdrp.analysis.errors import RefusedInput

__all__ = ["MoneyError", "format_pence", "parse_pounds"]

_TEXT = re.compile(r"^£?\s*(-?)\s*£?\s*([0-9][0-9,]*)(?:\.([0-9]{1,2}))?$")


class MoneyError(RefusedInput):
    """An amount that is not a non-negative sum of pounds and pence; reads "field: message"."""


def parse_pounds(text: str | int | Decimal, *, field: str = "amount") -> int:
    """Pence from text such as ``"£1,234.50"``, ``"1234.5"`` or ``"12"``.

    >>> parse_pounds("£1,234.50")
    123450
    >>> parse_pounds("0.1")
    10
    """
    if isinstance(text, int):
        if text < 0:
            raise MoneyError(field, f"must not be negative, got {text}")
        return text * 100
    if isinstance(text, Decimal):
        text = format(text, "f")
    raw = str(text).strip()
    m = _TEXT.match(raw)
    if not m or (m.group(2).count(",") and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*", m.group(2))):
        raise MoneyError(
            field, f"expected an amount in pounds such as 1250 or £1,250.00, got {raw!r}"
        )
    if m.group(1):
        raise MoneyError(field, f"must not be negative, got {raw!r}")
    try:
        pounds = int(m.group(2).replace(",", ""))
    except (ValueError, InvalidOperation):  # pragma: no cover - the pattern admits digits only
        raise MoneyError(field, f"expected an amount in pounds, got {raw!r}") from None
    pence = int((m.group(3) or "0").ljust(2, "0"))
    return pounds * 100 + pence


def format_pence(pence: int | None, *, symbol: bool = True) -> str:
    """``123450`` → ``"£1,234.50"``; negative amounts keep their sign before the symbol."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}{'£' if symbol else ''}{pounds:,}.{rest:02d}"
