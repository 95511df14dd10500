"""Reading submissions, always within one mission and the member's geographic scope.

Every page and export reads through :func:`submissions_visible`: the membership must be
active with ``Perm.SUBMISSION_VIEW`` (raw answers may name respondents), the submission must be
in the member's mission, and its place (``admin_unit``) inside the member's scope
(``palava.places.scope``). A submission not placed is seen only by whole-mission members.
Looking one up by id outside that set gives ``None`` exactly as for a missing id (pages 404).

Selectors never write: reading a submission's answers is audited by
:mod:`palava.assessments.submission_read`, exports by :mod:`palava.assessments.raw_export`.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from palava.assessments.models import (
    Form,
    Round,
    Submission,
    SubmissionAttachment,
    SubmissionStatus,
)
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

PLACE_NONE = "none"  # the ``place`` filter value for submissions not placed
STATUS_ALL = "all"
MAX_HISTORY = 50  # edits followed along a supersedes chain


def submissions_for(*, mission: Any, form: Form | None = None) -> QuerySet[Submission]:
    """All submissions of ``mission`` (services and tests; pages use the scoped selectors)."""
    qs = Submission.objects.filter(mission=mission).select_related("form", "app_user")
    if form is not None:
        qs = qs.filter(form=form)
    return qs.order_by("-received_at", "-pk")


def may_view(membership: Membership) -> bool:
    return bool(membership.is_active) and role_has(membership.role, Perm.SUBMISSION_VIEW)


def submissions_visible(membership: Membership) -> QuerySet[Submission]:
    """Every submission ``membership`` may read: role, mission and geographic scope."""
    if not may_view(membership):
        return Submission.objects.none()
    return Submission.objects.filter(
        scope_for(membership).q("admin_unit"), mission_id=membership.mission_id
    )


@dataclass(frozen=True)
class SubmissionFilters:
    """Filters of the list; empty values do not filter (``status`` empty: current only)."""

    form: str = ""  # form public id
    round: str = ""  # round public id
    place: str = ""  # P-code (the unit and everything inside it) or PLACE_NONE
    source: str = ""
    flag: str = ""  # a quality flag code
    status: str = ""  # "" / "current", "superseded" or STATUS_ALL
    since: date | None = None  # first day received, in the mission's time zone
    until: date | None = None  # last day received (inclusive)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _day_start(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def flag_q_value(code: str) -> str:
    """The text matched in the JSON list of flags: the quoted code, so ``short`` never matches
    another code containing it (works on SQLite and PostgreSQL alike)."""
    return f'"{code}"'


def submission_list(
    *, membership: Membership, filters: SubmissionFilters | None = None
) -> QuerySet[Submission]:
    """Visible submissions matching ``filters``, newest first."""
    filters = filters or SubmissionFilters()
    found = submissions_visible(membership)
    if filters.status == STATUS_ALL:
        pass
    elif filters.status == SubmissionStatus.SUPERSEDED:
        found = found.filter(status=SubmissionStatus.SUPERSEDED)
    else:
        found = found.filter(status=SubmissionStatus.CURRENT)
    for name, value in (("form", filters.form), ("round", filters.round)):
        if value:
            key = _uuid(value)
            found = found.filter(**{f"{name}__public_id": key}) if key else found.none()
    if filters.place == PLACE_NONE:
        found = found.filter(admin_unit__isnull=True)
    elif filters.place:
        unit = AdminUnit.objects.filter(
            mission_id=membership.mission_id, pcode=filters.place
        ).first()
        found = found.filter(admin_unit__path__startswith=unit.path) if unit else found.none()
    if filters.source:
        found = found.filter(source=filters.source)
    if filters.flag:
        found = found.filter(quality_flags__icontains=flag_q_value(filters.flag))
    if filters.since or filters.until:
        tz = zoneinfo.ZoneInfo(membership.mission.time_zone)
        if filters.since:
            found = found.filter(received_at__gte=_day_start(filters.since, tz))
        if filters.until:
            found = found.filter(received_at__lt=_day_start(filters.until + timedelta(days=1), tz))
    return found.select_related("form", "admin_unit", "app_user", "round").order_by(
        "-received_at", "-pk"
    )


def submission_get(
    *, mission: Any, membership: Membership, public_id: uuid.UUID | str
) -> Submission | None:
    """One visible submission of ``mission``, or None (missing, another mission, outside the
    member's scope, or a role that may not read answers)."""
    key = _uuid(str(public_id))
    if key is None or membership.mission_id != getattr(mission, "pk", mission):
        return None
    return (
        submissions_visible(membership)
        .select_related("form", "form_version", "admin_unit", "app_user", "round", "supersedes")
        .filter(mission=mission, public_id=key)
        .first()
    )


def submission_history(*, membership: Membership, submission: Submission) -> list[Submission]:
    """The edit chain of ``submission``, newest first, including itself: later edits that
    replaced it and the earlier versions it replaced, as far as the member may see them."""
    visible = submissions_visible(membership).filter(form_id=submission.form_id)
    newer: list[Submission] = []
    current = submission
    for _step in range(MAX_HISTORY):
        nxt = visible.filter(supersedes=current).order_by("-received_at").first()
        if nxt is None or nxt.pk == submission.pk or any(n.pk == nxt.pk for n in newer):
            break
        newer.append(nxt)
        current = nxt
    older: list[Submission] = []
    current = submission
    seen = {submission.pk}
    for _step in range(MAX_HISTORY):
        if current.supersedes_id is None or current.supersedes_id in seen:
            break
        prev = visible.filter(pk=current.supersedes_id).first()
        if prev is None:
            break
        older.append(prev)
        seen.add(prev.pk)
        current = prev
    return [*reversed(newer), submission, *older]


def attachment_get(*, submission: Submission, filename: str) -> SubmissionAttachment | None:
    """The attachment of an already visible ``submission`` named ``filename``, or None."""
    return submission.attachments.filter(filename=filename).first()


def round_for_form(*, form: Form, public_id: uuid.UUID | str) -> Round | None:
    """A round of ``form`` (same mission), or None."""
    key = _uuid(str(public_id))
    if key is None:
        return None
    return Round.objects.filter(mission_id=form.mission_id, form=form, public_id=key).first()


def rounds_of_mission(*, mission: Any) -> QuerySet[Round]:
    return Round.objects.filter(mission=mission).order_by("series", "-number")


def export_rows(
    *, membership: Membership, form: Form, round: Round | None = None
) -> QuerySet[Submission]:
    """The current submissions of ``form`` (and ``round``) the member may read, oldest first:
    the rows of a raw export."""
    found = submissions_visible(membership).filter(form=form, status=SubmissionStatus.CURRENT)
    if round is not None:
        found = found.filter(round=round)
    return found.order_by("received_at", "pk")
