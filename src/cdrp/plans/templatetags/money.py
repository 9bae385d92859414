"""Money and shares in templates: ``{% load money %}`` then ``{{ amount|pence }}`` → £1,234.56."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from cdrp.plans.money import format_pence

register = template.Library()


@register.filter
def pence(value):
    """Integer pence as pounds with the symbol: 123456 → "£1,234.56" (empty for None)."""
    if value is None or value == "":
        return ""
    return format_pence(int(value))


@register.filter
def share_percent(value, places: int = 2):
    """A share of 1 as a percentage: Decimal("0.1905266706") → "19.05%"."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)) * 100
    except InvalidOperation:
        return ""
    return f"{number.quantize(Decimal(1).scaleb(-int(places)))}%"


@register.filter
def quota_pounds(value, places: int = 4):
    """A quota in pence given as decimal text, shown in pounds with more places than money:
    "23815834.2637125000" → "£238,158.3426"."""
    if value is None or value == "":
        return ""
    try:
        pounds = Decimal(str(value)) / 100
    except InvalidOperation:
        return ""
    return f"£{pounds.quantize(Decimal(1).scaleb(-int(places))):,}"
