"""The activities export with HXL hashtags: kind ``activities``.

One row per activity the reader may see (``activities_visible``: mission and geographic scope),
with anonymous attendance totals. Columns (every hashtag and attribute is in the HXL core
dictionary, checked by ``tests/engagement/test_activity_export.py``):

- ``#activity+id`` public id, ``#activity+name`` title, ``#activity+type`` kind of activity;
- ``#status+code`` planned, held, postponed or cancelled;
- ``#adm1+code`` ... ``#adm3+name``: the main place and its ancestors;
- ``#date+start`` / ``#date+end``: when (ISO 8601, UTC);
- ``#reached`` everyone counted; ``#reached+f`` / ``#reached+m`` by sex;
  ``#reached+children`` (under 18), ``#reached+adults`` (18 to 59), ``#reached+elderly`` (60 and
  over); ``#reached+idps``, ``#reached+refugees``, ``#reached+returnees`` by group.

**What never leaves.** Minutes (confidential), agenda, follow-up notes, named participants and
their notes, facilitators, issues and files: only the activity's internal description and the
anonymous counts are exported. Formula-like text is neutralised by the writers.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, Sum

from palava.core.exporters import Cell, Column, ExportKind, Table, export_kind_register
from palava.engagement.models import Activity, AgeBand, CountSex, ParticipantGroup
from palava.engagement.selectors import activities_visible
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.exchange import Hierarchy, ancestor_columns

_COUNTS: dict[str, Q] = {
    "n_all": Q(),
    "n_f": Q(attendance__sex=CountSex.FEMALE),
    "n_m": Q(attendance__sex=CountSex.MALE),
    "n_children": Q(attendance__age_band=AgeBand.UNDER_18),
    "n_adults": Q(attendance__age_band__in=[AgeBand.YOUTH, AgeBand.ADULT]),
    "n_elderly": Q(attendance__age_band=AgeBand.OLDER),
    "n_idps": Q(attendance__group=ParticipantGroup.IDP),
    "n_refugees": Q(attendance__group=ParticipantGroup.REFUGEE),
    "n_returnees": Q(attendance__group=ParticipantGroup.RETURNEE),
}

COLUMNS: tuple[Column, ...] = (
    Column("Activity id", "#activity+id"),
    Column("Title", "#activity+name"),
    Column("Type", "#activity+type"),
    Column("Status", "#status+code"),
    *ancestor_columns(),
    Column("Starts", "#date+start"),
    Column("Ends", "#date+end"),
    Column("People counted", "#reached"),
    Column("Women and girls", "#reached+f"),
    Column("Men and boys", "#reached+m"),
    Column("Under 18", "#reached+children"),
    Column("18 to 59", "#reached+adults"),
    Column("60 and over", "#reached+elderly"),
    Column("Internally displaced", "#reached+idps"),
    Column("Refugees", "#reached+refugees"),
    Column("Returnees", "#reached+returnees"),
)


def activities_table(reader: Membership) -> Table:
    found = (
        activities_visible(membership=reader)
        .select_related("admin_unit")
        .annotate(**{name: Sum("attendance__count", filter=q) for name, q in _COUNTS.items()})
        .order_by("starts_at", "id")
    )
    hierarchy = Hierarchy(reader.mission_id)

    def row(a: Activity) -> list[Cell]:
        return [
            str(a.public_id),
            a.title,
            a.activity_type,
            a.status,
            *hierarchy.cells(a.admin_unit.path),
            a.starts_at.isoformat(),
            a.ends_at.isoformat() if a.ends_at else "",
            *(int(getattr(a, name) or 0) for name in _COUNTS),
        ]

    def rows() -> Iterator[list[Cell]]:
        for a in found.iterator(chunk_size=500):
            yield row(a)

    return Table(columns=COLUMNS, rows=rows(), total=activities_visible(membership=reader).count())


export_kind_register(
    ExportKind(
        name="activities",
        help="Activities with communities: type, place, dates, status and anonymous attendance",
        perm=Perm.ACTIVITY_VIEW,
        table=activities_table,
    )
)
