"""Evidence about a commitment (a file, a later activity, an observation) and the community's
verification. Re-exported by ``commitment_services`` (the contract's module).

The verification note (how and whom the community was asked) is confidential: it stays on the
record and never goes into the history or the audit trail.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.engagement.models import (
    Activity,
    Commitment,
    CommitmentEventKind,
    CommitmentEvidence,
    EvidenceKind,
    Verification,
)
from palava.missions.models import Membership

from .commitment_common import clean_text, event_add, locked


@transaction.atomic
def commitment_add_evidence(
    *,
    actor: Any,
    commitment: Commitment,
    kind: str,
    upload: UploadedFile[bytes] | None = None,
    activity: Activity | None = None,
    note: str = "",
    description: str = "",
    membership: Membership | None = None,
) -> CommitmentEvidence:
    """Evidence: a file (checked and stored by ``documents.document_add``), a later activity of
    the mission (on or after the day the promise was made), or an observation (a note)."""
    obj = locked(commitment)
    text = clean_text(note, "note", required=kind == EvidenceKind.NOTE)
    evidence = CommitmentEvidence(
        commitment=obj,
        kind=kind,
        note=text,
        created_by=acting_user(actor),
        updated_by=acting_user(actor),
    )
    changes: dict[str, Any] = {"kind": kind}
    if kind == EvidenceKind.FILE:
        if upload is None:
            raise ValidationError({"file": _("Choose a file.")})
        from palava.engagement.documents import document_add

        evidence.document = document_add(
            actor=actor,
            mission=obj.mission,
            upload=upload,
            description=clean_text(description, "description", limit=300),
            commitment=obj,
        )
        changes["document"] = str(evidence.document.public_id)
    elif kind == EvidenceKind.ACTIVITY:
        _check_activity(obj, activity, membership)
        assert activity is not None
        evidence.activity = activity
        changes["activity"] = str(activity.public_id)
    elif kind != EvidenceKind.NOTE:
        raise ValidationError({"kind": _("Unknown kind of evidence.")})
    evidence.full_clean()
    evidence.save()
    event_add(obj, CommitmentEventKind.EVIDENCE, actor=actor, changes=changes, note=text)
    audit_record(
        actor=actor,
        action="engagement.commitment.evidence",
        mission=obj.mission,
        obj=evidence,
        changes={**changes, "commitment": str(obj.public_id)},
    )
    return evidence


def _check_activity(
    obj: Commitment, activity: Activity | None, membership: Membership | None
) -> None:
    if activity is None:
        raise ValidationError({"activity": _("Choose an activity.")})
    if activity.mission_id != obj.mission_id:
        raise ValidationError({"activity": _("Choose an activity of this mission.")})
    if membership is not None:
        from palava.engagement.selectors import activities_visible

        if not activities_visible(membership=membership).filter(pk=activity.pk).exists():
            raise ValidationError({"activity": _("Choose an activity of this mission.")})
    local = timezone.localtime(activity.starts_at, _zone(obj.mission)).date()
    if local < obj.made_on:
        raise ValidationError(
            {"activity": _("Choose an activity held on or after the day of the promise.")}
        )


def _zone(mission: Any) -> ZoneInfo:
    return ZoneInfo(mission.time_zone or "UTC")


@transaction.atomic
def commitment_verify(
    *, actor: Any, commitment: Commitment, verification: str, note: str = ""
) -> Commitment:
    """Record whether the community considers the commitment kept, and how it was asked.

    The note (how and whom the community was asked) is confidential: it stays on the record and
    never goes into the history or the audit trail.
    """
    if verification not in Verification.values:
        raise ValidationError({"verification": _("Unknown verification.")})
    obj = locked(commitment)
    text = clean_text(note, "verification_note", required=verification != Verification.NOT_ASKED)
    old = obj.verification
    now = timezone.now()
    obj.verification = verification
    obj.verification_note = text
    obj.verified_at = None if verification == Verification.NOT_ASKED else now
    obj.updated_by = acting_user(actor)
    obj.full_clean()
    obj.save()
    event_add(
        obj,
        CommitmentEventKind.VERIFICATION,
        actor=actor,
        at=now,
        changes={"verification": [old, verification]},
    )
    audit_record(
        actor=actor,
        action="engagement.commitment.verify",
        mission=obj.mission,
        obj=obj,
        changes={
            "verification": verification,
            "verified_at": obj.verified_at.isoformat() if obj.verified_at else None,
        },
    )
    return obj
