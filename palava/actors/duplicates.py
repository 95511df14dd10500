"""Duplicate actors: candidate pairs found by blocking, scored by adding up evidence.

Comparing every pair of a 5,000-actor registry is 12.5 million name comparisons; instead each
actor is put into a few *blocks* (``blocking_keys``) and only actors sharing a block are
compared:

- two words of a name by their phonetic keys (``mhmt|trr`` for "Mohamed Traoré", whatever the
  order and spelling), and one word's key with the first letter of another (so "J. Kabila"
  meets "Joseph Kabila");
- one word's key with the first two letters of another word's key (one word spelled far off);
- for a one-word name, its word's key against every name that has that word, unless the word
  is too common to be informative ("Abbé Malumalu" meets "Apollinaire Malumalu" this way);
- the same phone or e-mail pseudonym (never the number itself).

A pair is scored by name similarity (``palava.actors.names``) plus evidence: same phone or
e-mail (strong), same place or neighbouring places (moderate), same type (weak); persons are not
matched with organisations. Reasons are given in plain, translatable words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from palava.actors.models import Actor
from palava.actors.names import name_similarity, normalise_name, translit_key
from palava.core import crypto
from palava.missions.models import Membership, Mission
from palava.places.models import AdminUnit

# Name similarity at which two names alone are taken for the same person (tuned on
# tests/actors/data/name_pairs.csv: see tests/actors/test_names.py for precision and recall).
NAME_THRESHOLD = 0.86
# A candidate needs this total score (name similarity plus evidence).
DEFAULT_THRESHOLD = NAME_THRESHOLD
SAME_PHONE = 0.35
SAME_EMAIL = 0.30
SAME_PLACE = 0.08
NEAR_PLACE = 0.04
SAME_TYPE = 0.03
OTHER_KIND = -0.30
# A block larger than this holds a word too common to tell anyone apart (e.g. "mohamed" alone).
MAX_BLOCK = 60
# Names and alternate names compared per actor, and words per name used for blocking.
MAX_NAMES = 6
MAX_WORDS = 6


@dataclass
class ActorRecord:
    """What candidate generation needs of an actor (no contact values, only pseudonyms)."""

    pk: int
    names: tuple[str, ...]
    kind: str = ""
    actor_type: str = ""
    admin_unit_id: int | None = None
    unit_path: str = ""
    unit_parent_id: int | None = None
    phone_pseudonym: str = ""
    email_pseudonym: str = ""


@dataclass
class Candidate:
    """Two actors that may be the same, with the score and the reasons, strongest first."""

    a: Actor
    b: Actor
    score: float
    name_score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class SimilarActor:
    actor: Actor
    score: float
    name_score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class BlockingStats:
    """How much work candidate generation did: actors, pairs compared, all possible pairs."""

    actors: int = 0
    comparisons: int = 0
    blocks: int = 0
    skipped_blocks: int = 0

    @property
    def all_pairs(self) -> int:
        return self.actors * (self.actors - 1) // 2


def blocking_keys(record: ActorRecord) -> set[str]:
    """The blocks an actor belongs to (see the module docstring)."""
    keys: set[str] = set()
    for name in record.names[:MAX_NAMES]:
        words = normalise_name(name).split()[:MAX_WORDS]
        full = [w for w in words if len(w) > 1]
        initials = {w for w in words if len(w) == 1}
        word_keys = sorted({translit_key(w) for w in full})
        keys.update("w:" + key for key in word_keys)
        if len(word_keys) == 1 and not initials:
            keys.add("o:" + word_keys[0])
        for k1, k2 in combinations(word_keys, 2):
            keys.add(f"p:{k1}|{k2}")
        for w1 in full:
            k1 = translit_key(w1)
            for w2 in full:
                if w1 != w2:
                    keys.add(f"i:{w2[0]}|{k1}")
                    keys.add(f"q:{k1}|{translit_key(w2)[:2]}")
            for letter in initials:
                keys.add(f"i:{letter}|{k1}")
    if record.phone_pseudonym:
        keys.add("ph:" + record.phone_pseudonym)
    if record.email_pseudonym:
        keys.add("em:" + record.email_pseudonym)
    return keys


def candidate_pairs(
    records: Sequence[ActorRecord],
    *,
    focus: int | None = None,
    stats: BlockingStats | None = None,
) -> set[tuple[int, int]]:
    """Pairs of record positions sharing a block; ``focus`` keeps only pairs with that one."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in blocking_keys(record):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    stats = stats if stats is not None else BlockingStats()
    stats.actors = len(records)
    if focus is not None:
        for partner in _focus_partners(blocks, blocking_keys(records[focus])):
            if partner != focus:
                pairs.add((min(focus, partner), max(focus, partner)))
        stats.comparisons = len(pairs)
        return pairs
    for key, members in blocks.items():
        if key.startswith("w:"):
            continue  # used only with one-word names, below
        if key.startswith("o:"):
            # a one-word name meets every name that has this word, if the word is not common
            words = blocks.get("w:" + key[2:], [])
            if len(words) > MAX_BLOCK:
                stats.skipped_blocks += 1
                continue
            others = sorted(set(words))
        else:
            others = members
        if len(others) < 2:
            continue
        strong = key.startswith(("ph:", "em:", "p:"))
        if len(members) > MAX_BLOCK and not strong:
            stats.skipped_blocks += 1
            continue
        stats.blocks += 1
        if key.startswith("o:"):
            pairs.update((min(m, o), max(m, o)) for m in members for o in others if m != o)
        else:
            pairs.update(combinations(sorted(members), 2))
    stats.comparisons = len(pairs)
    return pairs


