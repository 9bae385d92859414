"""Who is asking: the client address django-axes counts failed sign-ins against."""

from __future__ import annotations

from django.conf import settings

__all__ = ["client_ip"]


def client_ip(request) -> str | None:
    """The connection's address, or, behind `TRUSTED_PROXY_COUNT` proxies that each append the
    address they were connected from to X-Forwarded-For, the address the outermost proxy saw.

    Only entries appended by our own proxies are believed: anything to their left was written by
    the client, and trusting it would let a client rotate addresses to dodge the per-address limit.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
