"""Shared pieces of the commitments ledger's services: text limits, the history event, the
row lock. Used by ``commitment_services`` and ``commitment_evidence``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.core.models import acting_user
from palava.engagement.models import Commitment, CommitmentEvent

MAX_NOTE = 4000


def clean_text(value: str, field: str, *, required: bool = False, limit: int = MAX_NOTE) -> str:
    """Strip ``value``; refuse NUL characters, empty text (when ``required``) or longer than
    ``limit``."""
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("Null characters are not allowed.")})
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": limit}})
    return text


def event_add(
    obj: Commitment,
    kind: str,
    *,
    actor: Any,
    at: dt.datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> CommitmentEvent:
    event = CommitmentEvent(
        commitment=obj,
        kind=kind,
        at=at or timezone.now(),
        by=acting_user(actor),
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        note=note,
    )
    event.save()
    return event


def locked(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("mission", "admin_unit")
        .get(pk=commitment.pk)
    )
