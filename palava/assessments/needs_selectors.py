"""Reads for the needs register, always within the mission and the member's geographic scope.

A place's needs in a period (a calendar quarter of ``held_on``) combine its exercises of that
period: the average of their normalised scores weighted by the number of participants (1 when
not recorded), an item missing from an exercise counting 0 there. Needs are ranked by that
score and compared with the place's previous period that has exercises: a need moved up or down
n places, stayed, or is new. Mission-wide needs average the places' latest scores weighted by
their population (the latest ``PopulationFigure`` year of each place) when every place has one,
equally otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum

from palava.assessments.models import RankingExercise, Round
from palava.assessments.needs import TOP, Period, need_label, period_of, rank_questions
from palava.assessments.ranking import rank_order
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit, PopulationFigure
from palava.places.scope import scope_for


@dataclass(frozen=True)
class NeedRank:
    code: str
    label: str
    score: float
    rank: int
    previous_rank: int | None = None
    previous_score: float | None = None
    compared: bool = False  # a previous period exists

    @property
    def trend(self) -> str:
        """``up``, ``down``, ``same``, ``new`` or ``""`` (nothing to compare with)."""
        if not self.compared:
            return ""
        if self.previous_rank is None:
            return "new"
        if self.rank < self.previous_rank:
            return "up"
        if self.rank > self.previous_rank:
            return "down"
        return "same"

    @property
    def moved(self) -> int:
        return 0 if self.previous_rank is None else abs(self.previous_rank - self.rank)

    @property
    def score_change(self) -> float | None:
        return None if self.previous_score is None else self.score - self.previous_score

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def change_points(self) -> int | None:
        change = self.score_change
        return None if change is None else round(change * 100)


@dataclass
class PeriodNeeds:
    period: Period
    needs: list[NeedRank]
    exercises: list[RankingExercise]

    @property
    def participants(self) -> int:
        return sum(e.participants or 0 for e in self.exercises)

    def score_of(self, code: str) -> float | None:
        for need in self.needs:
            if need.code == code:
                return need.score
        return None


@dataclass
class PlaceNeeds:
    """A place's latest period in the register."""

    unit: AdminUnit
    latest: PeriodNeeds
    previous: PeriodNeeds | None
    population: int | None = None

    @property
    def top(self) -> list[NeedRank]:
        return self.latest.needs[:TOP]


@dataclass
class PlaceHistory:
    unit: AdminUnit
    periods: list[PeriodNeeds]  # oldest first
    exercises: list[RankingExercise]  # newest first
    codes: list[str] = field(default_factory=list)  # by the latest rank, then the others
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MissionNeed:
    code: str
    label: str
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class MissionNeeds:
    needs: list[MissionNeed]
    places: int
    weighted: bool
    without_population: int


@dataclass(frozen=True)
class RankSource:
    """A round whose form has an ODK ``rank`` question (a source for ``needs_from_round``)."""

    round: Round
    path: str
    label: str

    @property
    def value(self) -> str:
        return f"{self.round.public_id}|{self.path}"


def exercises_visible(*, mission: Mission, membership: Membership) -> QuerySet[RankingExercise]:
    return (
        RankingExercise.objects.filter(mission=mission)
        .filter(scope_for(membership).q("admin_unit"))
        .select_related("admin_unit")
    )


def exercise_get(*, mission: Mission, membership: Membership, public_id: Any) -> RankingExercise:
    """A visible exercise; raises ``RankingExercise.DoesNotExist`` otherwise."""
    return exercises_visible(mission=mission, membership=membership).get(public_id=public_id)


def unit_get(*, mission: Mission, membership: Membership, public_id: Any) -> AdminUnit | None:
    return (
        AdminUnit.objects.filter(mission=mission, public_id=public_id)
        .filter(scope_for(membership).q(""))
        .first()
    )


def exercise_labels(exercises: Iterable[RankingExercise]) -> dict[str, str]:
    """Custom items' labels (the latest exercise naming an item wins)."""
    labels: dict[str, str] = {}
    for exercise in sorted(exercises, key=lambda e: (e.held_on, e.pk or 0)):
        raw = exercise.inputs.get("labels") if isinstance(exercise.inputs, dict) else None
        if isinstance(raw, dict):
            labels.update({str(k): str(v) for k, v in raw.items()})
    return labels


def combine(exercises: Sequence[RankingExercise]) -> dict[str, float]:
    """Scores of several exercises averaged, weighted by participants (or 1)."""
    totals: dict[str, float] = {}
    weight = 0
    for exercise in exercises:
        w = exercise.participants or 1
        weight += w
        scores = exercise.scores if isinstance(exercise.scores, dict) else {}
        for item in [*exercise.items, *scores]:
            totals.setdefault(str(item), 0.0)
        for item, value in scores.items():
            if isinstance(value, int | float):
                totals[str(item)] += w * float(value)
    if not weight:
        return {}
    return {item: value / weight for item, value in totals.items()}


def _ranked(
    scores: dict[str, float], labels: dict[str, str], previous: PeriodNeeds | None
) -> list[NeedRank]:
    before = {n.code: n for n in previous.needs} if previous else {}
    result = []
    for position, code in enumerate(rank_order(scores), start=1):
        old = before.get(code)
        result.append(
            NeedRank(
                code=code,
                label=need_label(code, labels),
                score=scores[code],
                rank=position,
                previous_rank=old.rank if old else None,
                previous_score=old.score if old else None,
                compared=previous is not None,
            )
        )
    return result


