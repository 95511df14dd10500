"""Classifying submissions into rounds: place, respondent sex, age band and group,
enumerator, then quality flags.

``submission_classify`` runs inside ``submission_receive``'s transaction for every new
submission; ``round_reclassify`` runs it again over the form's submissions when a round is
created or its dates or questions change (see ``round_services``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce

from palava.assessments import quality
from palava.assessments.indicators import bank
from palava.assessments.models import Round, Submission, SubmissionSource, SubmissionStatus
from palava.missions.models import Mission
from palava.places.models import AdminUnit, PopulationFigure

DEFAULT_AGE_BANDS: tuple[str, ...] = ("0-17", "18-59", "60+")
FEMALE = frozenset({"female", "f", "woman", "women", "femme", "femmes", "girl", "fille"})
MALE = frozenset({"male", "m", "man", "men", "homme", "hommes", "boy", "garcon", "garçon"})
PLACE_NAMES = ("place", "pcode")
# A round's reclassification touches at most this many submissions (the most recent first);
# a larger round is reclassified by "Recompute quality flags" in batches of the same size.
RECLASSIFY_LIMIT = 20_000
_BAND = re.compile(
    r"^\s*(\d{1,3})\s*(?:-|\u2013|_|to)\s*(\d{1,3})\s*$|^\s*(\d{1,3})\s*(?:\+|plus)\s*$"
)


def standard_paths() -> dict[str, str]:
    """Question paths of the bank's generated forms (place, respondent/sex, ...)."""
    return dict(bank.STANDARD_PATHS)


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
