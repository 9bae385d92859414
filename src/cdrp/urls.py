"""URL configuration: pages per app, the JSON API under /api/, and site administration."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from cdrp.accounts.policy import public
from cdrp.api import api

# Site administration only for sessions that have given their two-factor code (django-otp's
# documented way to swap the site, keeping every registered model).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Community safety partnership: administration"
admin.site.site_title = "cdrp administration"

urlpatterns = [
    path("", include("cdrp.accounts.shell_urls")),  # the shell: namespace core
    path("accounts/", include("cdrp.accounts.urls")),
    path("partnerships/<slug:partnership>/search/", include("cdrp.search.urls")),
    path("partnerships/", include("cdrp.partnerships.urls")),
    path("intelligence/", include("cdrp.intelligence.urls")),
    path("", include("cdrp.meetings.urls")),  # /meetings/… and a decision at a group
    path("plans/", include("cdrp.plans.urls")),
    path("community/", include("cdrp.community.urls")),
    path("scrutiny/", include("cdrp.scrutiny.urls")),
    path("health/", include("cdrp.health.urls")),
    path("sharing/", include("cdrp.sharing.urls")),
    path("", include("cdrp.workday.urls")),  # /my/… and /notifications/…
    path("api/", api.urls),
    # One sign-in for everything: the service's, with its throttle and two-factor step.
    path(
        "admin/login/",
        public(RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]

handler403 = "cdrp.core.errors.forbidden"
handler404 = "cdrp.core.errors.not_found"
handler500 = "cdrp.core.errors.server_error"
