"""Needs register writes: each ranking method end to end (scores as ranking.py computes them),
validation of hostile and mistaken input, deleting, and a round's ODK rank answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from palava.assessments import ranking
from palava.assessments.models import (
    RankingExercise,
    RankingMethod,
    Round,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from palava.assessments.needs import (
    NEED_CODES,
    NEEDS,
    Period,
    need_label,
    period_of,
    rank_questions,
    ranking_from_ranks,
    read_inputs,
)
from palava.assessments.needs_selectors import combine, rank_source_get, rank_sources
from palava.assessments.needs_services import (
    compute,
    exercise_delete,
    exercise_record,
    needs_from_round,
)
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set
from tests.assessments.helpers_forms import form_from_xlsform
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 2, 10)

RANK_FORM = """
| survey |
| | type | name | label |
| | select_one places | place | Place |
| | begin_group | needs | Needs |
| | rank needs_list | top_needs | Rank the needs |
| | end_group | | |
| choices |
| | list_name | name | label |
| | places | P1 | One |
| | needs_list | water | Water |
| | needs_list | health | Health |
| | needs_list | food | Food |
| | needs_list | roads | Roads |
"""


def unit(mission: Mission, **kwargs: Any) -> AdminUnit:
    kwargs.setdefault("level", 1)
    return AdminUnitFactory(mission=mission, **kwargs)


def record(mission: Mission, place: AdminUnit, **kwargs: Any) -> RankingExercise:
    kwargs.setdefault("held_on", DAY)
    return exercise_record(actor=None, mission=mission, admin_unit=place, **kwargs)


def test_need_labels_follow_the_contract_order() -> None:
    assert NEED_CODES == (
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
    assert list(NEEDS) == list(NEED_CODES)
    assert str(NEEDS["health"]) == "Health care"


def test_period_is_the_quarter() -> None:
    assert period_of(dt.date(2026, 3, 31)) == Period(2026, 1)
    assert period_of(dt.date(2026, 4, 1)) == Period(2026, 2)
    assert period_of(dt.date(2025, 12, 1)) < period_of(dt.date(2026, 1, 1))
    assert Period(2026, 2).label == "Q2 2026"


def test_pairwise_scores_match_ranking_module(mission: Mission) -> None:
    place = unit(mission)
    pairs = [
        ["water", "food", "water"],
        ["water", "health", "health"],
        ["food", "health", "health"],
    ]

    exercise = record(
        mission,
        place,
        method="pairwise",
        items=["water", "food", "health"],
        inputs={"pairs": pairs},
        group="Women",
        participants=14,
        notes="Chief attended.",
    )

    expected = ranking.normalise(
        ranking.pairwise_scores(["water", "food", "health"], {(a, b): w for a, b, w in pairs})
    )
    assert exercise.scores == pytest.approx(expected)
    assert exercise.scores == pytest.approx({"health": 2 / 3, "water": 1 / 3, "food": 0.0})
    assert exercise.inputs == {"pairs": pairs}
    event = AuditEvent.objects.get(action="needs.exercise_record")
    assert event.changes["method"] == "pairwise"
    assert event.changes["admin_unit"] == place.pcode
    assert "Chief" not in str(event.changes)


def test_pairwise_partial_matrix_is_accepted(mission: Mission) -> None:
    exercise = record(
        mission,
        unit(mission),
        method="pairwise",
        items=["water", "food", "health", "roads"],
        inputs=[["roads", "food", "roads"]],  # the bare list of the model's docstring
    )
    assert exercise.scores == {"water": 0.0, "food": 0.0, "health": 0.0, "roads": 1.0}


def test_borda_scores_match_ranking_module(mission: Mission) -> None:
    items = ["water", "food", "health", "custom_market_access"]
    rankings = [
        ["health", "water", "food", "custom_market_access"],
        ["water", "health", "custom_market_access", "food"],
    ]

    exercise = record(
        mission,
        unit(mission),
        method="borda",
        items=items,
        inputs={"rankings": rankings, "labels": {"custom_market_access": "Market access"}},
    )

    assert exercise.scores == pytest.approx(ranking.normalise(ranking.borda(rankings, items)))
    assert exercise.inputs["labels"] == {"custom_market_access": "Market access"}


def test_piling_scores_match_ranking_module(mission: Mission) -> None:
    counters = {"water": 12, "food": 5, "security": 3}

    exercise = record(
        mission,
        unit(mission),
        method="piling",
        items=["water", "food", "security"],
        inputs={"counters": counters},
    )

    expected = ranking.normalise(
        ranking.proportional_piling([{k: float(v) for k, v in counters.items()}])
    )
    assert exercise.scores == pytest.approx(expected)
    assert exercise.scores == pytest.approx({"water": 0.6, "food": 0.25, "security": 0.15})


@pytest.mark.parametrize(
    ("method", "items", "inputs", "message"),
    [
        (
            "borda",
            ["water", "food", "health"],
            {"rankings": [["water", "water", "health"]]},
            "exactly once",
        ),
        ("borda", ["water", "food", "health"], {"rankings": [["water", "food"]]}, "exactly once"),
        ("borda", ["water", "food"], {"rankings": [["food", "water"]] * 501}, "At most 500"),
        ("borda", ["water", "food"], {"rankings": []}, "at least one ranking"),
        ("piling", ["water", "cholera"], {"counters": {"water": 1}}, "Unknown need"),
        ("piling", ["water", "food"], {"counters": {"water": -1, "food": 4}}, "zero or more"),
        ("piling", ["water", "food"], {"counters": {"water": 1.5}}, "zero or more"),
        ("piling", ["water", "food"], {"counters": {"water": True}}, "zero or more"),
        ("piling", ["water", "food"], {"counters": {"water": 6000, "food": 4001}}, "10000"),
        ("piling", ["water", "food"], {"counters": {"water": 0, "food": 0}}, "at least one"),
        ("piling", ["water", "food"], {"counters": {"health": 2}}, "not ranked"),
        ("pairwise", ["water", "food"], {"pairs": [["water", "food", "health"]]}, "winner"),
        ("pairwise", ["water", "food"], {"pairs": [["water", "water", "water"]]}, "itself"),
        ("pairwise", ["water", "food"], {"pairs": []}, "at least one pair"),
        (
            "pairwise",
            ["water", "food", "health"],
            {"pairs": [["water", "food", "water"], ["food", "water", "food"]]},
            "twice",
        ),
        (
            "pairwise",
            ["water", "food"],
            {"pairs": [["water", "food", "water"]] * 5000},
            "more pairs",
        ),
        ("pairwise", ["water"], {"pairs": []}, "between 2 and 15"),
        ("pairwise", ["water", "water"], {"pairs": []}, "more than once"),
        ("pairwise", "water food", {"pairs": []}, "list of need codes"),
        ("borda", ["water", "custom_x"], {"rankings": [["water", "custom_x"]]}, "a name"),
        (
            "borda",
            ["water", "custom_a", "custom_b", "custom_c", "custom_d"],
            {"labels": {f"custom_{c}": c for c in "abcd"}},
            "At most 3",
        ),
        ("rank", ["water", "food"], {}, "method"),
        ("piling", ["water", "food"], {"counters": {"water": 10**30}}, "10000"),
        ("piling", ["water", "food"], "x" * 10_000, "counters are missing"),
    ],
)
def test_invalid_exercises_are_refused(
    mission: Mission, method: str, items: Any, inputs: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        record(mission, unit(mission), method=method, items=items, inputs=inputs)

    assert message in " ".join(raised.value.messages)
    assert not RankingExercise.objects.exists()
    assert not AuditEvent.objects.filter(action="needs.exercise_record").exists()


def test_place_of_another_mission_future_date_and_participants_are_refused(
    mission: Mission,
) -> None:
    good = {"method": "piling", "items": ["water", "food"], "inputs": {"counters": {"water": 1}}}
    with pytest.raises(ValidationError, match="not in the mission"):
        record(mission, unit(MissionFactory()), **good)
    with pytest.raises(ValidationError, match="future"):
        record(
            mission, unit(mission), **{**good, "held_on": timezone.localdate() + dt.timedelta(9)}
        )
    with pytest.raises(ValidationError, match="participants"):
        record(mission, unit(mission), participants=0, **good)
    with pytest.raises(ValidationError, match="Notes"):
        record(mission, unit(mission), notes="x" * 5001, **good)


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(["pairwise", "borda", "piling"]),
    items=st.lists(st.sampled_from(NEED_CODES), min_size=2, max_size=12, unique=True),
    data=st.data(),
)
def test_computed_scores_are_shares_in_ranking_order(
    method: str, items: list[str], data: st.DataObject
) -> None:
    """Whatever a group enters, stored scores are non-negative shares summing to 1 (or the
    entry is refused) and they order the needs as the raw ranking.py scores do."""
    if method == "pairwise":
        pairs = [
            [a, b, data.draw(st.sampled_from([a, b]))]
            for i, a in enumerate(items)
            for b in items[i + 1 :]
            if data.draw(st.booleans())
        ]
        inputs: dict[str, Any] = {"pairs": pairs}
        wins = ranking.pairwise_scores(items, {(a, b): w for a, b, w in pairs})
        raw: dict[str, float] = {k: float(v) for k, v in wins.items()}
    elif method == "borda":
        rankings = data.draw(st.lists(st.permutations(items), min_size=1, max_size=5))
        inputs = {"rankings": [list(r) for r in rankings]}
        raw = ranking.borda(inputs["rankings"], items)
    else:
        counters = {i: data.draw(st.integers(min_value=0, max_value=800)) for i in items}
        inputs = {"counters": counters}
        raw = {k: float(v) for k, v in counters.items()}
    try:
        _stored, scores = compute(method, items, inputs)
    except ValidationError:
        assert sum(raw.values()) == 0
    else:
        assert set(scores) == set(items)
        assert min(scores.values()) >= 0
        assert sum(scores.values()) == pytest.approx(1.0)
        assert ranking.rank_order(scores) == ranking.rank_order(raw)


def test_ranks_must_be_a_permutation() -> None:
    items = ["water", "food", "health"]
    assert ranking_from_ranks(items, {"water": "2", "food": 3, "health": "1"}) == [
        "health",
        "water",
        "food",
    ]
    for ranks in (
        {"water": 1, "food": 1, "health": 2},
        {"water": 1, "food": 2, "health": 4},
        {"water": 1, "food": 2, "health": 0},
    ):
        with pytest.raises(ValidationError, match="exactly once"):
            ranking_from_ranks(items, ranks)
    with pytest.raises(ValidationError, match="Give every need"):
        ranking_from_ranks(items, {"water": 1, "food": "two", "health": 3})


def test_delete_is_audited(mission: Mission) -> None:
    exercise = record(
        mission, unit(mission), method="piling", items=["water", "food"], inputs={"water": 3}
    )

    exercise_delete(actor=None, exercise=exercise)

    assert not RankingExercise.objects.exists()
    assert AuditEvent.objects.filter(
        action="needs.exercise_delete", object_id=str(exercise.public_id)
    ).exists()


# --- A round's rank question -----------------------------------------------------------------


def make_round(mission: Mission, number: int = 1) -> Round:
    form = (
        Round.objects.filter(mission=mission).first().form  # type: ignore[union-attr]
        if Round.objects.filter(mission=mission).exists()
        else form_from_xlsform(mission=mission, source=RANK_FORM, form_id="needs_survey")
    )
    return Round.objects.create(
        mission=mission,
        form=form,
        series="perception",
        number=number,
        name=f"Round {number}",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 4, 30),
    )


def answer(
    rnd: Round,
    place: AdminUnit | None,
    value: Any,
    *,
    day: int = 10,
    status: str = SubmissionStatus.CURRENT,
    flags: list[str] | None = None,
) -> Submission:
    n = Submission.objects.count()
    return Submission.objects.create(
        mission=rnd.mission,
        form=rnd.form,
        form_version=rnd.form.current_version,
        instance_id=f"uuid:{n}",
        source=SubmissionSource.OPENROSA,
        data={"needs/top_needs": value, "place": place.pcode if place else ""},
        received_at=dt.datetime(2026, 4, day, 12, tzinfo=dt.UTC),
        admin_unit=place,
        round=rnd,
        status=status,
        quality_flags=flags or [],
    )


def test_needs_from_round_borda_per_place(mission: Mission) -> None:
    rnd = make_round(mission)
    north, south = unit(mission, name="North"), unit(mission, name="South")
    answer(rnd, north, "water health food")
    answer(rnd, north, "health water food", day=20)
    answer(rnd, north, "food", status=SubmissionStatus.SUPERSEDED)
    answer(rnd, north, "food water health", flags=["duplicate"])
    answer(rnd, north, "", day=25)
    answer(rnd, south, "roads cholera roads water")  # unknown and repeated codes skipped
    answer(rnd, None, "food water")  # no place: not counted

    created = needs_from_round(actor=None, round=rnd, path="needs/top_needs")

    assert created == 2
    at_north = RankingExercise.objects.get(admin_unit=north)
    rankings = [["water", "health", "food"], ["health", "water", "food"]]
    items = ["water", "food", "health"]
    assert at_north.method == RankingMethod.RANK_QUESTION
    assert at_north.items == items
    assert at_north.participants == 2
    assert at_north.held_on == dt.date(2026, 4, 20)
    assert at_north.round == rnd
    assert at_north.inputs == {"round": str(rnd.public_id), "path": "needs/top_needs"}
    assert at_north.scores == pytest.approx(ranking.normalise(ranking.borda(rankings, items)))
    at_south = RankingExercise.objects.get(admin_unit=south)
    assert at_south.scores == pytest.approx({"water": 0.0, "roads": 1.0})
    assert AuditEvent.objects.filter(action="needs.exercise_record").count() == 2


def test_needs_from_round_replaces_its_earlier_results_only(mission: Mission) -> None:
    rnd, other = make_round(mission), make_round(mission, number=2)
    place = unit(mission)
    answer(rnd, place, "water health")
    answer(other, place, "food roads")
    needs_from_round(actor=None, round=other, path="needs/top_needs")
    needs_from_round(actor=None, round=rnd, path="needs/top_needs")
    manual = record(
        mission, place, method="piling", items=["water", "food"], inputs={"water": 1}, round=rnd
    )
    answer(rnd, place, "health water")

    assert needs_from_round(actor=None, round=rnd, path="needs/top_needs") == 1

    assert RankingExercise.objects.filter(round=rnd, method="rank").count() == 1
    assert RankingExercise.objects.get(round=rnd, method="rank").participants == 2
    assert RankingExercise.objects.filter(round=other).count() == 1
    assert RankingExercise.objects.filter(pk=manual.pk).exists()
    assert AuditEvent.objects.filter(action="needs.exercise_delete").count() == 1


def test_needs_from_round_with_a_scoped_member_touches_only_its_places(mission: Mission) -> None:
    rnd = make_round(mission)
    mine, theirs = unit(mission), unit(mission)
    answer(rnd, mine, "water food")
    answer(rnd, theirs, "food water")
    needs_from_round(actor=None, round=rnd, path="needs/top_needs")
    member: Membership = MembershipFactory(mission=mission, role=Role.LIAISON)
    membership_scope_set(actor=None, membership=member, units=[mine])
    answer(rnd, theirs, "water food")

    assert needs_from_round(actor=None, round=rnd, path="needs/top_needs", membership=member) == 1

    assert RankingExercise.objects.get(admin_unit=theirs).participants == 1


@pytest.mark.parametrize("path", ["", "needs/../x", "a b", "x" * 201, "/needs", "needs/missing"])
def test_needs_from_round_refuses_bad_or_unanswered_paths(mission: Mission, path: str) -> None:
    rnd = make_round(mission)
    answer(rnd, unit(mission), "water food")

    with pytest.raises(ValidationError):
        needs_from_round(actor=None, round=rnd, path=path)

    assert not RankingExercise.objects.exists()


def test_needs_from_round_survives_a_huge_answer(mission: Mission) -> None:
    rnd = make_round(mission)
    place = unit(mission)
    answer(rnd, place, " ".join(["zz"] * 200_000 + ["water", "food"]))
    answer(rnd, place, {"not": "text"})
    answer(rnd, place, "food water")

    assert needs_from_round(actor=None, round=rnd, path="needs/top_needs") == 1
    assert RankingExercise.objects.get().participants == 1


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ("x", "matrix is missing"),
        ({"pairs": [["water", "food"]]}, "two needs and a winner"),
        ({"pairs": [["water", 1, "water"]]}, "two needs and a winner"),
        ({"pairs": [["water", "roads", "water"]]}, "not ranked"),
    ],
)
def test_malformed_pairwise_matrices_are_refused(
    mission: Mission, inputs: Any, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        record(mission, unit(mission), method="pairwise", items=["water", "food"], inputs=inputs)


def test_compute_refuses_an_unknown_method() -> None:
    with pytest.raises(ValidationError, match="method"):
        compute("rank", ["water", "food"], {})


def test_round_of_another_mission_is_refused(mission: Mission) -> None:
    other = make_round(MissionFactory())
    with pytest.raises(ValidationError, match="round"):
        record(
            mission,
            unit(mission),
            method="piling",
            items=["water", "food"],
            inputs={"water": 1},
            round=other,
        )


def test_a_place_where_everyone_named_one_need_gets_it_whole(mission: Mission) -> None:
    rnd = make_round(mission)
    place = unit(mission)
    answer(rnd, place, "water")
    answer(rnd, place, "water cholera")

    needs_from_round(actor=None, round=rnd, path="needs/top_needs")

    assert RankingExercise.objects.get().scores == {"water": 1.0}


def test_rank_questions_and_sources(mission: Mission) -> None:
    definition = {
        "children": [
            "junk",
            {"type": "rank", "name": "first", "label": {"English (en)": "First"}},
            {
                "type": "group",
                "name": "g",
                "children": [{"type": "rank", "name": "second"}, {"type": "text", "name": "t"}],
            },
            {"type": "repeat", "name": "r", "children": [{"type": "rank", "name": "inner"}]},
        ]
    }
    assert rank_questions(definition) == [("first", "First"), ("g/second", "g/second")]
    rnd = make_round(mission)
    Round.objects.create(
        mission=mission,
        form=form_from_xlsform(mission=mission, source=RANK_FORM, form_id="versionless"),
        series="other",
        number=1,
        name="No version",
        starts_on=DAY,
        ends_on=DAY,
    ).form.versions.all().delete()

    sources = rank_sources(mission=mission)

    assert [(s.round, s.path, s.label) for s in sources] == [
        (rnd, "needs/top_needs", "Rank the needs")
    ]
    assert rank_source_get(mission=mission, value=sources[0].value) == sources[0]
    assert rank_source_get(mission=mission, value="nope|x") is None


def test_reading_older_input_shapes() -> None:
    assert read_inputs("piling", {"water": 3, "food": 1, "x": "y"}).counters == {
        "water": 3.0,
        "food": 1.0,
    }
    assert read_inputs("pairwise", [["water", "food", "food"], ["bad"]]).pairs == [
        ("water", "food", "food")
    ]
    assert read_inputs("borda", [["water", "food"], "x"]).rankings == [["water", "food"]]
    assert read_inputs("borda", {"labels": {"custom_a": "A"}}).labels == {"custom_a": "A"}
    assert read_inputs("rank", {"round": "r"}).counters == {}
    assert need_label("custom_a", {"custom_a": "A"}) == "A"
    assert need_label("custom_b") == "custom_b"
    assert str(Period(2026, 3)) == "Q3 2026"
    assert Period(2026, 3).key == "2026-Q3"
    assert combine([]) == {}
