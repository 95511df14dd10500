"""THE role matrix test: every page and every API operation against every role.

Routes are discovered when the tests are collected: every URL pattern of the project (Django
admin, ``/i18n/`` and the JSON API's own patterns aside) and every operation of the OpenAPI
document. A new page or API operation is picked up without editing this file, unless it needs a
sample value for a new path parameter (add one to ``PAGE_PATH_VALUES`` / ``API_PATH_VALUES``) or
a request body (``API_BODIES``); the test then fails saying so.

Pages: a page without an access marker fails. For a mission page and every role, a member with
that role is let through when ``role_has(role, perm)`` and gets 403 otherwise; a non-member gets
404; an anonymous visitor is sent to log in. A page that refuses GET with 405 is tried by POST.

API: a token of each role is let through (2xx) or gets 403 as the MATRIX says; a token of
another mission gets 404; no token gets 401.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, re_path
from django.urls.resolvers import RegexPattern
from django.utils.http import urlencode

from palava.accounts.tokens import token_create
from palava.api import api
from palava.core.api_base import AUTHENTICATED, PERMISSION_KEY
from palava.core.services import job_create
from palava.missions.models import Membership, Mission, Role
from palava.missions.permissions import ACCESS_ATTR, Access, Perm, mission_view, role_has
from tests.factories import (
    ActorFactory,
    AdminUnitFactory,
    ConsentFactory,
    MembershipFactory,
    MissionFactory,
    RelationshipFactory,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

# --- The world every case runs in ------------------------------------------------------------


@dataclass
class World:
    mission: Mission
    member: Membership | None  # the member making the request (None: anonymous / outsider)

    @property
    def actor(self) -> Membership:
        if self.member is None:  # outsiders borrow values from an admin of the mission
            self.member = MembershipFactory(mission=self.mission, role=Role.ADMIN)
        return self.member


def _token(member: Membership, name: str = "matrix") -> Any:
    return token_create(
        actor=member.user, user=member.user, mission=member.mission, name=name, days=1
    )


def _sample_actor(world: World) -> Any:
    """An actor every role of the mission may see (internal, no place: unscoped members)."""
    return ActorFactory(mission=world.mission, name="Matrix Chief")


def _sample_unit(world: World) -> Any:
    """An admin unit of the mission (whole-mission members see it)."""
    from palava.places.models import AdminUnit
    from palava.places.services import admin_unit_create

    found = AdminUnit.objects.filter(mission=world.mission, pcode="MX01").first()
    return found or admin_unit_create(
        actor=None, mission=world.mission, pcode="MX01", level=1, name="Matrix Province"
    )


def _sample_channel(world: World) -> Any:
    """A generic-gateway channel of the mission (pages, webhook and API)."""
    import uuid

    from palava.feedback.channel_services import channel_create

    name = f"Matrix gateway {uuid.uuid4().hex[:8]}"
    return channel_create(
        actor=None, mission=world.mission, name=name, channel_type="generic"
    ).channel


def _sample_message(world: World) -> Any:
    """A message every role with message.view may see: triaged, not restricted, no place
    (unscoped members), with a sender's number (the call-back reveal has something to show)."""
    import uuid

    from palava.feedback.ingest import message_ingest
    from palava.feedback.services import hotline_channel_ensure
    from palava.feedback.triage import triage_pending

    channel = hotline_channel_ensure(actor=None, mission=world.mission)
    message = message_ingest(
        channel=channel,
        provider_message_id=f"matrix-{uuid.uuid4()}",
        body="Matrix message: the water point is broken",
        sender_phone="+243 990 000 222",
    ).message
    triage_pending()
    message.refresh_from_db()
    assert message.triaged_at is not None
    assert not message.is_restricted
    return message


PathValue = Callable[[World], str]

