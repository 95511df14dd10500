"""Writes for assessment rounds: creating and editing a round, its quotas and status, and
classifying submissions into rounds (place, sex, age band, group, enumerator, quality flags).

``submission_classify`` runs inside ``submission_receive``'s transaction for every new
submission; ``round_reclassify`` runs it again over the form's submissions when a round is
created or its dates or questions change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from palava.assessments import quality
from palava.assessments.indicators import bank
from palava.assessments.models import (
    Form,
    Round,
    RoundQuota,
    RoundStatus,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from palava.audit.services import audit_record
from palava.missions.models import Mission
from palava.places.models import AdminUnit, PopulationFigure

DEFAULT_AGE_BANDS: tuple[str, ...] = ("0-17", "18-59", "60+")
FEMALE = frozenset({"female", "f", "woman", "women", "femme", "femmes", "girl", "fille"})
MALE = frozenset({"male", "m", "man", "men", "homme", "hommes", "boy", "garcon", "garçon"})
PLACE_NAMES = ("place", "pcode")
# A round's reclassification touches at most this many submissions (the most recent first);
# a larger round is reclassified by "Recompute quality flags" in batches of the same size.
RECLASSIFY_LIMIT = 20_000
MAX_QUOTA_CSV_BYTES = 1024 * 1024
MAX_QUOTA_ROWS = 5_000
MAX_QUOTA_TARGET = 1_000_000
_BAND = re.compile(
    r"^\s*(\d{1,3})\s*(?:-|\u2013|_|to)\s*(\d{1,3})\s*$|^\s*(\d{1,3})\s*(?:\+|plus)\s*$"
)


def standard_paths() -> dict[str, str]:
    """Question paths of the bank's generated forms (place, respondent/sex, ...)."""
    return dict(bank.STANDARD_PATHS)


def indicator_map_for(definition: Mapping[str, Any]) -> dict[str, dict[str, object]]:
    return bank.indicator_map_for(dict(definition))


# --- Classification ------------------------------------------------------------------------------


def parse_band(band: str) -> tuple[int, int | None] | None:
    """``"18-59"`` -> (18, 59); ``"60+"`` -> (60, None); anything else -> None."""
    match = _BAND.match(band or "")
    if match is None:
        return None
    if match.group(3) is not None:
        return int(match.group(3)), None
    low, high = int(match.group(1)), int(match.group(2))
    return (low, high) if low <= high else None


def normalise_band(value: str) -> str:
    """A band answer in the ``"18-59"`` / ``"60+"`` form, or ``""``."""
    parsed = parse_band(value)
    if parsed is None:
        return ""
    low, high = parsed
    return f"{low}+" if high is None else f"{low}-{high}"


def age_band_for(age: int, bands: Iterable[str]) -> str:
    """The band among ``bands`` (``"0-4"``, ``"18-59"``, ``"60+"``) holding ``age``, or ``""``."""
    for band in bands:
        parsed = parse_band(band)
        if parsed is None:
            continue
        low, high = parsed
        if age >= low and (high is None or age <= high):
            return band
    return ""


def sex_code(value: Any) -> str:
    """``"f"``/``"m"`` from a choice name such as female, woman, femme, male, homme; else ``""``."""
    text = str(value or "").strip().lower()
    if text in FEMALE:
        return "f"
    if text in MALE:
        return "m"
    return ""


def interview_date(submission: Submission, tz: dt.tzinfo) -> dt.date:
    moment = submission.started_at or submission.received_at
    return moment.astimezone(tz).date()


def _answer(data: Mapping[str, Any], path: str) -> str:
    value = data.get(path) if path else None
    return value.strip() if isinstance(value, str) else ""


