"""The permission matrix: the one place that says which role may do what.

Deny by default: a permission not granted here is refused. Every page view and API route names
exactly one permission (or is marked public / login-only) and ``tests/missions/test_matrix.py``
exercises every role against every route.
"""

from __future__ import annotations

import enum

from palava.core.sensitivity import Sensitivity
from palava.missions.models import Role


class Perm(enum.StrEnum):
    MISSION_VIEW = "mission.view"
    MEMBER_VIEW = "member.view"
    MEMBER_MANAGE = "member.manage"
    MISSION_MANAGE = "mission.manage"
    AUDIT_VIEW = "audit.view"
    TOKEN_OWN = "token.own"  # noqa: S105 (a permission name)
    PLACE_VIEW = "place.view"
    PLACE_MANAGE = "place.manage"
    PLACE_IMPORT = "place.import"
    SCOPE_MANAGE = "scope.manage"
    ACTOR_VIEW = "actor.view"
    ACTOR_MANAGE = "actor.manage"
    ACTOR_CONTACT_VIEW = "actor.contact_view"
    ACTOR_MERGE = "actor.merge"
    CHANNEL_VIEW = "channel.view"
    CHANNEL_MANAGE = "channel.manage"
    MESSAGE_VIEW = "message.view"
    MESSAGE_MANAGE = "message.manage"
    MESSAGE_RESTRICTED_VIEW = "message.restricted_view"
    REPORTER_CONTACT_VIEW = "reporter.contact_view"
    CLASSIFIER_VIEW = "classifier.view"
    CLASSIFIER_MANAGE = "classifier.manage"
    CASE_VIEW = "case.view"
    CASE_MANAGE = "case.manage"
    CASE_REPLY = "case.reply"
    CASE_METRICS_VIEW = "case.metrics_view"
    ROUTING_MANAGE = "routing.manage"
    OUTBOUND_VIEW = "outbound.view"
    OUTBOUND_MANAGE = "outbound.manage"
    BROADCAST_VIEW = "broadcast.view"
    BROADCAST_MANAGE = "broadcast.manage"
    RUMOUR_VIEW = "rumour.view"
    RUMOUR_MANAGE = "rumour.manage"
    FORM_VIEW = "form.view"
    FORM_MANAGE = "form.manage"
    SUBMISSION_VIEW = "submission.view"
    APP_USER_MANAGE = "app_user.manage"
    SUBMISSION_ENTER = "submission.enter"
    SUBMISSION_EXPORT = "submission.export"
    ROUND_MANAGE = "round.manage"
    ESTIMATE_VIEW = "estimate.view"
    NEEDS_VIEW = "needs.view"
    NEEDS_MANAGE = "needs.manage"
    ACTIVITY_VIEW = "activity.view"
    ACTIVITY_MANAGE = "activity.manage"
    COMMITMENT_VIEW = "commitment.view"
    COMMITMENT_MANAGE = "commitment.manage"
    INCLUSION_VIEW = "inclusion.view"
    PARTNER_VIEW = "partner.view"
    PARTNER_MANAGE = "partner.manage"
    ENGAGEMENT_SETTINGS = "engagement.settings"
    CONTEXT_VIEW = "context.view"
    CONTEXT_EDIT = "context.edit"
    CONTEXT_REVIEW = "context.review"
    DOSSIER_CREATE = "dossier.create"


_ALL = frozenset(Perm)