# Sample values for path parameters of pages, by parameter name.
PAGE_PATH_VALUES: dict[str, PathValue] = {
    "mission_slug": lambda world: world.mission.slug,
    # accounts:token_revoke: a token of the requesting member (or of an admin, for outsiders)
    "public_id": lambda world: str(_token(world.actor, name="sample").token.public_id),
    # places_import:progress: a places import job of the mission
    "job_id": lambda world: str(
        job_create(actor="test", mission=world.mission, kind="places.import").public_id
    ),
    # exports:progress and exports:download: an export job of the requesting member
    "export_id": lambda world: str(
        job_create(
            actor=world.member.user if world.member else "test",
            mission=world.mission,
            kind="export",
            params={"kind": "places", "format": "csv"},
        ).public_id
    ),
    # places:detail and friends: an admin unit of the mission
    "pcode": lambda world: _sample_unit(world).pcode,
    # actors:detail and friends: an actor every role may see; actors:consent_withdraw: a consent
    "actor_id": lambda world: str(_sample_actor(world).public_id),
    "consent_id": lambda world: str(ConsentFactory(record=_sample_actor(world)).public_id),
    # actors:relationship_end: an open relationship between two actors every role may see
    "relationship_id": lambda world: str(
        RelationshipFactory(source=_sample_actor(world), target=_sample_actor(world)).public_id
    ),
    # actors:import_progress: an actors import job of the requesting member
    "import_id": lambda world: str(
        job_create(
            actor=world.member.user if world.member else "test",
            mission=world.mission,
            kind="actors.import",
            params={"source": "actors.csv"},
        ).public_id
    ),
    # channels:detail and friends, and the webhook /hooks/<channel_id>/: a channel of the mission
    "channel_id": lambda world: str(_sample_channel(world).public_id),
    # messages:detail and friends: a message every role with message.view may see
    "message_id": lambda world: str(_sample_message(world).public_id),
    # outbound:retry / outbound:cancel: a dead letter of the mission (no case: every role sees it)
    "outbound_id": lambda world: str(
        __import__("tests.feedback.helpers_outbound", fromlist=["*"])
        .dead_letter(world.mission)
        .public_id
    ),
    # outbound:template_edit / template_delete: a reply template of the mission
    "template_id": lambda world: str(
        __import__("tests.feedback.helpers_outbound", fromlist=["*"])
        .sample_template(world.mission)
        .public_id
    ),
    # triage:progress: a model training job of the mission
    "training_id": lambda world: str(
        job_create(
            actor="test",
            mission=world.mission,
            kind="classifier.train",
            params={"target": "urgency"},
        ).public_id
    ),
    # cases:detail and its actions: an acknowledged case every role with case.view may see
    "case_id": lambda world: str(
        __import__("tests.feedback.matrix_cases", fromlist=["*"])
        .sample_case(world.mission)
        .public_id
    ),
    # routing:team_edit, rule_edit / rule_delete, sla_edit / sla_delete
    "team_id": lambda world: str(
        __import__("tests.feedback.matrix_cases", fromlist=["*"])
        .sample_team(world.mission)
        .public_id
    ),
    "rule_id": lambda world: str(
        __import__("tests.feedback.matrix_cases", fromlist=["*"])
        .sample_rule(world.mission)
        .public_id
    ),
    "sla_id": lambda world: str(
        __import__("tests.feedback.matrix_cases", fromlist=["*"])
        .sample_sla(world.mission)
        .public_id
    ),
    # broadcasts:detail and friends: a draft broadcast to everywhere
    "broadcast_id": lambda world: str(
        __import__("tests.feedback.helpers_broadcasts", fromlist=["*"])
        .sample_broadcast(world.mission)
        .public_id
    ),
    # rumours:detail and friends: a rumour without a place
    "rumour_id": lambda world: str(
        __import__("tests.feedback.helpers_broadcasts", fromlist=["*"])
        .sample_rumour(world.mission)
        .public_id
    ),
    # assessments:detail and friends: a form of the mission (its XForm id for OpenRosa routes,
    # which answer 401 without device credentials whatever the value)
    "form_id": lambda world: str(
        __import__("tests.assessments.helpers_forms", fromlist=["*"])
        .sample_form(world.mission)
        .public_id
    ),
    "number": lambda world: "1",
    "filename": lambda world: "villages.csv",
    "key": lambda world: "pvo_not-a-device-key",
    # survey_import:job: a survey import job of the requesting member
    "survey_job_id": lambda world: str(
        job_create(
            actor=world.member.user if world.member else "test",
            mission=world.mission,
            kind="survey.import",
            params={"source": "kobo.xlsx", "form_title": "Sample"},
        ).public_id
    ),
    # rounds:detail and friends, estimates per round: a round of the sample form
    "round_id": lambda world: str(
        __import__("tests.assessments.matrix_samples", fromlist=["*"])
        .sample_round(world.mission)
        .public_id
    ),
    "series": lambda world: "matrix",
    "code": lambda world: "safety_feel_safe",
    # submissions:detail and its attachment (named like the form media sample above)
    "submission_id": lambda world: str(
        __import__("tests.assessments.matrix_samples", fromlist=["*"])
        .sample_submission(world.mission)
        .public_id
    ),
    # needs:place: an admin unit of the mission; needs:exercise: a ranking exercise there
    "unit_id": lambda world: str(
        __import__("tests.assessments.matrix_samples", fromlist=["*"])
        .sample_unit(world.mission)
        .public_id
    ),
    "exercise_id": lambda world: str(
        __import__("tests.assessments.matrix_samples", fromlist=["*"])
        .sample_exercise(world.mission)
        .public_id
    ),
    # engagement: activities, commitments, partners, agreements, projects and their files
    "activity_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_activity(world.mission)
        .public_id
    ),
    "commitment_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_commitment(world.mission)
        .public_id
    ),
    "partner_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_partner(world.mission)
        .public_id
    ),
    "agreement_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_agreement(world.mission)
        .public_id
    ),
    "project_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_project(world.mission)
        .public_id
    ),
    "deliverable_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_deliverable(world.mission)
        .public_id
    ),
    "document_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_document(world.mission)
        .public_id
    ),
    # context: knowledge entries, calendar events and the member's own dossiers
    "entry_id": lambda world: str(
        __import__("tests.context.matrix_samples", fromlist=["*"])
        .sample_entry(world.mission)
        .public_id
    ),
    "event_id": lambda world: str(
        __import__("tests.context.matrix_samples", fromlist=["*"])
        .sample_event(world.mission)
        .public_id
    ),
    "dossier_id": lambda world: str(
        __import__("tests.context.matrix_samples", fromlist=["*"])
        .sample_dossier(world.mission, world.actor.user)
        .public_id
    ),
    "site_code": lambda world: __import__(
        "tests.context.matrix_samples", fromlist=["*"]
    ).sample_site_code(world.mission),
    # devices:revoke: an app user (ODK Collect device) of the mission
    "app_user_id": lambda world: str(
        __import__("tests.assessments.helpers_forms", fromlist=["*"])
        .app_user(mission=world.mission)[0]
        .public_id
    ),
}

