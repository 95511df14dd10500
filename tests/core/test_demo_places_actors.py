"""The demo geography and demo actors: idempotent, in range, geometrically sound, self-contained."""

from __future__ import annotations

import builtins
import io
import mimetypes
import os
import sys
import tempfile
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from palava.actors.demo import FICTIONAL_PHONE_PREFIX, demo_actors
from palava.actors.duplicates import duplicate_candidates
from palava.actors.models import Actor, ActorType, Consent, Relationship
from palava.audit.models import AuditEvent
from palava.core.demo import demo_load
from palava.core.sensitivity import Sensitivity
from palava.missions.models import Membership, Role
from palava.places.demo import LIAISON_PROVINCE, demo_geography, load_places
from palava.places.models import AccessLevel, AccessStatus, AdminUnit, PopulationFigure, Site
from palava.places.scope import scope_for
from tests.factories import MissionFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _counts() -> dict[str, int]:
    return {
        "units": AdminUnit.objects.count(),
        "sites": Site.objects.count(),
        "population": PopulationFigure.objects.count(),
        "access": AccessStatus.objects.count(),
        "actors": Actor.objects.count(),
        "relationships": Relationship.objects.count(),
        "consents": Consent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_running_the_demo_loaders_twice_creates_nothing_new() -> None:
    # given the demo loaded once
    demo_load(stdout=io.StringIO())
    first = _counts()
    # when it loads again (as every `palava demo` start does)
    out = io.StringIO()
    demo_load(stdout=out)
    # then no record, and not even an audit row, was added
    assert _counts() == first
    assert "places: 0 units, 0 sites, 0 population cells and 0 access statuses" in out.getvalue()
    assert "actors: 0 actors, 0 consent records and 0 relationships" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_holds_a_realistic_registry_with_encrypted_phones_and_near_duplicates() -> None:
    # when the demo loads
    out = io.StringIO()
    demo = demo_load(stdout=out)
    mission = demo.mission
    # then the geography has three admin levels under the country, sites, population, access
    units = Counter(AdminUnit.objects.filter(mission=mission).values_list("level", flat=True))
    assert units[0] == 1
    assert units[1] == 3
    assert 12 <= units[2] <= 20
    assert 75 <= units[3] <= 110
    sites = Counter(Site.objects.filter(mission=mission).values_list("kind", flat=True))
    assert 170 <= sum(sites.values()) <= 220
    assert sites["base"] == 3
    assert sites["idp_camp"] >= 10
    assert 270 <= sum(units.values()) - 1 + sum(sites.values()) <= 330
    assert (
        AdminUnit.objects.filter(mission=mission, level__gte=1, boundary__isnull=True).count() == 0
    )
    cells = PopulationFigure.objects.filter(mission=mission, admin_unit__level=3)
    assert cells.values("admin_unit").distinct().count() == units[3]
    assert set(cells.values_list("sex", flat=True)) == {"f", "m"}
    levels = Counter(AccessStatus.objects.filter(mission=mission).values_list("level", flat=True))
    assert levels[AccessLevel.RESTRICTED] >= 10
    assert 1 <= levels[AccessLevel.NO_GO] <= 10
    assert not AccessStatus.objects.filter(mission=mission, reason="").exists()
    # and about 500 actors with about 700 relationships, consents and confidential figures
    actors = Actor.objects.filter(mission=mission)
    assert 450 <= actors.count() <= 560
    assert 600 <= Relationship.objects.filter(mission=mission).count() <= 800
    assert Consent.objects.filter(mission=mission).count() >= 50
    assert Consent.objects.filter(mission=mission, withdrawn_at__isnull=False).exists()
    armed = actors.filter(actor_type=ActorType.ARMED_GROUP_FIGURE)
    assert armed.count() >= 3
    assert set(armed.values_list("sensitivity", flat=True)) == {Sensitivity.STRICTLY_CONFIDENTIAL}
    assert len(set(actors.values_list("influence", flat=True))) >= 5
    assert len(set(actors.values_list("stance_peace_process", flat=True))) >= 5
    # and the liaison officer sees one province only
    liaison = Membership.objects.get(mission=mission, user__username=Role.LIAISON)
    assert scope_for(liaison).paths == (f"/COD/{LIAISON_PROVINCE}/",)
    # and nothing secret was printed
    assert FICTIONAL_PHONE_PREFIX not in out.getvalue()
    assert demo.password not in out.getvalue()
    # and phones are fictional, stored encrypted (the raw column holds no number)
    with_phone = Actor.objects.filter(mission=mission, phone__isnull=False)
    assert with_phone.count() >= 100
    assert all(a.phone and a.phone.startswith(FICTIONAL_PHONE_PREFIX) for a in with_phone[:20])
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Actor._meta.db_table)
        cursor.execute(f"SELECT phone FROM {table} WHERE phone IS NOT NULL")  # noqa: S608
        raw = [row[0] for row in cursor.fetchall()]
    assert raw
    assert not any(FICTIONAL_PHONE_PREFIX in value or "999" in value[:6] for value in raw)
    # and the deliberate near-duplicates are what duplicate detection finds
    found = {
        frozenset((c.a.name, c.b.name)) for c in duplicate_candidates(mission=mission, limit=50)
    }
    planned = [a for a in demo_actors().actors if a.key.startswith("dup-")]
    pairs = {
        frozenset((a.name, b.name))
        for a in planned
        for b in planned
        if a.key.endswith("-a") and b.key == a.key[:-1] + "b"
    }
    assert len(pairs) == 5
    assert len(pairs & found) >= 4