_PLACES_READ = frozenset({Perm.PLACE_VIEW})
_PLACES_WRITE = frozenset({Perm.PLACE_VIEW, Perm.PLACE_MANAGE})
_ACTORS_READ = frozenset({Perm.ACTOR_VIEW})
_ACTORS_WRITE = frozenset({Perm.ACTOR_VIEW, Perm.ACTOR_MANAGE, Perm.ACTOR_CONTACT_VIEW})
# Messages are never public: partners and viewers see none. Staff who handle them may correct
# labels and call reporters back; the restricted protection queue (SEA, GBV, child protection)
# is for managers and administrators only (docs/adr/0006).
_MESSAGES_READ = frozenset({Perm.MESSAGE_VIEW, Perm.CLASSIFIER_VIEW})
_MESSAGES_WRITE = _MESSAGES_READ | {Perm.MESSAGE_MANAGE, Perm.REPORTER_CONTACT_VIEW}
# The alert-to-response chain (docs/adr/0007): field staff work cases, reply to reporters and
# keep the rumour log; analysts read cases and metrics; managers also set routing, SLAs and
# reply templates, send broadcasts and handle the dead-letter queue. Restricted cases follow
# the restricted message queue (Perm.MESSAGE_RESTRICTED_VIEW).
_CASES_READ = frozenset(
    {Perm.CASE_VIEW, Perm.CASE_METRICS_VIEW, Perm.RUMOUR_VIEW, Perm.BROADCAST_VIEW}
)
_CASES_WRITE = _CASES_READ | {
    Perm.CASE_MANAGE,
    Perm.CASE_REPLY,
    Perm.RUMOUR_MANAGE,
    Perm.OUTBOUND_VIEW,
}
_CASES_LEAD = _CASES_WRITE | {Perm.ROUTING_MANAGE, Perm.OUTBOUND_MANAGE, Perm.BROADCAST_MANAGE}
# Assessments: answers may name respondents, so raw submissions are for staff and analysts only;
# field staff design forms and enrol devices (ODK Collect app users).
# Estimates and the needs register are aggregates (small groups are flagged, never rows), so
# partners and viewers may read them.
_ESTIMATES_READ = frozenset({Perm.ESTIMATE_VIEW, Perm.NEEDS_VIEW})
_SURVEYS_READ = _ESTIMATES_READ | {Perm.FORM_VIEW, Perm.SUBMISSION_VIEW, Perm.SUBMISSION_EXPORT}
_SURVEYS_WRITE = _SURVEYS_READ | {
    Perm.FORM_MANAGE,
    Perm.APP_USER_MANAGE,
    Perm.SUBMISSION_ENTER,
    Perm.NEEDS_MANAGE,
}
_SURVEYS_LEAD = _SURVEYS_WRITE | {Perm.ROUND_MANAGE}
# Engagement (docs/adr/0009): activities, minutes and the commitments ledger are for staff and
# analysts; inclusion figures are aggregates and the 3W (partners, projects) is what partners
# exchange anyway, so partners and viewers read those. Field staff record activities and
# commitments; officers and managers keep partners, agreements and projects; managers set the
# inclusion targets and reminder lead time.
_PARTNERS_READ = frozenset({Perm.INCLUSION_VIEW, Perm.PARTNER_VIEW})
_ENGAGEMENT_READ = _PARTNERS_READ | {Perm.ACTIVITY_VIEW, Perm.COMMITMENT_VIEW}
_ENGAGEMENT_WRITE = _ENGAGEMENT_READ | {Perm.ACTIVITY_MANAGE, Perm.COMMITMENT_MANAGE}
_ENGAGEMENT_LEAD = _ENGAGEMENT_WRITE | {Perm.PARTNER_MANAGE, Perm.ENGAGEMENT_SETTINGS}
# Cultural context (docs/adr/0010): every member reads the knowledge base and calendar and may
# generate a briefing dossier, both filtered by the reader's clearance (entries carry their own
# class) and permissions (a section the reader may not see elsewhere is left out). Field staff
# write entries and calendar events; officers and managers review entries (never their own).
_CONTEXT_READ = frozenset({Perm.CONTEXT_VIEW, Perm.DOSSIER_CREATE})
_CONTEXT_WRITE = _CONTEXT_READ | {Perm.CONTEXT_EDIT}
_CONTEXT_LEAD = _CONTEXT_WRITE | {Perm.CONTEXT_REVIEW}

