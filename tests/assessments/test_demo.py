"""The demo perception survey: two rounds of realistic interviews through the real services,
quality problems to find, estimates with a story, needs from rounds and group exercises; once."""

from __future__ import annotations

import io
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db.models import Count

from palava.assessments.demo import (
    FORM_ID,
    PER_PLACE,
    SERIES,
    TEAMS,
    assessments_demo_load,
    demo_frame,
    demo_indicators,
    frame_profiles,
    load_assessments,
)
from palava.assessments.demo_answers import (
    IMPROVING,
    WORSENING,
    FramePlace,
    PlannedInterview,
    SurveySpec,
    place_profiles,
    quota_targets,
    round_interviews,
)
from palava.assessments.estimates import change_between, round_estimates
from palava.assessments.indicators.bank import NEED_CODES, question_name
from palava.assessments.models import (
    AppUser,
    Form,
    RankingExercise,
    RankingMethod,
    Round,
    RoundQuota,
    RoundStatus,
    Submission,
    SubmissionStatus,
)
from palava.assessments.needs_selectors import needs_register
from palava.assessments.round_selectors import round_progress
from palava.audit.models import AuditEvent
from palava.core.demo import loaders
from palava.missions.demo import demo_base_load
from palava.missions.models import Membership, Mission, Role
from palava.places.demo import load_places

TEST_PER_PLACE = 20  # interviews per place and round in the database tests (the demo has 40)
TODAY = date(2026, 11, 20)


def _spec() -> SurveySpec:
    return SurveySpec(
        indicators=tuple((f"perception/{question_name(i)}", i) for i in demo_indicators()),
        need_codes=NEED_CODES,
    )


def _path(code: str) -> str:
    return next(path for path, i in _spec().indicators if i.code == code)


def _frame() -> list[FramePlace]:
    return [FramePlace(f"CDX1{i:02d}01", 0, i == 3) for i in range(1, 7)] + [
        FramePlace(f"CDX2{i:02d}01", 1) for i in range(1, 5)
    ]


def _plan(round_number: int, per_place: int = PER_PLACE) -> list[PlannedInterview]:
    starts = TODAY - timedelta(days=182 if round_number == 1 else 16)
    return round_interviews(
        profiles=place_profiles(_frame()),
        spec=_spec(),
        round_number=round_number,
        starts_on=starts,
        until=min(TODAY, starts + timedelta(days=21)),
        per_place=per_place,
    )


def _share(values: list[str], wanted: tuple[str, ...]) -> float:
    return sum(1 for v in values if v in wanted) / len(values)


