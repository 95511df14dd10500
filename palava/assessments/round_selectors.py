"""Reads for assessment rounds: the list with progress, one round, its submissions, progress
against quotas and the dashboard figures (interviews per day, enumerators, quality flags).

Everything is filtered by the member's geographic scope: a scoped member counts only the
submissions and quotas of the places in their scope (submissions with no place are for
whole-mission members only).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from palava.assessments import quality
from palava.assessments.models import Round, RoundQuota, Submission, SubmissionStatus
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit
from palava.places.scope import scope_for


def rounds_for(*, mission: Mission, series: str | None = None) -> QuerySet[Round]:
    qs = Round.objects.filter(mission=mission).select_related("form")
    if series:
        qs = qs.filter(series=series)
    return qs.order_by("series", "-number")


def round_get(*, mission: Mission, public_id: Any) -> Round:
    """The mission's round; raises ``Round.DoesNotExist`` for another mission's id."""
    return Round.objects.select_related("form", "form__current_version", "mission").get(
        mission=mission, public_id=public_id
    )


def next_number(*, mission: Mission, series: str) -> int:
    last = (
        Round.objects.filter(mission=mission, series=series)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 0) + 1


def _scoped(qs: QuerySet[Any], membership: Membership | None, field: str) -> QuerySet[Any]:
    if membership is None:
        return qs
    return qs.filter(scope_for(membership).q(field))


def round_submissions(
    *, round: Round, membership: Membership | None = None
) -> QuerySet[Submission]:
    """The round's current submissions (within ``membership``'s scope when given)."""
    qs = Submission.objects.filter(round=round, status=SubmissionStatus.CURRENT)
    return _scoped(qs, membership, "admin_unit")


@dataclass(frozen=True)
class QuotaProgress:
    place: AdminUnit
    sex: str
    age_band: str
    target: int
    done: int

    @property
    def percent(self) -> int:
        """Share of the target reached, 0-100 (a cell over its target shows 100)."""
        if self.target <= 0:
            return 100
        return min(100, round(100 * self.done / self.target))

    @property
    def missing(self) -> int:
        return max(0, self.target - self.done)


class _Counts:
    """Interviews per (place path, sex, age band), for counting a quota over a place and
    everything inside it."""

    def __init__(self, rows: Iterable[tuple[str, str, str, int]]) -> None:
        by_path: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for path, sex, band, n in rows:
            by_path[path].append((sex, band, n))
        self.paths = sorted(by_path)
        self.by_path = by_path

    def done(self, path: str, sex: str, band: str) -> int:
        total = 0
        start = bisect.bisect_left(self.paths, path)
        for candidate in self.paths[start:]:
            if not candidate.startswith(path):
                break
            for s, b, n in self.by_path[candidate]:
                if (not sex or s == sex) and (not band or b == band):
                    total += n
        return total


def _progress(quotas: Iterable[RoundQuota], counts: _Counts) -> list[QuotaProgress]:
    return [
        QuotaProgress(
            place=q.admin_unit,
            sex=q.sex,
            age_band=q.age_band,
            target=q.target,
            done=counts.done(q.admin_unit.path, q.sex, q.age_band),
        )
        for q in quotas
    ]


def round_progress(*, round: Round, membership: Membership | None) -> list[QuotaProgress]:
    """Each quota cell in scope with the interviews done in its place (and inside it) for its
    sex and age band (empty: any)."""
    quotas = _scoped(
        RoundQuota.objects.filter(round=round).select_related("admin_unit"),
        membership,
        "admin_unit",
    ).order_by("admin_unit__path", "sex", "age_band")
    rows = (
        round_submissions(round=round, membership=membership)
        .filter(admin_unit__isnull=False)
        .values_list("admin_unit__path", "respondent_sex", "respondent_age_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _progress(quotas, _Counts(rows))


def overall(progress: Sequence[QuotaProgress]) -> tuple[int, int, int | None]:
    """(interviews counted towards targets, total target, percent or None without quotas);
    interviews beyond a cell's target do not count."""
    target = sum(p.target for p in progress)
    done = sum(min(p.done, p.target) for p in progress)
    if target <= 0:
        return done, target, None
    return done, target, round(100 * done / target)


@dataclass
class RoundRow:
    round: Round
    interviews: int = 0
    done: int = 0
    target: int = 0
    percent: int | None = None