def _named(data: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return [
        v.strip()
        for k, v in data.items()
        if isinstance(v, str) and k.rsplit("/", 1)[-1].lower() in wanted
    ]


class Classifier:
    """Classifies submissions of one mission, caching places, bands and rounds between them."""

    def __init__(self, mission: Mission) -> None:
        self.mission = mission
        self.tz = zoneinfo.ZoneInfo(mission.time_zone or "UTC")
        self._units: dict[str, int | None] = {}
        self._bands: dict[int | None, tuple[str, ...]] = {}
        self._rounds: dict[int, list[Round]] = {}

    def unit_id(self, pcode: str) -> int | None:
        key = pcode.strip()
        if not key or len(key) > 32:
            return None
        if key not in self._units:
            found = (
                AdminUnit.objects.filter(mission=self.mission)
                .filter(Q(pcode=key) | Q(pcode__iexact=key))
                .order_by("retired_at", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            self._units[key] = found
        return self._units[key]

    def preload_units(self) -> None:
        for pk, pcode in AdminUnit.objects.filter(mission=self.mission).values_list("pk", "pcode"):
            self._units.setdefault(pcode, pk)

    def bands(self, year: int | None) -> tuple[str, ...]:
        if year not in self._bands:
            figures = PopulationFigure.objects.filter(mission=self.mission)
            chosen = year
            if chosen is None or not figures.filter(year=chosen).exists():
                chosen = figures.order_by("-year").values_list("year", flat=True).first()
            found = (
                sorted(
                    set(figures.filter(year=chosen).values_list("age_band", flat=True)),
                    key=lambda b: (parse_band(b) or (999, None))[0],
                )
                if chosen is not None
                else []
            )
            self._bands[year] = tuple(found) or DEFAULT_AGE_BANDS
        return self._bands[year]

    def rounds(self, form_id: int) -> list[Round]:
        if form_id not in self._rounds:
            self._rounds[form_id] = list(
                Round.objects.filter(form_id=form_id).select_related("form").order_by("-number")
            )
        return self._rounds[form_id]

    def round_for(self, submission: Submission) -> Round | None:
        day = interview_date(submission, self.tz)
        for candidate in self.rounds(submission.form_id):
            if candidate.starts_on <= day <= candidate.ends_on:
                return candidate
        return None

    def classify(self, submission: Submission, *, actor: Any = None) -> list[str]:
        """Set the derived fields of ``submission`` (not saved); returns the changed ones."""
        before = {f: getattr(submission, f) for f in CLASSIFIED_FIELDS}
        data = submission.data if isinstance(submission.data, dict) else {}
        round = self.round_for(submission)
        submission.round = round
        paths = standard_paths()
        if round is not None:
            place_path, sex_path = round.place_field, round.sex_field
            age_path, group_path = round.age_field, round.group_field
            year = round.population_year
        else:
            place_path, sex_path = "", paths["sex"]
            age_path, group_path = paths["age"], paths["group"]
            year = None
        place = _answer(data, place_path)
        unit = self.unit_id(place) if place else None
        if unit is None and not place_path:
            unit = next((u for u in map(self.unit_id, _named(data, PLACE_NAMES)) if u), None)
        if unit is not None:
            submission.admin_unit_id = unit
        submission.respondent_sex = sex_code(_answer(data, sex_path))
        age_answer = _answer(data, age_path)
        if re.fullmatch(r"\d{1,3}", age_answer):
            submission.respondent_age_band = age_band_for(int(age_answer), self.bands(year))
        else:
            submission.respondent_age_band = normalise_band(age_answer)
        submission.respondent_group = _answer(data, group_path)[:100]
        submission.enumerator = self.enumerator(submission, actor)
        return [f for f in CLASSIFIED_FIELDS if getattr(submission, f) != before[f]]

    @staticmethod
    def enumerator(submission: Submission, actor: Any) -> str:
        """The device (app user) name; for web entry the person's user name; for an import
        the name the export recorded (KoboToolbox ``_submitted_by``, ODK ``username``), else
        the importer's."""
        if submission.app_user_id is not None and submission.app_user is not None:
            return submission.app_user.name[:120]
        data = submission.data if isinstance(submission.data, dict) else {}
        recorded = next(
            (
                value.strip()
                for key in ("_submitted_by", "meta/username", "username")
                if isinstance(value := data.get(key), str) and value.strip()
            ),
            "",
        )
        if recorded and submission.source == SubmissionSource.IMPORT:
            return recorded[:120]
        for person in (actor, submission.created_by):
            name = getattr(person, "username", "") if person is not None else ""
            if name:
                return str(name)[:120]
        return recorded[:120] or submission.enumerator


CLASSIFIED_FIELDS = (
    "round",
    "admin_unit_id",
    "respondent_sex",
    "respondent_age_band",
    "respondent_group",
    "enumerator",
)
SAVED_FIELDS = [
    "round",
    "admin_unit",
    "respondent_sex",
    "respondent_age_band",
    "respondent_group",
    "enumerator",
    "quality_flags",
]


def submission_classify(submission: Submission, *, actor: Any = None) -> None:
    """Put a new submission in its round and place, read its respondent's sex, age band and
    group, name its enumerator and compute its quality flags (marking the interviews it
    duplicates too). No audit: these are derived from the answers."""
    classifier = Classifier(submission.mission)
    classifier.classify(submission, actor=actor)
    submission.quality_flags = quality.flags_codes(
        quality.submission_flags(submission, mark_others=True)
    )
    submission.save(update_fields=[*SAVED_FIELDS, "updated_at"])


def _reclassify(round: Round) -> tuple[int, set[int]]:
    classifier = Classifier(round.mission)
    classifier.preload_units()
    start = dt.datetime.combine(round.starts_on, dt.time.min, tzinfo=dt.UTC) - dt.timedelta(days=1)
    end = dt.datetime.combine(round.ends_on, dt.time.max, tzinfo=dt.UTC) + dt.timedelta(days=1)
    candidates = (
        Submission.objects.filter(form_id=round.form_id, status=SubmissionStatus.CURRENT)
        .annotate(interviewed_at=Coalesce("started_at", "received_at"))
        .filter(Q(round=round) | Q(interviewed_at__gte=start, interviewed_at__lte=end))
        .select_related("app_user", "created_by")
        .order_by("-received_at", "-pk")[:RECLASSIFY_LIMIT]
    )
    touched: set[int] = {round.pk}
    changed: list[Submission] = []
    count = 0
    for submission in candidates:
        count += 1
        before = submission.round_id
        submission.mission = round.mission
        if classifier.classify(submission):
            changed.append(submission)
        for pk in (before, submission.round_id):
            if pk is not None:
                touched.add(pk)
    Submission.objects.bulk_update(changed, SAVED_FIELDS[:-1], batch_size=500)
    return count, touched


def round_reclassify(round: Round) -> int:
    """Classify again the form's current submissions that this round may take or release
    (interview date within its period, give or take a day for time zones, or already in it),
    at most :data:`RECLASSIFY_LIMIT` (the most recent), then recompute the quality flags of
    every round touched. Returns how many submissions were read."""
    count, touched = _reclassify(round)
    for other in Round.objects.filter(pk__in=touched).select_related("form__current_version"):
        quality.round_quality_refresh(round=other)
    return count


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


# --- Quota CSV -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaProblem:
    line: int | None
    message: str


class QuotaCSVError(ValueError):
    def __init__(self, problems: list[QuotaProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


MAX_PROBLEMS = 20


def parse_quota_csv(content: bytes, *, mission: Mission) -> list[tuple[AdminUnit, str, str, int]]:
    """Read ``pcode,sex,age_band,target`` rows (header required; comma or semicolon; UTF-8
    with or without BOM). Sex is ``f``, ``m``, a word such as female or homme, or empty for
    any; the age band ``18-59``, ``60+`` or empty. Raises :class:`QuotaCSVError` listing up to
    20 problems with their line numbers; nothing is returned half-read."""
    if len(content) > MAX_QUOTA_CSV_BYTES:
        raise QuotaCSVError(
            [
                QuotaProblem(
                    None,
                    _("The file is too large (limit %(kb)d KB).")
                    % {"kb": MAX_QUOTA_CSV_BYTES // 1024},
                )
            ]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuotaCSVError([QuotaProblem(None, _("The file is not UTF-8 text."))]) from None
    if "\x00" in text:
        raise QuotaCSVError([QuotaProblem(None, _("The file is not a CSV text file."))])
    lines = text.splitlines()
    if sum(1 for row in lines[1:] if row.strip()) > MAX_QUOTA_ROWS:
        raise QuotaCSVError(
            [QuotaProblem(None, _("Too many rows (limit %(n)d).") % {"n": MAX_QUOTA_ROWS})]
        )
    first_line = lines[0] if lines else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[QuotaProblem] = []
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error:
        header = []
    expected = ["pcode", "sex", "age_band", "target"]
    if header[:4] != expected:
        raise QuotaCSVError(
            [QuotaProblem(1, _("The first line must be the header: pcode,sex,age_band,target."))]
        )
    units = {
        u.pcode.upper(): u
        for u in AdminUnit.objects.filter(mission=mission).only("pk", "pcode", "mission_id")
    }
    rows: list[tuple[AdminUnit, str, str, int]] = []
    seen: dict[tuple[str, str, str], int] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if len(problems) >= MAX_PROBLEMS:
                break
            if not any(cell.strip() for cell in record):
                continue
            if len(record) < 4:
                problems.append(QuotaProblem(line, _("Four columns are needed.")))
                continue
            pcode, sex_text, band_text, target_text = (c.strip() for c in record[:4])
            unit = units.get(pcode.upper()) if len(pcode) <= 32 else None
            if unit is None:
                problems.append(
                    QuotaProblem(line, _("Unknown P-code “%(pcode)s”.") % {"pcode": pcode[:40]})
                )
                continue
            sex = sex_code(sex_text) if sex_text else ""
            if sex_text and not sex:
                problems.append(
                    QuotaProblem(line, _("Unknown sex “%(sex)s”.") % {"sex": sex_text[:40]})
                )
                continue
            band = normalise_band(band_text) if band_text else ""
            if band_text and not band:
                problems.append(
                    QuotaProblem(
                        line,
                        _("Unknown age band “%(band)s” (write it like 18-59 or 60+).")
                        % {"band": band_text[:40]},
                    )
                )
                continue
            if not re.fullmatch(r"\d{1,7}", target_text) or int(target_text) > MAX_QUOTA_TARGET:
                problems.append(
                    QuotaProblem(
                        line,
                        _("The target “%(target)s” is not a whole number up to 1,000,000.")
                        % {"target": target_text[:40]},
                    )
                )
                continue
            key = (unit.pcode, sex, band)
            if key in seen:
                problems.append(
                    QuotaProblem(
                        line,
                        _("The same cell is already on line %(line)d.") % {"line": seen[key]},
                    )
                )
                continue
            seen[key] = line
            rows.append((unit, sex, band, int(target_text)))
    except csv.Error:
        problems.append(QuotaProblem(line + 1, _("This line is not valid CSV.")))
    if problems:
        raise QuotaCSVError(problems[:MAX_PROBLEMS])
    if not rows:
        raise QuotaCSVError([QuotaProblem(None, _("The file has no quota rows."))])
    return rows
