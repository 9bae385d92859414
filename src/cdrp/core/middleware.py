"""Response headers Django and django-csp do not set: Permissions-Policy."""

from __future__ import annotations

from django.conf import settings

__all__ = ["PermissionsPolicyMiddleware"]


class PermissionsPolicyMiddleware:
    """Switch off, for this site and anything it embeds, the browser features it never uses
    (settings.PERMISSIONS_POLICY names them): a script that got in still cannot reach the camera,
    the microphone, the location or payments."""

    def __init__(self, get_response):
        self.get_response = get_response
        features = getattr(settings, "PERMISSIONS_POLICY", [])
        self.header = ", ".join(f"{feature}=()" for feature in features)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
