"""Where a message is about, for a whole triage batch at once.

In this order: the sender's coordinates (the admin unit whose boundary covers them, refined by
the nearest site; :func:`palava.places.locate.locate_many`), else the place the sender gave in a
form, else place names found in the text, else the channel's default area.

Names are matched on whole words of the folded text (case, accents and punctuation ignored),
against every name of the mission's current units and sites (other languages and alternate
spellings included), the longest name first, as :func:`palava.places.search.match_place_in_text`
does. Unlike it, a word of at least :data:`FUZZY_MIN_CHARS` letters also matches a name one
typing slip away (a letter missing, added, changed or two swapped: "Kanyabyaonga"), when no
exact name matches there. The index is built once per mission and process and rebuilt when the
gazetteer changes, so a batch costs a few queries whatever its size.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max
from rapidfuzz.distance import OSA

from palava.feedback.models import LabelSource
from palava.missions.models import Mission
from palava.places.locate import locate_many
from palava.places.models import AdminUnit, Site
from palava.places.search import MIN_NAME_LENGTH, ranked
from palava.places.text import fold

FUZZY_MIN_CHARS = 6
"""Shorter words are matched exactly only: one slip in a short word is another word."""
MAX_TEXT_WORDS = 400
MAX_GIVEN_PLACE_CHARS = 200


@dataclass(frozen=True)
class PlaceInput:
    text: str
    latitude: float | None = None
    longitude: float | None = None
    given_place: str = ""
    default_unit_id: int | None = None
    folded: str = ""
    """``fold(text)`` when the caller has it already (``Message.search_text``)."""


@dataclass(frozen=True)
class Placed:
    admin_unit_id: int | None
    site_id: int | None
    source: str
    latitude: float | None = None
    longitude: float | None = None
    fuzzy: bool = False


NOWHERE = Placed(admin_unit_id=None, site_id=None, source=LabelSource.NONE)


@dataclass(frozen=True)
class _Place:
    unit_id: int
    site_id: int | None
    level: float  # a site counts as half a level below its unit
    path: str
    latitude: float | None
    longitude: float | None


@dataclass
class NameIndex:
    version: tuple[Any, ...]
    by_first_word: dict[str, list[tuple[tuple[str, ...], tuple[_Place, ...]]]] = field(
        default_factory=dict
    )
    fuzzy_keys: dict[str, set[str]] = field(default_factory=dict)
    unit_by_path: dict[str, int] = field(default_factory=dict)
    unit_level: dict[int, int] = field(default_factory=dict)
    unit_path: dict[int, str] = field(default_factory=dict)

    def fuzzy_words(self, word: str) -> list[str]:
        """First words of names one slip away from ``word`` (never ``word`` itself)."""
        if len(word) < FUZZY_MIN_CHARS:
            return []
        keys = {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}
        found = {w for key in keys for w in self.fuzzy_keys.get(key, ())}
        return sorted(w for w in found if w != word and OSA.distance(w, word) <= 1)


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _version(mission: Mission) -> tuple[Any, ...]:
    units = AdminUnit.objects.filter(mission=mission).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    sites = Site.objects.filter(mission=mission).aggregate(n=Count("id"), last=Max("updated_at"))
    return (units["n"], units["last"], sites["n"], sites["last"])


def _build(mission: Mission, version: tuple[Any, ...]) -> NameIndex:
    index = NameIndex(version=version)
    names: dict[tuple[str, ...], list[_Place]] = {}
    units = AdminUnit.objects.filter(mission=mission, retired_at__isnull=True).values_list(
        "id", "search_text", "level", "path", "centroid_lat", "centroid_lon"
    )
    for pk, text, level, path, lat, lon in units:
        index.unit_by_path[path] = pk
        index.unit_level[pk] = level
        index.unit_path[pk] = path
        place = _Place(pk, None, float(level), path, lat, lon)
        for line in text.split("\n"):
            if len(line.replace(" ", "")) >= MIN_NAME_LENGTH:
                names.setdefault(tuple(line.split(" ")), []).append(place)
    sites = (
        Site.objects.filter(mission=mission, retired_at__isnull=True)
        .annotate(unit_level=F("admin_unit__level"), unit_path=F("admin_unit__path"))
        .values_list(
            "id", "search_text", "admin_unit_id", "unit_level", "unit_path", "latitude", "longitude"
        )
    )
    for pk, text, unit_id, level, path, lat, lon in sites:
        place = _Place(unit_id, pk, level + 0.5, path, lat, lon)
        for line in text.split("\n"):
            if len(line.replace(" ", "")) >= MIN_NAME_LENGTH:
                names.setdefault(tuple(line.split(" ")), []).append(place)
    for words, places in names.items():
        index.by_first_word.setdefault(words[0], []).append((words, tuple(places)))
        if len(words[0]) >= FUZZY_MIN_CHARS:
            for key in _deletions(words[0]):
                index.fuzzy_keys.setdefault(key, set()).add(words[0])
    for entries in index.by_first_word.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_cache: dict[int, NameIndex] = {}
_lock = threading.Lock()


def name_index(mission: Mission) -> NameIndex:
    """The mission's place-name index (cached per process; rebuilt when places change)."""
    version = _version(mission)
    with _lock:
        cached = _cache.get(mission.pk)
        if cached is not None and cached.version == version:
            return cached
    built = _build(mission, version)
    with _lock:
        _cache[mission.pk] = built
    return built


