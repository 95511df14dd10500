"""The OCHA P-code gazetteer CSV (``Location,Admin Level,P-Code,Name,Parent P-Code,Valid from
date``, with or without its HXL hashtag row): parse and validate the whole file, plan the changes
against the mission's units, then write them in one transaction.

Validation rules (errors reject the whole file; nothing is written):

- P-code: 1 to 32 upper-case letters, digits or hyphens; unique in the file.
- Level 0 to 3; a level-0 row names a country (P-code = the ISO3 code, no parent).
- Name: not empty, at most 200 characters, no control characters, no formula start.
- Date: empty or ISO ``YYYY-MM-DD`` (a time part is ignored).
- Country (``Location``): three letters when the column is there.
- Parent: an admin-1 unit's parent is its country; a deeper unit's parent is a unit one level up
  of the same country, in the file or already in the mission.

P-code conventions (warnings by default, errors with ``strict=True``), because the reference
edition itself breaks them in a handful of countries (Kyrgyzstan, Lebanon, Russia, Madagascar,
Curaçao): a child's P-code starts with its parent's (trailing zero padding of the parent
allowed); admin-1 P-codes are alphanumeric with the country's majority two-letter prefix; the
length of P-codes is the same for a level within a country (the majority is inferred from the
file).

A level-2 row whose parent is missing from the file but carries the country's admin-1 prefix gets
a placeholder admin-1 unit (name = P-code) and a warning, as the reference edition has one such
row (South Sudan's Abyei, ``SS0001`` under ``SS00``); with ``strict=True`` it is an error.

Re-import: units are matched by P-code; units missing from the new file are retired (never
deleted) only within the (country, level) pairs the file covers, so an admin-3 file or another
country's file does not retire anything else.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import Job, acting_user
from palava.places.importers.base import (
    ColumnSpec,
    Issues,
    Progress,
    Table,
    cell,
    clean_text,
    hxl,
    locate_columns,
    no_progress,
)
from palava.places.models import AdminUnit
from palava.places.text import search_text

PCODE_RE = re.compile(r"^[A-Z0-9-]{1,32}$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
ADMIN1_RE = re.compile(r"^[A-Z0-9]+$")
MAX_NAME = 200
REPORT_LIST_CAP = 500
BATCH = 2000
PROGRESS_EVERY = 2000

COLUMNS = (
    ColumnSpec(
        "pcode",
        ("pcode", "admincode", "adminpcode", "code"),
        (hxl("#adm", "code", without=["parent"]),),
    ),
    ColumnSpec(
        "name",
        ("name", "adminname", "nameen", "name_en"),
        (hxl("#adm", "name", without=["parent"]),),
    ),
    ColumnSpec(
        "level",
        ("adminlevel", "level", "admlevel"),
        (hxl("#geo", "admin_level"), hxl("#adm", "level")),
    ),
    ColumnSpec(
        "parent",
        ("parentpcode", "parentcode", "parent"),
        (hxl("#adm", "code", "parent"),),
    ),
    ColumnSpec(
        "country",
        ("location", "country", "iso3", "countrycode", "countryiso3"),
        (hxl("#country", "code"),),
    ),
    ColumnSpec(
        "valid_from",
        ("validfromdate", "validfrom", "validon", "date"),
        (hxl("#date", "start"), hxl("#date")),
    ),
)
REQUIRED = ("pcode", "name", "level", "parent")


def looks_like_gazetteer(table: Table) -> bool:
    found = locate_columns(table, COLUMNS)
    return all(key in found for key in REQUIRED)


@dataclass
class GazRow:
    line: int
    pcode: str
    level: int
    name: str
    parent: str
    country: str
    valid_from: date | None


@dataclass
class Desired:
    pcode: str
    level: int
    country: str
    name: str
    parent: str | None
    valid_from: date | None


@dataclass
class GazetteerPlan:
    desired: dict[str, Desired]
    countries_levels: set[tuple[str, int]]
    placeholders: set[str]
    rows: int
    warnings: Issues
    errors: Issues


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    lists: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def note(self, kind: str, entry: Any) -> None:
        self.counts[kind] += 1
        if len(self.lists[kind]) < REPORT_LIST_CAP:
            self.lists[kind].append(entry)

    def as_dict(self) -> dict[str, Any]:
        kinds = ("added", "renamed", "moved", "retired", "unretired", "redated")
        return {
            "counts": {kind: self.counts.get(kind, 0) for kind in kinds},
            **{kind: list(self.lists.get(kind, [])) for kind in kinds},
        }


def _parse_date(value: str) -> date | str | None:
    """A date, ``None`` for empty, or the string ``"bad"``."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]) if re.match(r"^\d{4}-\d{2}-\d{2}", value) else "bad"
    except ValueError:
        return "bad"


