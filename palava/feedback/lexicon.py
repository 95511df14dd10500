"""Cold-start triage: keyword lexicons per language, shipped in ``lexicons/<code>.json``.

A lexicon lists, for every category code of :mod:`palava.feedback.taxonomy` and for the urgency
levels ``life_threatening`` and ``urgent``, the words and phrases that point to it. Matching is on
the folded text (:func:`palava.places.text.fold`: case, accents and punctuation ignored) and on
whole words, so "fire" never matches "ceasefire". A term is written in plain words:

* ``"armed men"``: a phrase, its words consecutive in the text;
* ``"attack*"``: a word prefix (attack, attacked, attacking), at least 3 letters before ``*``;
* ``"food^3"``: a weight (default: the number of words, at most 3);
* ``{"all": [[...], [...]], "weight": 3}``: a rule matching when every group has a match
  anywhere in the text (e.g. a word for mission personnel *and* a word about sex).

Arabic words are also tried without their attached conjunctions, prepositions and article
(wa, fa, bi, li, ka, al), and with taa marbuta and alif maqsura written as haa and yaa, as
people write them both ways.

Scores add the weights of the distinct terms matched. A sub-category (``need_water``) that
matches inherits its parent's score, so "we need water" is ``need_water`` and not ``need``. The
best score wins, ties going to the protection categories first (see :data:`PRIORITY`); no match
gives :data:`palava.feedback.taxonomy.FALLBACK_CODE`. Urgency is ``life_threatening`` when such a
term matches, else ``urgent`` when one of those matches, else ``routine``; a restricted category
is always at least ``urgent``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from palava.feedback.language import SUPPORTED_LANGUAGES
from palava.feedback.taxonomy import DEFAULT_CATEGORIES, FALLBACK_CODE
from palava.places.text import fold

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
LEXICON_VERSION = "1"
"""Bump when the shipped lexicons change in a way that matters for ``Message.triage_version``."""

LIFE_THREATENING = "life_threatening"
URGENT = "urgent"
ROUTINE = "routine"
URGENCY_LEVELS = (LIFE_THREATENING, URGENT, ROUTINE)

PRIORITY: tuple[str, ...] = (
    "sea",
    "gbv",
    "child_protection",
    "security_threat",
    "violence_incident",
    "conduct_complaint",
    "tension_dispute",
    "need_health",
    "need_water",
    "need_food",
    "need_shelter",
    "need_education",
    "rumour",
    "information_request",
    "positive_feedback",
    "need",
    FALLBACK_CODE,
)
"""Order among equal scores: protection first, the catch-all last."""

NOT_EVENTS: frozenset[str] = frozenset({"rumour", "information_request", "positive_feedback"})
"""Categories that report no event: their "urgent" words (a rumour about an attack, a question
about a clinic) do not make them urgent; life-threatening words still do."""

MAX_TERMS = 5000
MAX_TERM_CHARS = 120
MAX_MISSION_KEYWORDS = 500
MIN_PREFIX_CHARS = 3
MAX_TEXT_CHARS = 2000
DEFAULT_MISSION_WEIGHT = 2.0

_WEIGHT = re.compile(r"\^(\d+(?:\.\d+)?)$")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_VARIANTS = str.maketrans({"\u0629": "\u0647", "\u0649": "\u064a", "\u0640": None})
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


class LexiconError(ValueError):
    """A lexicon file or a mission's keywords cannot be used."""


def normalise(text: str, *, folded: bool = False) -> str:
    """Folded text with Arabic spelling variants unified (taa marbuta as haa, alif maqsura as
    yaa, no tatweel)."""
    out = text[:MAX_TEXT_CHARS] if folded else fold(text[:MAX_TEXT_CHARS])
    if _ARABIC.search(out):
        out = out.translate(_ARABIC_VARIANTS)
    return out


def _variants(token: str) -> tuple[str, ...]:
    if not _ARABIC.search(token):
        return (token,)
    out = [token]
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            out.append(token[len(prefix) :])
    return tuple(dict.fromkeys(out))


# --- Compiling -------------------------------------------------------------------------------

Word = tuple[str, bool]  # (folded text, is a prefix)


