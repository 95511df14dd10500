"""The indicator bank: perception and trust questions with their coding in en/fr/ar.

Every entry is one question asked the same way in every round, so that results can be
compared over time and between places. The wording is our own, modelled on published
peacebuilding and accountability perception surveys (named in each entry's ``source``): the
Harvard Humanitarian Initiative / UNDP "Peace, Security and Reconciliation" polls in eastern
DRC and the Central African Republic, UN DPO community perception surveys of peacekeeping
missions, Ground Truth Solutions' affected-people surveys and UNDP/SeeD's SCORE index.

Versioning rule
---------------
* An entry is identified by ``(code, version)``. Once a version has been used in a round it is
  never edited: changing the question text (in any language), the choices or the coding
  (``positive``, ``excluded``, scores) adds a new version and keeps the old one in ``BANK``,
  so older forms are still recognised and their results still computed.
* In a form, version 1 of ``code`` is the question named ``code``; later versions are named
  ``f"{code}_v{version}"`` (``question_name``), so one form never mixes two versions silently.
* A new version lists an earlier one in ``comparable_with`` only when the change is minor:
  same choice list, same coding, same object, same reference period, and a rewording that a
  respondent would answer in the same way (a clarification, a better translation). A new
  scale, a new set of positive answers, a new object ("police" -> "army") or a new reference
  period ("past year" -> "past month") is a break in the series: ``comparable_with=()``.
  Trends (``estimates.series_trend``) join only rounds whose versions are equal or declared
  comparable.

Mean indicators are ``select_one`` questions whose choices carry a ``score``; agreement
scales also carry scores (1-5) so their mean can be shown next to the share agreeing.
"""

from __future__ import annotations

import re
from typing import Any

from palava.assessments.indicators import LANGUAGES, Indicator
from palava.assessments.indicators.choices import (
    AGREE5,
    AGREE_POSITIVE,
    BETTER_WORSE,
    CHOICE_LISTS,
    DOMAINS,
    EXTENT5,
    GROUP_CODES,
    GROUP_LABELS,
    NEED_CODES,
    NEED_LABELS,
    TRUST5,
    YES_NO_DK,
)
from palava.assessments.indicators.entries_accountability import ACCOUNTABILITY
from palava.assessments.indicators.entries_cohesion import COHESION
from palava.assessments.indicators.entries_safety import SAFETY_TRUST

__all__ = [
    "AGREE5",
    "AGREE_POSITIVE",
    "BANK",
    "BETTER_WORSE",
    "CHOICE_LISTS",
    "DOMAINS",
    "EXTENT5",
    "GROUP_CODES",
    "GROUP_LABELS",
    "LANGUAGES",
    "NEED_CODES",
    "NEED_LABELS",
    "PERCEPTION_GROUP",
    "STANDARD_PATHS",
    "TRUST5",
    "YES_NO_DK",
    "indicator_for_name",
    "indicator_get",
    "indicator_map_for",
    "indicator_versions",
    "indicators_latest",
    "question_name",
]

PERCEPTION_GROUP = "perception"

STANDARD_PATHS: dict[str, str] = {
    "place": "place",
    "sex": "respondent/sex",
    "age": "respondent/age",
    "group": "respondent/group",
    "needs": "needs/top_needs",
}

# The entries live in one module per group of domains (``entries_*``, built with ``builders`` from
# the answer lists of ``choices``); this is the bank order.
BANK: tuple[Indicator, ...] = (*SAFETY_TRUST, *ACCOUNTABILITY, *COHESION)

_BY_KEY: dict[tuple[str, int], Indicator] = {(i.code, i.version): i for i in BANK}
_NAME = re.compile(r"^(?P<code>[a-z][a-z0-9_]*?)(?:_v(?P<version>[0-9]+))?$")


def indicator_get(code: str, version: int | None = None) -> Indicator | None:
    """The entry ``(code, version)``; the latest version of ``code`` when ``version`` is None."""
    if version is not None:
        return _BY_KEY.get((code, version))
    found = [i for i in BANK if i.code == code]
    return max(found, key=lambda i: i.version) if found else None


def indicator_versions(code: str) -> list[Indicator]:
    """Every version of ``code``, oldest first."""
    return sorted((i for i in BANK if i.code == code), key=lambda i: i.version)


def indicators_latest() -> list[Indicator]:
    """The latest version of every indicator, in bank order."""
    seen: dict[str, Indicator] = {}
    for ind in BANK:
        if ind.code not in seen or ind.version > seen[ind.code].version:
            seen[ind.code] = ind
    order = list(dict.fromkeys(i.code for i in BANK))
    return [seen[code] for code in order]


def question_name(ind: Indicator) -> str:
    """The question's name in a form: ``code`` for version 1, ``code_vN`` after."""
    return ind.code if ind.version == 1 else f"{ind.code}_v{ind.version}"


def indicator_for_name(name: str) -> Indicator | None:
    """The bank entry a question name stands for (``code`` or ``code_vN``), if any."""
    direct = _BY_KEY.get((name, 1))
    if direct is not None:
        return direct
    match = _NAME.match(name)
    if match is None or match.group("version") is None:
        return None
    return _BY_KEY.get((match.group("code"), int(match.group("version"))))


def _walk(node: dict[str, Any], prefix: str, found: dict[str, dict[str, object]]) -> None:
    for child in node.get("children") or []:
        if not isinstance(child, dict):
            continue
        name = str(child.get("name") or "")
        kind = str(child.get("type") or "")
        path = f"{prefix}/{name}" if prefix else name
        if kind in ("group", "repeat"):
            if kind == "group":  # answers inside repeats are not one per respondent
                _walk(child, path, found)
            continue
        ind = indicator_for_name(name)
        if ind is None:
            continue
        previous = found.get(ind.code)
        if previous is None or int(str(previous["version"])) < ind.version:
            found[ind.code] = {"path": path, "version": ind.version}


def indicator_map_for(definition: dict[str, Any]) -> dict[str, dict[str, object]]:
    """Bank questions found by name in a pyxform definition:
    ``{code: {"path": "group/name", "version": n}}`` (the highest version when a form holds
    several; questions inside repeats are ignored)."""
    found: dict[str, dict[str, object]] = {}
    if isinstance(definition, dict):
        _walk(definition, "", found)
    return found