@pytest.mark.django_db
def test_every_demo_site_lies_inside_its_admin_unit_and_children_tile_their_parent() -> None:
    # given the demo geography in a mission
    mission = MissionFactory()
    load_places(mission, {}, io.StringIO())
    units = {u.pcode: u for u in AdminUnit.objects.filter(mission=mission)}
    shapes = {pcode: shape(u.boundary) for pcode, u in units.items() if u.boundary}
    # then every site is inside the polygon of its unit (point-in-polygon works on the demo)
    sites = list(Site.objects.filter(mission=mission).select_related("admin_unit"))
    assert sites
    for site in sites:
        assert shapes[site.admin_unit.pcode].contains(Point(site.longitude, site.latitude)), site
    # and the children of every unit tile it: no overlap, no gap (up to the 1e-6° grid)
    for pcode, parent_shape in shapes.items():
        children = [shapes[c.pcode] for c in units.values() if c.parent_id == units[pcode].pk]
        if not children:
            continue
        assert all(child.is_valid for child in children)
        union = unary_union(children)
        assert parent_shape.symmetric_difference(union).area < 1e-5 * parent_shape.area
        assert sum(child.area for child in children) - union.area < 1e-9
    # and P-codes follow the COD pattern with the fictional X
    assert sorted(u.pcode for u in units.values() if u.level == 1) == ["CDX1", "CDX2", "CDX3"]
    assert all(
        len(u.pcode) == 2 + 2 * u.level
        and u.pcode.startswith(u.parent.pcode if u.level > 1 else "CDX")
        for u in units.values()
        if u.level >= 1 and u.parent is not None
    )


def test_the_demo_plans_are_deterministic() -> None:
    # when the plans are generated again from scratch
    geography, actors = demo_geography(), demo_actors()
    demo_geography.cache_clear()
    demo_actors.cache_clear()
    # then they are identical
    assert demo_geography() == geography
    assert demo_actors() == actors


@pytest.mark.django_db
def test_the_demo_does_not_read_files_outside_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    # given every file opening recorded
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | bytes | os.PathLike):
            opened.append(os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    demo_geography.cache_clear()
    demo_actors.cache_clear()
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    # when the demo is generated and loaded
    demo_load(stdout=io.StringIO())
    # then it read nothing but the project, Python and the system time zone database (tzdata
    # is read by Django's time zone checks), and in particular nothing of ../shared; the temp
    # directory holds only files the process writes itself (pyxform's XForm conversion of the
    # demo survey writes its XML to a NamedTemporaryFile); the system MIME type table is read by
    # ``mimetypes`` when the survey form is stored
    allowed = [PROJECT_ROOT, Path(sys.base_prefix), Path(sys.prefix)]
    allowed += [Path(p) for p in zoneinfo.TZPATH]
    allowed += [Path(tempfile.gettempdir()).resolve()]
    allowed += [Path(p).resolve() for p in mimetypes.knownfiles]
    resolved = [Path(p).resolve() for p in opened]
    assert not [p for p in resolved if p.is_relative_to(PROJECT_ROOT.parent / "shared")]
    assert [p for p in resolved if not any(p.is_relative_to(root) for root in allowed)] == []
