"""Survey estimates: hand-computed cases and agreement with samplics' TaylorEstimator."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from palava.assessments.stats import (
    SMALL_N,
    Estimate,
    Kind,
    difference,
    estimate_by,
    estimate_many,
    post_stratify,
    weighted_mean,
    weighted_proportion,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

T_975_DF3 = 3.182446305284263
T_975_DF2 = 4.302652729911275


def expit(x: float) -> float:
    return math.exp(x) / (1 + math.exp(x))


def test_simple_random_sample_proportion_by_hand() -> None:
    # Given y = 1, 1, 0, 0 with equal weights: p = 0.5.
    # Scores z_i = w_i (y_i - p) / sum(w) = +-0.125; var = n/(n-1) * sum z^2 = 4/3 * 0.0625
    # = 1/12, i.e. p(1-p)/(n-1); se = 0.288675. df = 4 PSUs - 1 stratum = 3.
    # Logit interval: 0 +- t * se / (p(1-p)) = +-3.182446 * 1.154701, back-transformed.
    est = weighted_proportion(np.array([1, 1, 0, 0]), np.ones(4))
    assert est.value == pytest.approx(0.5)
    assert est.se == pytest.approx(math.sqrt(1 / 12))
    half = T_975_DF3 * math.sqrt(1 / 12) / 0.25
    assert est.ci_low == pytest.approx(expit(-half))
    assert est.ci_high == pytest.approx(expit(half))
    assert est.n == 4
    assert est.weighted_n == 4
    assert est.small_n is True


def test_simple_random_sample_mean_by_hand() -> None:
    # Given 2, 4, 6, 8: mean 5, sample variance 20/3, se = sqrt(20/3 / 4); t interval, df 3.
    est = weighted_mean(np.array([2.0, 4.0, 6.0, 8.0]), np.ones(4))
    se = math.sqrt(20 / 3 / 4)
    assert est.value == pytest.approx(5.0)
    assert est.se == pytest.approx(se)
    assert est.ci_low == pytest.approx(5 - T_975_DF3 * se)
    assert est.ci_high == pytest.approx(5 + T_975_DF3 * se)


def test_weights_by_hand() -> None:
    # y = 1, 0 with weights 3, 1: p = 3/4. Scores 3(1-.75)/4 = .1875 and 1(0-.75)/4 = -.1875;
    # var = 2/1 * 2 * .1875^2 = .140625, se = .375.
    est = weighted_proportion(np.array([1.0, 0.0]), np.array([3.0, 1.0]))
    assert est.value == pytest.approx(0.75)
    assert est.se == pytest.approx(0.375)
    assert est.weighted_n == 4


def test_clusters_by_hand() -> None:
    # Places a, b, c with answers (1, 1), (0, 0), (1, 0): p = .5, row scores +-1/12, place
    # totals 1/6, -1/6, 0; var = 3/2 * (1/36 + 1/36) = 1/12. df = 3 places - 1 = 2.
    est = weighted_proportion(
        np.array([1, 1, 0, 0, 1, 0]), np.ones(6), clusters=np.array(list("aabbcc"))
    )
    assert est.se == pytest.approx(math.sqrt(1 / 12))
    half = T_975_DF2 * math.sqrt(1 / 12) / 0.25
    assert est.ci_high == pytest.approx(expit(half))
    assert est.deff is not None
    assert est.deff > 1


def test_boundary_proportion_has_degenerate_interval() -> None:
    est = weighted_proportion(np.ones(5), np.ones(5))
    assert (est.value, est.se, est.ci_low, est.ci_high) == (1.0, 0.0, 1.0, 1.0)


def test_missing_answers_are_excluded() -> None:
    with_nan = weighted_proportion(np.array([1, np.nan, 1, 0, 0]), np.arange(1.0, 6.0))
    without = weighted_proportion(np.array([1, 1, 0, 0]), np.array([1.0, 3.0, 4.0, 5.0]))
    assert with_nan == without
    assert with_nan.n == 4


def test_small_n_flag() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(SMALL_N) < 0.5).astype(float)
    assert weighted_proportion(y, np.ones(SMALL_N)).small_n is False
    assert weighted_proportion(y[:-1], np.ones(SMALL_N - 1)).small_n is True


def test_domain_without_respondents_is_nan() -> None:
    y = np.array([1.0, 0.0, np.nan, 1.0])
    out = estimate_by(y, np.ones(4), by=np.array(["f", "f", "m", "x"]), kind="proportion")
    assert out["m"].n == 0
    assert math.isnan(out["m"].value)
    assert out["m"].small_n


def test_post_stratification_scales_to_population() -> None:
    # Given two sex-by-age cells sampled 3 and 1 times, and a cell with no respondents.
    cells = np.array(["f-young", "f-young", "f-young", "m-old"])
    weights, missing = post_stratify(
        np.array([1.0, 1.0, 2.0, 5.0]), cells, {"f-young": 800.0, "m-old": 200.0, "m-young": 50.0}
    )
    assert weights.tolist() == [200.0, 200.0, 400.0, 200.0]
    assert missing == ["m-young"]
    # Then a proportion uses the new weights: 3 of 4 f-young say yes.
    est = weighted_proportion(np.array([1.0, 1.0, 0.0, 1.0]), weights)
    assert est.value == pytest.approx(600 / 1000)


def test_post_stratification_keeps_cells_without_population() -> None:
    weights, missing = post_stratify(np.array([1.0, 2.0]), np.array([1, 2]), {1: 10.0})
    assert weights.tolist() == [10.0, 2.0]
    assert missing == []


def test_difference_between_rounds() -> None:
    a = Estimate(0.40, 0.02, 0.36, 0.44, 500, 500.0, None, False)
    b = Estimate(0.50, 0.02, 0.46, 0.54, 500, 500.0, None, False)
    change = difference(a, b)
    assert change.value == pytest.approx(0.10)
    assert change.se == pytest.approx(math.sqrt(0.0008))
    assert change.z == pytest.approx(0.10 / math.sqrt(0.0008))
    assert change.p_value == pytest.approx(0.000407, abs=1e-5)
    assert change.significant
    assert not difference(a, a).significant


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: weighted_proportion([1, 0, 1], [1.0, 1.0]), "weights has 2 rows"),
        (lambda: weighted_proportion([1, 0], [1.0, -1.0]), "must not be negative"),
        (lambda: weighted_proportion([1, 0], [1.0, np.nan]), "finite"),
        (lambda: weighted_proportion([1, 2], [1.0, 1.0]), "must be 0, 1 or NaN"),
        (lambda: weighted_mean([1, 2], [1.0, 1.0], clusters=[1]), "clusters has 1 rows"),
        (lambda: weighted_mean([1, 2], [1.0, 1.0], clusters=[1, 1]), "two clusters"),
        (lambda: weighted_mean([1, 2, 3], [1.0] * 3, strata=[1, 1, 2]), "single cluster"),
        (lambda: estimate_by([1, 0], [1.0, 1.0], by=["a"]), "group labels"),
        (lambda: estimate_many([[1]], [1.0], kind="total"), "kind must be"),  # type: ignore[arg-type]
        (lambda: post_stratify([1.0], ["a"], {"a": -3.0}), "non-negative"),
    ],
)
def test_hostile_input_is_rejected(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- samplics


def sample(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n = 600
    place = rng.integers(0, 40, n)
    prop = (rng.random(n) < 0.2 + 0.01 * (place % 20)).astype(float)
    prop[rng.random(n) < 0.05] = np.nan
    mean = rng.normal(10 + place % 7, 3, n)
    mean[rng.random(n) < 0.05] = np.nan
    return {
        "proportion": prop,
        "mean": mean,
        "weights": rng.uniform(0.3, 4.0, n),
        "place": place,
        "region": place % 4,
        "sex": np.where(rng.random(n) < 0.5, "f", "m"),
        "age": rng.integers(0, 4, n),
    }


def samplics(
    kind: Kind,
    data: dict[str, Any],
    clusters: npt.ArrayLike | None,
    strata: npt.ArrayLike | None,
    domain: npt.ArrayLike | None,
) -> Any:
    est = TaylorEstimator(PopParam.prop if kind == "proportion" else PopParam.mean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.estimate(
            data[kind],
            data["weights"],
            psu=clusters,
            stratum=strata,
            domain=domain,
            remove_nan=True,
        )
    return est


def pick(kind: Kind, field: Any, key: Any) -> float:
    value = field if key is None else field[key]
    return float(value[1.0] if kind == "proportion" else value)


@pytest.mark.parametrize("kind", ["proportion", "mean"])
@pytest.mark.parametrize("design", ["srs", "clusters", "clusters+strata", "strata"])
@pytest.mark.parametrize("by", [None, "sex", "age"])
def test_matches_samplics(kind: Kind, design: str, by: str | None) -> None:
    data = sample(11)
    clusters = data["place"] if "clusters" in design else None
    strata = data["region"] if "strata" in design else None
    domain = data[by] if by else None
    ref = samplics(kind, data, clusters, strata, domain)
    ours = estimate_many(data[kind], data["weights"], domain, clusters, strata, kind)[0]
    assert len(ours) == (1 if by is None else len(np.unique(data[by])))
    for key, est in ours.items():
        got = (est.value, est.se, est.ci_low, est.ci_high)
        want = tuple(
            pick(kind, f, key) for f in (ref.point_est, ref.stderror, ref.lower_ci, ref.upper_ci)
        )
        assert np.max(np.abs(np.subtract(got, want))) < 1e-6, (key, got, want)


def test_estimate_many_equals_one_question_at_a_time() -> None:
    data = sample(5)
    answers = np.column_stack([data["proportion"], np.roll(data["proportion"], 7)])
    many = estimate_many(answers, data["weights"], data["sex"], data["place"], data["region"])
    for q in range(2):
        one = estimate_by(
            answers[:, q], data["weights"], data["sex"], data["place"], data["region"]
        )
        assert many[q] == one