def test_the_plan_is_deterministic_and_tells_a_story() -> None:
    # when the two rounds are planned (twice)
    first, second = _plan(1), _plan(2)
    assert [(p.instance_id, p.answers, p.started_at) for p in first] == [
        (p.instance_id, p.answers, p.started_at) for p in _plan(1)
    ]
    # then round 1 is complete (about 40 per place) and round 2 still in the field
    assert 380 <= len(first) <= 430
    assert 250 <= len(second) < len(first)
    assert len({p.instance_id for p in first + second}) == len(first) + len(second)
    # interviews take about 14 minutes, on working days, during the day
    normal = [p.seconds / 60 for p in first if not p.behaviour]
    assert 12.5 <= statistics.median(normal) <= 15.5
    assert all(p.started_at.weekday() != 6 and 7 <= p.started_at.hour <= 19 for p in first)
    # a few percent "don't know" or "refused", more among people of 60 and over
    answers = {
        band: [v for p in first if p.age_band == band for k, v in p.answers.items()
               if k.startswith("perception/")]
        for band in ("18-59", "60+")
    }  # fmt: skip
    everyone = answers["18-59"] + answers["60+"]
    assert 0.025 <= _share(everyone, ("dont_know", "refused")) <= 0.06
    assert _share(answers["60+"], ("dont_know",)) > 2 * _share(answers["18-59"], ("dont_know",))
    # women feel less safe at night than men
    night = {
        sex: [p.answers[_path("safety_walk_night")] for p in first if p.sex == sex]
        for sex in ("f", "m")
    }
    agree = ("agree", "strongly_agree")
    assert _share(night["f"], agree) < _share(night["m"], agree) - 0.1
    # insecurity worsens in one place; trust in the mission rises in two others
    roles = {p.pcode: p.role for p in place_profiles(_frame())}
    worse = next(code for code, role in roles.items() if role == WORSENING)
    better = [code for code, role in roles.items() if role == IMPROVING]
    assert len(better) == 2

    def share(
        plan: list[PlannedInterview], place: str, path: str, wanted: tuple[str, ...]
    ) -> float:
        return _share([p.answers[path] for p in plan if p.place == place], wanted)

    safe = _path("safety_feel_safe")
    assert share(first, worse, safe, agree) - share(second, worse, safe, agree) > 0.3
    for place in better:
        trust = _path("trust_mission")
        before = share(first, place, trust, ("a_lot", "completely"))
        assert share(second, place, trust, ("a_lot", "completely")) - before > 0.15
    # the second team's tablet has short, speeding and straight-lined interviews, and a few
    # interviews were sent twice
    behaviours = Counter(p.behaviour for p in first)
    assert (behaviours["short"], behaviours["speeding"]) == (7, 4)
    assert (behaviours["straight_lining"], behaviours["duplicate"]) == (4, 2)
    assert {p.team for p in first if p.behaviour in ("short", "speeding")} == {1}
    assert all(p.seconds < 300 for p in first if p.behaviour in ("short", "speeding"))
    by_id = {p.instance_id: p for p in first}
    for copy in (p for p in first if p.behaviour == "duplicate"):
        original = by_id[copy.duplicate_of]
        assert (copy.answers, copy.started_at) == (original.answers, original.started_at)
    # every interview ranks all the needs once
    assert all(sorted(p.answers["needs/top_needs"].split()) == sorted(NEED_CODES) for p in first)


def test_quota_cells_add_up_for_any_size() -> None:
    for per_place in (4, 5, 12, 20, 44, 60, 101):
        cells = quota_targets(per_place)
        assert sum(n for _s, _b, n in cells) == per_place
        assert {(s, b) for s, b, _n in cells} == {
            ("f", "18-59"), ("m", "18-59"), ("f", "60+"), ("m", "60+")
        }  # fmt: skip


def test_the_loader_runs_after_places_actors_and_feedback() -> None:
    order = {name.rsplit(".", 1)[-1]: n for n, name in loaders()}
    assert order["load_assessments"] > max(
        order["load_places"], order["load_actors"], order["load_feedback"]
    )


