"""Writes for assessment rounds: creating and editing a round, its quotas and status.

Classifying submissions into rounds (place, sex, age band, group, enumerator, quality flags)
is in ``round_classify`` and reading quotas from CSV in ``round_quota_csv``; both are
re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palava.assessments import quality
from palava.assessments.indicators import bank
from palava.assessments.models import Form, Round, RoundQuota, RoundStatus
from palava.assessments.round_classify import (
    CLASSIFIED_FIELDS,
    DEFAULT_AGE_BANDS,
    FEMALE,
    MALE,
    PLACE_NAMES,
    RECLASSIFY_LIMIT,
    SAVED_FIELDS,
    Classifier,
    _reclassify,
    age_band_for,
    interview_date,
    normalise_band,
    parse_band,
    round_reclassify,
    sex_code,
    standard_paths,
    submission_classify,
)
from palava.assessments.round_quota_csv import (
    MAX_PROBLEMS,
    MAX_QUOTA_CSV_BYTES,
    MAX_QUOTA_ROWS,
    MAX_QUOTA_TARGET,
    QuotaCSVError,
    QuotaProblem,
    parse_quota_csv,
)
from palava.audit.services import audit_record
from palava.missions.models import Mission
from palava.places.models import AdminUnit

__all__ = [
    "CLASSIFIED_FIELDS",
    "DEFAULT_AGE_BANDS",
    "EDITABLE",
    "FEMALE",
    "FIELD_NAMES",
    "MALE",
    "MAX_PROBLEMS",
    "MAX_QUOTA_CSV_BYTES",
    "MAX_QUOTA_ROWS",
    "MAX_QUOTA_TARGET",
    "PLACE_NAMES",
    "RECLASSIFY_LIMIT",
    "RECLASSIFY_ON",
    "SAVED_FIELDS",
    "Classifier",
    "QuotaCSVError",
    "QuotaProblem",
    "age_band_for",
    "indicator_map_for",
    "interview_date",
    "normalise_band",
    "parse_band",
    "parse_quota_csv",
    "round_create",
    "round_quality_recompute",
    "round_reclassify",
    "round_set_quotas",
    "round_set_status",
    "round_update",
    "sex_code",
    "standard_paths",
    "submission_classify",
]


def indicator_map_for(definition: Mapping[str, Any]) -> dict[str, dict[str, object]]:
    return bank.indicator_map_for(dict(definition))


# --- Rounds --------------------------------------------------------------------------------------

FIELD_NAMES = ("place_field", "sex_field", "age_field", "group_field")


def _check_paths(form: Form, values: Mapping[str, str]) -> None:
    version = form.current_version
    if version is None:
        return
    known = {q.path for q in quality.questions_of(version.definition or {})}
    errors = {
        name: ValidationError(
            _("“%(path)s” is not a question of the form."), params={"path": value}
        )
        for name, value in values.items()
        if value and value not in known
    }
    if errors:
        raise ValidationError(errors)


def _fill_standard(form: Form, fields: dict[str, str]) -> dict[str, str]:
    version = form.current_version
    if version is None:
        return fields
    known = {q.path for q in quality.questions_of(version.definition or {})}
    paths = standard_paths()
    filled = dict(fields)
    for name, key in zip(FIELD_NAMES, ("place", "sex", "age", "group"), strict=True):
        if not filled[name] and paths.get(key) in known:
            filled[name] = paths[key]
    return filled


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The round cannot end before it starts.")})


@transaction.atomic
def round_create(
    *,
    actor: Any,
    mission: Mission,
    form: Form,
    series: str,
    number: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    place_field: str = "",
    sex_field: str = "",
    age_field: str = "",
    group_field: str = "",
    indicator_map: dict[str, dict[str, object]] | None = None,
    population_year: int | None = None,
    min_duration_seconds: int = 300,
) -> Round:
    """A new round of ``form``; blank question fields take the standard paths when the form has
    them, a missing indicator map is found from the form. Existing submissions are classified."""
    if form.mission_id != mission.pk:
        raise ValidationError({"form": _("This form belongs to another mission.")})
    _check_dates(starts_on, ends_on)
    fields = _fill_standard(
        form,
        {
            "place_field": place_field.strip(),
            "sex_field": sex_field.strip(),
            "age_field": age_field.strip(),
            "group_field": group_field.strip(),
        },
    )
    _check_paths(form, fields)
    if indicator_map is None:
        version = form.current_version
        indicator_map = indicator_map_for(version.definition or {}) if version else {}
    round = Round(
        mission=mission,
        form=form,
        series=series,
        number=number,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        indicator_map=indicator_map,
        population_year=population_year,
        min_duration_seconds=min_duration_seconds,
        **fields,
    )
    round.full_clean()
    round.save()
    audit_record(
        actor=actor,
        action="round.create",
        mission=mission,
        obj=round,
        changes={
            "form": form.form_id,
            "series": series,
            "number": number,
            "name": name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            **fields,
            "indicators": sorted(indicator_map),
        },
    )
    round_reclassify(round)
    return round


EDITABLE = (
    "name",
    "series",
    "number",
    "starts_on",
    "ends_on",
    "place_field",
    "sex_field",
    "age_field",
    "group_field",
    "population_year",
    "min_duration_seconds",
    "indicator_map",
)
RECLASSIFY_ON = frozenset(
    {"starts_on", "ends_on", *FIELD_NAMES, "population_year", "min_duration_seconds"}
    | {"indicator_map"}
)


@transaction.atomic
def round_update(*, actor: Any, round: Round, changes: Mapping[str, Any]) -> Round:
    """Change the given fields (of :data:`EDITABLE`); dates or questions changed classify the
    submissions again."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    done: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(round, name) != value:
            setattr(round, name, value)
            done[name] = value
    if not done:
        return round
    _check_dates(round.starts_on, round.ends_on)
    _check_paths(round.form, {f: getattr(round, f) for f in FIELD_NAMES if f in done})
    round.full_clean()
    round.save()
    audit_record(
        actor=actor,
        action="round.update",
        mission=round.mission,
        obj=round,
        changes={
            k: (
                v.isoformat() if isinstance(v, dt.date) else sorted(v) if isinstance(v, dict) else v
            )
            for k, v in done.items()
        },
    )
    if RECLASSIFY_ON & set(done):
        round_reclassify(round)
    return round


