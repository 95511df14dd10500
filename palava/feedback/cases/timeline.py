"""Shared pieces of the case services: the state machine, timeline events, titles.

Kept apart from :mod:`palava.feedback.cases.services` so the auto-opening and escalation code
use the same rules without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from palava.core.models import acting_user
from palava.feedback.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Category,
)
from palava.feedback.taxonomy import category_label
from palava.missions.models import Mission

S = CaseStatus
TRANSITIONS: Mapping[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED}),
    S.ACKNOWLEDGED: frozenset({S.VERIFIED, S.UNFOUNDED, S.RESPONSE_DISPATCHED}),
    S.VERIFIED: frozenset({S.RESPONSE_DISPATCHED}),
    S.UNFOUNDED: frozenset({S.REPORTER_INFORMED, S.CLOSED}),
    S.RESPONSE_DISPATCHED: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.REPORTER_INFORMED, S.CLOSED}),
    S.REPORTER_INFORMED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
OPEN_STATUSES: frozenset[str] = frozenset(set(S.values) - {S.CLOSED})
# The timestamp each state stamps on the case.
STAMP: Mapping[str, str] = {
    S.ACKNOWLEDGED: "acknowledged_at",
    S.VERIFIED: "verified_at",
    S.UNFOUNDED: "verified_at",
    S.RESPONSE_DISPATCHED: "response_dispatched_at",
    S.RESOLVED: "resolved_at",
    S.REPORTER_INFORMED: "reporter_informed_at",
    S.CLOSED: "closed_at",
}
ALERT_CATEGORIES = frozenset({"security_threat", "violence_incident", "tension_dispute"})
COMPLAINT_CATEGORIES = frozenset({"conduct_complaint", "sea", "gbv", "child_protection"})
URGENT_LEVELS = frozenset({"urgent", "life_threatening"})
URGENCY_RANK: Mapping[str, int] = {"": 0, "routine": 1, "urgent": 2, "life_threatening": 3}


class CaseTransitionError(ValidationError):
    """A move the case's state machine does not allow (the message says why, translated)."""


def may_move(status: str, to: str) -> bool:
    return to in TRANSITIONS.get(status, frozenset())


def check_move(case: Case, to: str) -> None:
    if not may_move(case.status, to):
        raise CaseTransitionError(
            _("A case that is “%(status)s” cannot become “%(target)s”.")
            % {"status": S(case.status).label, "target": S(to).label}
        )


def case_type_for(code: str, parent_code: str = "") -> str:
    """The case type for a category code (a sub-category uses its parent's code)."""
    code = parent_code or code
    if code in ALERT_CATEGORIES:
        return CaseType.ALERT
    if code in COMPLAINT_CATEGORIES:
        return CaseType.COMPLAINT
    if code.startswith("need") or code == "information_request":
        return CaseType.REQUEST
    if code == "rumour":
        return CaseType.RUMOUR
    return CaseType.FEEDBACK


def case_type_of(category: Category | None) -> str:
    if category is None:
        return CaseType.FEEDBACK
    parent = category.parent if category.parent_id else None
    return case_type_for(category.code, parent.code if parent is not None else "")


def more_urgent(a: str, b: str) -> bool:
    return URGENCY_RANK.get(a, 0) > URGENCY_RANK.get(b, 0)


def case_title_for(category: Category | None, place_name: str, case_type: str) -> str:
    """``"Security threat in Béni"``: the category and the place, never the message's words."""
    what = (
        category_label(category.code, category.name)
        if category is not None
        else str(CaseType(case_type).label)
    )
    if place_name:
        return (_("%(what)s in %(place)s") % {"what": what, "place": place_name})[:200]
    return what[:200]


def notice_title(case: Case, kind: str, *, place_name: str = "", level: int = 0) -> str:
    """The text of a staff notice: reference, type, place and level; never personal data."""
    values = {
        "reference": case.reference,
        "type": str(CaseType(case.case_type).label),
        "place": place_name or _("place unknown"),
        "level": level,
    }
    texts = {
        "new_case": _("New %(type)s %(reference)s in %(place)s"),
        "assigned": _("%(reference)s (%(type)s, %(place)s) is assigned to you"),
        "ack_overdue": _(
            "%(reference)s (%(type)s, %(place)s) not acknowledged in time (level %(level)s)"
        ),
        "response_overdue": _(
            "%(reference)s (%(type)s, %(place)s) has no response in time (level %(level)s)"
        ),
    }
    if kind == "new_case" and not place_name:
        texts[kind] = _("New %(type)s %(reference)s")
    return (texts.get(kind, "%(reference)s") % values)[:200]


def place_name_of(case: Case) -> str:
    if case.site_id is not None and case.site is not None:
        return case.site.name
    if case.admin_unit_id is not None and case.admin_unit is not None:
        return case.admin_unit.name
    return ""


def numbers_reserve(mission_id: int, count: int) -> list[int]:
    """``count`` fresh case numbers for the mission. The mission row is locked (PostgreSQL) so
    two openings at once never draw the same number; SQLite serialises writers anyway."""
    Mission.objects.select_for_update().filter(pk=mission_id).values_list("id", flat=True).first()
    top = Case.objects.filter(mission_id=mission_id).aggregate(top=Max("number"))["top"] or 0
    return list(range(top + 1, top + 1 + count))


def event_new(
    case: Case,
    kind: str,
    *,
    actor: Any,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """A timeline line (not saved: callers ``save()`` or ``bulk_create``)."""
    user = acting_user(actor)
    return CaseEvent(
        case=case,
        kind=kind,
        at=at,
        actor=user,
        actor_label="" if user is not None else str(actor or "system")[:60],
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def case_locked(case: Case) -> Case:
    """The case row, locked for the rest of the transaction, with what titles need."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("mission", "admin_unit", "site")
        .get(pk=case.pk)
    )


def case_save(obj: Case, actor: Any) -> None:
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
