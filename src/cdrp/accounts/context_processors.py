"""What every page's shell needs: service name, navigation for this user, phase."""

from django.urls import NoReverseMatch, reverse

from cdrp.accounts.notifications import unread_count
from cdrp.accounts.policy import Permission, allows
from cdrp.core.context_processors import SERVICE_NAME


def shell(request):
    user = getattr(request, "user", None)
    items = [("Home", reverse("core:home")), ("Partnerships", reverse("partnerships:list"))]
    if user is not None and allows(user, Permission.VIEW_MEMBER):
        items.append(("Data", reverse("intelligence:sources")))
    if user is not None and allows(user, Permission.ADMINISTER):
        items.append(("Audit trail", reverse("accounts:audit")))
    path = request.path
    nav = [
        {
            "text": text,
            "href": href,
            "current": path == href,
            "active": href != "/" and path.startswith(href),
        }
        for text, href in items
    ]
    return {
        "service_name": SERVICE_NAME,
        "nav": nav,
        "phase": "Beta",
        "notification_bell": _notifications(user),
    }


def _notifications(user) -> dict | None:
    """The header's notifications link and unread count, where an app provides the page."""
    if user is None or not user.is_authenticated:
        return None
    try:
        url = reverse("workday:notifications")
    except NoReverseMatch:
        return None
    return {"url": url, "unread": unread_count(user)}