MATRIX: dict[str, frozenset[Perm]] = {
    Role.ADMIN: _ALL,
    Role.MANAGER: frozenset({Perm.MISSION_VIEW, Perm.MEMBER_VIEW, Perm.AUDIT_VIEW, Perm.TOKEN_OWN})
    | _PLACES_WRITE
    | {Perm.PLACE_IMPORT}
    | _ACTORS_WRITE
    | {Perm.ACTOR_MERGE}
    | _MESSAGES_WRITE
    | {Perm.MESSAGE_RESTRICTED_VIEW, Perm.CHANNEL_VIEW, Perm.CLASSIFIER_MANAGE}
    | _CASES_LEAD
    | _SURVEYS_LEAD
    | _ENGAGEMENT_LEAD
    | _CONTEXT_LEAD,
    Role.OFFICER: frozenset({Perm.MISSION_VIEW, Perm.TOKEN_OWN})
    | _PLACES_WRITE
    | _ACTORS_WRITE
    | _MESSAGES_WRITE
    | _CASES_WRITE
    | _SURVEYS_LEAD
    | _ENGAGEMENT_WRITE
    | {Perm.PARTNER_MANAGE}
    | _CONTEXT_LEAD,
    Role.LIAISON: frozenset({Perm.MISSION_VIEW, Perm.TOKEN_OWN})
    | _PLACES_WRITE
    | _ACTORS_WRITE
    | _MESSAGES_WRITE
    | _CASES_WRITE
    | _SURVEYS_WRITE
    | _ENGAGEMENT_WRITE
    | _CONTEXT_WRITE,
    Role.ANALYST: frozenset({Perm.MISSION_VIEW, Perm.TOKEN_OWN})
    | _PLACES_READ
    | _ACTORS_READ
    | _MESSAGES_READ
    | _CASES_READ
    | _SURVEYS_READ
    | _ENGAGEMENT_READ
    | _CONTEXT_READ,
    Role.PARTNER: frozenset({Perm.MISSION_VIEW, Perm.TOKEN_OWN})
    | _PLACES_READ
    | _ACTORS_READ
    | _ESTIMATES_READ
    | _PARTNERS_READ
    | _CONTEXT_READ,
    Role.VIEWER: frozenset({Perm.MISSION_VIEW})
    | _PLACES_READ
    | _ACTORS_READ
    | _ESTIMATES_READ
    | _PARTNERS_READ
    | _CONTEXT_READ,
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in MATRIX.get(role, frozenset())


# Clearance: the most sensitive record class a role may read (records carry their own class,
# e.g. ``Actor.sensitivity``). The one place that decides it; see docs/adr/0004.
CLEARANCE: dict[str, Sensitivity] = {
    Role.ADMIN: Sensitivity.STRICTLY_CONFIDENTIAL,
    Role.MANAGER: Sensitivity.STRICTLY_CONFIDENTIAL,
    Role.OFFICER: Sensitivity.CONFIDENTIAL,
    Role.LIAISON: Sensitivity.CONFIDENTIAL,
    Role.ANALYST: Sensitivity.CONFIDENTIAL,
    Role.PARTNER: Sensitivity.INTERNAL,
    Role.VIEWER: Sensitivity.INTERNAL,
}


def clearance_for(role: str) -> Sensitivity:
    """The highest record sensitivity ``role`` may read; unknown roles only public records."""
    return CLEARANCE.get(role, Sensitivity.PUBLIC)


# --- Enforcement for page views --------------------------------------------------------------
# Every view in urls.py carries a ``palava_access`` marker set by one of these decorators;
# tests/missions/test_matrix.py fails on an unmarked view (deny by default).

import functools  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Literal  # noqa: E402

from django.contrib.auth.views import redirect_to_login  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import Http404, HttpRequest  # noqa: E402
from django.http.response import HttpResponseBase  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

ACCESS_ATTR = "palava_access"

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class Access:
    kind: Literal["public", "login", "mission"]
    perm: Perm | None = None


def public_view(view: View) -> View:
    """Anyone, logged in or not (log-in page, public pages, health check)."""
    setattr(view, ACCESS_ATTR, Access("public"))
    return view


def login_view(view: View) -> View:
    """Any logged-in user; the view itself only shows the user's own data."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, Access("login"))
    return wrapper


def two_factor_pending(request: HttpRequest, membership: Any) -> bool:
    """True when the mission requires two-factor for this role and the session is unverified."""
    user = request.user
    return bool(
        membership.mission.require_two_factor
        and membership.is_staff_role
        and not getattr(user, "is_verified", lambda: False)()
    )


def mission_view(perm: Perm) -> Callable[[View], View]:
    """A page inside ``/m/<mission_slug>/`` that needs ``perm`` in the user's role.

    Not a member (or no such mission): 404, so mission slugs do not leak. A member whose role
    lacks ``perm``: 403. Sets ``request.mission`` and ``request.membership``.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            from palava.missions.selectors import membership_get

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_get(user=request.user, mission_slug=kwargs["mission_slug"])
            if membership is None:
                raise Http404(_("No such mission."))
            if two_factor_pending(request, membership):
                target = reverse("accounts:two_factor")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            if not role_has(membership.role, perm):
                raise PermissionDenied(_("Your role does not allow this."))
            request.mission = membership.mission  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, Access("mission", perm))
        return wrapper

    return decorator
