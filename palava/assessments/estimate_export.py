"""The estimates of a round as a table with HXL hashtags (CSV or XLSX through
``palava.core.exporters``): one row per indicator and domain (overall, then by sex, age band,
place and group) with value, 95% interval, standard error, respondents, weighted respondents,
design effect and the small-sample and suppression flags.

Proportions are written in percent (``#value+pct``), means as they are (``#value+mean``); the
interval and standard error are in the same unit. A domain with fewer than ``SUPPRESS_N``
respondents keeps its row with every figure blank and ``#meta+suppressed`` = 1. Place rows carry
the place's admin 1-3 P-codes and names (``#adm1+code`` ...). The hashtags are core HXL; the
attributes are core or declared in ``CUSTOM_ATTRIBUTES`` (HXL allows new attributes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from palava.assessments.estimate_charts import domain_label, is_percent
from palava.assessments.estimates import ALL, BY_CHOICES, is_suppressed, round_estimates
from palava.assessments.models import Round
from palava.core.exporters import Cell, Column, Table
from palava.missions.models import Membership
from palava.places.models import AdminUnit

CUSTOM_ATTRIBUTES = frozenset(
    {
        "series",
        "round",
        "version",
        "breakdown",
        "mean",
        "ci",
        "low",
        "high",
        "se",
        "weighted",
        "deff",
        "small_n",
        "suppressed",
        "population",
    }
)

EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("Series", "#meta+series"),
    Column("Round", "#meta+round+num"),
    Column("Round name", "#meta+round+name"),
    Column("Start date", "#date+start"),
    Column("End date", "#date+end"),
    Column("Indicator code", "#indicator+code"),
    Column("Indicator version", "#indicator+version"),
    Column("Indicator", "#indicator+name"),
    Column("Kind", "#indicator+type"),
    Column("Breakdown", "#meta+breakdown"),
    Column("Domain code", "#group+code"),
    Column("Domain", "#group+name"),
    Column("Admin 1 P-code", "#adm1+code"),
    Column("Admin 1 name", "#adm1+name"),
    Column("Admin 2 P-code", "#adm2+code"),
    Column("Admin 2 name", "#adm2+name"),
    Column("Admin 3 P-code", "#adm3+code"),
    Column("Admin 3 name", "#adm3+name"),
    Column("Percentage", "#value+pct"),
    Column("Mean", "#value+mean"),
    Column("95% CI low", "#value+ci+low"),
    Column("95% CI high", "#value+ci+high"),
    Column("Standard error", "#value+se"),
    Column("Respondents", "#respondee+num"),
    Column("Weighted respondents", "#respondee+num+weighted"),
    Column("Design effect", "#meta+deff"),
    Column("Small sample (n < 30)", "#meta+small_n"),
    Column("Suppressed (n < 5)", "#meta+suppressed"),
    Column("Population year", "#date+population"),
)


def _chains(mission_id: int, pcodes: Sequence[str]) -> dict[str, dict[int, tuple[str, str]]]:
    """P-code -> {level: (P-code, name)} for the place and its ancestors (levels 1 to 3)."""
    units = list(AdminUnit.objects.filter(mission_id=mission_id, pcode__in=list(pcodes)))
    codes = {c for u in units for c in u.path.strip("/").split("/") if c}
    known = {u.pcode: u for u in AdminUnit.objects.filter(mission_id=mission_id, pcode__in=codes)}
    out: dict[str, dict[int, tuple[str, str]]] = {}
    for unit in units:
        chain: dict[int, tuple[str, str]] = {}
        for c in unit.path.strip("/").split("/"):
            a = known.get(c)
            if a is not None and 1 <= a.level <= 3:
                chain[a.level] = (a.pcode, a.name)
        out[unit.pcode] = chain
    return out


def _num(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None and math.isfinite(value) else None


def export_table(rnd: Round, membership: Membership) -> Table:
    """One row per indicator and domain (overall, then by sex, age band, place and group)."""
    rows: list[list[Cell]] = []
    place_est = round_estimates(round=rnd, by="place", membership=membership)
    chains = _chains(rnd.mission_id, [k for k in place_est.domain_keys if k])
    for by in (None, *BY_CHOICES):
        est = (
            place_est if by == "place" else round_estimates(round=rnd, by=by, membership=membership)
        )
        for code, result in est.results.items():
            if result.overall is None:
                continue
            percent = is_percent(result)
            factor = 100.0 if percent else 1.0
            title = result.indicator.title("en") if result.indicator is not None else code
            for key in est.domain_keys:
                e = result.overall if key == ALL else result.estimates.get(key)
                suppressed = is_suppressed(e)
                chain = chains.get(key, {}) if by == "place" else {}
                label = domain_label(by, key, est.place_names) if by is not None else ""
                value = e.value * factor if e is not None and not suppressed else None
                row: list[Cell] = [
                    rnd.series,
                    rnd.number,
                    rnd.name,
                    rnd.starts_on.isoformat(),
                    rnd.ends_on.isoformat(),
                    code,
                    result.version,
                    title,
                    result.indicator.kind if result.indicator is not None else "",
                    by or "all",
                    "" if key == ALL else key,
                    label,
                ]
                for level in (1, 2, 3):
                    pcode, name = chain.get(level, ("", ""))
                    row += [pcode, name]
                if e is None or suppressed:
                    row += [None] * 9 + [1]
                else:
                    row += [
                        _num(value) if percent else None,
                        None if percent else _num(value),
                        _num(e.ci_low * factor),
                        _num(e.ci_high * factor),
                        _num(e.se * factor),
                        e.n,
                        _num(e.weighted_n, 2),
                        _num(e.deff, 3) if e.deff is not None else None,
                        1 if e.small_n else 0,
                        0,
                    ]
                row.append(est.population_year)
                rows.append(row)
    return Table(columns=EXPORT_COLUMNS, rows=rows, total=len(rows))