def rounds_overview(*, mission: Mission, membership: Membership | None) -> list[RoundRow]:
    """Every round of the mission (series, then newest first) with its interviews and quota
    progress within ``membership``'s scope, in three queries."""
    rounds = list(rounds_for(mission=mission))
    rows = {r.pk: RoundRow(round=r) for r in rounds}
    subs = _scoped(
        Submission.objects.filter(round__in=rounds, status=SubmissionStatus.CURRENT),
        membership,
        "admin_unit",
    )
    counts: dict[int, list[tuple[str, str, str, int]]] = defaultdict(list)
    for round_id, path, sex, band, n in (
        subs.values_list("round_id", "admin_unit__path", "respondent_sex", "respondent_age_band")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[round_id].interviews += n
        if path:
            counts[round_id].append((path, sex, band, n))
    quotas: dict[int, list[RoundQuota]] = defaultdict(list)
    for quota in _scoped(
        RoundQuota.objects.filter(round__in=rounds).select_related("admin_unit"),
        membership,
        "admin_unit",
    ):
        quotas[quota.round_id].append(quota)
    for pk, row in rows.items():
        row.done, row.target, row.percent = overall(_progress(quotas[pk], _Counts(counts[pk])))
    return [rows[r.pk] for r in rounds]


@dataclass
class EnumeratorRow:
    name: str
    interviews: int = 0
    durations: list[float] = field(default_factory=list)
    flags: Counter[str] = field(default_factory=Counter)
    flagged: int = 0

    @property
    def median_duration(self) -> float | None:
        return statistics.median(self.durations) if self.durations else None

    @property
    def median_text(self) -> str:
        median = self.median_duration
        return "—" if median is None else quality.duration_text(median)

    def share(self, code: str) -> int:
        return round(100 * self.flags[code] / self.interviews) if self.interviews else 0

    @property
    def shares(self) -> list[tuple[str, int]]:
        return [(code, self.share(code)) for code in quality.QUALITY_FLAGS]

    @property
    def flagged_share(self) -> int:
        return round(100 * self.flagged / self.interviews) if self.interviews else 0


@dataclass
class Dashboard:
    interviews: int
    unplaced: int
    daily: list[tuple[dt.date, int]]
    enumerators: list[EnumeratorRow]
    flag_counts: dict[str, int]
    flagged: int


def round_dashboard(*, round: Round, membership: Membership | None) -> Dashboard:
    """Interviews per day (the round's days up to today), per enumerator (interviews, median
    duration, share flagged by flag), and flagged submissions per flag, within scope; one
    query."""
    tz = zoneinfo.ZoneInfo(round.mission.time_zone or "UTC")
    per_day: Counter[dt.date] = Counter()
    enumerators: dict[str, EnumeratorRow] = {}
    flag_counts = dict.fromkeys(quality.QUALITY_FLAGS, 0)
    total = unplaced = flagged = 0
    rows = round_submissions(round=round, membership=membership).values_list(
        "enumerator", "started_at", "ended_at", "received_at", "quality_flags", "admin_unit_id"
    )
    for name, started, ended, received, flags, unit in rows.iterator(chunk_size=2000):
        total += 1
        if unit is None:
            unplaced += 1
        per_day[(started or received).astimezone(tz).date()] += 1
        row = enumerators.setdefault(name or "", EnumeratorRow(name=name or ""))
        row.interviews += 1
        duration = quality.duration_seconds(started, ended)
        if duration is not None:
            row.durations.append(duration)
        codes = [c for c in (flags or []) if c in flag_counts]
        for code in codes:
            flag_counts[code] += 1
            row.flags[code] += 1
        if codes:
            row.flagged += 1
            flagged += 1
    today = dt.datetime.now(tz).date()
    last = min(round.ends_on, max(today, round.starts_on))
    if per_day:
        last = max(last, max(per_day))
    first = min([round.starts_on, *per_day])
    days = min((last - first).days + 1, 366)
    daily = [
        (first + dt.timedelta(days=i), per_day[first + dt.timedelta(days=i)]) for i in range(days)
    ]
    return Dashboard(
        interviews=total,
        unplaced=unplaced,
        daily=daily,
        enumerators=sorted(enumerators.values(), key=lambda r: (-r.interviews, r.name)),
        flag_counts=flag_counts,
        flagged=flagged,
    )


def frame_places(
    *, mission: Mission, membership: Membership | None, level: int
) -> QuerySet[AdminUnit]:
    """Active places of one admin level within scope (the rows of the quota grid)."""
    qs = AdminUnit.objects.filter(mission=mission, level=level, retired_at__isnull=True)
    return _scoped(qs, membership, "").order_by("path")


def frame_levels(*, mission: Mission) -> list[int]:
    return sorted(
        set(
            AdminUnit.objects.filter(mission=mission, retired_at__isnull=True)
            .values_list("level", flat=True)
            .distinct()
        )
    )


def quotas_outside_scope(*, round: Round, membership: Membership) -> list[RoundQuota]:
    """Quotas a scoped member cannot see (kept when they replace the ones they can)."""
    scope = scope_for(membership)
    if scope.is_whole_mission:
        return []
    return list(
        RoundQuota.objects.filter(round=round)
        .exclude(scope.q("admin_unit"))
        .select_related("admin_unit")
    )


def quotas_of(*, round: Round, membership: Membership | None) -> list[RoundQuota]:
    return list(
        _scoped(
            RoundQuota.objects.filter(round=round).select_related("admin_unit"),
            membership,
            "admin_unit",
        ).order_by("admin_unit__path", "sex", "age_band")
    )


def series_of(*, mission: Mission) -> list[str]:
    return list(
        Round.objects.filter(mission=mission)
        .order_by("series")
        .values_list("series", flat=True)
        .distinct()
    )