def periods_of(
    exercises: Sequence[RankingExercise], labels: dict[str, str] | None = None
) -> list[PeriodNeeds]:
    """The place's periods, oldest first, each ranked and compared with the one before."""
    labels = labels if labels is not None else exercise_labels(exercises)
    grouped: dict[Period, list[RankingExercise]] = defaultdict(list)
    for exercise in exercises:
        grouped[period_of(exercise.held_on)].append(exercise)
    result: list[PeriodNeeds] = []
    previous: PeriodNeeds | None = None
    for period in sorted(grouped):
        members = sorted(grouped[period], key=lambda e: (e.held_on, e.pk or 0))
        current = PeriodNeeds(period, _ranked(combine(members), labels, previous), members)
        result.append(current)
        previous = current
    return result


def population_totals(unit_ids: Iterable[int]) -> dict[int, int]:
    """Each unit's total population in its latest reference year."""
    latest: dict[int, tuple[int, int]] = {}
    rows = (
        PopulationFigure.objects.filter(admin_unit_id__in=list(unit_ids))
        .values("admin_unit_id", "year")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        unit_id, year, total = row["admin_unit_id"], row["year"], row["total"] or 0
        if unit_id not in latest or year > latest[unit_id][0]:
            latest[unit_id] = (year, total)
    return {unit_id: total for unit_id, (_year, total) in latest.items() if total > 0}


def needs_register(
    *,
    mission: Mission,
    membership: Membership,
    province: AdminUnit | None = None,
    level: int | None = None,
) -> list[PlaceNeeds]:
    """Per visible place with exercises: its ranked needs of the latest period with trend."""
    exercises = exercises_visible(mission=mission, membership=membership).defer("notes")
    if province is not None:
        exercises = exercises.filter(admin_unit__path__startswith=province.path)
    if level is not None:
        exercises = exercises.filter(admin_unit__level=level)
    by_unit: dict[int, list[RankingExercise]] = defaultdict(list)
    units: dict[int, AdminUnit] = {}
    for exercise in exercises:
        by_unit[exercise.admin_unit_id].append(exercise)
        units[exercise.admin_unit_id] = exercise.admin_unit
    population = population_totals(units)
    result: list[PlaceNeeds] = []
    for unit_id, members in by_unit.items():
        periods = periods_of(members)
        result.append(
            PlaceNeeds(
                unit=units[unit_id],
                latest=periods[-1],
                previous=periods[-2] if len(periods) > 1 else None,
                population=population.get(unit_id),
            )
        )
    result.sort(key=lambda p: p.unit.path)
    return result


def mission_needs(places: Sequence[PlaceNeeds]) -> MissionNeeds:
    """The places' latest needs averaged, population-weighted when every place has a figure."""
    weighted = bool(places) and all(p.population for p in places)
    totals: dict[str, float] = {}
    labels: dict[str, str] = {}
    weight = 0.0
    for place in places:
        w = float(place.population or 0) if weighted else 1.0
        weight += w
        for need in place.latest.needs:
            totals[need.code] = totals.get(need.code, 0.0) + w * need.score
            labels.setdefault(need.code, need.label)
    scores = {code: value / weight for code, value in totals.items()} if weight else {}
    return MissionNeeds(
        needs=[MissionNeed(code, labels[code], scores[code]) for code in rank_order(scores)],
        places=len(places),
        weighted=weighted,
        without_population=sum(1 for p in places if not p.population),
    )


def place_needs(*, mission: Mission, membership: Membership, admin_unit: AdminUnit) -> PlaceHistory:
    """A visible place's needs per period (oldest first) and its exercises (newest first)."""
    exercises = list(
        exercises_visible(mission=mission, membership=membership)
        .filter(admin_unit=admin_unit)
        .select_related("round")
        .order_by("-held_on", "-id")
    )
    labels = exercise_labels(exercises)
    periods = periods_of(exercises, labels)
    codes: list[str] = []
    for period in reversed(periods):
        for need in period.needs:
            if need.code not in codes:
                codes.append(need.code)
    return PlaceHistory(
        unit=admin_unit,
        periods=periods,
        exercises=exercises,
        codes=codes,
        labels={code: need_label(code, labels) for code in codes},
    )


def register_provinces(*, mission: Mission, membership: Membership) -> list[AdminUnit]:
    """Visible level-1 units (the register's province filter)."""
    return list(
        AdminUnit.objects.filter(mission=mission, level=1, retired_at__isnull=True)
        .filter(scope_for(membership).q(""))
        .order_by("name")
    )


def rank_sources(*, mission: Mission) -> list[RankSource]:
    """Every (round, rank question) pair of the mission, newest round first."""
    rounds = (
        Round.objects.filter(mission=mission)
        .select_related("form__current_version")
        .order_by("-starts_on", "-number")
    )
    sources: list[RankSource] = []
    for rnd in rounds:
        version = rnd.form.current_version
        if version is None or not isinstance(version.definition, dict):
            continue
        for path, label in rank_questions(version.definition):
            sources.append(RankSource(round=rnd, path=path, label=label))
    return sources


def rank_source_get(*, mission: Mission, value: str) -> RankSource | None:
    for source in rank_sources(mission=mission):
        if source.value == value:
            return source
    return None