def _parse_rows(table: Table, errors: Issues, progress: Progress) -> list[GazRow]:
    columns = locate_columns(table, COLUMNS)
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        from palava.core.importers import ImportFileError

        raise ImportFileError(
            _("The gazetteer has no column for: %(missing)s.") % {"missing": ", ".join(missing)}
        )
    parsed: list[GazRow] = []
    total = len(table.rows)
    for index, (line, cells) in enumerate(table.rows, start=1):
        if index % PROGRESS_EVERY == 0:
            progress(index, total, _("Checking rows"))
        bad = errors.count
        pcode = clean_text(
            cell(cells, columns["pcode"]), what=_("P-code"), line=line, errors=errors, max_chars=32
        )
        if pcode is not None and not PCODE_RE.match(pcode):
            errors.add(
                line,
                _("P-code %(pcode)r: only upper-case letters, digits and hyphens are allowed.")
                % {"pcode": pcode},
            )
        name = clean_text(
            cell(cells, columns["name"]),
            what=_("Name"),
            line=line,
            errors=errors,
            max_chars=MAX_NAME,
        )
        level_text = cell(cells, columns["level"]).strip()
        level = int(level_text) if level_text.isdigit() and len(level_text) < 3 else -1
        if not 0 <= level <= 3:
            errors.add(
                line, _("Admin level %(level)r is not 0, 1, 2 or 3.") % {"level": level_text[:20]}
            )
        parent = cell(cells, columns["parent"]).strip()
        if parent and not PCODE_RE.match(parent):
            errors.add(
                line, _("Parent P-code %(pcode)r is not a valid P-code.") % {"pcode": parent[:40]}
            )
        country = cell(cells, columns.get("country")).strip()
        if "country" in columns and not ISO3_RE.match(country):
            errors.add(
                line,
                _("Country %(country)r is not a three-letter ISO code.")
                % {"country": country[:20]},
            )
        valid_from = _parse_date(cell(cells, columns.get("valid_from")))
        if valid_from == "bad":
            errors.add(
                line,
                _("Date %(date)r is not a date (YYYY-MM-DD).")
                % {"date": cell(cells, columns.get("valid_from")).strip()[:40]},
            )
        if errors.count == bad and pcode and name is not None and not isinstance(valid_from, str):
            parsed.append(GazRow(line, pcode, level, name, parent, country, valid_from))
    return parsed


