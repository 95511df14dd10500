"""Writes about projects (3W), their beneficiaries and deliverables.

Atomic, ``full_clean()``-validated and audited in the same transaction
(``engagement.project.*``, ``engagement.deliverable.*``). The records' own rules are checked
here: the code is unique in the mission, every place belongs to the mission, a budget is
``>= 0`` and comes with an active ISO 4217 currency, partners and agreements are of the same
mission. The caller's scope is checked by the pages and the API.

Status changes are free (any status to any other) but dated: the audit row records the day of
the change (``status``: ``"completed (2026-06-30)"``), and completing or cancelling a project
without an end date sets it to that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.models import (
    BeneficiaryAge,
    CountSex,
    Deliverable,
    DeliverableStatus,
    Project,
    ProjectReach,
    ProjectStatus,
)
from palava.engagement.project_currencies import currency_valid
from palava.missions.models import Mission
from palava.places.models import AdminUnit

MAX_REACH = 10_000_000
"""Largest count accepted in one beneficiary cell (a typing error guard)."""

PROJECT_FIELDS: frozenset[str] = frozenset(
    {
        "code",
        "title",
        "project_type",
        "sector",
        "partner",
        "funder",
        "admin_unit",
        "description",
        "budget",
        "currency",
        "starts_on",
        "ends_on",
        "status",
        "agreement",
    }
)
_ENDING_STATUSES = frozenset({ProjectStatus.COMPLETED, ProjectStatus.CANCELLED})

ReachCells = Mapping[tuple[str, str], tuple[int, int]]


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, AdminUnit):
        return value.pcode
    public_id = getattr(value, "public_id", None)
    return str(public_id) if public_id is not None else str(value)


def _check_project(obj: Project, places: Iterable[AdminUnit]) -> None:
    errors: dict[str, str] = {}
    mission_id = obj.mission_id
    obj.code = obj.code.strip()
    obj.currency = obj.currency.strip().upper()
    if obj.admin_unit_id is not None and obj.admin_unit.mission_id != mission_id:
        errors["admin_unit"] = _("This place belongs to another mission.")
    if any(unit.mission_id != mission_id for unit in places):
        errors["places"] = _("A place belongs to another mission.")
    for name in ("partner", "funder"):
        other = getattr(obj, name)
        if other is not None and other.mission_id != mission_id:
            errors[name] = _("This partner belongs to another mission.")
    if obj.agreement is not None:
        if obj.agreement.partner.mission_id != mission_id:
            errors["agreement"] = _("This agreement belongs to another mission.")
        elif obj.partner is not None and obj.agreement.partner_id not in (
            obj.partner_id,
            obj.funder_id,
        ):
            errors["agreement"] = _(
                "The agreement must be with the implementing partner or funder."
            )
    if obj.currency and not currency_valid(obj.currency):
        errors["currency"] = _("Give an active ISO 4217 currency code such as USD or EUR.")
    if obj.budget is not None and not obj.currency:
        errors["currency"] = _("Give the currency of the budget.")
    if obj.budget is None and obj.currency:
        obj.currency = ""
    if obj.ends_on is not None and obj.starts_on is not None and obj.ends_on < obj.starts_on:
        errors["ends_on"] = _("The project cannot end before it starts.")
    if (
        obj.code
        and Project.objects.filter(mission_id=mission_id, code=obj.code).exclude(pk=obj.pk).exists()
    ):
        errors["code"] = _("Another project of the mission has this code.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(
    *, actor: Any, mission: Mission, places: Iterable[AdminUnit] = (), **fields: Any
) -> Project:
    """Create a project; ``admin_unit`` is its main place, ``places`` the other places."""
    unknown = sorted(set(fields) - PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"project_create does not take: {', '.join(unknown)}")
    places = list(places)
    obj = Project(
        mission=mission,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
        **fields,
    )
    if obj.status in _ENDING_STATUSES and obj.ends_on is None:
        obj.ends_on = timezone.localdate()
    _check_project(obj, places)
    obj.full_clean()
    obj.save()
    others = [unit for unit in places if unit.pk != obj.admin_unit_id]
    if others:
        obj.places.set(others)
    audit_record(
        actor=actor,
        action="engagement.project.create",
        mission=mission,
        obj=obj,
        changes={
            "code": obj.code,
            "sector": obj.sector,
            "status": obj.status,
            "admin_unit": obj.admin_unit.pcode,
            "places": ",".join(sorted(u.pcode for u in others)),
            "partner": _audit_value(obj.partner),
        },
    )
    return obj


@transaction.atomic
def project_update(
    *,
    actor: Any,
    project: Project,
    data: Mapping[str, Any],
    places: Iterable[AdminUnit] | None = None,
    on: dt.date | None = None,
) -> Project:
    """Change the fields in ``data`` (and the other places when ``places`` is given).

    A status change is dated ``on`` (today by default) in the audit row; completing or
    cancelling a project without an end date ends it that day.
    """
    unknown = sorted(set(data) - PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"project_update cannot change: {', '.join(unknown)}")
    obj = Project.objects.select_for_update().select_related("mission").get(pk=project.pk)
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changes[name] = _audit_value(value)
    if "status" in changes:
        day = on or timezone.localdate()
        # Dated in the trail: "completed (2026-06-30)" (the day it happened, not of entry).
        changes["status"] = f"{obj.status} ({day.isoformat()})"
        if obj.status in _ENDING_STATUSES and obj.ends_on is None:
            obj.ends_on = max(day, obj.starts_on)
            changes["ends_on"] = obj.ends_on.isoformat()
    new_places: list[AdminUnit] | None = None
    if places is not None:
        new_places = [unit for unit in places if unit.pk != obj.admin_unit_id]
        if {u.pk for u in new_places} != set(obj.places.values_list("pk", flat=True)):
            changes["places"] = ",".join(sorted(u.pcode for u in new_places))
    if not changes:
        return obj
    _check_project(obj, new_places or [])
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    if new_places is not None:
        obj.places.set(new_places)
    audit_record(
        actor=actor,
        action="engagement.project.update",
        mission=obj.mission,
        obj=obj,
        changes=changes,
    )
    return obj


def project_set_status(
    *, actor: Any, project: Project, status: str, on: dt.date | None = None
) -> Project:
    """Move a project to ``status`` (any transition), dated ``on``."""
    if status not in ProjectStatus.values:
        raise ValidationError({"status": _("Unknown project status.")})
    return project_update(actor=actor, project=project, data={"status": status}, on=on)


def _check_cells(cells: ReachCells) -> None:
    for key, value in cells.items():
        if not isinstance(key, tuple) or len(key) != 2:
            raise ValidationError(_("Each beneficiary cell is a sex and an age group."))
        sex, age = key
        if sex not in CountSex.values or age not in BeneficiaryAge.values:
            raise ValidationError(_("Unknown sex or age group in the beneficiaries."))
        if not isinstance(value, tuple) or len(value) != 2:
            raise ValidationError(_("Each beneficiary cell has a targeted and a reached count."))
        for count in value:
            if isinstance(count, bool) or not isinstance(count, int):
                raise ValidationError(_("Beneficiary counts are whole numbers."))
            if count < 0 or count > MAX_REACH:
                raise ValidationError(
                    _("Beneficiary counts are between 0 and %(max)s.") % {"max": f"{MAX_REACH:,}"}
                )


@transaction.atomic
def project_reach_set(*, actor: Any, project: Project, cells: ReachCells) -> list[tuple[str, str]]:
    """Replace the project's beneficiaries: (sex, age group) -> (targeted, reached).

    Cells with both counts at zero are not stored. Reached may exceed targeted (more people
    came than planned); such cells are returned, sorted, so the caller can flag them.
    """
    _check_cells(cells)
    kept = {key: value for key, value in cells.items() if value != (0, 0)}
    ProjectReach.objects.filter(project=project).delete()
    ProjectReach.objects.bulk_create(
        [
            ProjectReach(project=project, sex=sex, age_group=age, targeted=t, reached=r)
            for (sex, age), (t, r) in sorted(kept.items())
        ]
    )
    over = sorted(key for key, (t, r) in kept.items() if r > t)
    audit_record(
        actor=actor,
        action="engagement.project.reach_set",
        mission=project.mission,
        # Audited against the beneficiaries model so the totals (public figures) are kept.
        obj=ProjectReach(project=project),
        object_type="engagement.project",
        object_id=str(project.public_id),
        changes={
            "targeted": sum(t for t, _r in kept.values()),
            "reached": sum(r for _t, r in kept.values()),
        },
    )
    return over


@transaction.atomic
def deliverable_add(
    *, actor: Any, project: Project, description: str, due_on: dt.date | None = None
) -> Deliverable:
    obj = Deliverable(
        project=project,
        description=" ".join(description.split()),
        due_on=due_on,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action="engagement.deliverable.add",
        mission=project.mission,
        obj=obj,
        changes={"project": str(project.public_id), "due_on": _audit_value(due_on)},
    )
    return obj


def _deliverable_set(
    *, actor: Any, deliverable: Deliverable, status: str, delivered_on: dt.date | None, verb: str
) -> Deliverable:
    obj = (
        Deliverable.objects.select_for_update()
        .select_related("project__mission")
        .get(pk=deliverable.pk)
    )
    if obj.status == status and (delivered_on is None or obj.delivered_on == delivered_on):
        return obj  # the same change again (a retry): nothing to do
    if obj.status != DeliverableStatus.PENDING:
        raise ValidationError(_("Only a pending deliverable can be changed."))
    obj.status = status
    if status == DeliverableStatus.DELIVERED:
        delivered_on = delivered_on or timezone.localdate()
    obj.delivered_on = delivered_on
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=f"engagement.deliverable.{verb}",
        mission=obj.project.mission,
        obj=obj,
        changes={"status": status, "delivered_on": _audit_value(delivered_on)},
    )
    return obj


@transaction.atomic
def deliverable_deliver(
    *, actor: Any, deliverable: Deliverable, delivered_on: dt.date | None = None
) -> Deliverable:
    """Mark a pending deliverable delivered on ``delivered_on`` (today by default; not in the
    future). Marking a delivered deliverable delivered again (a retry) changes nothing."""
    if delivered_on is not None and delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The delivery date cannot be in the future.")})
    return _deliverable_set(
        actor=actor,
        deliverable=deliverable,
        status=DeliverableStatus.DELIVERED,
        delivered_on=delivered_on,
        verb="deliver",
    )


@transaction.atomic
def deliverable_cancel(*, actor: Any, deliverable: Deliverable) -> Deliverable:
    return _deliverable_set(
        actor=actor,
        deliverable=deliverable,
        status=DeliverableStatus.CANCELLED,
        delivered_on=None,
        verb="cancel",
    )
