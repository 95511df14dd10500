"""Shared pieces of the outbound modules: statuses, the delivery history, enqueueing sends."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from palava.feedback.models import OutboundMessage, OutboundStatus

logger = logging.getLogger(__name__)

SENDER_ACTOR = "system:outbound"
DUE = (OutboundStatus.QUEUED, OutboundStatus.RETRYING)
FINAL = (
    OutboundStatus.SENT,
    OutboundStatus.DELIVERED,
    OutboundStatus.UNDELIVERED,
    OutboundStatus.DEAD,
    OutboundStatus.SUPPRESSED,
    OutboundStatus.CANCELLED,
)
MAX_HISTORY = 40


def history_add(row: OutboundMessage, event: str, now: datetime, **data: Any) -> list[Any]:
    entry = {"at": now.isoformat(), "event": event, **data}
    return [*(row.history or [])[-(MAX_HISTORY - 1) :], entry]


def _enqueue_send(ids: list[int]) -> None:
    from palava.feedback.outbound.tasks import feedback_outbound_send

    try:
        feedback_outbound_send.enqueue(ids)
    except Exception:  # the queue being down loses nothing: the periodic sweep sends it
        logger.exception("could not enqueue outbound sending")


def send_soon(ids: Iterable[int]) -> None:
    """After the commit, one task sends these rows (the sweep catches any it misses)."""
    wanted = [int(i) for i in ids]
    if wanted:
        transaction.on_commit(lambda: _enqueue_send(wanted))
