"""URL configuration: pages per app, the JSON API under /api/, and site administration."""

from django.contrib import admin
from django.urls import include, path

from cdrp.api import api

admin.site.site_header = "Community safety partnership: administration"
admin.site.site_title = "cdrp administration"

urlpatterns = [
    path("", include("cdrp.core.urls")),
    path("accounts/", include("cdrp.accounts.urls")),
    path("partnerships/", include("cdrp.partnerships.urls")),
    path("intelligence/", include("cdrp.intelligence.urls")),
    path("meetings/", include("cdrp.meetings.urls")),
    path("plans/", include("cdrp.plans.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "cdrp.core.errors.forbidden"
handler404 = "cdrp.core.errors.not_found"
handler500 = "cdrp.core.errors.server_error"
