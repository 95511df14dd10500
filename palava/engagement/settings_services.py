"""Writes of the per-mission engagement settings (inclusion targets, youth ages, coverage window,
reminder lead time). Audited; the row is created with defaults on the first save."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.models import EngagementSettings
from palava.missions.models import Mission

EDITABLE_FIELDS = (
    "target_women_pct",
    "target_youth_pct",
    "target_minority_pct",
    "youth_min_age",
    "youth_max_age",
    "coverage_days",
    "reminder_days",
)
MAX_AGE = 120


@transaction.atomic
def engagement_settings_update(
    *, actor: Any, mission: Mission, **fields: Any
) -> EngagementSettings:
    """Change some of the mission's engagement settings; unknown field names are refused."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(
            _("Unknown settings: %(names)s") % {"names": ", ".join(unknown)}, code="unknown"
        )
    row = EngagementSettings.objects.select_for_update().filter(mission=mission).first()
    created = row is None
    if row is None:
        row = EngagementSettings(mission=mission, created_by=acting_user(actor))
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if getattr(row, name) != value or created:
            changes[name] = value
        setattr(row, name, value)
    _check_ages(row)
    row.updated_by = acting_user(actor)
    row.full_clean()
    row.save()
    if changes or created:
        audit_record(
            actor=actor,
            action="engagement.settings.update",
            mission=mission,
            obj=row,
            changes=changes,
        )
    return row


def _check_ages(row: EngagementSettings) -> None:
    errors: dict[str, str] = {}
    if row.youth_max_age > MAX_AGE:
        errors["youth_max_age"] = _("Enter an age of at most %(max)d.") % {"max": MAX_AGE}
    if row.youth_min_age >= row.youth_max_age:
        errors["youth_max_age"] = _("The youth upper age must be above the lower age.")
    if errors:
        raise ValidationError(errors)
