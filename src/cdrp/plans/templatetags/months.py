"""Months in templates: ``{% load months %}`` then ``{{ "2021-12"|month_label }}`` → December 2021
(text that is not a month is shown as it is). The words come from `cdrp.analysis.months`."""

from __future__ import annotations

from django import template

from cdrp.analysis.months import label

register = template.Library()


@register.filter
def month_label(value):
    """ "2021-12" → "December 2021" (other text unchanged)."""
    return label(value)
