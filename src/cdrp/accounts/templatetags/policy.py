"""Ask the policy module from a template: {% allowed "view_member" partnership as can_read %}."""

from django import template

from cdrp.accounts.policy import Permission, allows

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context, action: str, partnership=None) -> bool:
    request = context.get("request")
    return request is not None and allows(request.user, Permission(action), partnership)