def plan_gazetteer(
    table: Table,
    *,
    existing: dict[str, dict[str, Any]],
    strict: bool = False,
    progress: Progress = no_progress,
    warnings: Issues | None = None,
) -> GazetteerPlan:
    """Validate the whole table against itself and the mission's existing units."""
    errors = Issues()
    warnings = warnings if warnings is not None else Issues()
    conventions = errors if strict else warnings
    rows = _parse_rows(table, errors, progress)

    by_pcode: dict[str, GazRow] = {}
    for row in rows:
        if row.pcode in by_pcode:
            errors.add(
                row.line,
                _("P-code %(pcode)s is already on line %(first)s.")
                % {"pcode": row.pcode, "first": by_pcode[row.pcode].line},
            )
            continue
        by_pcode[row.pcode] = row

    # Countries first: a level-0 row, or the country of admin-1 rows.
    for row in by_pcode.values():
        if row.level == 0:
            if row.parent:
                errors.add(row.line, _("An admin-0 unit has no parent."))
            if not ISO3_RE.match(row.pcode) or (row.country and row.country != row.pcode):
                errors.add(row.line, _("An admin-0 P-code is the country's three-letter code."))
            row.country = row.pcode
        elif row.level == 1:
            if not ISO3_RE.match(row.parent):
                errors.add(
                    row.line,
                    _("An admin-1 unit's parent is its country code, not %(parent)r.")
                    % {"parent": row.parent},
                )
            elif row.country and row.country != row.parent:
                errors.add(
                    row.line,
                    _("Parent %(parent)s differs from the country %(country)s.")
                    % {"parent": row.parent, "country": row.country},
                )
            row.country = row.country or row.parent

    # The admin-1 prefix each country mostly uses (for placeholders and conventions).
    prefixes: dict[str, Counter[str]] = defaultdict(Counter)
    for row in by_pcode.values():
        if row.level == 1:
            prefixes[row.country][row.pcode[:2]] += 1
    majority_prefix = {country: c.most_common(1)[0][0] for country, c in prefixes.items()}

    placeholders: dict[str, tuple[str, int]] = {}

    def parent_of(row: GazRow) -> tuple[str, int] | None:
        """The parent's (country, level), or None."""
        if row.parent in by_pcode:
            parent_row = by_pcode[row.parent]
            return parent_row.country, parent_row.level
        if row.parent in existing and existing[row.parent]["retired_at"] is None:
            return existing[row.parent]["country"], existing[row.parent]["level"]
        if row.parent in placeholders:
            return placeholders[row.parent]
        return None

    # Deeper levels in order, so a row's parent has its country when the row is checked.
    for level in (2, 3):
        for row in (r for r in by_pcode.values() if r.level == level):
            if not row.parent:
                errors.add(
                    row.line, _("An admin-%(level)s unit needs a parent P-code.") % {"level": level}
                )
                continue
            found = parent_of(row)
            if found is None:
                country = row.country or ""
                if (
                    level == 2
                    and not strict
                    and country
                    and majority_prefix.get(country)
                    and row.parent.startswith(majority_prefix[country])
                ):
                    placeholders[row.parent] = (country, 1)
                    warnings.add(
                        row.line,
                        _(
                            "Parent %(parent)s is not in the file: a placeholder admin-1 unit "
                            "was created for it."
                        )
                        % {"parent": row.parent},
                    )
                    found = (country, 1)
                else:
                    errors.add(
                        row.line,
                        _("Unknown parent P-code %(parent)s (not in the file nor in the mission).")
                        % {"parent": row.parent},
                    )
                    continue
            parent_country, parent_level = found
            if parent_level != level - 1:
                errors.add(
                    row.line,
                    _(
                        "Parent %(parent)s is admin-%(plevel)s; an admin-%(level)s unit needs an "
                        "admin-%(wanted)s parent."
                    )
                    % {
                        "parent": row.parent,
                        "plevel": parent_level,
                        "level": level,
                        "wanted": level - 1,
                    },
                )
                continue
            if row.country and parent_country and row.country != parent_country:
                errors.add(
                    row.line,
                    _("Parent %(parent)s is in %(pcountry)s, not in %(country)s.")
                    % {"parent": row.parent, "pcountry": parent_country, "country": row.country},
                )
                continue
            row.country = row.country or parent_country or ""
            stem = row.parent.rstrip("0") or row.parent
            if not row.pcode.startswith(row.parent) and not (
                row.parent.endswith("0") and row.pcode.startswith(stem)
            ):
                conventions.add(
                    row.line,
                    _("P-code %(pcode)s does not start with its parent's P-code %(parent)s.")
                    % {"pcode": row.pcode, "parent": row.parent},
                )

    # Conventions per country and level.
    lengths: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
    for row in by_pcode.values():
        if row.level >= 1:
            lengths[(row.country, row.level)][len(row.pcode)] += 1
    usual_length = {key: c.most_common(1)[0][0] for key, c in lengths.items()}
    for row in sorted(by_pcode.values(), key=lambda r: r.line):
        if row.level == 1:
            if not ADMIN1_RE.match(row.pcode):
                conventions.add(
                    row.line,
                    _("Admin-1 P-code %(pcode)r is not alphanumeric.") % {"pcode": row.pcode},
                )
            elif row.pcode[:2] != majority_prefix.get(row.country):
                conventions.add(
                    row.line,
                    _(
                        "Admin-1 P-code %(pcode)s does not start with %(prefix)s like the other "
                        "units of %(country)s."
                    )
                    % {
                        "pcode": row.pcode,
                        "prefix": majority_prefix.get(row.country),
                        "country": row.country,
                    },
                )
        if row.level >= 1 and len(row.pcode) != usual_length[(row.country, row.level)]:
            conventions.add(
                row.line,
                _(
                    "P-code %(pcode)s has %(length)s characters; admin-%(level)s P-codes of "
                    "%(country)s have %(usual)s."
                )
                % {
                    "pcode": row.pcode,
                    "length": len(row.pcode),
                    "level": row.level,
                    "country": row.country,
                    "usual": usual_length[(row.country, row.level)],
                },
            )

    desired: dict[str, Desired] = {}
    countries_levels: set[tuple[str, int]] = set()
    if not errors:
        for row in by_pcode.values():
            if row.level >= 1:
                countries_levels.add((row.country, row.level))
                desired[row.pcode] = Desired(
                    row.pcode, row.level, row.country, row.name, row.parent, row.valid_from
                )
        for country in {r.country for r in by_pcode.values()}:
            level0 = by_pcode.get(country)
            name = level0.name if level0 and level0.level == 0 else None
            current = existing.get(country)
            desired[country] = Desired(
                country,
                0,
                country,
                name or (current["name"] if current else country),
                None,
                level0.valid_from
                if level0 and level0.level == 0
                else (current or {}).get("valid_from"),
            )
        for pcode, (country, _level) in placeholders.items():
            current = existing.get(pcode)
            desired[pcode] = Desired(
                pcode, 1, country, current["name"] if current else pcode, country, None
            )
    return GazetteerPlan(
        desired=desired,
        countries_levels=countries_levels,
        placeholders=set(placeholders),
        rows=len(table.rows),
        warnings=warnings,
        errors=errors,
    )


