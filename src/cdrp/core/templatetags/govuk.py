"""GOV.UK form markup for Django form fields: label, hint, error message, input classes."""

from django import forms, template

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


_CLASSES = {
    "input": "govuk-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
}


@register.inclusion_tag("includes/field.html")
def govuk_field(field, width: str = ""):
    """Render a bound field as a GOV.UK form group (errors shown as in the Design System)."""
    kind = _kind(field)
    attrs = {}
    classes = _CLASSES.get(kind, "")
    if width and kind == "input":
        classes += f" govuk-input--width-{width}" if width.isdigit() else f" govuk-!-width-{width}"
    if field.errors and kind in {"input", "select", "textarea"}:
        classes += f" {_CLASSES[kind]}--error"
    attrs["class"] = classes.strip()
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = field.as_widget(attrs=attrs) if kind not in {"radios", "checkboxes"} else None
    return {"field": field, "kind": kind, "widget": widget}


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(form):
    """The error summary at the top of a page, linking to each field in error."""
    items = []
    for error in form.non_field_errors():
        items.append({"text": error, "href": ""})
    for field in form:
        for error in field.errors:
            items.append({"text": error, "href": f"#{field.auto_id}"})
    return {"items": items}
