"""Boundary GeoJSON: a FeatureCollection whose features carry a P-code property; each Polygon or
MultiPolygon is checked with shapely (invalid coordinates refused, self-intersections repaired
with ``make_valid``) and stored on the admin unit with its centroid."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from palava.audit.services import audit_record
from palava.core.importers import ImportFileError
from palava.core.models import Job, acting_user
from palava.places.importers.base import Issues, Progress, no_progress
from palava.places.models import AdminUnit

PCODE_KEYS = (
    "adm3_pcode",
    "adm2_pcode",
    "adm1_pcode",
    "adm0_pcode",
    "pcode",
    "p-code",
    "p_code",
    "admin_pcode",
    "adm_pcode",
    "code",
)
BATCH = 200
PROGRESS_EVERY = 100
MAX_VERTICES = 2_000_000  # per file


def parse_geojson(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportFileError(
            _("The file is not valid JSON (%(error)s).") % {"error": str(error)[:200]}
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError(_("The GeoJSON is not a FeatureCollection."))
    if not isinstance(data.get("features"), list):
        raise ImportFileError(_("The FeatureCollection has no list of features."))
    return data


def pcode_key(features: list[Any]) -> str:
    """The property holding the P-code: the deepest ``ADMn_PCODE`` most features carry, else a
    generic name (``pcode``, ``P-Code`` ...), case-insensitive."""
    seen: Counter[str] = Counter()
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            seen.update(key.lower() for key in properties if isinstance(key, str))
    for key in PCODE_KEYS:
        if seen.get(key, 0) * 2 >= len(features):
            return key
    raise ImportFileError(
        _("No P-code property found in the features (expected one of: %(keys)s).")
        % {"keys": ", ".join(key.upper() if key.startswith("adm") else key for key in PCODE_KEYS)}
    )


def _property(properties: dict[str, Any], key: str) -> Any:
    for name, value in properties.items():
        if isinstance(name, str) and name.lower() == key:
            return value
    return None


def _coordinates_ok(geometry: BaseGeometry) -> bool:
    coords = shapely.get_coordinates(geometry)
    if coords.size == 0:
        return False
    if not bool((abs(coords[:, 0]) <= 180).all() and (abs(coords[:, 1]) <= 90).all()):
        return False
    return all(math.isfinite(value) for value in coords.ravel())


def _polygonal(geometry: BaseGeometry) -> BaseGeometry | None:
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return None
    return shapely.union_all(parts)


@dataclass
class Boundary:
    number: int
    pcode: str
    unit_id: int
    geometry: dict[str, Any]
    lat: float
    lon: float


def plan_boundaries(
    text: str, *, mission: Any, progress: Progress = no_progress, warnings: Issues | None = None
) -> tuple[list[Boundary], Issues, Issues]:
    data = parse_geojson(text)
    features: list[Any] = data["features"]
    if not features:
        raise ImportFileError(_("The FeatureCollection has no features."))
    key = pcode_key(features)
    units = dict(AdminUnit.objects.filter(mission=mission).values_list("pcode", "id"))
    errors = Issues()
    warnings = warnings if warnings is not None else Issues()
    planned: list[Boundary] = []
    seen: dict[str, int] = {}
    vertices = 0
    for number, feature in enumerate(features, start=1):
        if number % PROGRESS_EVERY == 0:
            progress(number, len(features), _("Checking features"))
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            errors.add(
                number, _("feature %(n)s: not a GeoJSON feature with properties.") % {"n": number}
            )
            continue
        pcode = str(_property(feature["properties"], key) or "").strip()
        if not pcode:
            errors.add(
                number, _("feature %(n)s: no P-code in %(key)s.") % {"n": number, "key": key}
            )
            continue
        if pcode not in units:
            errors.add(
                number,
                _("feature %(n)s: P-code %(pcode)s not in the gazetteer.")
                % {"n": number, "pcode": pcode[:40]},
            )
            continue
        if pcode in seen:
            errors.add(
                number,
                _("feature %(n)s: P-code %(pcode)s already in feature %(first)s.")
                % {"n": number, "pcode": pcode, "first": seen[pcode]},
            )
            continue
        seen[pcode] = number
        raw = feature.get("geometry")
        if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
            kind = raw.get("type") if isinstance(raw, dict) else None
            errors.add(
                number,
                _("feature %(n)s: geometry %(type)s is not a Polygon or MultiPolygon.")
                % {"n": number, "type": str(kind)[:30]},
            )
            continue
        try:
            geometry = shape(raw)
        except Exception:
            errors.add(number, _("feature %(n)s: the coordinates are malformed.") % {"n": number})
            continue
        if geometry.is_empty or not _coordinates_ok(geometry):
            errors.add(
                number,
                _(
                    "feature %(n)s: coordinates are empty, not finite, or outside longitude "
                    "-180..180 / latitude -90..90."
                )
                % {"n": number},
            )
            continue
        vertices += int(shapely.get_num_coordinates(geometry))
        if vertices > MAX_VERTICES:
            raise ImportFileError(
                _("The file has more than %(max)s vertices.") % {"max": MAX_VERTICES}
            )
        if not geometry.is_valid:
            repaired = _polygonal(shapely.make_valid(geometry))
            if repaired is None or repaired.is_empty:
                errors.add(
                    number,
                    _("feature %(n)s: the polygon is invalid and cannot be repaired.")
                    % {"n": number},
                )
                continue
            warnings.add(
                number,
                _("feature %(n)s: invalid polygon (%(why)s) repaired.")
                % {"n": number, "why": shapely.is_valid_reason(geometry)[:80]},
            )
            geometry = repaired
        centroid = geometry.centroid
        planned.append(
            Boundary(
                number,
                pcode,
                units[pcode],
                json.loads(json.dumps(mapping(geometry))),
                round(centroid.y, 6),
                round(centroid.x, 6),
            )
        )
    return planned, errors, warnings


@transaction.atomic
def boundaries_apply(
    *, mission: Any, actor: Any, job: Job, planned: list[Boundary]
) -> dict[str, Any]:
    now = timezone.now()
    user = acting_user(actor)
    current = {
        unit_id: (boundary, lat, lon)
        for unit_id, boundary, lat, lon in AdminUnit.objects.filter(
            id__in=[b.unit_id for b in planned]
        ).values_list("id", "boundary", "centroid_lat", "centroid_lon")
    }
    changed = [
        AdminUnit(
            id=b.unit_id,
            boundary=b.geometry,
            centroid_lat=b.lat,
            centroid_lon=b.lon,
            updated_at=now,
            updated_by=user,
        )
        for b in planned
        if current.get(b.unit_id) != (b.geometry, b.lat, b.lon)
    ]
    if changed:
        AdminUnit.objects.bulk_update(
            changed,
            ["boundary", "centroid_lat", "centroid_lon", "updated_at", "updated_by"],
            batch_size=BATCH,
        )
    result = {
        "counts": {"updated": len(changed), "unchanged": len(planned) - len(changed)},
        "updated": [b.pcode for b in planned if b.unit_id in {c.id for c in changed}][:500],
        "rows": len(planned),
    }
    audit_record(
        actor=actor,
        action="places.import",
        mission=mission,
        obj=job,
        changes={"kind": "boundaries", "result": result["counts"]},
    )
    return result
