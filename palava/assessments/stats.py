"""Survey estimates: weighted proportions and means with design-based 95% confidence intervals.

The estimator is the ratio (Hajek) estimator with Taylor linearisation variance, PSUs (places)
sampled with replacement inside strata, and the ``n_h / (n_h - 1)`` correction per stratum. It
follows samplics' ``TaylorEstimator`` exactly (tests compare to 1e-6):

* no clusters: every row is its own PSU;
* domains (disaggregation): every row is kept for the variance and rows outside the domain get
  a zero score, so a domain's PSU count is the whole sample's;
* missing answers (NaN) are dropped first, as samplics does with ``remove_nan=True``: a place with
  no answers to a question is not a PSU for that question;
* confidence intervals use Student's t with ``#PSU - #strata`` degrees of freedom; proportions use
  the logit-transformed interval (samplics' default), ``[0, 0]`` or ``[1, 1]`` at the boundaries;
* a stratum with a single PSU is an error (samplics' default ``single_psu=error``).

``estimate_many`` does every question and every domain of one disaggregation variable in a few
sparse matrix products, so 100,000 rows by 50 questions takes a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse, stats  # type: ignore[import-untyped]

SMALL_N = 30
ALPHA = 0.05

Kind = Literal["proportion", "mean"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    weighted_n: float
    deff: float | None
    small_n: bool


@dataclass(frozen=True)
class Change:
    value: float
    se: float
    z: float
    p_value: float
    significant: bool


# --------------------------------------------------------------------------- validation


def _as_weights(weights: npt.ArrayLike, n_rows: int) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError("weights must be a one-dimensional array.")
    if w.shape[0] != n_rows:
        raise ValueError(f"weights has {w.shape[0]} rows but the answers have {n_rows}.")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite numbers (no NaN or infinity).")
    if np.any(w < 0):
        raise ValueError("weights must not be negative.")
    return w


def _as_labels(labels: npt.ArrayLike | None, n_rows: int, name: str) -> IntArray | None:
    """Integer codes for a label array (None stays None)."""
    if labels is None:
        return None
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional array.")
    if arr.shape[0] != n_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows but the answers have {n_rows}.")
    if arr.dtype == object:
        arr = arr.astype(str)
    _, codes = np.unique(arr, return_inverse=True)
    return codes.reshape(-1).astype(np.intp)


def _as_answers(y: npt.ArrayLike, kind: Kind) -> FloatArray:
    if kind not in ("proportion", "mean"):
        raise ValueError(f"kind must be 'proportion' or 'mean', not {kind!r}.")
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError("answers must be a one- or two-dimensional array.")
    if np.any(np.isinf(arr)):
        raise ValueError("answers must not contain infinity (use NaN for a missing answer).")
    if kind == "proportion":
        finite = arr[~np.isnan(arr)]
        if np.any((finite != 0) & (finite != 1)):
            raise ValueError("answers for a proportion must be 0, 1 or NaN (missing).")
    return arr


# --------------------------------------------------------------------------- design


@dataclass(frozen=True)
class _Design:
    """Shared, question-independent structure: PSU and stratum codes."""

    n_rows: int
    psu: IntArray | None  # PSU code per row (unique within stratum), None = each row a PSU
    n_psu: int
    psu_stratum: IntArray  # stratum code per PSU (length n_psu; rows when psu is None)
    n_strata: int


def _design(n_rows: int, clusters: npt.ArrayLike | None, strata: npt.ArrayLike | None) -> _Design:
    stratum = _as_labels(strata, n_rows, "strata")
    cluster = _as_labels(clusters, n_rows, "clusters")
    if stratum is None:
        stratum = np.zeros(n_rows, dtype=np.intp)
    n_strata = int(stratum.max()) + 1 if n_rows else 0
    if cluster is None:
        return _Design(n_rows, None, n_rows, stratum, n_strata)
    pair = stratum.astype(np.int64) * (int(cluster.max()) + 1) + cluster
    _, first, psu = np.unique(pair, return_index=True, return_inverse=True)
    psu = psu.reshape(-1).astype(np.intp)
    return _Design(n_rows, psu, int(first.size), stratum[first], n_strata)


def _indicator(codes: IntArray, n_codes: int) -> Any:
    """Sparse (n_codes x rows) matrix summing rows by code."""
    n = codes.shape[0]
    return sparse.csr_matrix(
        (np.ones(n), (codes, np.arange(n))), shape=(n_codes, n), dtype=np.float64
    )


# --------------------------------------------------------------------------- core


def _estimate_domains(
    y: FloatArray,
    w: FloatArray,
    domain: IntArray,
    n_domains: int,
    design: _Design,
    kind: Kind,
) -> list[list[Estimate]]:
    """Estimates for every question (outer list) and every domain code (inner list)."""
    n_rows, n_q = y.shape
    valid = ~np.isnan(y)
    v = valid.astype(np.float64)
    yz = np.where(valid, y, 0.0)
    wv = w[:, None] * v
    wy = wv * yz

    dom_sum = _indicator(domain, n_domains)
    weighted_n = np.asarray(dom_sum @ wv)  # D x Q
    total = np.asarray(dom_sum @ wy)
    count = np.asarray(dom_sum @ v)
    total_sq = np.asarray(dom_sum @ (wy * yz))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = total / weighted_n  # D x Q

    # Cells = (PSU, domain) pairs; a PSU's score for domain d is its cell's sum, else zero.
    psu_rows = design.psu if design.psu is not None else np.arange(n_rows, dtype=np.intp)
    cell_code = psu_rows.astype(np.int64) * n_domains + domain
    if design.psu is None:
        cell_psu, cell_dom = psu_rows, domain
        a, b = wy, wv
    else:
        cells, cell_idx = np.unique(cell_code, return_inverse=True)
        cell_idx = cell_idx.reshape(-1).astype(np.intp)
        cell_psu = (cells // n_domains).astype(np.intp)
        cell_dom = (cells % n_domains).astype(np.intp)
        m = _indicator(cell_idx, int(cells.size))
        a = np.asarray(m @ wy)
        b = np.asarray(m @ wv)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (a - value[cell_dom] * b) / weighted_n[cell_dom]  # cells x Q
    score = np.nan_to_num(score, nan=0.0, posinf=0.0, neginf=0.0)

    # PSUs present per question (any answer), counted per stratum.
    if design.psu is None:
        present = v
    else:
        present = (np.asarray(_indicator(design.psu, design.n_psu) @ v) > 0).astype(np.float64)
    str_sum = _indicator(design.psu_stratum, design.n_strata)
    n_h = np.asarray(str_sum @ present)  # H x Q
    n_psu = n_h.sum(axis=0)  # Q
    n_str = (n_h > 0).sum(axis=0)
    if np.any(n_psu < 2):
        raise ValueError("At least two clusters (or respondents) with answers are needed.")
    if np.any(n_h == 1):
        h, q = np.argwhere(n_h == 1)[0]
        raise ValueError(
            f"Stratum number {h} (in sorted order) has a single cluster with answers to "
            f"question {q}; the variance cannot be estimated (merge it with another stratum)."
        )
    df = n_psu - n_str

    # Per (stratum, domain): T = sum of PSU scores, SS = sum of squared PSU scores.
    cell_stratum = design.psu_stratum[cell_psu]
    hd = cell_stratum.astype(np.intp) * n_domains + cell_dom
    hd_sum = _indicator(hd, design.n_strata * n_domains)
    t_sum = np.asarray(hd_sum @ score).reshape(design.n_strata, n_domains, n_q)
    ss = np.asarray(hd_sum @ (score * score)).reshape(design.n_strata, n_domains, n_q)
    nh = n_h[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        per_stratum = np.where(nh > 1, nh / (nh - 1) * (ss - t_sum * t_sum / nh), 0.0)
    variance = np.maximum(per_stratum.sum(axis=0), 0.0)  # D x Q
    se = np.sqrt(variance)

    t_q = stats.t.ppf(1 - ALPHA / 2, df)  # Q
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "proportion":
            inner = (value > 0) & (value < 1)
            p = np.where(inner, value, 0.5)
            loc = np.log(p / (1 - p))
            scale = se / (p * (1 - p))
            low = np.where(inner, _expit(loc - t_q * scale), value)
            high = np.where(inner, _expit(loc + t_q * scale), value)
        else:
            low = value - t_q * se
            high = value + t_q * se
        pop_var = total_sq / weighted_n - value * value
        srs_var = pop_var * count / (count - 1) / count
        deff = variance / srs_var

    out: list[list[Estimate]] = []
    for q in range(n_q):
        row: list[Estimate] = []
        for d in range(n_domains):
            n = int(count[d, q])
            if n == 0:
                nan = math.nan
                row.append(Estimate(nan, nan, nan, nan, 0, 0.0, None, True))
                continue
            de = float(deff[d, q])
            row.append(
                Estimate(
                    value=float(value[d, q]),
                    se=float(se[d, q]),
                    ci_low=float(low[d, q]),
                    ci_high=float(high[d, q]),
                    n=n,
                    weighted_n=float(weighted_n[d, q]),
                    deff=de if math.isfinite(de) else None,
                    small_n=n < SMALL_N,
                )
            )
        out.append(row)
    return out


def _expit(x: FloatArray) -> FloatArray:
    return np.asarray(np.exp(x) / (1 + np.exp(x)), dtype=np.float64)


# --------------------------------------------------------------------------- public API


def estimate_many(
    Y: npt.ArrayLike,
    weights: npt.ArrayLike,
    by: npt.ArrayLike | None = None,
    clusters: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
    kind: Kind = "proportion",
) -> list[dict[Hashable, Estimate]]:
    """One ``{domain label: Estimate}`` per question (column of ``Y``).

    Without ``by`` the single key is ``None`` (the whole sample).
    """
    y = _as_answers(Y, kind)
    n_rows = y.shape[0]
    w = _as_weights(weights, n_rows)
    design = _design(n_rows, clusters, strata)
    if by is None:
        labels: list[Hashable] = [None]
        domain = np.zeros(n_rows, dtype=np.intp)
    else:
        arr = np.asarray(by)
        if arr.ndim != 1 or arr.shape[0] != n_rows:
            raise ValueError(f"by must be a one-dimensional array of {n_rows} group labels.")
        if arr.dtype == object:
            arr = arr.astype(str)
        uniq, inv = np.unique(arr, return_inverse=True)
        labels = list(uniq.tolist())
        domain = inv.reshape(-1).astype(np.intp)
    result = _estimate_domains(y, w, domain, len(labels), design, kind)
    return [dict(zip(labels, per_q, strict=True)) for per_q in result]


def estimate_by(
    y: npt.ArrayLike,
    weights: npt.ArrayLike,
    by: npt.ArrayLike,
    clusters: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
    kind: Kind = "proportion",
) -> dict[Hashable, Estimate]:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("y must be a one-dimensional array (use estimate_many for several).")
    return estimate_many(arr, weights, by, clusters, strata, kind)[0]


def weighted_proportion(
    y: npt.ArrayLike,
    weights: npt.ArrayLike,
    clusters: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
) -> Estimate:
    return _single(y, weights, clusters, strata, "proportion")


def weighted_mean(
    y: npt.ArrayLike,
    weights: npt.ArrayLike,
    clusters: npt.ArrayLike | None = None,
    strata: npt.ArrayLike | None = None,
) -> Estimate:
    return _single(y, weights, clusters, strata, "mean")


def _single(
    y: npt.ArrayLike,
    weights: npt.ArrayLike,
    clusters: npt.ArrayLike | None,
    strata: npt.ArrayLike | None,
    kind: Kind,
) -> Estimate:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("y must be a one-dimensional array.")
    return estimate_many(arr, weights, None, clusters, strata, kind)[0][None]


def post_stratify(
    weights: npt.ArrayLike, cells: npt.ArrayLike, totals: Mapping[Hashable, float]
) -> tuple[FloatArray, list[Hashable]]:
    """Scale weights so each cell's weights sum to its population total.

    Cells absent from ``totals`` keep their weights. Returns the new weights and the cells that
    have a population total but no respondents (those totals cannot be met).
    """
    cell_arr = np.asarray(cells)
    if cell_arr.ndim != 1:
        raise ValueError("cells must be a one-dimensional array.")
    w = _as_weights(weights, cell_arr.shape[0])
    if cell_arr.dtype == object:
        cell_arr = cell_arr.astype(str)
    out = w.copy()
    missing: list[Hashable] = []
    for cell, total in totals.items():
        if not math.isfinite(total) or total < 0:
            raise ValueError(f"Population total for cell {cell!r} must be a non-negative number.")
        mask = cell_arr == (str(cell) if cell_arr.dtype.kind == "U" else cell)
        current = float(w[mask].sum())
        if current <= 0:
            missing.append(cell)
            continue
        out[mask] = w[mask] * (total / current)
    return out, missing


def difference(a: Estimate, b: Estimate) -> Change:
    """Change from round ``a`` to round ``b`` (independent samples), two-sided normal test."""
    value = b.value - a.value
    se = math.sqrt(a.se**2 + b.se**2)
    if se > 0:
        z = value / se
    elif value == 0 or math.isnan(value):
        z = 0.0 if value == 0 else math.nan
    else:
        z = math.copysign(math.inf, value)
    p_value = float(2 * stats.norm.sf(abs(z))) if not math.isnan(z) else math.nan
    return Change(value=value, se=se, z=z, p_value=p_value, significant=bool(p_value < ALPHA))
