"""The one error for input a service refuses: it names the field and says what was expected.

Every refusal in cdrp (a month that is not a month, an amount over budget, a plan that is locked)
is a `RefusedInput`, raised before anything is written. Pages put the message on the field it
names, the API answers 400 with ``{"detail": ..., "field": ...}``, commands print it on one line.
The pure core raises it too, so it lives here, with no web framework in sight.
"""

from __future__ import annotations

__all__ = ["RefusedInput"]


class RefusedInput(ValueError):
    """Input refused before anything was written.

    Parameters
    ----------
    field : str
        The field (form field, API property, file column or command option) that was refused;
        empty when the refusal is about the request as a whole.
    message : str
        What was expected, in words a person can act on.

    Examples
    --------
    >>> err = RefusedInput("month", "expected a month as YYYY-MM, got 'April'")
    >>> err.field, err.message
    ('month', "expected a month as YYYY-MM, got 'April'")
    >>> str(err)
    "month: expected a month as YYYY-MM, got 'April'"
    >>> str(RefusedInput("", "nothing to import"))
    'nothing to import'
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)

    @property
    def messages(self) -> list[str]:
        """The message as a list, as Django's ValidationError gives it (for templates)."""
        return [self.message]
