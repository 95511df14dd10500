"""Finding places by name: a picker search, and place names mentioned in free text.

Both work on ``search_text`` (the folded name, names in other languages and alternate names, one
per line; see :func:`palava.places.services.place_search_text`), so case, accents and
punctuation never matter and alternate spellings match. Plain ``LIKE`` / ``=`` lookups only:
the same results on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from typing import Literal, TypeVar

from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When

from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit, Site
from palava.places.selectors import admin_units_visible, sites_visible
from palava.places.text import fold

M = TypeVar("M", AdminUnit, Site)

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 100


class Rank:
    EXACT = 0
    PREFIX = 1
    WORD_PREFIX = 2
    CONTAINS = 3


@dataclass(frozen=True)
class PlaceHit:
    """A unit or a site found by a search; ``rank`` is a :class:`Rank` value."""

    kind: Literal["unit", "site"]
    code: str
    name: str
    level: int | None
    rank: int
    unit: AdminUnit | None = None
    site: Site | None = None


def ranked(rows: QuerySet[M], folded: str) -> QuerySet[M]:
    """Rows whose ``search_text`` contains ``folded`` (an already folded query), annotated with
    ``rank``: a whole name, a name's prefix, a word's prefix, else anywhere."""
    line_exact = (
        Q(search_text=folded)
        | Q(search_text__startswith=folded + "\n")
        | Q(search_text__endswith="\n" + folded)
        | Q(search_text__contains="\n" + folded + "\n")
    )
    line_prefix = Q(search_text__startswith=folded) | Q(search_text__contains="\n" + folded)
    word_prefix = Q(search_text__contains=" " + folded)
    return rows.filter(search_text__contains=folded).annotate(
        rank=Case(
            When(line_exact, then=Value(Rank.EXACT)),
            When(line_prefix, then=Value(Rank.PREFIX)),
            When(word_prefix, then=Value(Rank.WORD_PREFIX)),
            default=Value(Rank.CONTAINS),
            output_field=IntegerField(),
        )
    )


def place_search(
    *,
    membership: Membership,
    query: str,
    limit: int = 20,
    include_sites: bool = True,
    include_retired: bool = False,
) -> list[PlaceHit]:
    """Units and sites the member may see whose names contain ``query`` (folded), best first.

    Order: exact name, then name prefix, then a word of the name starting with the query, then
    anywhere; at equal rank units before sites, higher admin levels (country, province) before
    deeper ones, then by name. An empty query finds nothing.
    """
    folded = fold(query[:MAX_QUERY_LENGTH])
    limit = max(1, min(limit, MAX_LIMIT))
    if not folded:
        return []
    units = admin_units_visible(membership=membership)
    if not include_retired:
        units = units.filter(retired_at__isnull=True)
    hits = [
        PlaceHit(
            kind="unit",
            code=unit.pcode,
            name=unit.name,
            level=unit.level,
            rank=unit.rank,  # type: ignore[attr-defined]
            unit=unit,
        )
        for unit in ranked(units, folded).order_by(F("rank"), "level", "name", "pcode")[:limit]
    ]
    if include_sites:
        sites = sites_visible(membership=membership).select_related("admin_unit")
        if not include_retired:
            sites = sites.filter(retired_at__isnull=True)
        ranked_sites = ranked(sites, folded).order_by(F("rank"), "name", "code")[:limit]
        hits.extend(
            PlaceHit(
                kind="site",
                code=site.code,
                name=site.name,
                level=None,
                rank=site.rank,  # type: ignore[attr-defined]
                site=site,
                unit=site.admin_unit,
            )
            for site in ranked_sites
        )
    hits.sort(key=lambda h: (h.rank, h.kind != "unit", h.level or 0, fold(h.name), h.code))
    return hits[:limit]


# --- Place names in free text ----------------------------------------------------------------

MIN_NAME_LENGTH = 3
"""Folded names shorter than this are never matched in free text (too many false hits)."""


@dataclass(frozen=True)
class TextMatch:
    """A place name found in a text: ``text[start:end]`` is the original wording."""

    start: int
    end: int
    text: str
    folded: str
    units: tuple[AdminUnit, ...]
    sites: tuple[Site, ...]


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, the index of the original one.

    Same rules as :func:`palava.places.text.fold`: accents dropped, case folded, runs of
    non-word characters become one space, no leading or trailing space.
    """
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        decomposed = unicodedata.normalize("NFKD", char)
        for part in decomposed:
            if unicodedata.combining(part):
                continue
            for low in part.casefold():
                if low.isalnum():
                    out.append(low)
                    where.append(index)
                elif out and out[-1] != " ":
                    out.append(" ")
                    where.append(index)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


