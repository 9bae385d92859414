"""The JSON API at /api/ (OpenAPI at /api/openapi.json): this module only assembles the apps'
routers.

Token (Authorization: Bearer …) or session authentication; every endpoint declares its policy
action with `cdrp.accounts.api_auth.allow`, which asks cdrp.accounts.policy like the pages do.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

__all__ = ["api"]

api = NinjaAPI(
    title="Community safety partnership API",
    version="1",
    description="Partnerships, their records and aggregate statistics. Authenticate with "
    "`Authorization: Bearer <token>` (tokens are issued on your account page).",
    urls_namespace="api",
    # Swagger UI at /api/docs from django-ninja's own static files ("ninja" is an installed app),
    # never from a CDN; its settings travel as JSON, its start-up script is a static file, so it
    # runs under the site's Content-Security-Policy.
    docs=Swagger(),
)

api.add_router("/", "cdrp.accounts.api.router")
api.add_router("/", "cdrp.intelligence.api.router")
api.add_router("/", "cdrp.partnerships.api.router")
api.add_router("/", "cdrp.meetings.api.router")
api.add_router("/", "cdrp.intelligence.assessment_api.router")
api.add_router("/", "cdrp.plans.api.router")
api.add_router("/", "cdrp.performance.api.router")
api.add_router("/", "cdrp.funding.api.router")
api.add_router("/", "cdrp.search.api.router")
api.add_router("/", "cdrp.meetings.oparl.router")
api.add_router("/", "cdrp.sharing.api.router")
api.add_router("/", "cdrp.scrutiny.api.router")
