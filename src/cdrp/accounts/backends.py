"""The sign-in throttle (django-axes) as the first of AUTHENTICATION_BACKENDS."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend

__all__ = ["SignInThrottle"]


class SignInThrottle(AxesStandaloneBackend):
    """Refuse a user name or an address that django-axes has locked out, before any password check.

    Every sign-in from the network passes its request (Django's and the admin's forms do). A call
    without one comes from code on the server (a shell, a command), where there is no address to
    throttle and nobody to guess: axes would raise; we let the next backend decide."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