def name_index_clear() -> None:
    with _lock:
        _cache.clear()


# --- Finding names in a text -----------------------------------------------------------------


@dataclass(frozen=True)
class NameMatch:
    start: int  # word position
    words: tuple[str, ...]
    places: tuple[_Place, ...]
    fuzzy: bool


def _same(name_word: str, word: str, fuzzy: bool) -> bool:
    if name_word == word:
        return True
    return fuzzy and len(word) >= FUZZY_MIN_CHARS and OSA.distance(name_word, word) <= 1


def find_names(index: NameIndex, text: str, *, folded: bool = False) -> list[NameMatch]:
    """Place names in ``text``, left to right, the longest at each position; an exact name
    before a fuzzy one."""
    words = (text if folded else fold(text)).split(" ")[:MAX_TEXT_WORDS]
    found: list[NameMatch] = []
    i = 0
    while i < len(words):
        match = _match_at(index, words, i)
        if match is None:
            i += 1
            continue
        found.append(match)
        i += len(match.words)
    return found


def _match_at(index: NameIndex, words: Sequence[str], i: int) -> NameMatch | None:
    word = words[i]
    if not word:
        return None
    for name_words, places in index.by_first_word.get(word, ()):
        size = len(name_words)
        if tuple(words[i : i + size]) == name_words:
            return NameMatch(i, name_words, places, fuzzy=False)
    for first in index.fuzzy_words(word):
        for name_words, places in index.by_first_word.get(first, ()):
            size = len(name_words)
            window = words[i : i + size]
            if len(window) == size and all(
                _same(n, w, True) for n, w in zip(name_words[1:], window[1:], strict=True)
            ):
                return NameMatch(i, name_words, places, fuzzy=True)
    return None


def _common_unit(index: NameIndex, places: Sequence[_Place]) -> _Place | None:
    """The deepest unit above every one of ``places`` (they share a name)."""
    parts = [p.path.strip("/").split("/") for p in places]
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    if not common:
        return None
    path = "/" + "/".join(common) + "/"
    unit_id = index.unit_by_path.get(path)
    if unit_id is None:
        return None
    return _Place(unit_id, None, float(index.unit_level[unit_id]), path, None, None)


def _choose(
    index: NameIndex, matches: Sequence[NameMatch], default_unit_id: int | None
) -> tuple[_Place, bool] | None:
    """The most precise place named: exact names before fuzzy ones, then the deepest, then the
    first mentioned. A name shared by several places is narrowed to those inside the channel's
    area, else to the deepest unit they all lie in."""
    default_path = index.unit_path.get(default_unit_id) if default_unit_id is not None else None
    candidates: list[tuple[bool, float, int, _Place]] = []
    for order, match in enumerate(matches):
        places = list(match.places)
        if len(places) > 1 and default_path:
            inside = [p for p in places if p.path.startswith(default_path)]
            places = inside or places
        if len({(p.unit_id, p.site_id) for p in places}) > 1:
            common = _common_unit(index, places)
            if common is None:
                continue
            place = common
        else:
            place = places[0]
        candidates.append((not match.fuzzy, place.level, -order, place))
    if not candidates:
        return None
    exact, _level, _order, place = max(candidates, key=lambda c: (c[0], c[1], c[2]))
    return place, not exact


