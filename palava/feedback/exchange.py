"""Messages out: CSV/XLSX export with HXL hashtags (kind ``messages`` of
:mod:`palava.core.exporters`).

The rows are the messages the reader may see (``palava.feedback.selectors.messages_visible``:
mission, geographic scope, and the restricted queue only for roles with
``message.restricted_view``), newest first, inbox and restricted queue together. Each
restricted message written is audited (one ``message.export`` row each), like a read.
**Never** the sender's phone number, name, pseudonym or coordinates; the sender appears only as
the public id of their reporter. Columns and hashtags (the second row of the file):

=======================  ===========================  ==========================================
header                   hashtag                      values
=======================  ===========================  ==========================================
Public ID                ``#meta+id``                 the message's stable identifier
Received                 ``#date+received``           ISO 8601, UTC
Sent                     ``#date+sent``               as the gateway reported it
Channel                  ``#meta+channel``            channel name
Channel type             ``#meta+channel+type``       twilio, africastalking, generic, webform...
Message                  ``#description+message``     the text as received
Language                 ``#meta+lang``               ISO 639-1 code
Category code            ``#meta+category+code``      taxonomy code (stable)
Category                 ``#meta+category+name``      label in the export's language
Parent category          ``#meta+category+parent``    parent's code (sub-categories)
Category set by          ``#meta+category+source``    lexicon, model, staff...
Urgency                  ``#severity``                life_threatening, urgent, routine
Status                   ``#status``                  new, open, reviewed, closed, spam
Admin 1..3 P-code/name   ``#adm1+code``...            the place and its parents
Site code / Site         ``#loc+code`` / ``#loc+name``
Cluster                  ``#meta+cluster``            near-duplicate group id
Reporter                 ``#meta+reporter``           reporter's public id
Restricted               ``#meta+restricted``         yes / no
=======================  ===========================  ==========================================
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from palava.core.exporters import Cell, Column, ExportKind, Table, export_kind_register
from palava.feedback import selectors, services
from palava.feedback.models import Message
from palava.missions.models import Membership
from palava.missions.permissions import Perm
from palava.places.exchange import Hierarchy, ancestor_columns

EXPORT_ACTOR = "system:export"
EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("Public ID", "#meta+id"),
    Column("Received", "#date+received"),
    Column("Sent", "#date+sent"),
    Column("Channel", "#meta+channel"),
    Column("Channel type", "#meta+channel+type"),
    Column("Message", "#description+message"),
    Column("Language", "#meta+lang"),
    Column("Category code", "#meta+category+code"),
    Column("Category", "#meta+category+name"),
    Column("Parent category", "#meta+category+parent"),
    Column("Category set by", "#meta+category+source"),
    Column("Urgency", "#severity"),
    Column("Status", "#status"),
    *ancestor_columns(),
    Column("Site code", "#loc+code"),
    Column("Site", "#loc+name"),
    Column("Cluster", "#meta+cluster"),
    Column("Reporter", "#meta+reporter"),
    Column("Restricted", "#meta+restricted"),
)
# Message fields no export ever holds.
NEVER_EXPORTED: frozenset[str] = frozenset(
    {"sender_phone", "sender_name", "sender_pseudonym", "latitude", "longitude", "given_place"}
)
_CHUNK = 1000


def _row(message: Message, hierarchy: Hierarchy) -> list[Cell]:
    category = message.category
    return [
        str(message.public_id),
        message.received_at.isoformat(),
        message.sent_at.isoformat() if message.sent_at else "",
        message.channel.name,
        message.channel.channel_type,
        message.body,
        message.language,
        category.code if category else "",
        selectors.label_of(category),
        category.parent.code if category and category.parent else "",
        message.category_source,
        message.urgency,
        message.status,
        *hierarchy.cells(message.admin_unit.path if message.admin_unit else None),
        message.site.code if message.site else "",
        message.site.name if message.site else "",
        str(message.cluster.public_id) if message.cluster else "",
        str(message.reporter.public_id) if message.reporter else "",
        "yes" if message.is_restricted else "no",
    ]


def _actor(reader: Membership) -> Any:
    return reader.user if reader.user_id else EXPORT_ACTOR


def messages_table(reader: Membership) -> Table:
    """Visible messages of ``reader`` (scope; restricted ones only for allowed roles)."""
    found = (
        selectors.message_list(
            membership=reader, filters=selectors.MessageFilters(queue=selectors.ALL)
        )
        .defer(*selectors.SECRET_FIELDS, "latitude", "longitude", "given_place")
        .select_related("cluster")
    )
    hierarchy = Hierarchy(reader.mission_id)

    def rows() -> Iterator[list[Cell]]:
        chunk: list[Message] = []
        for message in found.iterator(chunk_size=_CHUNK):
            chunk.append(message)
            if len(chunk) >= _CHUNK:
                yield from _flush(chunk)
                chunk = []
        yield from _flush(chunk)

    def _flush(chunk: list[Message]) -> Iterator[list[Cell]]:
        # Audited before the rows are written: a restricted message is never exported unseen.
        services.messages_listed(
            actor=_actor(reader), membership=reader, messages=chunk, action="message.export"
        )
        for message in chunk:
            yield _row(message, hierarchy)

    return Table(columns=EXPORT_COLUMNS, rows=rows(), total=found.count())


export_kind_register(
    ExportKind(
        name="messages",
        help=(
            "inbound messages with channel, labels and place (never phone numbers, names or "
            "coordinates; restricted ones only for roles that may see them)"
        ),
        perm=Perm.MESSAGE_VIEW,
        table=messages_table,
    )
)
