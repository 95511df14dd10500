"""Round estimates: coding answers with the bank, post-stratification computed by hand,
clustering, answers left out, data-quality exclusions, scope, caching and change between
rounds."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from palava.assessments import estimates, stats
from palava.assessments.estimates import (
    ALL,
    change_between,
    code_answer,
    round_estimates,
    series_changes,
    series_trend,
    trend_points,
)
from palava.assessments.indicators import Choice, Indicator
from palava.assessments.models import Form, Round, Submission, SubmissionSource
from palava.missions.models import Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import membership_scope_set, population_set
from tests.assessments.helpers_forms import sample_form
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db

PATH = "perception/feel_safe"
YES_NO = (
    Choice("yes", {"en": "Yes"}, 1),
    Choice("no", {"en": "No"}, 0),
    Choice("dont_know", {"en": "Don't know"}),
    Choice("refused", {"en": "Refused"}),
)
FEEL_SAFE = Indicator(
    code="feel_safe",
    version=1,
    domain="safety",
    labels={"en": "Do you feel safe?"},
    hints={"en": "Feel safe"},
    question_type="select_one",
    list_name="yes_no",
    choices=YES_NO,
    kind="proportion",
    positive=("yes",),
)
TRUST = Indicator(
    code="trust",
    version=1,
    domain="trust",
    labels={"en": "How much do you trust the police?"},
    hints={"en": "Trust in police"},
    question_type="select_one",
    list_name="trust5",
    choices=(
        *tuple(Choice(str(i), {"en": str(i)}, float(i)) for i in range(1, 6)),
        Choice("dont_know", {"en": "Don't know"}),
    ),
    kind="mean",
)
CUSTOM = {"feel_safe": FEEL_SAFE}


def make_round(
    mission: Mission,
    *,
    number: int = 1,
    series: str = "perception",
    indicator_map: dict[str, Any] | None = None,
    population_year: int | None = None,
    form: Form | None = None,
) -> Round:
    today = timezone.localdate()
    return Round.objects.create(
        mission=mission,
        form=form or sample_form(mission),
        series=series,
        number=number,
        name=f"Round {number}",
        starts_on=today - dt.timedelta(days=30 * (3 - number)),
        ends_on=today,
        indicator_map=(
            indicator_map
            if indicator_map is not None
            else {"feel_safe": {"path": PATH, "version": 1}}
        ),
        population_year=population_year,
    )


def answer(
    rnd: Round,
    unit: AdminUnit | None,
    value: str | None,
    *,
    sex: str = "f",
    band: str = "18-59",
    group: str = "",
    weight: float = 1.0,
    flags: list[str] | None = None,
    path: str = PATH,
    extra: dict[str, str] | None = None,
) -> Submission:
    form = rnd.form
    data: dict[str, Any] = {"meta/instanceID": f"uuid:{uuid.uuid4()}"}
    if value is not None:
        data[path] = value
    data.update(extra or {})
    return Submission.objects.create(
        mission=rnd.mission,
        form=form,
        form_version=form.current_version,
        instance_id=data["meta/instanceID"],
        source=SubmissionSource.WEB,
        data=data,
        received_at=timezone.now(),
        round=rnd,
        admin_unit=unit,
        respondent_sex=sex,
        respondent_age_band=band,
        respondent_group=group,
        design_weight=weight,
        quality_flags=flags or [],
    )


def two_places(mission: Mission) -> tuple[AdminUnit, AdminUnit]:
    a = AdminUnitFactory(mission=mission, level=1, pcode="AA01", name="Alpha")
    b = AdminUnitFactory(mission=mission, level=1, pcode="BB01", name="Beta")
    return a, b


def population(unit: AdminUnit, sex: str, band: str, count: int, year: int = 2025) -> None:
    population_set(actor=None, unit=unit, year=year, sex=sex, age_band=band, count=count)


def hand_world() -> tuple[Round, AdminUnit, AdminUnit]:
    """Two places with known population; 10 respondents of design weight 1.

    Post-stratified weights: A women 600/3 = 200, A men 400/2 = 200, B women 1000/2 = 500,
    B men 3000/3 = 1000.
    """
    mission = MissionFactory()
    a, b = two_places(mission)
    population(a, "f", "18-59", 600)
    population(a, "m", "18-59", 400)
    population(b, "f", "18-59", 1000)
    population(b, "m", "18-59", 3000)
    rnd = make_round(mission)
    for value in ("yes", "yes", "no"):
        answer(rnd, a, value, sex="f")
    for value in ("yes", "no"):
        answer(rnd, a, value, sex="m")
    for value in ("yes", "yes"):
        answer(rnd, b, value, sex="f")
    for value in ("no", "no", "no"):
        answer(rnd, b, value, sex="m")
    return rnd, a, b


# --------------------------------------------------------------------------- coding


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", 1.0),
        ("no", 0.0),
        ("dont_know", math.nan),
        ("refused", math.nan),
        ("", math.nan),
        (None, math.nan),
        ("maybe", math.nan),  # not a choice of the list
        ("yes no", math.nan),  # two answers to a select_one
        (["yes"], math.nan),  # a repeat, not an answer
    ],
)
def test_code_answer_proportion(raw: Any, expected: float) -> None:
    got = code_answer(FEEL_SAFE, raw)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_code_answer_mean_uses_scores_and_numbers() -> None:
    assert code_answer(TRUST, "4") == 4.0
    assert math.isnan(code_answer(TRUST, "dont_know"))
    age = Indicator(
        "age", 1, "x", {"en": "Age"}, {"en": "Age"}, "integer", "", (), "mean", excluded=("-1",)
    )
    assert code_answer(age, "42") == 42.0
    assert math.isnan(code_answer(age, "-1"))
    assert math.isnan(code_answer(age, "forty"))
    assert math.isnan(code_answer(age, "inf"))


# --------------------------------------------------------------------------- weights by hand


def test_post_stratified_proportion_computed_by_hand() -> None:
    rnd, _a, _b = hand_world()

    result = round_estimates(round=rnd, indicators=CUSTOM)

    # yes: A women 2 x 200 + A men 1 x 200 + B women 2 x 500 = 1600 of 5000 people.
    overall = result.results["feel_safe"].overall
    assert overall is not None
    assert overall.value == pytest.approx(1600 / 5000)
    assert overall.weighted_n == pytest.approx(5000)
    assert overall.n == 10
    assert result.post_stratified
    assert result.population_year == 2025
    assert result.respondents == 10


def test_post_stratified_domains_by_place_and_sex() -> None:
    rnd, _a, _b = hand_world()

    by_place = round_estimates(round=rnd, by="place", indicators=CUSTOM)
    by_sex = round_estimates(round=rnd, by="sex", indicators=CUSTOM)

    place = by_place.results["feel_safe"].estimates
    assert place["AA01"].value == pytest.approx(600 / 1000)
    assert place["BB01"].value == pytest.approx(1000 / 4000)
    assert by_place.place_names == {"AA01": "Alpha", "BB01": "Beta"}
    sex = by_sex.results["feel_safe"].estimates
    assert sex["f"].value == pytest.approx(1400 / 1600)
    assert sex["m"].value == pytest.approx(200 / 3400)
    assert by_sex.domain_keys == ["f", "m"]


def test_unknown_sex_keeps_design_weight_on_the_place_scale() -> None:
    rnd, a, _b = hand_world()
    # Place A: post-stratified weights sum to 1000 for 5 respondents of design weight 1 -> x200.
    answer(rnd, a, "yes", sex="")

    result = round_estimates(round=rnd, indicators=CUSTOM)

    overall = result.results["feel_safe"].overall
    assert overall is not None
    assert overall.value == pytest.approx((1600 + 200) / (5000 + 200))
    assert any("no population cell" in w for w in result.warnings)


def test_design_weights_only_without_population() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    answer(rnd, a, "yes", weight=3.0)
    answer(rnd, a, "no", weight=1.0)
    answer(rnd, b, "no", weight=1.0)

    result = round_estimates(round=rnd, indicators=CUSTOM)

    overall = result.results["feel_safe"].overall
    assert overall is not None
    assert overall.value == pytest.approx(3 / 5)
    assert not result.post_stratified
    assert any("design weights only" in w for w in result.warnings)


def test_population_year_of_the_round_and_missing_cells() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    population(a, "f", "18-59", 100, year=2020)
    population(b, "f", "18-59", 900, year=2020)
    population(a, "f", "18-59", 999_999, year=2025)  # a later year the round does not use
    population(a, "m", "18-59", 50, year=2020)  # a cell without respondents
    rnd = make_round(mission, population_year=2020)
    answer(rnd, a, "yes")
    answer(rnd, a, "no", sex="m", band="60+")  # no figures for men 60+
    answer(rnd, b, "no")
    answer(rnd, b, "no")

    result = round_estimates(round=rnd, indicators=CUSTOM)

    assert result.population_year == 2020
    assert ("AA01", "m", "18-59") in result.missing_cells
    assert any("no respondent" in w for w in result.warnings)
    overall = result.results["feel_safe"].overall
    assert overall is not None
    # A women 100 (one yes); B women 900 (two no); A man: design weight x the place factor 100.
    assert overall.value == pytest.approx(100 / (100 + 900 + 100))


# --------------------------------------------------------------------------- design and NaN


def test_clustering_widens_the_interval() -> None:
    mission = MissionFactory()
    places = [AdminUnitFactory(mission=mission, level=1) for _ in range(6)]
    rnd = make_round(mission)
    shares = (0.9, 0.8, 0.9, 0.2, 0.1, 0.2)  # places differ a lot: strong clustering
    values: list[float] = []
    for unit, share in zip(places, shares, strict=True):
        for i in range(20):
            yes = i < share * 20
            answer(rnd, unit, "yes" if yes else "no")
            values.append(1.0 if yes else 0.0)

    result = round_estimates(round=rnd, indicators=CUSTOM).results["feel_safe"]

    srs = stats.weighted_proportion(np.asarray(values), np.ones(len(values)))
    assert result.overall is not None
    assert result.clustered
    assert result.overall.value == pytest.approx(srs.value)
    assert result.overall.se > 2 * srs.se
    assert (result.overall.ci_high - result.overall.ci_low) > (srs.ci_high - srs.ci_low)
    assert result.overall.deff is not None
    assert result.overall.deff > 4


def test_single_place_falls_back_to_independent_sampling_with_a_warning() -> None:
    mission = MissionFactory()
    a, _b = two_places(mission)
    rnd = make_round(mission)
    for value in ("yes", "no", "yes"):
        answer(rnd, a, value)

    result = round_estimates(round=rnd, indicators=CUSTOM)

    assert not result.results["feel_safe"].clustered
    assert result.results["feel_safe"].overall is not None
    assert any("one place" in w for w in result.warnings)


def test_excluded_and_missing_answers_leave_the_denominator() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    for unit in (a, b):
        answer(rnd, unit, "yes")
        answer(rnd, unit, "no")
        answer(rnd, unit, "dont_know")
        answer(rnd, unit, "refused")
        answer(rnd, unit, None)  # not asked
        answer(rnd, unit, "garbage")

    result = round_estimates(round=rnd, indicators=CUSTOM).results["feel_safe"]

    assert result.overall is not None
    assert result.overall.n == 4
    assert result.overall.value == pytest.approx(0.5)
    assert result.answered == 4
    assert result.excluded_answers == 4


def test_nan_rows_stay_out_of_each_indicator_separately() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(
        mission,
        indicator_map={
            "feel_safe": {"path": PATH, "version": 1},
            "trust": {"path": "perception/trust", "version": 1},
        },
    )
    answer(rnd, a, "yes", extra={"perception/trust": "5"})
    answer(rnd, a, "dont_know", extra={"perception/trust": "1"})
    answer(rnd, b, "no", extra={"perception/trust": "dont_know"})
    answer(rnd, b, "yes", extra={"perception/trust": "3"})

    result = round_estimates(round=rnd, indicators={"feel_safe": FEEL_SAFE, "trust": TRUST})

    safe, trust = result.results["feel_safe"].overall, result.results["trust"].overall
    assert safe is not None
    assert trust is not None
    assert (safe.n, trust.n) == (3, 3)
    assert safe.value == pytest.approx(2 / 3)
    assert trust.value == pytest.approx((5 + 1 + 3) / 3)


def test_fewer_than_two_answers_is_a_problem_not_a_crash() -> None:
    mission = MissionFactory()
    a, _b = two_places(mission)
    rnd = make_round(mission)
    answer(rnd, a, "yes")
    answer(rnd, a, "dont_know")

    result = round_estimates(round=rnd, indicators=CUSTOM).results["feel_safe"]

    assert result.overall is None
    assert result.problem


def test_unknown_indicator_is_reported() -> None:
    mission = MissionFactory()
    rnd = make_round(mission, indicator_map={"nope": {"path": "x/nope", "version": 1}})

    result = round_estimates(round=rnd)

    assert result.results["nope"].indicator is None
    assert result.results["nope"].problem


def test_quality_flags_excluded_by_default_and_counted() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    answer(rnd, a, "yes")
    answer(rnd, b, "no")
    answer(rnd, b, "no")
    answer(rnd, a, "yes", flags=["duplicate"])
    answer(rnd, a, "yes", flags=["short", "speeding"])
    answer(rnd, b, "yes", flags=["speeding"])  # kept: not excluded by default

    default = round_estimates(round=rnd, indicators=CUSTOM)
    everything = round_estimates(round=rnd, indicators=CUSTOM, exclude_flags=())

    assert default.excluded == {"duplicate": 1, "short": 1}
    assert default.respondents == 4
    assert default.excluded_total == 2
    assert everything.respondents == 6
    assert any("left out" in w for w in default.warnings)


def test_superseded_and_other_rounds_do_not_count() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    other = make_round(mission, number=2)
    answer(rnd, a, "yes")
    answer(rnd, b, "no")
    old = answer(rnd, b, "yes")
    old.status = "superseded"
    old.save()
    answer(other, a, "yes")

    result = round_estimates(round=rnd, indicators=CUSTOM)

    assert result.respondents == 2


def test_group_and_age_domains() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    for unit in (a, b):
        answer(rnd, unit, "yes", group="displaced", band="18-59")
        answer(rnd, unit, "no", group="resident", band="60+")
        answer(rnd, unit, "no", group="", band="")

    by_group = round_estimates(round=rnd, by="group", indicators=CUSTOM)
    by_age = round_estimates(round=rnd, by="age_band", indicators=CUSTOM)

    g = by_group.results["feel_safe"].estimates
    assert g["displaced"].value == 1.0
    assert g["resident"].value == 0.0
    assert by_group.domain_keys == ["displaced", "resident", ""]  # not recorded last
    assert by_age.results["feel_safe"].estimates["60+"].n == 2


def test_small_n_flagged_and_warned() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    for unit in (a, b):
        for value in ("yes", "no", "yes"):
            answer(rnd, unit, value)

    result = round_estimates(round=rnd, indicators=CUSTOM)

    overall = result.results["feel_safe"].overall
    assert overall is not None
    assert overall.small_n
    assert any("Fewer than 30" in w for w in result.warnings)


def test_bad_by_is_refused() -> None:
    mission = MissionFactory()
    rnd = make_round(mission)
    with pytest.raises(ValueError, match="by must be"):
        round_estimates(round=rnd, by="religion")


def test_scope_limits_the_respondents() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    for value in ("yes", "yes", "no"):
        answer(rnd, a, value)
    for value in ("no", "no", "no"):
        answer(rnd, b, value)
    member = MembershipFactory(mission=mission, role=Role.PARTNER)
    membership_scope_set(actor=None, membership=member, units=[a])

    scoped = round_estimates(round=rnd, membership=member, indicators=CUSTOM)
    whole = round_estimates(round=rnd, indicators=CUSTOM)

    assert scoped.respondents == 3
    assert whole.respondents == 6
    assert set(scoped.place_names) == {"AA01"}


# --------------------------------------------------------------------------- the bank and cache


def _bank_round(mission: Mission, number: int, yes_share: float, n_per_place: int = 25) -> Round:
    a = AdminUnit.objects.filter(mission=mission, pcode="AA01").first() or two_places(mission)[0]
    b = AdminUnit.objects.get(mission=mission, pcode="BB01")
    rnd = make_round(
        mission,
        number=number,
        indicator_map={"safety_feel_safe": {"path": "perception/safety_feel_safe", "version": 1}},
    )
    for unit in (a, b):
        for i in range(n_per_place):
            value = "agree" if i < yes_share * n_per_place else "disagree"
            answer(rnd, unit, value, path="perception/safety_feel_safe", sex="fm"[i % 2])
    return rnd


def test_bank_indicator_and_cache_invalidation() -> None:
    mission = MissionFactory()
    rnd = _bank_round(mission, 1, 0.4)

    first = round_estimates(round=rnd)
    again = round_estimates(round=rnd)
    a = AdminUnit.objects.get(mission=mission, pcode="AA01")
    answer(rnd, a, "strongly_agree", path="perception/safety_feel_safe")
    fresh = round_estimates(round=rnd)

    result = first.results["safety_feel_safe"]
    assert result.indicator is not None
    assert result.indicator.kind == "proportion"
    assert result.overall is not None
    assert result.overall.value == pytest.approx(0.4)
    assert again == first
    assert fresh.respondents == first.respondents + 1


def test_change_between_rounds_and_its_significance() -> None:
    mission = MissionFactory()
    r1 = _bank_round(mission, 1, 0.2, n_per_place=40)
    r2 = _bank_round(mission, 2, 0.8, n_per_place=40)
    r3 = _bank_round(mission, 3, 0.8, n_per_place=40)

    trend = series_trend(mission=mission, series="perception", code="safety_feel_safe")
    changes = series_changes(trend)
    points = trend_points(mission=mission, series="perception", code="safety_feel_safe")

    assert [r.pk for r, _e in trend] == [r1.pk, r2.pk, r3.pk]
    assert changes[0].value == pytest.approx(0.6)
    assert changes[0].significant
    assert changes[1].value == pytest.approx(0.0)
    assert not changes[1].significant
    assert points[0].change is None
    assert points[1].change is not None
    assert points[1].change.significant
    assert points[2].change is not None
    assert not points[2].change.significant


def test_change_needs_comparable_versions() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    v1 = make_round(mission, number=1)
    v2 = make_round(mission, number=2, indicator_map={"feel_safe": {"path": PATH, "version": 2}})
    for rnd in (v1, v2):
        for unit in (a, b):
            for value in ("yes", "no", "no", "yes", "yes", "no"):
                answer(rnd, unit, value)
    v2_ind = Indicator(**{**FEEL_SAFE.__dict__, "version": 2})
    v2_comparable = Indicator(**{**FEEL_SAFE.__dict__, "version": 2, "comparable_with": (1,)})

    old = round_estimates(round=v1, indicators=CUSTOM).results["feel_safe"]
    new = round_estimates(round=v2, indicators={"feel_safe": v2_ind}).results["feel_safe"]
    ok = round_estimates(round=v2, indicators={"feel_safe": v2_comparable}).results["feel_safe"]

    assert change_between(old, new) is None
    assert change_between(old, ok) is not None


def test_change_is_none_for_suppressed_domains() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    r1 = make_round(mission, number=1)
    r2 = make_round(mission, number=2)
    for rnd in (r1, r2):
        for unit in (a, b):
            for value in ("yes", "no", "yes", "no", "yes"):
                answer(rnd, unit, value, sex="f")
        answer(rnd, a, "yes", sex="m")  # one man: suppressed

    old = round_estimates(round=r1, by="sex", indicators=CUSTOM).results["feel_safe"]
    new = round_estimates(round=r2, by="sex", indicators=CUSTOM).results["feel_safe"]

    assert change_between(old, new, "f") is not None
    assert change_between(old, new, "m") is None
    assert estimates.is_suppressed(new.estimates["m"])
    assert not estimates.is_suppressed(new.estimates["f"])
    assert change_between(old, new, ALL) is not None


def test_place_estimates_have_intervals_within_the_place() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    for unit in (a, b):
        for value in ("yes", "no", "yes", "yes", "no", "no", "yes", "no"):
            answer(rnd, unit, value)

    place = round_estimates(round=rnd, by="place", indicators=CUSTOM).results["feel_safe"]

    alpha = place.estimates["AA01"]
    assert alpha.value == pytest.approx(0.5)
    assert alpha.se > 0
    assert alpha.ci_low < 0.5 < alpha.ci_high


def test_an_estimation_error_becomes_a_problem_not_a_crash() -> None:
    mission = MissionFactory()
    a, b = two_places(mission)
    rnd = make_round(mission)
    for unit in (a, b):
        answer(rnd, unit, "yes")
        answer(rnd, unit, "no")
    odd = Indicator(**{**FEEL_SAFE.__dict__, "kind": "ratio"})

    result = round_estimates(round=rnd, indicators={"feel_safe": odd}).results["feel_safe"]

    assert result.overall is None
    assert "design" in result.problem


def test_few_places_warned() -> None:
    rnd, _a, _b = hand_world()

    result = round_estimates(round=rnd, indicators=CUSTOM)

    assert any("Only 2 places" in w for w in result.warnings)


def test_cached_warnings_follow_the_language() -> None:
    from django.utils import translation

    mission = MissionFactory()
    rnd = _bank_round(mission, 1, 0.5)

    with translation.override("en"):
        english = round_estimates(round=rnd)
        english_key = estimates._cache_key(rnd, None, None, estimates.DEFAULT_EXCLUDE)
    with translation.override("fr"):
        french = round_estimates(round=rnd)
        french_key = estimates._cache_key(rnd, None, None, estimates.DEFAULT_EXCLUDE)

    assert english_key != french_key
    assert english.results == french.results