# Sample values for path parameters of API operations, by parameter name.
API_PATH_VALUES: dict[str, PathValue] = {
    "slug": lambda world: world.mission.slug,
    "public_id": lambda world: str(_token(world.actor, name="sample").token.public_id),
    "actor_id": lambda world: str(_sample_actor(world).public_id),
    "relationship_id": lambda world: str(
        RelationshipFactory(source=_sample_actor(world), target=_sample_actor(world)).public_id
    ),
    "consent_id": lambda world: str(ConsentFactory(record=_sample_actor(world)).public_id),
    "pcode": lambda world: AdminUnitFactory(mission=world.mission).pcode,
    "username": lambda world: world.actor.user.username,
    "target": lambda world: "category",  # classifiers_train: the category model
    "channel_id": lambda world: str(_sample_channel(world).public_id),
    "message_id": lambda world: str(_sample_message(world).public_id),
    "outbound_id": lambda world: str(
        __import__("tests.feedback.helpers_outbound", fromlist=["*"])
        .dead_letter(world.mission)
        .public_id
    ),
    "case_id": lambda world: str(
        __import__("tests.feedback.matrix_cases", fromlist=["*"])
        .sample_case(world.mission)
        .public_id
    ),
    "broadcast_id": lambda world: str(
        __import__("tests.feedback.helpers_broadcasts", fromlist=["*"])
        .sample_broadcast(world.mission)
        .public_id
    ),
    "rumour_id": lambda world: str(
        __import__("tests.feedback.helpers_broadcasts", fromlist=["*"])
        .sample_rumour(world.mission)
        .public_id
    ),
    "activity_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_activity(world.mission)
        .public_id
    ),
    "commitment_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_commitment(world.mission)
        .public_id
    ),
    "partner_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_partner(world.mission)
        .public_id
    ),
    "agreement_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_agreement(world.mission)
        .public_id
    ),
    "project_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_project(world.mission)
        .public_id
    ),
    "deliverable_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_deliverable(world.mission)
        .public_id
    ),
    "document_id": lambda world: str(
        __import__("tests.engagement.matrix_samples", fromlist=["*"])
        .sample_document(world.mission)
        .public_id
    ),
    # context: knowledge entries, calendar events and the member's own dossiers
    "entry_id": lambda world: str(
        __import__("tests.context.matrix_samples", fromlist=["*"])
        .sample_entry(world.mission)
        .public_id
    ),
    "event_id": lambda world: str(
        __import__("tests.context.matrix_samples", fromlist=["*"])
        .sample_event(world.mission)
        .public_id
    ),
    "dossier_id": lambda world: str(
        __import__("tests.context.matrix_samples", fromlist=["*"])
        .sample_dossier(world.mission, world.actor.user)
        .public_id
    ),
    "site_code": lambda world: __import__(
        "tests.context.matrix_samples", fromlist=["*"]
    ).sample_site_code(world.mission),
}