def _focus_partners(blocks: dict[str, list[int]], keys: set[str]) -> set[int]:
    """Everyone sharing an informative block with one actor whose blocks are ``keys``."""
    partners: set[int] = set()
    for key in keys:
        if key.startswith("w:"):
            if len(blocks.get(key, [])) <= MAX_BLOCK:
                partners.update(blocks.get("o:" + key[2:], []))
        elif key.startswith("o:"):
            words = blocks.get("w:" + key[2:], [])
            if len(words) <= MAX_BLOCK:
                partners.update(words)
        elif key.startswith(("ph:", "em:", "p:")) or len(blocks.get(key, [])) <= MAX_BLOCK:
            partners.update(blocks.get(key, []))
    return partners


def _name_score(a: ActorRecord, b: ActorRecord) -> float:
    best = 0.0
    for name_a in a.names[:MAX_NAMES]:
        for name_b in b.names[:MAX_NAMES]:
            best = max(best, name_similarity(name_a, name_b))
            if best >= 1.0:
                return best
    return best


def score_pair(a: ActorRecord, b: ActorRecord) -> tuple[float, float, list[str]]:
    """``(score, name score, reasons)`` for two actors."""
    name_score = _name_score(a, b)
    score = name_score
    reasons: list[str] = []
    if name_score >= 0.999:
        reasons.append(_("Same name"))
    elif name_score >= 0.7:
        reasons.append(
            _("Similar names (%(percent)d%% alike)") % {"percent": round(name_score * 100)}
        )
    if a.phone_pseudonym and a.phone_pseudonym == b.phone_pseudonym:
        score += SAME_PHONE
        reasons.insert(0, _("Same phone number"))
    if a.email_pseudonym and a.email_pseudonym == b.email_pseudonym:
        score += SAME_EMAIL
        reasons.insert(0, _("Same e-mail address"))
    if a.admin_unit_id is not None and a.admin_unit_id == b.admin_unit_id:
        score += SAME_PLACE
        reasons.append(_("Same place"))
    elif _near(a, b):
        score += NEAR_PLACE
        reasons.append(_("Neighbouring places (same parent area)"))
    if a.actor_type and a.actor_type == b.actor_type:
        score += SAME_TYPE
        reasons.append(_("Same type"))
    if a.kind and b.kind and a.kind != b.kind:
        score += OTHER_KIND
        reasons.append(_("Different kinds (person, organisation or group)"))
    return max(0.0, min(1.0, score)), name_score, reasons


def _near(a: ActorRecord, b: ActorRecord) -> bool:
    if a.admin_unit_id is None or b.admin_unit_id is None:
        return False
    if a.unit_parent_id is not None and a.unit_parent_id == b.unit_parent_id:
        return True
    return a.unit_parent_id == b.admin_unit_id or b.unit_parent_id == a.admin_unit_id


_FIELDS = (
    "pk",
    "name",
    "alt_names",
    "kind",
    "actor_type",
    "admin_unit_id",
    "admin_unit__path",
    "admin_unit__parent_id",
    "phone_pseudonym",
    "email_pseudonym",
)


