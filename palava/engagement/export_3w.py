"""The 3W/4W export (who does what, where, when, for whom) with HXL hashtags: kind ``3w``.

One row per **project x place**: the project's main place (``admin_unit``) first, then each of
its other places inside the reader's geographic scope. Columns (every hashtag and attribute is in
the HXL core dictionary, checked by ``tests/engagement/test_3w_export.py``):

- what: ``#activity+code``, ``#activity+name``, ``#activity+type`` (project type code),
  ``#sector+code``, ``#sector+name``;
- who: ``#org+impl+name``, ``#org+impl+code`` (the partner's acronym), ``#org+impl+type``
  (partner type code), ``#org+funder+name``;
- where: ``#adm1+code`` ... ``#adm3+name`` of the row's place (its ancestors and itself);
- when: ``#status+code``, ``#date+start``, ``#date+end``;
- money (main-place row only): ``#value+budget``, ``#currency+code``;
- for whom (main-place row only): ``#targeted`` and ``#reached`` in total, by sex (``+f``,
  ``+m``), by age group (``+children``, ``+adults``, ``+elderly``) and by sex x age group.
  Beneficiaries whose sex was not recorded count in the totals and the age columns only.

**Several places.** Budget and beneficiary figures are written on the main place's row only
and left empty on the other places' rows, so that summing a column over the file never counts a
project twice (the figures are not split between places: how they divide is not recorded).

Only what the reader may see: projects through ``projects_visible`` (mission and scope), other
places only inside the reader's scope, and an organisation's name only when the reader's
clearance allows its actor record (an empty cell otherwise). Contacts and notes are never
exported. Formula-like text is neutralised by the writers of ``palava.core.exporters``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Prefetch

from palava.core.exporters import Cell, Column, ExportKind, Table, export_kind_register
from palava.engagement.models import BeneficiaryAge, Partner, Project, Sector
from palava.engagement.selectors import projects_visible
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for
from palava.places.exchange import Hierarchy, ancestor_columns
from palava.places.models import AdminUnit
from palava.places.scope import scope_for

SEXES = ("f", "m")
AGES: tuple[str, ...] = tuple(BeneficiaryAge.values)
MEASURES = ("targeted", "reached")


def _reach_columns() -> list[Column]:
    columns: list[Column] = []
    for measure in MEASURES:
        label = measure.capitalize()
        columns.append(Column(f"{label} total", f"#{measure}"))
        for sex in SEXES:
            columns.append(Column(f"{label} {sex}", f"#{measure}+{sex}"))
        for age in AGES:
            columns.append(Column(f"{label} {age}", f"#{measure}+{age}"))
        for sex in SEXES:
            for age in AGES:
                columns.append(Column(f"{label} {sex} {age}", f"#{measure}+{sex}+{age}"))
    return columns


COLUMNS: tuple[Column, ...] = (
    Column("Project code", "#activity+code"),
    Column("Project", "#activity+name"),
    Column("Project type", "#activity+type"),
    Column("Sector code", "#sector+code"),
    Column("Sector", "#sector+name"),
    Column("Implementing organisation", "#org+impl+name"),
    Column("Implementing organisation acronym", "#org+impl+code"),
    Column("Implementing organisation type", "#org+impl+type"),
    Column("Funder", "#org+funder+name"),
    *ancestor_columns(),
    Column("Status", "#status+code"),
    Column("Start date", "#date+start"),
    Column("End date", "#date+end"),
    Column("Budget", "#value+budget"),
    Column("Currency", "#currency+code"),
    *_reach_columns(),
)
REACH_WIDTH = len(_reach_columns())


def _reach_cells(project: Project) -> list[Cell]:
    cells: dict[tuple[str, str, str], int] = {}
    for row in project.reach.all():
        for measure in MEASURES:
            value = int(getattr(row, measure))
            for key in (
                (measure, "", ""),
                (measure, row.sex, ""),
                (measure, "", row.age_group),
                (measure, row.sex, row.age_group),
            ):
                cells[key] = cells.get(key, 0) + value
    out: list[Cell] = []
    for measure in MEASURES:
        out.append(cells.get((measure, "", ""), 0))
        out += [cells.get((measure, sex, ""), 0) for sex in SEXES]
        out += [cells.get((measure, "", age), 0) for age in AGES]
        out += [cells.get((measure, sex, age), 0) for sex in SEXES for age in AGES]
    return out


def _budget(value: Decimal | None) -> Cell:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def three_w_table(reader: Membership) -> Table:
    clearance = int(clearance_for(reader.role))
    scope = scope_for(reader)
    projects = (
        projects_visible(membership=reader)
        .select_related("admin_unit", "partner__actor", "funder__actor")
        # boundaries are large JSON and not exported: never decode them here
        .defer("admin_unit__boundary")
        .prefetch_related(
            Prefetch("places", queryset=AdminUnit.objects.only("id", "mission_id", "path")),
            "reach",
        )
        .order_by("code", "id")
    )
    hierarchy = Hierarchy(reader.mission_id)
    sectors = dict(Sector.choices)

    def org_name(partner: Partner | None) -> str:
        if partner is None or partner.actor.sensitivity > clearance:
            return ""
        return partner.actor.name

    def rows() -> Iterator[list[Cell]]:
        for project in projects.iterator(chunk_size=500):
            partner = project.partner
            shown = partner is not None and partner.actor.sensitivity <= clearance
            head: list[Cell] = [
                project.code,
                project.title,
                project.project_type,
                project.sector,
                str(sectors.get(project.sector, project.sector)),
                org_name(partner),
                partner.acronym if shown and partner is not None else "",
                partner.partner_type if shown and partner is not None else "",
                org_name(project.funder),
            ]
            when: list[Cell] = [
                project.status,
                project.starts_on.isoformat(),
                project.ends_on.isoformat() if project.ends_on else "",
            ]
            yield [
                *head,
                *hierarchy.cells(project.admin_unit.path),
                *when,
                _budget(project.budget),
                project.currency if project.budget is not None else "",
                *_reach_cells(project),
            ]
            others = sorted(
                (u for u in project.places.all() if u.pk != project.admin_unit_id),
                key=lambda u: u.path,
            )
            for unit in others:
                if not scope.contains(unit):
                    continue
                yield [*head, *hierarchy.cells(unit.path), *when, None, "", *[None] * REACH_WIDTH]

    return Table(columns=COLUMNS, rows=rows(), total=projects.count())


export_kind_register(
    ExportKind(
        name="3w",
        help="Projects by organisation, sector and place (3W/4W), one row per project and place",
        perm=Perm.PARTNER_VIEW,
        table=three_w_table,
    )
)