@transaction.atomic
def round_set_quotas(
    *, actor: Any, round: Round, quotas: Sequence[tuple[AdminUnit, str, str, int]]
) -> list[RoundQuota]:
    """Replace all quotas of ``round`` with ``quotas`` (place, sex or "", age band or "",
    target)."""
    rows: list[RoundQuota] = []
    seen: set[tuple[int, str, str]] = set()
    for unit, sex, band, target in quotas:
        if unit.mission_id != round.mission_id:
            raise ValidationError(_("A quota place belongs to another mission."))
        if sex not in ("", "f", "m"):
            raise ValidationError(_("Unknown sex code “%(sex)s”.") % {"sex": sex})
        if band and parse_band(band) is None:
            raise ValidationError(_("Unknown age band “%(band)s”.") % {"band": band})
        if not 0 <= target <= MAX_QUOTA_TARGET:
            raise ValidationError(_("A target must be between 0 and 1,000,000."))
        key = (unit.pk, sex, band)
        if key in seen:
            raise ValidationError(
                _("The quota for %(place)s %(sex)s %(band)s is given twice.")
                % {"place": unit.pcode, "sex": sex or "*", "band": band or "*"}
            )
        seen.add(key)
        rows.append(RoundQuota(round=round, admin_unit=unit, sex=sex, age_band=band, target=target))
    RoundQuota.objects.filter(round=round).delete()
    created = RoundQuota.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="round.quotas",
        mission=round.mission,
        obj=round,
        changes={"cells": len(rows), "target": sum(r.target for r in rows)},
    )
    return created


@transaction.atomic
def round_set_status(*, actor: Any, round: Round, status: str) -> Round:
    if status not in RoundStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if round.status == status:
        return round
    previous = round.status
    round.status = status
    round.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="round.status",
        mission=round.mission,
        obj=round,
        changes={"status": status, "previous": previous},
    )
    return round


@transaction.atomic
def round_quality_recompute(*, actor: Any, round: Round) -> dict[str, int]:
    """Classify the round's submissions again and recompute every quality flag (on request)."""
    _count, touched = _reclassify(round)
    for other in Round.objects.filter(pk__in=touched - {round.pk}).select_related(
        "form__current_version"
    ):
        quality.round_quality_refresh(round=other)
    counts = quality.round_quality_refresh(round=round)
    audit_record(
        actor=actor,
        action="round.quality_recompute",
        mission=round.mission,
        obj=round,
        changes={"flags": counts},
    )
    return counts
