"""Results of a round's survey estimates: the constants, the result types, suppression of small
domains and change between two rounds' results (no database access)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from palava.assessments import stats
from palava.assessments.indicators import Indicator
from palava.assessments.stats import Change, Estimate

BY_CHOICES: tuple[str, ...] = ("sex", "age_band", "place", "group")
DEFAULT_EXCLUDE: tuple[str, ...] = ("duplicate", "short")
SUPPRESS_N = 5  # a domain with fewer respondents is never shown
SMALL_N = stats.SMALL_N  # flagged: read with care
ALL = "all"  # the domain key of the whole sample
NUMERIC_TYPES = ("integer", "decimal", "range")
FEW_PLACES = 5  # fewer clusters than this: intervals are wide and unstable


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of a round: its estimates by domain key (``ALL`` when not disaggregated)."""

    code: str
    version: int
    indicator: Indicator | None
    estimates: dict[str, Estimate]
    overall: Estimate | None
    answered: int  # respondents with a usable answer
    excluded_answers: int  # don't know / refused
    clustered: bool  # False when the interval ignores clustering (a single place)
    problem: str = ""  # why there is no estimate (empty when there is one)


@dataclass(frozen=True)
class RoundEstimates:
    round_id: int
    by: str | None
    respondents: int  # rows used
    excluded: dict[str, int]  # quality flag -> submissions left out
    population_year: int | None
    post_stratified: bool
    results: dict[str, IndicatorResult]  # code -> result, in the round's indicator order
    domain_keys: list[str]  # ordered domain keys of ``by`` (``[ALL]`` when None)
    place_names: dict[str, str]  # P-code -> name (for ``by="place"`` and the map)
    missing_cells: list[tuple[str, str, str]]  # (P-code, sex, age band) without respondents
    warnings: list[str] = field(default_factory=list)

    @property
    def estimates(self) -> dict[str, dict[str, Estimate]]:
        """The contract's shape: per indicator code a ``{domain key: Estimate}``."""
        return {code: r.estimates for code, r in self.results.items()}

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def is_suppressed(estimate: Estimate | None) -> bool:
    """Too few respondents to show (or no estimate at all)."""
    return estimate is None or estimate.n < SUPPRESS_N or not math.isfinite(estimate.value)


def comparable(a: IndicatorResult | None, b: IndicatorResult | None) -> bool:
    """Whether two rounds asked the same question (same version, or a declared comparable one)."""
    if a is None or b is None:
        return False
    if a.version == b.version:
        return True
    later, earlier = (a, b) if a.version > b.version else (b, a)
    return later.indicator is not None and earlier.version in later.indicator.comparable_with


def change_between(
    previous: IndicatorResult | None, current: IndicatorResult | None, key: str = ALL
) -> Change | None:
    """Change of one domain from ``previous`` to ``current`` (None when not comparable or either
    side is suppressed)."""
    if previous is None or current is None or not comparable(previous, current):
        return None
    a = previous.estimates.get(key) if key != ALL else previous.overall
    b = current.estimates.get(key) if key != ALL else current.overall
    if a is None or b is None or is_suppressed(a) or is_suppressed(b):
        return None
    return stats.difference(a, b)
