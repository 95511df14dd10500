"""Settlements and sites CSV: name, code, kind, latitude, longitude, and the admin unit's P-code
(or none: the unit is then found by point-in-polygon in the mission's boundaries).

Sites are matched by code and upserted (added, updated, unchanged); a row without a code gets a
stable code derived from its folded name and rounded coordinates, so a re-import matches it.
"""

from __future__ import annotations

import hashlib
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
    clean_text,
    hxl,
    locate_columns,
    no_progress,
    parse_float,
)
from palava.places.models import AdminUnit, Site, SiteKind
from palava.places.text import fold, search_text

BATCH = 1000
REPORT_LIST_CAP = 500
PROGRESS_EVERY = 1000

COLUMNS = (
    ColumnSpec(
        "name",
        ("name", "sitename", "settlementname", "locationname", "nameen"),
        (hxl("#loc", "name"),),
    ),
    ColumnSpec(
        "code",
        ("code", "pcode", "sitecode", "siteid", "settlementcode", "id"),
        (hxl("#loc", "code"),),
    ),
    ColumnSpec(
        "kind", ("kind", "type", "sitetype", "category", "featureclass"), (hxl("#loc", "type"),)
    ),
    ColumnSpec("latitude", ("latitude", "lat", "y", "geolat"), (hxl("#geo", "lat"),)),
    ColumnSpec(
        "longitude", ("longitude", "lon", "long", "lng", "x", "geolon"), (hxl("#geo", "lon"),)
    ),
    ColumnSpec(
        "admin",
        (
            "adminpcode",
            "adm3pcode",
            "admin3pcode",
            "adm2pcode",
            "admin2pcode",
            "adm1pcode",
            "admin1pcode",
            "adminunit",
            "parentpcode",
        ),
        (hxl("#adm3", "code"), hxl("#adm2", "code"), hxl("#adm1", "code"), hxl("#adm", "code")),
    ),
)

# Common words (folded) for site kinds, in English and French.
KIND_WORDS: dict[str, str] = {
    "village": SiteKind.VILLAGE,
    "hamlet": SiteKind.VILLAGE,
    "locality": SiteKind.VILLAGE,
    "localite": SiteKind.VILLAGE,
    "settlement": SiteKind.VILLAGE,
    "town": SiteKind.TOWN,
    "city": SiteKind.TOWN,
    "ville": SiteKind.TOWN,
    "cite": SiteKind.TOWN,
    "neighbourhood": SiteKind.NEIGHBOURHOOD,
    "neighborhood": SiteKind.NEIGHBOURHOOD,
    "quartier": SiteKind.NEIGHBOURHOOD,
    "idp site": SiteKind.IDP_CAMP,
    "idp camp": SiteKind.IDP_CAMP,
    "idp": SiteKind.IDP_CAMP,
    "camp": SiteKind.IDP_CAMP,
    "displacement site": SiteKind.IDP_CAMP,
    "site de deplaces": SiteKind.IDP_CAMP,
    "collective centre": SiteKind.IDP_CAMP,
    "collective center": SiteKind.IDP_CAMP,
    "refugee camp": SiteKind.REFUGEE_CAMP,
    "refugee": SiteKind.REFUGEE_CAMP,
    "camp de refugies": SiteKind.REFUGEE_CAMP,
    "market": SiteKind.MARKET,
    "marche": SiteKind.MARKET,
    "base": SiteKind.BASE,
    "mission base": SiteKind.BASE,
    "cob": SiteKind.BASE,
    "tob": SiteKind.BASE,
    "checkpoint": SiteKind.CHECKPOINT,
    "check point": SiteKind.CHECKPOINT,
    "barriere": SiteKind.CHECKPOINT,
    "other": SiteKind.OTHER,
    "autre": SiteKind.OTHER,
}
KIND_WORDS.update({str(value): str(value) for value in SiteKind.values})
KIND_WORDS.update({fold(str(value)): str(value) for value in SiteKind.values})


def site_kind(word: str) -> str | None:
    """The kind for a word (``"IDP site"`` -> ``idp_camp``); empty -> other; None when unknown."""
    folded = fold(word)
    if not folded:
        return str(SiteKind.OTHER)
    return KIND_WORDS.get(folded) or KIND_WORDS.get(folded.replace(" ", "_"))


def looks_like_settlements(table: Table) -> bool:
    found = locate_columns(table, COLUMNS)
    return all(key in found for key in ("name", "latitude", "longitude"))


@dataclass
class SiteRow:
    line: int
    code: str
    name: str
    kind: str
    latitude: float
    longitude: float
    admin_pcode: str


def _derived_code(name: str, lat: float, lon: float) -> str:
    key = f"{fold(name)}|{lat:.4f}|{lon:.4f}".encode()
    return "S-" + hashlib.sha256(key).hexdigest()[:12].upper()


