"""Participatory ranking: pairwise matrices, Borda counts, proportional piling."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from palava.assessments.ranking import (
    borda,
    normalise,
    pairwise_rank,
    pairwise_scores,
    proportional_piling,
    rank_order,
)

ITEMS = ["water", "food", "shelter", "health", "school"]


def test_pairwise_scores_count_wins() -> None:
    winners = {
        ("water", "food"): "water",
        ("water", "shelter"): "water",
        ("food", "shelter"): "food",
    }
    scores = pairwise_scores(["water", "food", "shelter"], winners)
    assert scores == {"water": 2, "food": 1, "shelter": 0}
    assert pairwise_rank(["water", "food", "shelter"], winners) == ["water", "food", "shelter"]


@pytest.mark.parametrize(
    ("winners", "message"),
    [
        ({("water", "food"): "shelter"}, "not one of the pair"),
        ({("water", "roads"): "water"}, "not in the list"),
        ({("water", "water"): "water"}, "with itself"),
        ({("water", "food"): "water", ("food", "water"): "food"}, "answered twice"),
    ],
)
def test_pairwise_rejects_bad_pairs(winners: dict[tuple[str, str], str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pairwise_scores(ITEMS, winners)


def test_borda_by_hand() -> None:
    # Three items: 2 points for first, 1 for second, 0 for last; unranked items get nothing.
    scores = borda([["a", "b", "c"], ["b", "a"], ["c"]], ["a", "b", "c"])
    assert scores == {"a": 3.0, "b": 3.0, "c": 2.0}
    assert rank_order(scores) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("rankings", "message"),
    [([["a", "a"]], "more than once"), ([["a", "z"]], "not in the items")],
)
def test_borda_rejects_bad_rankings(rankings: list[list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        borda(rankings, ["a", "b"])


def test_proportional_piling_by_hand() -> None:
    # Participant 1: 6/10 water, 4/10 food; participant 2: all 5 counters on food.
    shares = proportional_piling([{"water": 6, "food": 4}, {"food": 5}])
    assert shares == pytest.approx({"water": 0.3, "food": 0.7})


def test_proportional_piling_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        proportional_piling([{"water": -1.0}])


def test_normalise_and_rank_order_ties_by_name() -> None:
    assert normalise({"b": 1.0, "a": 3.0}) == {"b": 0.25, "a": 0.75}
    assert normalise({"a": 0.0}) == {"a": 0.0}
    assert rank_order({"b": 1.0, "a": 1.0, "c": 2.0}) == ["c", "a", "b"]


full_rankings = st.lists(st.permutations(ITEMS), min_size=1, max_size=20)


@given(full_rankings)
def test_borda_total_for_full_rankings(rankings: list[list[str]]) -> None:
    n = len(ITEMS)
    assert sum(borda(rankings, ITEMS).values()) == len(rankings) * n * (n - 1) / 2


@given(full_rankings, st.randoms())
def test_borda_ignores_participant_order(rankings: list[list[str]], rnd: random.Random) -> None:
    shuffled = list(rankings)
    rnd.shuffle(shuffled)
    assert borda(shuffled, ITEMS) == borda(rankings, ITEMS)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(ITEMS), st.floats(min_value=0, max_value=100), max_size=len(ITEMS)
        ),
        max_size=10,
    )
)
def test_piling_shares_are_a_distribution(piles: list[dict[str, float]]) -> None:
    shares = proportional_piling(piles)
    assert all(0 <= v <= 1 + 1e-12 for v in shares.values())
    if any(sum(p.values()) > 0 for p in piles):
        assert sum(shares.values()) == pytest.approx(1.0)


pairs = list(itertools.combinations(ITEMS, 2))


@given(st.lists(st.tuples(st.sampled_from(pairs), st.booleans()), unique_by=lambda t: t[0]))
def test_pairwise_wins_total_answered_pairs(answers: list[tuple[tuple[str, str], bool]]) -> None:
    winners = {pair: pair[0] if first else pair[1] for pair, first in answers}
    assert sum(pairwise_scores(ITEMS, winners).values()) == len(winners)


@given(st.sampled_from(ITEMS), st.randoms())
def test_item_beating_all_others_ranks_first(champion: str, rnd: random.Random) -> None:
    winners = {}
    for a, b in pairs:
        if champion in (a, b):
            winners[(a, b)] = champion
        else:
            winners[(a, b)] = a if rnd.random() < 0.5 else b
    assert pairwise_rank(ITEMS, winners)[0] == champion