# --- The batch -------------------------------------------------------------------------------


def _given_place_search(mission: Mission, given: str) -> _Place | None:
    """The best unit or site whose names contain ``given`` (two queries; rare: most given
    places are whole names found in the index)."""
    folded = fold(given[:MAX_GIVEN_PLACE_CHARS])
    if len(folded) < MIN_NAME_LENGTH:
        return None
    unit = (
        ranked(AdminUnit.objects.filter(mission=mission, retired_at__isnull=True), folded)
        .order_by(F("rank"), "-level", "name", "pcode")
        .first()
    )
    site = (
        ranked(
            Site.objects.filter(mission=mission, retired_at__isnull=True).select_related(
                "admin_unit"
            ),
            folded,
        )
        .order_by(F("rank"), "name", "code")
        .first()
    )
    unit_rank = unit.rank if unit is not None else None  # type: ignore[attr-defined]
    if site is not None and (unit_rank is None or site.rank < unit_rank):  # type: ignore[attr-defined]
        return _Place(
            site.admin_unit_id,
            site.pk,
            site.admin_unit.level + 0.5,
            site.admin_unit.path,
            None,
            None,
        )
    if unit is not None:
        return _Place(unit.pk, None, float(unit.level), unit.path, None, None)
    return None


def place_many(mission: Mission, items: Sequence[PlaceInput]) -> list[Placed]:
    """Where each message is about (see the module docstring for the order)."""
    located = locate_many(
        mission=mission,
        points=[
            (float(item.latitude), float(item.longitude))
            for item in items
            if item.latitude is not None and item.longitude is not None
        ],
    )
    located_iter = iter(located)
    index: NameIndex | None = None
    out: list[Placed] = []
    for item in items:
        if item.latitude is not None and item.longitude is not None:
            where = next(located_iter)
            if where is not None:
                out.append(
                    Placed(
                        admin_unit_id=where.unit.pk,
                        site_id=where.site.pk if where.site is not None else None,
                        source=LabelSource.COORDINATES,
                        latitude=item.latitude,
                        longitude=item.longitude,
                    )
                )
                continue
        if index is None:
            index = name_index(mission)
        placed = _from_names(mission, index, item)
        if placed is None and item.default_unit_id is not None:
            placed = Placed(item.default_unit_id, None, LabelSource.CHANNEL)
        placed = placed or NOWHERE
        if item.latitude is not None and placed.latitude is None:
            placed = Placed(
                placed.admin_unit_id,
                placed.site_id,
                placed.source,
                item.latitude,
                item.longitude,
                placed.fuzzy,
            )
        out.append(placed)
    return out


def _placed(place: _Place, source: str, fuzzy: bool = False) -> Placed:
    return Placed(
        admin_unit_id=place.unit_id,
        site_id=place.site_id,
        source=source,
        latitude=place.latitude if place.site_id is not None else None,
        longitude=place.longitude if place.site_id is not None else None,
        fuzzy=fuzzy,
    )


def _from_names(mission: Mission, index: NameIndex, item: PlaceInput) -> Placed | None:
    if item.given_place.strip():
        chosen = _choose(index, find_names(index, item.given_place), item.default_unit_id)
        if chosen is not None:
            return _placed(chosen[0], LabelSource.GIVEN, chosen[1])
        searched = _given_place_search(mission, item.given_place)
        if searched is not None:
            return _placed(searched, LabelSource.GIVEN)
    found = find_names(index, item.folded or item.text, folded=bool(item.folded))
    chosen = _choose(index, found, item.default_unit_id)
    if chosen is not None:
        return _placed(chosen[0], LabelSource.TEXT, chosen[1])
    return None