def _counts(mission: Mission) -> tuple[int, ...]:
    return (
        Form.objects.filter(mission=mission).count(),
        AppUser.objects.filter(mission=mission).count(),
        Round.objects.filter(mission=mission).count(),
        RoundQuota.objects.filter(round__mission=mission).count(),
        Submission.objects.filter(mission=mission).count(),
        RankingExercise.objects.filter(mission=mission).count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_survey_loads_two_rounds_through_the_real_services_once() -> None:
    # given the demo mission and geography
    demo = demo_base_load(io.StringIO())
    mission = demo.mission
    load_places(mission, demo.users, io.StringIO())
    # when the survey demo loads (smaller than the real demo)
    counts = assessments_demo_load(mission=mission, users=demo.users, per_place=TEST_PER_PLACE)
    # then one form (built from the bank) and one tablet per team
    form = Form.objects.get(mission=mission, form_id=FORM_ID)
    assert form.current_version is not None
    assert sorted(AppUser.objects.filter(mission=mission).values_list("name", flat=True)) == sorted(
        name for _p, name, _n in TEAMS
    )
    assert (counts["forms"], counts["devices"], counts["rounds"]) == (1, 2, 2)
    # two rounds of the series: the first closed six months ago, the second in the field
    first, second = Round.objects.filter(mission=mission, series=SERIES).order_by("number")
    assert (first.status, second.status) == (RoundStatus.CLOSED, RoundStatus.OPEN)
    assert second.starts_on - first.starts_on > timedelta(days=150)
    assert first.ends_on - first.starts_on == timedelta(days=20)
    assert len(first.indicator_map) >= 12
    # with quotas by place, sex and adult age band
    frame = demo_frame(mission)
    assert 8 <= len(frame) <= 12
    quotas = RoundQuota.objects.filter(round=first)
    assert quotas.count() == 4 * len(frame)
    assert {q.age_band for q in quotas} == {"18-59", "60+"}
    assert sum(q.target for q in quotas) == TEST_PER_PLACE * len(frame)
    # fieldwork is done in round 1 (give or take an interview per cell) and half-way in round 2
    done_1 = round_progress(round=first, membership=None)
    assert all(abs(cell.done - cell.target) <= 2 for cell in done_1)
    done_2 = round_progress(round=second, membership=None)
    assert any(cell.done == 0 for cell in done_2)
    assert sum(c.done for c in done_2) > 0.6 * sum(c.target for c in done_2)
    # hundreds of interviews per round, each classified (place, sex, age band, group, device)
    for round, minimum in ((first, 0.95), (second, 0.6)):
        subs = Submission.objects.filter(round=round, status=SubmissionStatus.CURRENT)
        assert subs.count() >= minimum * TEST_PER_PLACE * len(frame)
        assert not subs.filter(admin_unit__isnull=True).exists()
        assert set(subs.values_list("respondent_sex", flat=True)) == {"f", "m"}
        assert set(subs.values_list("respondent_age_band", flat=True)) == {"18-59", "60+"}
        assert subs.exclude(respondent_group="").count() == subs.count()
        assert set(subs.values_list("enumerator", flat=True)) == {n for _p, n, _s in TEAMS}
        assert set(subs.values_list("source", flat=True)) == {"openrosa"}
    assert counts["submissions"] == Submission.objects.filter(mission=mission).count()
    assert not Submission.objects.filter(mission=mission, round__isnull=True).exists()
    # every quality flag has something to show
    flags = Counter(
        flag
        for flags in Submission.objects.filter(round=first).values_list("quality_flags", flat=True)
        for flag in flags
    )
    assert all(flags[code] >= 1 for code in ("short", "speeding", "straight_lining", "duplicate"))
    # estimates with intervals for every indicator of both rounds
    one, two = round_estimates(round=first), round_estimates(round=second)
    for code, result in one.results.items():
        assert result.overall is not None, code
        assert result.overall.ci_low < result.overall.value < result.overall.ci_high
        assert two.results[code].overall is not None
    assert one.excluded.get("duplicate", 0) >= 2
    # the place where insecurity worsened shows a significant drop
    worse = next(p.pcode for p in frame_profiles(frame) if p.role == WORSENING)
    by_place = (round_estimates(round=first, by="place"), round_estimates(round=second, by="place"))
    before = by_place[0].results["safety_feel_safe"]
    after = by_place[1].results["safety_feel_safe"]
    change = change_between(before, after, worse)
    assert change is not None
    assert change.value < -0.25
    assert change.significant
    # women feel less safe at night
    by_sex = round_estimates(round=first, by="sex").results["safety_walk_night"].estimates
    assert by_sex["f"].value < by_sex["m"].value
    # needs: one ranking per surveyed place and round, and group exercises of every method
    exercises = RankingExercise.objects.filter(mission=mission)
    methods = Counter(exercises.values_list("method", flat=True))
    assert methods[RankingMethod.RANK_QUESTION] >= len(frame) + 1
    assert all(methods[m] >= 2 for m in ("pairwise", "borda", "piling"))
    entered = exercises.exclude(method=RankingMethod.RANK_QUESTION)
    assert 9 <= entered.count() <= 14
    assert {"women", "youth", "elders"} <= set(entered.values_list("group", flat=True))
    assert entered.values("admin_unit").annotate(n=Count("id")).count() >= 5
    manager = Membership.objects.get(mission=mission, role=Role.MANAGER)
    register = needs_register(mission=mission, membership=manager)
    assert len(register) >= len(frame)
    assert any(place.previous is not None for place in register)
    top = next(p for p in register if p.unit.pcode == worse).latest.needs[0].code
    assert top == "security"

    # when it loads again, at full size (as every `palava demo` start does)
    before_counts = _counts(mission)
    out = io.StringIO()
    load_assessments(mission, demo.users, out)
    # then nothing was added, not even an audit row
    assert _counts(mission) == before_counts
    assert "0 rounds with 0 interviews" in out.getvalue()