# Values for required query parameters of API operations, by operation id.
API_QUERIES: dict[str, dict[str, str]] = {
    "places_locate": {"lat": "-1.68", "lon": "29.22"},
    "calendar_clashes": {"starts_at": "2026-01-05T09:00:00Z"},
}

# Request bodies for API operations that take one, by operation id (a callable of the World
# when the body must name records of the mission).
API_BODIES: dict[str, dict[str, Any] | Callable[[World], dict[str, Any]]] = {
    "tokens_create": {"name": "matrix", "days": 1},
    "engagement_settings_update": {"coverage_days": 60},
    "calendar_events_create": {
        "category": "market",
        "title": "Matrix market",
        "rule_kind": "weekly",
        "rule": {"weekdays": [3]},
    },
    "calendar_events_update": {"note": "Matrix note"},
    "calendar_holidays_install": {"which": "christian"},
    "context_entries_create": lambda world: {
        "topic": "customs",
        "title": "Matrix etiquette",
        "body": "Shake hands with the right hand.",
        "language": "en",
        "sensitivity": 1,
        "source": "Matrix liaison assistant",
        "admin_unit": _sample_unit(world).pcode,
    },
    "context_entries_update": {"body": "Greet the elders first, then the chief."},
    "context_entries_review": {"approve": True, "note": "Checked"},
    "context_entries_retire": {"note": "No longer holds"},
    "context_entries_translation_set": {
        "language": "fr",
        "title": "Salutations",
        "body": "Saluez d'abord les anciens.",
    },
    "dossiers_create": lambda world: {
        "kind": "place",
        "places": [
            __import__("tests.assessments.matrix_samples", fromlist=["*"])
            .sample_unit(world.mission)
            .pcode
        ],
        "language": "en",
    },
    "activities_create": lambda world: {
        "activity_type": "town_hall",
        "title": "Matrix town hall",
        "admin_unit": _sample_unit(world).pcode,
        "starts_at": "2026-01-05T09:00:00Z",
    },
    # the sample activity is found again by its title: an update keeps it
    "activities_update": {"title": "Matrix forum"},
    "activities_attendance_set": {
        "cells": [{"sex": "f", "age_band": "18-35", "group": "idp", "count": 12}]
    },
    "activities_participant_add": lambda world: {"actor": str(_sample_actor(world).public_id)},
    "activities_issue_add": {"summary": "The matrix well is dry"},
    "commitments_create": lambda world: {
        "made_by_kind": "mission",
        "made_by_name": "Civil Affairs",
        "made_to_kind": "community",
        "made_to_name": "Matrix village",
        "description": "Repair the matrix road",
        "admin_unit": __import__("tests.assessments.matrix_samples", fromlist=["*"])
        .sample_unit(world.mission)
        .pcode,
        "made_on": "2026-01-15",
    },
    "commitments_update": {"description": "Repair the matrix well and the road"},
    "commitments_status": {"status": "in_progress"},
    "commitments_verify": {"verification": "kept", "note": "Asked the village committee"},
    "commitments_evidence_add": {"kind": "note", "note": "Seen on a matrix patrol"},
    "actors_create": {"kind": "person", "actor_type": "religious_leader", "name": "Imam Matrix"},
    "actors_update": {"title": "Chief of the matrix"},
    "actors_contact_set": {"phone": "+243 990 000 111"},
    "relationships_create": lambda world: {
        "target": str(_sample_actor(world).public_id),
        "kind": "allied_with",
    },
    "relationships_end": {},
    "consents_record": {"purposes": ["contact_phone"], "method": "verbal"},
    "consents_withdraw": {"reason": "changed their mind"},
    "actors_merge": lambda world: {"into": str(_sample_actor(world).public_id)},
    "places_access_record": {"level": "restricted", "effective_from": "2026-01-05"},
    "members_scope_set": {"pcodes": []},
    "channels_create": {"name": "Matrix SMS", "channel_type": "generic"},
    "channels_create_own": {"name": "Matrix SMS", "channel_type": "generic"},
    "channels_rotate": {},
    "messages_update": {"urgency": "urgent", "status": "reviewed"},
    "outbound_retry": {},
    "reply_templates_create": lambda world: __import__(
        "tests.feedback.helpers_outbound", fromlist=["*"]
    ).sample_template_body(),
    "cases_create": {"case_type": "feedback", "title": "Matrix case by hand"},
    "cases_transition": {"action": "verify", "source_reliability": "B", "credibility": "2"},
    "cases_response_create": {"responder_type": "local_authority", "action": "Chief informed"},
    "broadcasts_create": lambda world: __import__(
        "tests.feedback.helpers_broadcasts", fromlist=["*"]
    ).sample_broadcast_body(world.mission),
    "broadcasts_schedule": {},
    "rumours_create": {"claim": "Matrix rumour by API", "risk": "low"},
    "rumours_link_messages": lambda world: {"messages": [str(_sample_message(world).public_id)]},
    "rumours_set_status": {"status": "verifying", "note": "matrix"},
    "rumours_counter": {"counter_message": "The facts.", "channels": ["radio"]},
}
API_BODIES.update(
    __import__("tests.engagement.matrix_bodies_partners", fromlist=["*"]).PARTNER_API_BODIES
)