@dataclass(frozen=True)
class Rule:
    target: str
    weight: float
    groups: tuple[frozenset[int], ...]
    label: str


class RuleIndex:
    """Rules by the term they need, so scoring a text looks only at the terms it contains."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.single: dict[int, list[tuple[int, Rule]]] = {}
        self.combos: list[tuple[int, Rule]] = []
        for position, rule in enumerate(rules):
            if len(rule.groups) == 1 and len(rule.groups[0]) == 1:
                (term_id,) = rule.groups[0]
                self.single.setdefault(term_id, []).append((position, rule))
            else:
                self.combos.append((position, rule))

    def scores(self, found: set[int]) -> tuple[dict[str, float], list[str]]:
        matched = [hit for term_id in found for hit in self.single.get(term_id, ())]
        matched += [
            (position, rule)
            for position, rule in self.combos
            if all(group & found for group in rule.groups)
        ]
        scores: dict[str, float] = {}
        for _position, rule in matched:
            scores[rule.target] = scores.get(rule.target, 0.0) + rule.weight
        return scores, [rule.label for _position, rule in sorted(matched, key=lambda m: m[0])]


@dataclass
class Compiled:
    """Terms indexed by their first word, and the rules that use them."""

    terms: list[tuple[Word, ...]] = field(default_factory=list)
    term_ids: dict[tuple[Word, ...], int] = field(default_factory=dict)
    exact: dict[str, list[int]] = field(default_factory=dict)
    prefixed: dict[str, list[int]] = field(default_factory=dict)
    categories: list[Rule] = field(default_factory=list)
    urgency: list[Rule] = field(default_factory=list)
    _seen: set[tuple[int, str, tuple[frozenset[int], ...]]] = field(default_factory=set)
    _indexes: dict[str, tuple[int, RuleIndex]] = field(default_factory=dict)

    def score(self, kind: str, found: set[int]) -> tuple[dict[str, float], list[str]]:
        """Scores by target of the ``kind`` rules ("categories" or "urgency") and the labels
        of the rules that matched."""
        rules: list[Rule] = self.categories if kind == "categories" else self.urgency
        cached = self._indexes.get(kind)
        if cached is None or cached[0] != len(rules):
            cached = (len(rules), RuleIndex(rules))
            self._indexes[kind] = cached
        return cached[1].scores(found)

    def term(self, text: str) -> tuple[int, float | None]:
        """The id of a term (added if new) and its explicit weight, if any."""
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TERM_CHARS:
            raise LexiconError(f"not a usable term: {text!r}")
        weight: float | None = None
        found = _WEIGHT.search(text.strip())
        if found:
            weight = float(found.group(1))
            text = text.strip()[: found.start()]
        words: list[Word] = []
        for raw in text.split():
            prefix = raw.endswith("*")
            folded = normalise(raw.rstrip("*"))
            if not folded:
                continue
            for part in folded.split(" ")[:-1]:
                words.append((part, False))
            last = folded.split(" ")[-1]
            if prefix and len(last) < MIN_PREFIX_CHARS:
                raise LexiconError(f"prefix too short in {text!r}")
            words.append((last, prefix))
        if not words:
            raise LexiconError(f"not a usable term: {text!r}")
        key = tuple(words)
        term_id = self.term_ids.get(key)
        if term_id is None:
            if len(self.terms) >= MAX_TERMS:
                raise LexiconError("too many terms")
            term_id = len(self.terms)
            self.terms.append(key)
            self.term_ids[key] = term_id
            first, is_prefix = key[0]
            if is_prefix:
                self.prefixed.setdefault(first[:MIN_PREFIX_CHARS], []).append(term_id)
            else:
                self.exact.setdefault(first, []).append(term_id)
        return term_id, weight

    def add(self, rules: list[Rule], target: str, entry: Any, default_weight: float | None) -> None:
        if isinstance(entry, str):
            term_id, weight = self.term(entry)
            if weight is None:
                weight = default_weight or float(min(3, len(self.terms[term_id])))
            groups: tuple[frozenset[int], ...] = (frozenset({term_id}),)
            key = (id(rules), target, groups)
            if key in self._seen:
                return  # the same term twice (e.g. "mai mai" and "maï maï"): counted once
            self._seen.add(key)
            rules.append(Rule(target, weight, groups, entry.split("^")[0].strip()))
            return
        if isinstance(entry, Mapping) and isinstance(entry.get("all"), list) and entry["all"]:
            sets: list[frozenset[int]] = []
            for group in entry["all"]:
                if not isinstance(group, list) or not group:
                    raise LexiconError(f"an 'all' rule of {target} has an empty group")
                sets.append(frozenset(self.term(t)[0] for t in group))
            weight = float(entry.get("weight", 3))
            label = " + ".join(str(g[0]) for g in entry["all"])
            rules.append(Rule(target, weight, tuple(sets), label))
            return
        raise LexiconError(f"not a usable entry for {target}: {entry!r}")

    def matches(self, tokens: Sequence[tuple[str, ...]]) -> set[int]:
        """Ids of the terms found in the tokenised text (each token with its variants)."""
        found: set[int] = set()
        for i, variants in enumerate(tokens):
            candidates: list[int] = []
            for variant in variants:
                candidates.extend(self.exact.get(variant, ()))
                candidates.extend(self.prefixed.get(variant[:MIN_PREFIX_CHARS], ()))
            for term_id in candidates:
                if term_id not in found and _match_at(self.terms[term_id], tokens, i):
                    found.add(term_id)
        return found


def _word_matches(word: Word, variants: tuple[str, ...]) -> bool:
    text, prefix = word
    return any(v.startswith(text) if prefix else v == text for v in variants)


def _match_at(term: tuple[Word, ...], tokens: Sequence[tuple[str, ...]], start: int) -> bool:
    if start + len(term) > len(tokens):
        return False
    return all(_word_matches(word, tokens[start + k]) for k, word in enumerate(term))


def tokenise(text: str, *, folded: bool = False) -> list[tuple[str, ...]]:
    normalised = normalise(text, folded=folded)
    return [_variants(token) for token in normalised.split(" ") if token]


# --- Shipped lexicons ------------------------------------------------------------------------


@lru_cache(maxsize=16)
def lexicon_data(language: str) -> dict[str, Any]:
    """The parsed JSON lexicon of ``language`` (one of :data:`SUPPORTED_LANGUAGES`)."""
    if language not in SUPPORTED_LANGUAGES:
        raise LexiconError(f"no lexicon for {language!r}")
    data = json.loads((LEXICON_DIR / f"{language}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("language") != language:
        raise LexiconError(f"lexicon {language}.json does not say it is {language!r}")
    if not isinstance(data.get("categories"), dict) or not isinstance(data.get("urgency"), dict):
        raise LexiconError(f"lexicon {language}.json needs 'categories' and 'urgency'")
    return data


def _compile_data(compiled: Compiled, data: Mapping[str, Any]) -> None:
    for code, entries in data["categories"].items():
        for entry in entries:
            compiled.add(compiled.categories, code, entry, None)
    for level, entries in data["urgency"].items():
        if level not in (LIFE_THREATENING, URGENT):
            raise LexiconError(f"unknown urgency level {level!r}")
        for entry in entries:
            compiled.add(compiled.urgency, level, entry, None)


_base_lock = threading.Lock()
_base: dict[str, Compiled] = {}

ALL_LANGUAGES = "*"


def base_lexicon(language: str) -> Compiled:
    """The compiled shipped lexicon of ``language``, or of all languages for ``"*"``/``""``."""
    key = language if language in SUPPORTED_LANGUAGES else ALL_LANGUAGES
    with _base_lock:
        found = _base.get(key)
        if found is None:
            found = Compiled()
            for code in SUPPORTED_LANGUAGES if key == ALL_LANGUAGES else (key,):
                _compile_data(found, lexicon_data(code))
            _base[key] = found
    return found


# --- A mission's lexicon ---------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryInfo:
    """What the lexicon needs to know of a mission's category."""

    code: str
    parent: str = ""
    is_restricted: bool = False
    keywords: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort_order: int = 0