@dataclass
class _NameIndex:
    version: tuple[int, int, str]
    # first word -> [(words of the name, unit ids, site ids)], longest names first
    by_first_word: dict[str, list[tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]]]


_name_cache: dict[int, _NameIndex] = {}
_name_lock = threading.Lock()


def _names_version(mission: Mission) -> tuple[int, int, str]:
    """Changes whenever a unit or site of the mission is added, changed or removed."""
    units = AdminUnit.objects.filter(mission=mission).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    sites = Site.objects.filter(mission=mission).aggregate(n=Count("id"), last=Max("updated_at"))
    return (mission.pk, units["n"] * 1_000_003 + sites["n"], f"{units['last']}|{sites['last']}")


def _build_index(mission: Mission, version: tuple[int, int, str]) -> _NameIndex:
    names: dict[tuple[str, ...], tuple[list[int], list[int]]] = {}
    sources: list[tuple[str, int, str]] = [
        ("unit", pk, text)
        for pk, text in AdminUnit.objects.filter(
            mission=mission, retired_at__isnull=True
        ).values_list("id", "search_text")
    ]
    sources += [
        ("site", pk, text)
        for pk, text in Site.objects.filter(mission=mission, retired_at__isnull=True).values_list(
            "id", "search_text"
        )
    ]
    for kind, pk, text in sources:
        for line in text.split("\n"):
            if len(line.replace(" ", "")) < MIN_NAME_LENGTH:
                continue
            units, sites = names.setdefault(tuple(line.split(" ")), ([], []))
            (units if kind == "unit" else sites).append(pk)
    by_first: dict[str, list[tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]]] = {}
    for words, (units, sites) in names.items():
        by_first.setdefault(words[0], []).append((words, tuple(units), tuple(sites)))
    for entries in by_first.values():
        entries.sort(key=lambda e: -len(e[0]))
    return _NameIndex(version=version, by_first_word=by_first)


def _name_index(mission: Mission) -> _NameIndex:
    version = _names_version(mission)
    with _name_lock:
        cached = _name_cache.get(mission.pk)
        if cached is not None and cached.version == version:
            return cached
    index = _build_index(mission, version)
    with _name_lock:
        _name_cache[mission.pk] = index
    return index


def match_place_in_text(*, mission: Mission, text: str) -> list[TextMatch]:
    """Place names (current units and sites, any of their names) mentioned in ``text``.

    Matching is on whole words of the folded text, so "Goma" is found in "à GOMA," but not in
    "Gomaville"; where names overlap the longest wins ("Nord-Kivu" over "Kivu"). A name shared
    by several places gives one match listing them all. This reads the whole mission, not a
    member's scope: it serves message triage, whose results are filtered later.
    """
    folded, where = fold_with_offsets(text)
    if not folded:
        return []
    index = _name_index(mission)
    words: list[tuple[str, int, int]] = []  # (word, start, end) in the folded text
    position = 0
    for word in folded.split(" "):
        words.append((word, position, position + len(word)))
        position += len(word) + 1
    found: list[tuple[int, int, str, tuple[int, ...], tuple[int, ...]]] = []
    i = 0
    while i < len(words):
        for name_words, unit_ids, site_ids in index.by_first_word.get(words[i][0], []):
            size = len(name_words)
            if tuple(w for w, _s, _e in words[i : i + size]) == name_words:
                start, end = words[i][1], words[i + size - 1][2]
                found.append(
                    (where[start], where[end - 1] + 1, " ".join(name_words), unit_ids, site_ids)
                )
                i += size
                break
        else:
            i += 1
    if not found:
        return []
    all_units = {u.pk: u for u in AdminUnit.objects.filter(pk__in={p for f in found for p in f[3]})}
    all_sites = {s.pk: s for s in Site.objects.filter(pk__in={p for f in found for p in f[4]})}
    return [
        TextMatch(
            start=start,
            end=end,
            text=text[start:end],
            folded=name,
            units=tuple(sorted((all_units[p] for p in unit_ids), key=lambda u: u.path)),
            sites=tuple(sorted((all_sites[p] for p in site_ids), key=lambda s: s.code)),
        )
        for start, end, name, unit_ids, site_ids in found
    ]
