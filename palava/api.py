"""Mounts every app's router under /api/v1/."""

from __future__ import annotations

from palava.accounts.api import router as accounts_router
from palava.audit.api import router as audit_router
from palava.core.api_base import BearerTokenAuth, PalavaNinjaAPI, install_error_handlers
from palava.missions.api import router as missions_router

DESCRIPTION = """\
Palava's JSON API.

**Authentication.** Every operation needs a personal API token sent as
`Authorization: Bearer pvk_...`. Session cookies are not accepted, so the API needs no CSRF
token. A token reaches exactly one mission: naming any other mission answers 404, whether or not
it exists. A missing, malformed, unknown, expired or revoked token answers 401 with a
`WWW-Authenticate: Bearer` header.

**Permissions.** Each operation names the permission it needs in `x-palava-permission`
(`authenticated` means any valid token); the role matrix is the same as for the web pages.
A role without the permission gets 403.

**Errors** are always `{"detail": ...}`: a message, or for 422 a list of validation errors.

**Lists** are paginated with `limit` (1 to 500, default 50) and `offset`, and answer
`{"items": [...], "count": N}`.

The interactive docs page is disabled (it would load assets from a CDN); read this document.
"""

api = PalavaNinjaAPI(
    title="Palava API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=BearerTokenAuth(),
    docs_url=None,
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", missions_router)
api.add_router("", audit_router)
api.add_router("", "palava.places.api.router")
api.add_router("", "palava.actors.api_duplicates.router")  # before: /actors/{actor_id}
api.add_router("", "palava.actors.api.router")
api.add_router("", "palava.feedback.api_channels.router")
api.add_router("", "palava.feedback.api_classifiers.router")
api.add_router("", "palava.feedback.api.router")
api.add_router("", "palava.feedback.cases.api_metrics.router")  # before: /cases/{case_id}
api.add_router("", "palava.feedback.cases.api.router")
api.add_router("", "palava.feedback.outbound.api.router")
api.add_router("", "palava.feedback.broadcasts.api.router")
api.add_router("", "palava.feedback.rumours.api.router")
api.add_router("", "palava.engagement.api_activities.router")
api.add_router("", "palava.engagement.api_commitments.router")
api.add_router("", "palava.engagement.api_partners.router")
api.add_router("", "palava.engagement.api_inclusion.router")
api.add_router("", "palava.engagement.api_plan.router")
api.add_router("", "palava.context.api_knowledge.router")
api.add_router("", "palava.context.api_calendar.router")
api.add_router("", "palava.context.api_dossiers.router")
