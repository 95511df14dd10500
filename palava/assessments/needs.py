"""The needs register's vocabulary: need codes and their labels, custom items, periods (quarters),
ODK ``rank`` questions of a form, and reading an exercise's stored inputs.

A participatory ranking ranks need codes (``NEED_CODES``, the same codes as the survey's
``needs/top_needs`` rank question) plus up to ``MAX_CUSTOM`` custom items named
``custom_<slug>`` whose label the group gave (kept in ``inputs["labels"]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NEED_CODES: tuple[str, ...] = (
    "water",
    "food",
    "health",
    "education",
    "security",
    "shelter",
    "livelihoods",
    "roads",
    "electricity",
    "justice",
    "documentation",
    "reconciliation",
)

NEEDS: dict[str, Promise] = {
    "water": gettext_lazy("Water"),
    "food": gettext_lazy("Food"),
    "health": gettext_lazy("Health care"),
    "education": gettext_lazy("Education"),
    "security": gettext_lazy("Security"),
    "shelter": gettext_lazy("Shelter"),
    "livelihoods": gettext_lazy("Livelihoods"),
    "roads": gettext_lazy("Roads"),
    "electricity": gettext_lazy("Electricity"),
    "justice": gettext_lazy("Justice"),
    "documentation": gettext_lazy("Civil documentation"),
    "reconciliation": gettext_lazy("Reconciliation"),
}

CUSTOM_PREFIX = "custom_"
CUSTOM_RE = re.compile(r"^custom_[a-z0-9](?:[a-z0-9_]{0,38}[a-z0-9])?$")
MAX_CUSTOM = 3
MIN_ITEMS = 2
MAX_ITEMS = len(NEED_CODES) + MAX_CUSTOM
MAX_LABEL = 80
MAX_RANKINGS = 500
MAX_COUNTERS = 10_000
MAX_PARTICIPANTS = 100_000
MAX_NOTES = 5_000
TOP = 5


def is_custom(code: str) -> bool:
    return bool(CUSTOM_RE.match(code))


def custom_code(label: str) -> str:
    """``custom_<slug>`` for a group's own item: ``"Market access"`` -> ``custom_market_access``."""
    slug = slugify(label).replace("-", "_").strip("_")[:40].strip("_")
    return f"{CUSTOM_PREFIX}{slug or 'item'}"


def need_label(code: str, labels: Mapping[str, str] | None = None) -> str:
    """The label of a need code in the active language; a custom item's own label."""
    if code in NEEDS:
        return str(NEEDS[code])
    if labels and labels.get(code):
        return str(labels[code])
    return code


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter (exercises are compared quarter to quarter)."""

    year: int
    quarter: int

    @property
    def label(self) -> str:
        return _("Q%(quarter)d %(year)d") % {"quarter": self.quarter, "year": self.year}

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self) -> str:
        return self.label


def period_of(day: date) -> Period:
    return Period(day.year, (day.month - 1) // 3 + 1)


def ranking_from_ranks(items: Sequence[str], ranks: Mapping[str, Any]) -> list[str]:
    """Items ordered by the rank numbers a group gave (1 = most important); every rank from 1
    to the number of items must be used exactly once."""
    n = len(items)
    by_rank: dict[int, str] = {}
    for item in items:
        raw = ranks.get(item)
        try:
            rank = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                _("Give every need a rank from 1 to %(n)d.") % {"n": n}, code="rank_missing"
            ) from None
        if not 1 <= rank <= n or rank in by_rank:
            raise ValidationError(
                _("The ranks must use each number from 1 to %(n)d exactly once.") % {"n": n},
                code="not_permutation",
            )
        by_rank[rank] = item
    return [by_rank[r] for r in range(1, n + 1)]


def _walk(node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for child in node.get("children") or []:
        if not isinstance(child, Mapping):
            continue
        name = str(child.get("name", ""))
        path = f"{prefix}{name}"
        yield path, child
        if child.get("type") == "group":
            yield from _walk(child, f"{path}/")


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


def rank_questions(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(path, label)`` of every ODK ``rank`` question of a pyxform definition (not inside a
    repeat: a repeat's answers are per member, not per respondent)."""
    return [
        (path, _text(node.get("label")) or path)
        for path, node in _walk(definition, "")
        if node.get("type") == "rank"
    ]


@dataclass
class ExerciseInputs:
    """An exercise's stored inputs, read tolerantly (older rows hold the bare list or dict)."""

    pairs: list[tuple[str, str, str]] = field(default_factory=list)
    rankings: list[list[str]] = field(default_factory=list)
    counters: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def read_inputs(method: str, inputs: Any) -> ExerciseInputs:
    result = ExerciseInputs()
    data: Any = inputs
    if isinstance(inputs, Mapping):
        raw_labels = inputs.get("labels")
        if isinstance(raw_labels, Mapping):
            result.labels = {str(k): str(v) for k, v in raw_labels.items()}
    if method == "pairwise":
        if isinstance(inputs, Mapping):
            data = inputs.get("pairs", [])
        for row in data if isinstance(data, list) else []:
            if isinstance(row, list | tuple) and len(row) == 3:
                result.pairs.append((str(row[0]), str(row[1]), str(row[2])))
    elif method == "borda":
        if isinstance(inputs, Mapping):
            data = inputs.get("rankings", [])
        for row in data if isinstance(data, list) else []:
            if isinstance(row, list):
                result.rankings.append([str(x) for x in row])
    elif method == "piling":
        if isinstance(inputs, Mapping):
            data = inputs.get("counters", {k: v for k, v in inputs.items() if k != "labels"})
        if isinstance(data, Mapping):
            for key, value in data.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    result.counters[str(key)] = float(value)
    return result
