"""Template filters for plan documents."""

from django import template

from cdrp.plans.money import format_pence

register = template.Library()


@register.filter
def pounds(pence):
    """Integer pence as pounds without the symbol: 123450 → "1,234.50"."""
    return format_pence(pence, symbol=False)
