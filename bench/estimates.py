"""Survey estimates (assessments): ``estimate_many`` versus samplics' ``TaylorEstimator``.

100,000 synthetic respondents, 50 yes/no questions (about 2% missing answers), design weights,
200 places as clusters nested in 5 regions (the strata), disaggregated in turn by sex (2),
age band (4) and region (5). Palava does all 50 questions of one variable in one call (median of
3 runs). samplics is run question by question on a subset and extrapolated linearly to 50
questions; both are compared on that subset (value, standard error and interval bounds).
"""

from __future__ import annotations

import statistics
import time
import warnings
from typing import Any

import numpy as np

from palava.assessments.stats import estimate_many

ROWS = 100_000
QUESTIONS = 50
SAMPLICS_QUESTIONS = 5
RUNS = 3


def synthetic(seed: int = 42) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    place = rng.integers(0, 200, ROWS)
    region = place % 5
    sex = rng.integers(0, 2, ROWS)
    age = rng.integers(0, 4, ROWS)
    base = rng.uniform(0.1, 0.9, QUESTIONS)
    effect = rng.normal(0, 0.08, (200, QUESTIONS))
    prob = np.clip(base[None, :] + effect[place] + 0.03 * sex[:, None], 0.01, 0.99)
    answers = (rng.random((ROWS, QUESTIONS)) < prob).astype(np.float64)
    answers[rng.random((ROWS, QUESTIONS)) < 0.02] = np.nan
    return {
        "answers": answers,
        "weights": rng.lognormal(0, 0.5, ROWS),
        "place": place,
        "region": region,
        "by": {"sex": sex, "age_band": age, "region": region},
    }


def _samplics(data: dict[str, Any], by: np.ndarray, q: int) -> Any:
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    est = TaylorEstimator(PopParam.prop)
    est.estimate(
        data["answers"][:, q],
        data["weights"],
        psu=data["place"],
        stratum=data["region"],
        domain=by,
        remove_nan=True,
    )
    return est


def run() -> dict[str, object]:
    data = synthetic()
    ours: list[float] = []
    results: dict[str, list[dict[Any, Any]]] = {}
    for _ in range(RUNS):
        t = time.perf_counter()
        for name, by in data["by"].items():
            results[name] = estimate_many(
                data["answers"], data["weights"], by, data["place"], data["region"]
            )
        ours.append(time.perf_counter() - t)

    theirs = 0.0
    max_diff = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, by in data["by"].items():
            for q in range(SAMPLICS_QUESTIONS):
                t = time.perf_counter()
                ref = _samplics(data, by, q)
                theirs += time.perf_counter() - t
                for key, e in results[name][q].items():
                    want = [
                        ref.point_est[key][1.0],
                        ref.stderror[key][1.0],
                        ref.lower_ci[key][1.0],
                        ref.upper_ci[key][1.0],
                    ]
                    got = [e.value, e.se, e.ci_low, e.ci_high]
                    max_diff = max(max_diff, float(np.max(np.abs(np.subtract(got, want)))))
    samplics_s = theirs * QUESTIONS / SAMPLICS_QUESTIONS
    palava_s = statistics.median(ours)
    return {
        "name": "survey_estimates_vs_samplics",
        "unit": "seconds for all questions x 3 disaggregation variables (sex, age band, region)",
        "rows": ROWS,
        "questions": QUESTIONS,
        "clusters": 200,
        "strata": 5,
        "palava_s_median": round(palava_s, 4),
        "palava_runs": RUNS,
        "samplics_s_median": round(samplics_s, 2),
        "samplics_s_extrapolated_from_questions": SAMPLICS_QUESTIONS,
        "samplics_runs": 1,
        "speedup": round(samplics_s / palava_s, 1),
        "max_abs_diff": max_diff,
        "max_abs_diff_over": "value, se, ci_low, ci_high of every domain, samplics subset",
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