def plan_settlements(
    table: Table, *, mission: Any, progress: Progress = no_progress, warnings: Issues | None = None
) -> tuple[list[tuple[SiteRow, int]], Issues, Issues]:
    """Validate every row; return ``(row, admin unit id)`` pairs, errors and warnings."""
    columns = locate_columns(table, COLUMNS)
    missing = [key for key in ("name", "latitude", "longitude") if key not in columns]
    if missing:
        raise ImportFileError(
            _("The settlements file has no column for: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    errors = Issues()
    warnings = warnings if warnings is not None else Issues()
    units = {
        pcode: (unit_id, retired)
        for pcode, unit_id, retired in AdminUnit.objects.filter(mission=mission).values_list(
            "pcode", "id", "retired_at"
        )
    }
    index: Any = None
    if "admin" not in columns:
        from palava.places.locate import area_index

        index = area_index(mission)
        if not len(index):
            raise ImportFileError(
                _(
                    "The file has no admin P-code column and the mission has no boundaries to "
                    "locate the sites: add a column such as adm2_pcode, or import boundaries first."
                )
            )
    planned: list[tuple[SiteRow, int]] = []
    seen: dict[str, int] = {}
    total = len(table.rows)
    for number, (line, cells) in enumerate(table.rows, start=1):
        if number % PROGRESS_EVERY == 0:
            progress(number, total, _("Checking rows"))
        bad = errors.count
        name = clean_text(
            cell(cells, columns["name"]), what=_("Name"), line=line, errors=errors, max_chars=200
        )
        code = clean_text(
            cell(cells, columns.get("code")),
            what=_("Code"),
            line=line,
            errors=errors,
            max_chars=40,
            required=False,
        )
        lat_text = cell(cells, columns["latitude"])
        lon_text = cell(cells, columns["longitude"])
        lat, lon = parse_float(lat_text), parse_float(lon_text)
        if lat is None or not -90 <= lat <= 90:
            errors.add(
                line,
                _("Latitude %(value)r is not a number from -90 to 90.")
                % {"value": lat_text.strip()[:30]},
            )
        if lon is None or not -180 <= lon <= 180:
            errors.add(
                line,
                _("Longitude %(value)r is not a number from -180 to 180.")
                % {"value": lon_text.strip()[:30]},
            )
        kind_text = cell(cells, columns.get("kind"))
        kind = site_kind(kind_text)
        if kind is None:
            warnings.add(
                line,
                _("Kind %(kind)r is not known: recorded as other.")
                % {"kind": kind_text.strip()[:40]},
            )
            kind = str(SiteKind.OTHER)
        if errors.count != bad or name is None or code is None or lat is None or lon is None:
            continue
        code = code or _derived_code(name, lat, lon)
        if code in seen:
            errors.add(
                line,
                _("Code %(code)s is already on line %(first)s.")
                % {"code": code, "first": seen[code]},
            )
            continue
        seen[code] = line
        admin_pcode = cell(cells, columns.get("admin")).strip()
        unit_id: int | None = None
        if "admin" in columns:
            found = units.get(admin_pcode)
            if not admin_pcode:
                errors.add(line, _("The admin P-code is empty."))
            elif found is None:
                errors.add(
                    line,
                    _("Admin P-code %(pcode)s is not in the gazetteer.")
                    % {"pcode": admin_pcode[:40]},
                )
            elif found[1] is not None:
                errors.add(line, _("Admin unit %(pcode)s is retired.") % {"pcode": admin_pcode})
            else:
                unit_id = found[0]
        else:
            area = index.find(lat=lat, lon=lon)
            if area is None:
                errors.add(
                    line,
                    _("No admin unit boundary contains %(lat)s, %(lon)s.")
                    % {"lat": lat, "lon": lon},
                )
            else:
                unit_id, admin_pcode = area.unit_id, area.pcode
        if unit_id is not None:
            planned.append((SiteRow(line, code, name, kind, lat, lon, admin_pcode), unit_id))
    return planned, errors, warnings


FIELDS = ("name", "kind", "latitude", "longitude", "admin_unit_id", "retired_at")


@transaction.atomic
def settlements_apply(
    *, mission: Any, actor: Any, job: Job, planned: list[tuple[SiteRow, int]]
) -> dict[str, Any]:
    now = timezone.now()
    user = acting_user(actor)
    existing = {
        site["code"]: site
        for site in Site.objects.filter(mission=mission).values(
            "id", "code", "names", "alt_names", *FIELDS
        )
    }
    counts: Counter[str] = Counter()
    lists: dict[str, list[str]] = {"added": [], "updated": []}
    new: list[Site] = []
    changed: list[Site] = []
    for row, unit_id in planned:
        values: dict[str, Any] = {
            "name": row.name,
            "kind": row.kind,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "admin_unit_id": unit_id,
            "retired_at": None,
        }
        current = existing.get(row.code)
        if current is None:
            new.append(
                Site(
                    mission=mission,
                    code=row.code,
                    search_text=search_text(row.name),
                    created_by=user,
                    updated_by=user,
                    **values,
                )
            )
            counts["added"] += 1
            if len(lists["added"]) < REPORT_LIST_CAP:
                lists["added"].append(row.code)
        elif any(current[key] != value for key, value in values.items()):
            changed.append(
                Site(
                    id=current["id"],
                    mission=mission,
                    code=row.code,
                    search_text=search_text(
                        row.name,
                        *(current["names"] or {}).values(),
                        extra=list(current["alt_names"] or []),
                    ),
                    updated_at=now,
                    updated_by=user,
                    **values,
                )
            )
            counts["updated"] += 1
            if len(lists["updated"]) < REPORT_LIST_CAP:
                lists["updated"].append(row.code)
        else:
            counts["unchanged"] += 1
    Site.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        Site.objects.bulk_update(
            changed,
            [
                "name",
                "kind",
                "latitude",
                "longitude",
                "admin_unit",
                "retired_at",
                "search_text",
                "updated_at",
                "updated_by",
            ],
            batch_size=500,
        )
    result = {
        "counts": {key: counts.get(key, 0) for key in ("added", "updated", "unchanged")},
        **lists,
        "rows": len(planned),
    }
    audit_record(
        actor=actor,
        action="places.import",
        mission=mission,
        obj=job,
        changes={"kind": "settlements", "result": result["counts"]},
    )
    return result
