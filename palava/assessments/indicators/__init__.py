"""The perception and trust indicator bank (types; lookup in ``bank.py``, entries in ``entries_*``).

Each indicator is one question with a fixed coding, shipped in English, French and Arabic, and
versioned: changing a question's wording or choices makes a new version, and trends only join
rounds that asked the same ``(code, version)`` (or versions declared ``comparable_with``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")

Kind = Literal["proportion", "mean"]


@dataclass(frozen=True)
class Choice:
    name: str  # the XLSForm choice name stored in submissions
    labels: dict[str, str]  # language code -> label (en, fr, ar)
    score: float | None = None  # numeric value for "mean" indicators (None: not scored)


@dataclass(frozen=True)
class Indicator:
    code: str  # stable identifier, also the default question name, e.g. "safety_feel_safe"
    version: int
    domain: str  # e.g. "safety", "trust", "accountability", "participation", "assistance"
    labels: dict[str, str]  # the question, per language
    hints: dict[str, str]  # the indicator's short title for charts, per language
    question_type: str  # XLSForm type without the list name: "select_one" or "integer"
    list_name: str  # the choices list name (shared lists such as "agree5" are allowed)
    choices: tuple[Choice, ...]
    kind: Kind  # "proportion": share answering one of ``positive``; "mean": mean of scores
    positive: tuple[str, ...] = ()  # choice names counted as "yes" for a proportion
    excluded: tuple[str, ...] = ("dont_know", "refused")  # left out of the denominator
    comparable_with: tuple[int, ...] = ()  # earlier versions whose results may be trended
    source: str = ""  # where the wording comes from (e.g. "UNDP/HHI peacebuilding surveys")
    tags: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]

    def title(self, language: str) -> str:
        return self.hints.get(language) or self.hints["en"]
