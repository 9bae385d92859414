"""Form helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's model choice field `name`, typed, to set its queryset or labels per request."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field