def _records(queryset: QuerySet[Actor]) -> list[ActorRecord]:
    out: list[ActorRecord] = []
    for row in queryset.order_by("pk").values(*_FIELDS):
        names = [row["name"], *[n for n in (row["alt_names"] or []) if isinstance(n, str)]]
        out.append(
            ActorRecord(
                pk=row["pk"],
                names=tuple(n for n in names if n.strip()),
                kind=row["kind"],
                actor_type=row["actor_type"],
                admin_unit_id=row["admin_unit_id"],
                unit_path=row["admin_unit__path"] or "",
                unit_parent_id=row["admin_unit__parent_id"],
                phone_pseudonym=row["phone_pseudonym"] or "",
                email_pseudonym=row["email_pseudonym"] or "",
            )
        )
    return out


def _base_queryset(mission: Mission, membership: Membership | None) -> QuerySet[Actor]:
    if membership is not None:
        from palava.actors.selectors import actors_visible

        if membership.mission_id != mission.pk:
            return Actor.objects.none()
        return actors_visible(membership=membership)
    return Actor.objects.filter(mission=mission, is_active=True)


def duplicate_candidates(
    *,
    mission: Mission,
    actor: Actor | None = None,
    membership: Membership | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int | None = None,
    stats: BlockingStats | None = None,
) -> list[Candidate]:
    """Active actors of ``mission`` that may be duplicates, best first.

    ``actor`` keeps only the pairs that include that actor; ``membership`` keeps only actors
    that member may see (scope and clearance); ``stats`` receives the comparison counts.
    """
    records = _records(_base_queryset(mission, membership))
    focus: int | None = None
    if actor is not None:
        focus = next((i for i, r in enumerate(records) if r.pk == actor.pk), None)
        if focus is None:
            return []
    scored: list[tuple[float, float, list[str], int, int]] = []
    for i, j in candidate_pairs(records, focus=focus, stats=stats):
        score, name_score, reasons = score_pair(records[i], records[j])
        if score >= threshold:
            scored.append((score, name_score, reasons, records[i].pk, records[j].pk))
    scored.sort(key=lambda item: (-item[0], -item[1], item[3], item[4]))
    if limit is not None:
        scored = scored[:limit]
    wanted = {pk for item in scored for pk in item[3:5]}
    actors = Actor.objects.select_related("admin_unit").in_bulk(wanted)
    return [
        Candidate(a=actors[pa], b=actors[pb], score=score, name_score=ns, reasons=reasons)
        for score, ns, reasons, pa, pb in scored
    ]


def find_similar_actors(
    *,
    mission: Mission,
    name: str,
    phone: str | None = None,
    admin_unit: AdminUnit | None = None,
    membership: Membership | None = None,
    kind: str = "",
    actor_type: str = "",
    threshold: float = 0.75,
    limit: int = 10,
) -> list[SimilarActor]:
    """Actors that may already be the one about to be created ("this person may exist").

    An actor with the same phone is always listed, whatever its name. ``phone`` is
    pseudonymised at once and never kept; an invalid number is ignored.
    """
    phone_pseudonym = ""
    if phone:
        try:
            phone_pseudonym = crypto.pseudonym(crypto.normalise_phone(phone), kind="phone")
        except crypto.InvalidPhoneNumber:
            phone_pseudonym = ""
    probe = ActorRecord(
        pk=0,
        names=(name,),
        kind=kind,
        actor_type=actor_type,
        admin_unit_id=admin_unit.pk if admin_unit is not None else None,
        unit_path=admin_unit.path if admin_unit is not None else "",
        unit_parent_id=admin_unit.parent_id if admin_unit is not None else None,
        phone_pseudonym=phone_pseudonym,
    )
    records = [probe, *_records(_base_queryset(mission, membership))]
    found: list[tuple[float, float, list[str], int]] = []
    for _i, j in candidate_pairs(records, focus=0):
        score, name_score, reasons = score_pair(probe, records[j])
        same_phone = bool(phone_pseudonym) and phone_pseudonym == records[j].phone_pseudonym
        if score >= threshold or same_phone:
            found.append((score, name_score, reasons, records[j].pk))
    found.sort(key=lambda item: (-item[0], -item[1], item[3]))
    found = found[:limit]
    actors = Actor.objects.select_related("admin_unit").in_bulk([item[3] for item in found])
    return [
        SimilarActor(actor=actors[pk], score=score, name_score=ns, reasons=reasons)
        for score, ns, reasons, pk in found
    ]


def blocking_recall(pairs: Iterable[tuple[str, str]]) -> float:
    """Share of name pairs that meet in at least one block (used to check the blocking)."""
    total = hit = 0
    for name_a, name_b in pairs:
        total += 1
        if blocking_keys(ActorRecord(pk=1, names=(name_a,))) & blocking_keys(
            ActorRecord(pk=2, names=(name_b,))
        ):
            hit += 1
    return hit / total if total else 1.0
