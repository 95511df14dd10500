"""The commitments ledger export with HXL hashtags: kind ``commitments``.

One row per commitment the reader may see (``commitments_visible``: mission, geographic scope,
the record's sensitivity against the reader's clearance). Columns (every hashtag and attribute
is in the HXL core dictionary, checked by ``tests/engagement/test_commitment_export.py``):

- ``#meta+id`` the reference (C-0042);
- ``#org+source+type`` / ``#org+source+name``: the kind and name of the party that promised;
  ``#org+dest+type`` / ``#org+dest+name``: to whom;
- ``#description``: what was promised;
- ``#adm1+code`` ... ``#adm3+name``: the place and its ancestors;
- ``#activity+id``: the activity where it was made (its public id), if in the reader's area;
- ``#date+occurred`` made on, ``#date+end`` due date;
- ``#status+code`` the ledger status, ``#status+type`` the community verification code.

**What never leaves.** The verification note (confidential), status notes and evidence notes
(free text that may name people), linked actors, the follow-up person and the files. Names of
the parties and the description are written only for records of internal (or public)
sensitivity: a confidential record (e.g. an armed-group representative's promise) is exported
with its kinds, place, dates and status, and empty name and description cells, because an
export file travels further than the page. Formula-like text is neutralised by the writers.
"""

from __future__ import annotations

from collections.abc import Iterator

from palava.actors.models import RecordSensitivity
from palava.core.exporters import Cell, Column, ExportKind, Table, export_kind_register
from palava.engagement.models import Commitment
from palava.engagement.selectors import commitments_visible
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.exchange import Hierarchy, ancestor_columns
from palava.places.scope import scope_for

NAMED_UP_TO = int(RecordSensitivity.INTERNAL)

COLUMNS: tuple[Column, ...] = (
    Column("Reference", "#meta+id"),
    Column("Made by (kind)", "#org+source+type"),
    Column("Made by", "#org+source+name"),
    Column("Made to (kind)", "#org+dest+type"),
    Column("Made to", "#org+dest+name"),
    Column("What was promised", "#description"),
    *ancestor_columns(),
    Column("Made at (activity id)", "#activity+id"),
    Column("Made on", "#date+occurred"),
    Column("Due date", "#date+end"),
    Column("Status", "#status+code"),
    Column("Community verification", "#status+type"),
)


def commitments_table(reader: Membership) -> Table:
    found = (
        commitments_visible(membership=reader)
        .select_related("admin_unit", "activity__admin_unit")
        .order_by("number", "id")
    )
    hierarchy = Hierarchy(reader.mission_id)
    scope = scope_for(reader)

    def row(c: Commitment) -> list[Cell]:
        named = c.sensitivity <= NAMED_UP_TO
        return [
            c.reference,
            c.made_by_kind,
            c.made_by_name if named else "",
            c.made_to_kind,
            c.made_to_name if named else "",
            c.description if named else "",
            *hierarchy.cells(c.admin_unit.path),
            str(c.activity.public_id)
            if c.activity is not None and scope.contains(c.activity.admin_unit)
            else "",
            c.made_on.isoformat(),
            c.due_date.isoformat() if c.due_date else "",
            c.status,
            c.verification,
        ]

    def rows() -> Iterator[list[Cell]]:
        for c in found.iterator(chunk_size=500):
            yield row(c)

    return Table(columns=COLUMNS, rows=rows(), total=found.count())


export_kind_register(
    ExportKind(
        name="commitments",
        help="The commitments ledger: who promised what to whom, where, by when, and its status",
        perm=Perm.COMMITMENT_VIEW,
        table=commitments_table,
    )
)