EXISTING_FIELDS = (
    "id",
    "pcode",
    "level",
    "country",
    "name",
    "names",
    "alt_names",
    "parent_id",
    "path",
    "search_text",
    "valid_from",
    "retired_at",
    "source_edition",
)


def existing_units(mission: Any) -> dict[str, dict[str, Any]]:
    return {
        unit["pcode"]: unit
        for unit in AdminUnit.objects.filter(mission=mission).values(*EXISTING_FIELDS)
    }


def _search_text(name: str, names: dict[str, str] | None, alt_names: list[str] | None) -> str:
    return search_text(name, *(names or {}).values(), extra=list(alt_names or []))


UPDATE_FIELDS = [
    "level",
    "country",
    "name",
    "parent",
    "path",
    "search_text",
    "valid_from",
    "retired_at",
    "source_edition",
    "updated_at",
    "updated_by",
]


@transaction.atomic
def gazetteer_apply(
    *,
    mission: Any,
    actor: Any,
    job: Job,
    plan: GazetteerPlan,
    existing: dict[str, dict[str, Any]],
    source: str,
) -> dict[str, Any]:
    """Write a validated plan: create, update, retire and un-retire units; one audit row."""
    now = timezone.now()
    user = acting_user(actor)
    report = Report()
    desired = plan.desired
    pcode_by_id = {unit["id"]: pcode for pcode, unit in existing.items()}

    # The final parent of every unit (desired, or as it is) to compute paths.
    final_parent: dict[str, str | None] = {
        pcode: pcode_by_id.get(unit["parent_id"]) for pcode, unit in existing.items()
    }
    for pcode, want in desired.items():
        final_parent[pcode] = want.parent
    paths: dict[str, str] = {}

    def path_of(pcode: str) -> str:
        chain: list[str] = []
        current: str | None = pcode
        while current is not None and current not in paths and len(chain) < 8:
            chain.append(current)
            current = final_parent.get(current)
        base = paths.get(current, "/") if current is not None else "/"
        for code in reversed(chain):
            base = f"{base}{code}/"
            paths[code] = base
        return paths[pcode]

    # A unit the file still uses as a parent stays (e.g. a placeholder from an earlier edition).
    referenced = {want.parent for want in desired.values() if want.parent}
    to_retire: list[int] = []
    for pcode, unit in existing.items():
        if (
            pcode not in desired
            and pcode not in referenced
            and unit["level"] >= 1
            and (unit["country"], unit["level"]) in plan.countries_levels
            and unit["retired_at"] is None
        ):
            to_retire.append(unit["id"])
            report.note("retired", {"pcode": pcode, "name": unit["name"]})

    # Creations, level by level so parents have ids.
    ids = {pcode: unit["id"] for pcode, unit in existing.items()}
    for level in range(4):
        new = [
            AdminUnit(
                mission=mission,
                pcode=want.pcode,
                level=want.level,
                country=want.country,
                name=want.name,
                parent_id=ids[want.parent] if want.parent else None,
                path=path_of(want.pcode),
                search_text=_search_text(want.name, None, None),
                valid_from=want.valid_from,
                source_edition=source,
                created_by=user,
                updated_by=user,
            )
            for want in desired.values()
            if want.level == level and want.pcode not in existing
        ]
        if new:
            AdminUnit.objects.bulk_create(new, batch_size=BATCH)
            for created in new:
                ids[created.pcode] = created.pk
                report.note("added", {"pcode": created.pcode, "name": created.name})

    # Updates: only rows whose stored values differ.
    changed: list[AdminUnit] = []
    for pcode, unit in existing.items():
        wanted = desired.get(pcode)
        name, level, country = unit["name"], unit["level"], unit["country"]
        parent_pcode = pcode_by_id.get(unit["parent_id"])
        valid_from, retired_at = unit["valid_from"], unit["retired_at"]
        source_edition = unit["source_edition"]
        if wanted is not None:
            if wanted.name != name:
                report.note("renamed", {"pcode": pcode, "old": name, "new": wanted.name})
                name = wanted.name
            if wanted.parent != parent_pcode or wanted.level != level:
                report.note("moved", {"pcode": pcode, "old": parent_pcode, "new": wanted.parent})
                parent_pcode, level = wanted.parent, wanted.level
            country = wanted.country
            if wanted.valid_from != valid_from and wanted.level >= 1:
                report.note(
                    "redated",
                    {"pcode": pcode, "old": str(valid_from), "new": str(wanted.valid_from)},
                )
                valid_from = wanted.valid_from
            if retired_at is not None:
                report.note("unretired", {"pcode": pcode, "name": name})
                retired_at = None
        values = {
            "level": level,
            "country": country,
            "name": name,
            "parent_id": ids[parent_pcode] if parent_pcode else None,
            "path": path_of(pcode),
            "search_text": _search_text(name, unit["names"], unit["alt_names"])
            if name != unit["name"]
            else unit["search_text"],
            "valid_from": valid_from,
            "retired_at": retired_at,
        }
        if any(values[key] != unit[key] for key in values):
            if wanted is not None:
                source_edition = source
            changed.append(
                AdminUnit(
                    id=unit["id"],
                    mission=mission,
                    pcode=pcode,
                    source_edition=source_edition,
                    updated_at=now,
                    updated_by=user,
                    **values,
                )
            )
    if changed:
        AdminUnit.objects.bulk_update(changed, UPDATE_FIELDS, batch_size=500)
    for start in range(0, len(to_retire), BATCH):
        AdminUnit.objects.filter(id__in=to_retire[start : start + BATCH]).update(
            retired_at=now, updated_at=now, updated_by=user
        )

    result = report.as_dict()
    result["rows"] = plan.rows
    result["placeholders"] = sorted(plan.placeholders)[:REPORT_LIST_CAP]
    result["units_updated"] = len(changed) + len(to_retire)
    audit_record(
        actor=actor,
        action="places.import",
        mission=mission,
        obj=job,
        changes={
            "kind": "gazetteer",
            "result": {"rows": plan.rows, **result["counts"]},
        },
    )
    return result