@dataclass(frozen=True)
class LexiconResult:
    category: str
    confidence: float
    urgency: str
    matched: tuple[str, ...] = ()


class MissionLexicon:
    """The shipped lexicons plus a mission's own keywords, for the mission's active categories."""

    def __init__(self, categories: Iterable[CategoryInfo]) -> None:
        self.categories = {c.code: c for c in categories}
        order = {code: i for i, code in enumerate(PRIORITY)}
        self._rank = {
            code: (order.get(code, len(PRIORITY) - 1), info.sort_order, code)
            for code, info in self.categories.items()
        }
        self.extras: dict[str, Compiled] = {}
        count = 0
        for info in self.categories.values():
            for language, words in (info.keywords or {}).items():
                if not isinstance(words, list | tuple):
                    raise LexiconError(f"keywords of {info.code} for {language!r} are not a list")
                for word in words:
                    count += 1
                    if count > MAX_MISSION_KEYWORDS:
                        raise LexiconError("too many mission keywords")
                    key = language if language in SUPPORTED_LANGUAGES else ALL_LANGUAGES
                    compiled = self.extras.setdefault(key, Compiled())
                    compiled.add(compiled.categories, info.code, word, DEFAULT_MISSION_WEIGHT)

    def _extra_scores(
        self, language: str, tokens: Sequence[tuple[str, ...]]
    ) -> tuple[dict[str, float], list[str]]:
        scores: dict[str, float] = {}
        labels: list[str] = []
        keys = (
            [ALL_LANGUAGES, *SUPPORTED_LANGUAGES]
            if language not in SUPPORTED_LANGUAGES
            else [ALL_LANGUAGES, language]
        )
        for key in keys:
            compiled = self.extras.get(key)
            if compiled is None:
                continue
            more, more_labels = compiled.score("categories", compiled.matches(tokens))
            for code, value in more.items():
                scores[code] = scores.get(code, 0.0) + value
            labels += more_labels
        return scores, labels

    def _category(self, scores: Mapping[str, float]) -> tuple[str, float]:
        own = {c: s for c, s in scores.items() if c in self.categories and s > 0}
        if not own:
            return (FALLBACK_CODE if FALLBACK_CODE in self.categories else ""), 0.0
        effective = dict(own)
        for code, score in own.items():
            parent = self.categories[code].parent
            if parent and parent in own:
                effective[code] = score + own[parent]
        best = min(effective, key=lambda c: (-effective[c], self._rank[c]))
        total = sum(own.values())
        share = min(1.0, effective[best] / total)
        strength = effective[best] / (effective[best] + 1.5)
        return best, round(share * strength, 3)

    def classify(self, text: str, language: str = "", *, folded: bool = False) -> LexiconResult:
        """Category (code), confidence and urgency of ``text`` written in ``language``."""
        tokens = tokenise(text, folded=folded)
        lexicon = base_lexicon(language)
        found = lexicon.matches(tokens)
        scores, labels = lexicon.score("categories", found)
        extra, extra_labels = self._extra_scores(language, tokens)
        for code, value in extra.items():
            scores[code] = scores.get(code, 0.0) + value
        labels += extra_labels
        if language in SUPPORTED_LANGUAGES and not any(
            s > 0 for c, s in scores.items() if c in self.categories
        ):
            # Nothing in the detected language: people mix languages, try them all.
            lexicon = base_lexicon(ALL_LANGUAGES)
            found = lexicon.matches(tokens)
            scores, labels = lexicon.score("categories", found)
        category, confidence = self._category(scores)
        urgency_scores, urgency_labels = lexicon.score("urgency", found)
        if urgency_scores.get(LIFE_THREATENING):
            urgency = LIFE_THREATENING
        elif urgency_scores.get(URGENT) and category not in NOT_EVENTS:
            urgency = URGENT
        else:
            urgency = ROUTINE
        info = self.categories.get(category)
        if urgency == ROUTINE and info is not None and info.is_restricted:
            urgency = URGENT
        return LexiconResult(
            category=category,
            confidence=confidence,
            urgency=urgency,
            matched=tuple(dict.fromkeys(labels + urgency_labels)),
        )


def default_categories() -> list[CategoryInfo]:
    """The default taxonomy as :class:`CategoryInfo` (tests, evaluation without a mission)."""
    return [
        CategoryInfo(code=c.code, parent=c.parent, is_restricted=c.restricted, sort_order=i)
        for i, c in enumerate(DEFAULT_CATEGORIES)
    ]
