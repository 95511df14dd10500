"""Population CSV, COD-PS-like: a P-code column and either the long format (``year, sex,
age_band, count``) or the wide format (``F_TL, M_TL, F_00_04, M_00_04 ... F_80plus``, with a
``year`` / ``reference_year`` column or a year given as an option). Figures are upserted."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.importers import ImportFileError
from palava.core.models import Job, acting_user
from palava.places.importers.base import (
    ColumnSpec,
    Issues,
    Progress,
    Table,
    cell,
    hxl,
    locate_columns,
    no_progress,
    parse_float,
)
from palava.places.models import AdminUnit, PopulationFigure

COLUMNS = (
    ColumnSpec(
        "pcode",
        (
            "adm3pcode",
            "admin3pcode",
            "adm2pcode",
            "admin2pcode",
            "adm1pcode",
            "admin1pcode",
            "adm0pcode",
            "pcode",
            "adminpcode",
        ),
        (hxl("#adm3", "code"), hxl("#adm2", "code"), hxl("#adm1", "code"), hxl("#adm", "code")),
    ),
    ColumnSpec("year", ("year", "referenceyear", "refyear"), (hxl("#date", "year"), hxl("#date"))),
    ColumnSpec("sex", ("sex", "gender"), (hxl("#sex"),)),
    ColumnSpec("age_band", ("ageband", "age", "agegroup"), (hxl("#age"),)),
    ColumnSpec("count", ("count", "population", "people", "value", "pop"), (hxl("#population"),)),
)
WIDE_COLUMN = re.compile(r"^([FMT])_(TL|\d{1,2}_\d{1,2}|\d{1,2}PLUS)$", re.IGNORECASE)
SEX_WORDS = {
    "f": "f",
    "female": "f",
    "femme": "f",
    "women": "f",
    "m": "m",
    "male": "m",
    "homme": "m",
    "men": "m",
}
MAX_COUNT = 2_000_000_000
REPORT_LIST_CAP = 500


def _band(code: str) -> str:
    """``TL`` -> ``total``, ``00_04`` -> ``0-4``, ``80PLUS`` -> ``80+``."""
    code = code.upper()
    if code == "TL":
        return "total"
    if code.endswith("PLUS"):
        return f"{int(code[:-4])}+"
    low, high = code.split("_")
    return f"{int(low)}-{int(high)}"


def wide_columns(table: Table) -> dict[int, tuple[str, str]]:
    """Column index -> (sex, age band) for the wide format (``T_`` totals are not stored)."""
    found: dict[int, tuple[str, str]] = {}
    for index, name in enumerate(table.header):
        match = WIDE_COLUMN.match(name.strip())
        if match and match.group(1).upper() in ("F", "M"):
            found[index] = (match.group(1).lower(), _band(match.group(2)))
    return found


def looks_like_population(table: Table) -> bool:
    columns = locate_columns(table, COLUMNS)
    if "pcode" not in columns:
        return False
    return bool(wide_columns(table)) or all(k in columns for k in ("sex", "age_band", "count"))


@dataclass(frozen=True)
class Figure:
    line: int
    unit_id: int
    pcode: str
    year: int
    sex: str
    age_band: str
    count: int


def _year(text: str) -> int | None:
    text = text.strip()[:10]
    return (
        int(text[:4]) if re.match(r"^\d{4}(\D|$)", text) and 1900 <= int(text[:4]) <= 2100 else None
    )


def _count(text: str) -> int | None:
    value = parse_float(
        text.replace(",", "") if text.count(",") > 1 or re.search(r",\d{3}$", text) else text
    )
    if value is None or value < 0 or value > MAX_COUNT:
        return None
    return round(value)


def plan_population(
    table: Table,
    *,
    mission: Any,
    year: int | None = None,
    progress: Progress = no_progress,
    warnings: Issues | None = None,
) -> tuple[list[Figure], Issues, Issues]:
    columns = locate_columns(table, COLUMNS)
    wide = wide_columns(table)
    if "pcode" not in columns:
        raise ImportFileError(_("The population file has no P-code column (e.g. ADM2_PCODE)."))
    if not wide and not all(k in columns for k in ("sex", "age_band", "count")):
        raise ImportFileError(
            _(
                "The population file needs sex, age_band and count columns, or COD-PS "
                "columns such as F_TL, M_00_04."
            )
        )
    if "year" not in columns and year is None:
        raise ImportFileError(_("The population file has no year column: give the reference year."))
    units = dict(
        AdminUnit.objects.filter(mission=mission, retired_at__isnull=True).values_list(
            "pcode", "id"
        )
    )
    errors = Issues()
    warnings = warnings if warnings is not None else Issues()
    figures: list[Figure] = []
    seen: dict[tuple[int, int, str, str], int] = {}
    total = len(table.rows)
    for number, (line, cells) in enumerate(table.rows, start=1):
        if number % 1000 == 0:
            progress(number, total, _("Checking rows"))
        pcode = cell(cells, columns["pcode"]).strip()
        unit_id = units.get(pcode)
        if unit_id is None:
            errors.add(line, _("P-code %(pcode)r is not in the gazetteer.") % {"pcode": pcode[:40]})
            continue
        row_year = year
        if "year" in columns:
            row_year = _year(cell(cells, columns["year"]))
            if row_year is None:
                errors.add(
                    line,
                    _("Year %(year)r is not a year.")
                    % {"year": cell(cells, columns["year"]).strip()[:20]},
                )
                continue
        assert row_year is not None
        cells_to_read: list[tuple[str, str, str]] = []
        if wide:
            cells_to_read = [(sex, band, cell(cells, index)) for index, (sex, band) in wide.items()]
        else:
            sex_text = cell(cells, columns["sex"]).strip()
            sex = SEX_WORDS.get(sex_text.casefold())
            band = cell(cells, columns["age_band"]).strip()
            if sex is None:
                errors.add(line, _("Sex %(sex)r is not f or m.") % {"sex": sex_text[:20]})
                continue
            if not band or len(band) > 16 or not re.fullmatch(r"[0-9A-Za-z+\- ]+", band):
                errors.add(
                    line,
                    _("Age band %(band)r is not like 0-4, 80+ or total.") % {"band": band[:20]},
                )
                continue
            cells_to_read = [(sex, band, cell(cells, columns["count"]))]
        for sex, band, text in cells_to_read:
            if not text.strip() and wide:
                continue
            count = _count(text)
            if count is None:
                errors.add(
                    line,
                    _("Count %(value)r for %(sex)s %(band)s is not a number of people.")
                    % {"value": text.strip()[:20], "sex": sex, "band": band},
                )
                continue
            key = (unit_id, row_year, sex, band)
            if key in seen:
                errors.add(
                    line,
                    _("%(pcode)s %(year)s %(sex)s %(band)s is already on line %(first)s.")
                    % {
                        "pcode": pcode,
                        "year": row_year,
                        "sex": sex,
                        "band": band,
                        "first": seen[key],
                    },
                )
                continue
            seen[key] = line
            figures.append(Figure(line, unit_id, pcode, row_year, sex, band, count))
    return figures, errors, warnings


@transaction.atomic
def population_apply(
    *, mission: Any, actor: Any, job: Job, figures: list[Figure], source: str
) -> dict[str, Any]:
    now = timezone.now()
    user = acting_user(actor)
    existing = {
        (f["admin_unit_id"], f["year"], f["sex"], f["age_band"]): f
        for f in PopulationFigure.objects.filter(mission=mission).values(
            "id", "admin_unit_id", "year", "sex", "age_band", "count"
        )
    }
    new: list[PopulationFigure] = []
    changed: list[PopulationFigure] = []
    counts: Counter[str] = Counter()
    for f in figures:
        current = existing.get((f.unit_id, f.year, f.sex, f.age_band))
        if current is None:
            new.append(
                PopulationFigure(
                    mission=mission,
                    admin_unit_id=f.unit_id,
                    year=f.year,
                    sex=f.sex,
                    age_band=f.age_band,
                    count=f.count,
                    source=source[:200],
                    created_by=user,
                    updated_by=user,
                )
            )
            counts["added"] += 1
        elif current["count"] != f.count:
            changed.append(
                PopulationFigure(
                    id=current["id"],
                    count=f.count,
                    source=source[:200],
                    updated_at=now,
                    updated_by=user,
                )
            )
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    PopulationFigure.objects.bulk_create(new, batch_size=1000)
    if changed:
        PopulationFigure.objects.bulk_update(
            changed, ["count", "source", "updated_at", "updated_by"], batch_size=500
        )
    result = {
        "counts": {key: counts.get(key, 0) for key in ("added", "updated", "unchanged")},
        "rows": len(figures),
    }
    audit_record(
        actor=actor,
        action="places.import",
        mission=mission,
        obj=job,
        changes={"kind": "population", "result": result["counts"]},
    )
    return result