ROLES = list(Role)

# --- Discovering pages -----------------------------------------------------------------------

SKIPPED_PREFIXES = ("admin/", "i18n/")
API_NAMESPACE = api.urls_namespace
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Page:
    route: str
    access: Access | None
    view: str

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in _PARAM.finditer(self.route)]

    def __str__(self) -> str:
        return "/" + self.route


def _route_text(pattern: URLPattern | URLResolver) -> str:
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RegexPattern):
        text = _NAMED_GROUP.sub(lambda m: f"<{m.group('name')}>", text)
        text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    return text


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Page]:
    for pattern in patterns:
        route = prefix + _route_text(pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            if pattern.namespace == API_NAMESPACE:
                continue
            yield from _walk(pattern.url_patterns, route)
        else:
            callback = pattern.callback
            yield Page(
                route=route,
                access=getattr(callback, ACCESS_ATTR, None),
                view=f"{callback.__module__}.{getattr(callback, '__qualname__', callback)}",
            )


PAGES = list(_walk(get_resolver().url_patterns))
MISSION_PAGES = [p for p in PAGES if p.access is not None and p.access.kind == "mission"]
PUBLIC_PAGES = [p for p in PAGES if p.access is not None and p.access.kind == "public"]
LOGIN_PAGES = [p for p in PAGES if p.access is not None and p.access.kind == "login"]


def _page_url(page: Page, world: World) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in PAGE_PATH_VALUES:
            pytest.fail(
                f"page {page} ({page.view}) has a path parameter {name!r} with no sample value: "
                f"add one to PAGE_PATH_VALUES in tests/missions/test_matrix.py"
            )
        return PAGE_PATH_VALUES[name](world)

    url = "/" + _PARAM.sub(value, page.route)
    if re.search(r"[\\^$()\[\]*+?|]", url):
        pytest.fail(f"page {page} ({page.view}): cannot build a URL from this regex route")
    return url


def _fetch_page(client: Client, url: str) -> tuple[str, Response]:
    """GET the page; a page that refuses GET (405) is tried by POST."""
    response = client.get(url)
    if response.status_code == 405:
        return "POST", client.post(url)
    return "GET", response


def _login_url() -> str:
    return str(resolve_url(settings.LOGIN_URL))


def _is_login_redirect(response: Response) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and response["Location"].startswith(
        _login_url()
    )


def _is_let_through(method: str, response: Response) -> bool:
    if _is_login_redirect(response):
        return False
    return response.status_code < 400 or (method == "POST" and response.status_code == 400)


def _logged_in(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _case_id(page: Page) -> str:
    return str(page)


def _assert_csp(response: HttpResponseBase) -> None:
    """Every page answer (200, redirect, 403 or 404) carries the strict CSP."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp, f"no strict CSP on {response.status_code}: {csp!r}"
    assert "unsafe-inline" not in csp


def test_routes_are_discovered() -> None:
    # given the project's URL map / when walked / then pages and API operations are found
    assert any(p.route == "healthz" for p in PAGES)
    assert API_OPERATIONS, "no API operation found in the OpenAPI document"


def _plain_view(request: object) -> HttpResponse:
    return HttpResponse("")


def test_walk_finds_nested_unmarked_and_marked_views() -> None:
    # given a URL map with a nested include, an unmarked view and a mission view
    marked = mission_view(Perm.AUDIT_VIEW)(_plain_view)
    inner = [path("x/<uuid:item_id>/", _plain_view), re_path(r"^y/(?P<code>[a-z]+)/$", marked)]
    patterns = [
        path("m/<slug:mission_slug>/", include((inner, "inner"))),
        path("admin/", _plain_view),
    ]
    # when walked
    pages = {page.route: page for page in _walk(patterns)}
    # then routes are joined, the skipped prefix is left out and markers are read
    assert set(pages) == {
        "m/<slug:mission_slug>/x/<uuid:item_id>/",
        "m/<slug:mission_slug>/y/<code>/",
    }
    assert pages["m/<slug:mission_slug>/x/<uuid:item_id>/"].access is None
    assert pages["m/<slug:mission_slug>/y/<code>/"].access == Access("mission", Perm.AUDIT_VIEW)
    assert pages["m/<slug:mission_slug>/y/<code>/"].params == ["mission_slug", "code"]


def test_every_page_has_an_access_marker() -> None:
    # given every page of the project / then each carries public_view, login_view or mission_view
    unmarked = [f"{page} -> {page.view}" for page in PAGES if page.access is None]
    assert not unmarked, (
        "pages without an access decorator (public_view, login_view or mission_view(Perm.X) "
        "from palava/missions/permissions.py):\n" + "\n".join(unmarked)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("page", MISSION_PAGES, ids=_case_id)
def test_mission_page_by_role(page: Page, role: Role) -> None:
    # given a member with ``role`` in a mission without two-factor
    mission = MissionFactory(require_two_factor=False)
    world = World(mission=mission, member=MembershipFactory(mission=mission, role=role))
    assert world.member is not None
    url = _page_url(page, world)
    # when they open the page
    method, response = _fetch_page(_logged_in(world.member), url)
    _assert_csp(response)
    # then the matrix decides
    assert page.access is not None
    assert page.access.perm is not None
    if role_has(role, page.access.perm):
        assert _is_let_through(method, response), (
            f"{method} {url} as {role}: {page.access.perm} is granted, got {response.status_code}"
        )
    else:
        assert response.status_code == 403, (
            f"{method} {url} as {role}: {page.access.perm} is not granted, got "
            f"{response.status_code} (put the access decorator outermost)"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("page", MISSION_PAGES, ids=_case_id)
def test_mission_page_hidden_from_non_members(page: Page) -> None:
    # given an administrator of another mission
    mission = MissionFactory(require_two_factor=False)
    outsider = MembershipFactory(mission=MissionFactory(require_two_factor=False), role=Role.ADMIN)
    url = _page_url(page, World(mission=mission, member=None))
    # when they open a page of this mission
    method, response = _fetch_page(_logged_in(outsider), url)
    _assert_csp(response)
    # then it does not exist for them
    assert response.status_code == 404, f"{method} {url} as non-member: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("page", MISSION_PAGES + LOGIN_PAGES, ids=_case_id)
def test_private_page_sends_anonymous_to_log_in(page: Page) -> None:
    # given an anonymous visitor
    url = _page_url(page, World(mission=MissionFactory(require_two_factor=False), member=None))
    # when they open a page that needs a log-in
    method, response = _fetch_page(Client(), url)
    _assert_csp(response)
    # then they are sent to the log-in page
    assert _is_login_redirect(response), (
        f"{method} {url} anonymous: expected a redirect to {_login_url()}, got "
        f"{response.status_code}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("page", LOGIN_PAGES, ids=_case_id)
def test_login_page_answers_a_logged_in_user(page: Page) -> None:
    # given a logged-in member of some mission
    mission = MissionFactory(require_two_factor=False)
    member = MembershipFactory(mission=mission, role=Role.VIEWER)
    url = _page_url(page, World(mission=mission, member=member))
    # when they open the page / then it answers
    method, response = _fetch_page(_logged_in(member), url)
    _assert_csp(response)
    assert _is_let_through(method, response), f"{method} {url}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("page", PUBLIC_PAGES, ids=_case_id)
def test_public_page_answers_anonymous(page: Page) -> None:
    # given an anonymous visitor
    url = _page_url(page, World(mission=MissionFactory(require_two_factor=False), member=None))
    # when they open a public page
    method, response = _fetch_page(Client(), url)
    _assert_csp(response)
    # then it answers without asking them to log in (webhooks and OpenRosa may still ask for
    # their own credentials, never for a session)
    assert not _is_login_redirect(response), f"{method} {url} redirected to log-in"
    assert response.status_code < 500, f"{method} {url}: {response.status_code}"


# --- API operations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.path}"))

    @property
    def permission(self) -> str | None:
        value = self.spec.get(PERMISSION_KEY)
        return None if value is None else str(value)

    @property
    def mission_scoped(self) -> bool:
        return self.permission not in (None, AUTHENTICATED)

    @property
    def acts_on_token_mission(self) -> bool:
        """Checks a permission in the token's own mission, named by no slug (POST /channels)."""
        return self.spec.get("x-palava-mission") == "token"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    return [
        Operation(method=method.upper(), path=path, spec=spec)
        for path, methods in sorted(schema["paths"].items())
        for method, spec in sorted(methods.items())
    ]


API_OPERATIONS = _operations()
# Operations on the token's own mission cannot name another one: they are left out here.
MISSION_OPERATIONS = [
    op for op in API_OPERATIONS if op.mission_scoped and not op.acts_on_token_mission
]


def _op_id(op: Operation) -> str:
    return op.operation_id


def _call(op: Operation, world: World, raw_token: str | None) -> Response:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in API_PATH_VALUES:
            pytest.fail(
                f"API operation {op} has a path parameter {name!r} with no sample value: "
                f"add one to API_PATH_VALUES in tests/missions/test_matrix.py"
            )
        return API_PATH_VALUES[name](world)

    url = re.sub(r"\{(\w+)\}", value, op.path)
    required_query = [
        p["name"] for p in op.spec.get("parameters", []) if p["in"] == "query" and p["required"]
    ]
    query = API_QUERIES.get(op.operation_id, {})
    missing = [name for name in required_query if name not in query]
    if missing:
        pytest.fail(
            f"API operation {op} has required query parameters {missing}: add samples to "
            f"API_QUERIES in tests/missions/test_matrix.py"
        )
    if query:
        url += "?" + urlencode(query)
    body: dict[str, Any] | None = None
    if "requestBody" in op.spec:
        if op.operation_id not in API_BODIES:
            pytest.fail(
                f"API operation {op} takes a request body: add a sample to API_BODIES in "
                f"tests/missions/test_matrix.py"
            )
        sample = API_BODIES[op.operation_id]
        body = sample(world) if callable(sample) else sample
    headers = {} if raw_token is None else {"Authorization": f"Bearer {raw_token}"}
    client = Client(headers=headers)
    if body is None:
        response = client.generic(op.method, url)
    else:
        response = client.generic(
            op.method, url, data=json.dumps(body), content_type="application/json"
        )
    return response


@pytest.mark.parametrize("op", API_OPERATIONS, ids=_op_id)
def test_api_operation_is_declared(op: Operation) -> None:
    # given an operation of the API / then it is documented and names its permission
    assert op.spec.get("operationId"), f"{op} has no operation_id"
    assert op.spec.get("summary"), f"{op} has no summary"
    assert op.spec.get("tags"), f"{op} has no tags"
    valid = {AUTHENTICATED, *(str(p) for p in Perm)}
    assert op.permission in valid, (
        f"{op} must name its permission: openapi_extra=permission(Perm.X) or "
        f"permission(AUTHENTICATED) from palava.core.api_base"
    )
    if op.mission_scoped and not op.acts_on_token_mission:
        assert "{slug}" in op.path, f"{op} checks {op.permission} but names no mission"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("op", API_OPERATIONS, ids=_op_id)
def test_api_operation_by_role(op: Operation, role: Role) -> None:
    # given a token of a member with ``role``
    mission = MissionFactory(require_two_factor=False)
    member = MembershipFactory(mission=mission, role=role)
    raw = _token(member).raw
    # when they call the operation on their own mission
    response = _call(op, World(mission=mission, member=member), raw)
    # then the matrix decides (``authenticated``: any valid token)
    allowed = op.permission == AUTHENTICATED or role_has(role, Perm(str(op.permission)))
    if allowed:
        assert 200 <= response.status_code < 300, (
            f"{op} as {role}: {op.permission} is granted, got {response.status_code} "
            f"{response.content[:200]!r}"
        )
    else:
        assert response.status_code == 403, f"{op} as {role}: got {response.status_code}"
        assert "detail" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("op", MISSION_OPERATIONS, ids=_op_id)
def test_api_operation_hides_other_missions(op: Operation) -> None:
    # given a token of an administrator of another mission
    mission = MissionFactory(require_two_factor=False)
    outsider = MembershipFactory(mission=MissionFactory(require_two_factor=False), role=Role.ADMIN)
    raw = _token(outsider).raw
    # when they call the operation on this mission / then it does not exist for them
    response = _call(op, World(mission=mission, member=None), raw)
    assert response.status_code == 404, f"{op} with another mission's token: {response.status_code}"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
@pytest.mark.parametrize("op", API_OPERATIONS, ids=_op_id)
def test_api_operation_needs_a_token(op: Operation) -> None:
    # given no token
    world = World(mission=MissionFactory(require_two_factor=False), member=None)
    # when the operation is called / then 401 with a Bearer challenge
    response = _call(op, world, None)
    assert response.status_code == 401, f"{op} without token: {response.status_code}"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()
