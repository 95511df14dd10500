"""Participatory ranking: pairwise ranking matrices, Borda counts and proportional piling."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def pairwise_scores(items: Sequence[str], winners: Mapping[tuple[str, str], str]) -> dict[str, int]:
    """Wins per item in a pairwise ranking matrix; unanswered pairs are allowed."""
    if len(set(items)) != len(items):
        raise ValueError("items must not contain duplicates.")
    known = set(items)
    scores = dict.fromkeys(items, 0)
    seen: set[frozenset[str]] = set()
    for (first, second), winner in winners.items():
        if first not in known or second not in known:
            raise ValueError(f"Pair ({first!r}, {second!r}) names an item not in the list.")
        if first == second:
            raise ValueError(f"Pair ({first!r}, {second!r}) compares an item with itself.")
        key = frozenset((first, second))
        if key in seen:
            raise ValueError(f"Pair ({first!r}, {second!r}) is answered twice.")
        seen.add(key)
        if winner not in (first, second):
            raise ValueError(
                f"Winner {winner!r} of pair ({first!r}, {second!r}) is not one of the pair."
            )
        scores[winner] += 1
    return scores


def pairwise_rank(items: Sequence[str], winners: Mapping[tuple[str, str], str]) -> list[str]:
    """Items from most to fewest pairwise wins (ties by name)."""
    return rank_order(pairwise_scores(items, winners))


def borda(rankings: Sequence[Sequence[str]], items: Sequence[str]) -> dict[str, float]:
    """Borda count: n-1 points for first place down to 0 for last; unranked items score 0."""
    if len(set(items)) != len(items):
        raise ValueError("items must not contain duplicates.")
    n = len(items)
    scores = dict.fromkeys(items, 0.0)
    for i, ranking in enumerate(rankings):
        if len(set(ranking)) != len(ranking):
            raise ValueError(f"Ranking {i} lists an item more than once.")
        for position, item in enumerate(ranking):
            if item not in scores:
                raise ValueError(f"Ranking {i} names {item!r}, which is not in the items.")
            scores[item] += float(n - 1 - position)
    return scores


def proportional_piling(piles: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Average share per item, each participant's counters normalised to sum to 1.

    Participants who placed no counters at all are left out of the average.
    """
    totals: dict[str, float] = {}
    used = 0
    for i, pile in enumerate(piles):
        for item, count in pile.items():
            if not math.isfinite(count) or count < 0:
                raise ValueError(f"Participant {i} has a negative or invalid count for {item!r}.")
            totals.setdefault(item, 0.0)
        total = sum(pile.values())
        if total == 0:
            continue
        used += 1
        for item, count in pile.items():
            totals[item] += count / total
    if used == 0:
        return dict.fromkeys(totals, 0.0)
    return {item: share / used for item, share in totals.items()}


def normalise(scores: Mapping[str, float]) -> dict[str, float]:
    """Scores as shares summing to 1 (all zero when every score is zero)."""
    if any(not math.isfinite(v) or v < 0 for v in scores.values()):
        raise ValueError("scores must be non-negative numbers.")
    total = sum(scores.values())
    if total == 0:
        return dict.fromkeys(scores, 0.0)
    return {item: value / total for item, value in scores.items()}


def rank_order(scores: Mapping[str, float]) -> list[str]:
    """Items from highest to lowest score, ties broken by name."""
    return sorted(scores, key=lambda item: (-scores[item], item))
