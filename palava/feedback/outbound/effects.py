"""What follows a delivery outcome: the case learns its reporter was informed, or the case's
assignee learns a message failed (a notice without number or text)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from palava.feedback.models import OutboundMessage, OutboundPurpose
from palava.feedback.outbound.common import SENDER_ACTOR


def notify_failure(row: OutboundMessage, *, dead: bool) -> None:
    """A DELIVERY_FAILED notice to the case's assignee (no number, no text in the title)."""
    case = row.case
    if case is None or case.assignee_id is None:
        return
    from palava.feedback.cases.notify import case_url, notify
    from palava.feedback.models import NotificationKind

    if dead:
        title = _("%(reference)s: a message could not be sent") % {"reference": case.reference}
    else:
        title = _("%(reference)s: a message was not delivered") % {"reference": case.reference}
    notify(
        mission=case.mission,
        recipients=[case.assignee],
        kind=NotificationKind.DELIVERY_FAILED,
        title=title,
        case=case,
        dedupe_key=f"outbound:{row.public_id}:{'dead' if dead else 'undelivered'}:{row.attempts}",
        url=case_url(case),
    )


def on_delivered(row: OutboundMessage) -> None:
    """A reply reached the reporter: the case records it (H1's idempotent service)."""
    if row.purpose != OutboundPurpose.REPLY or row.case_id is None:
        return
    from palava.feedback.cases.services import case_reporter_informed
    from palava.feedback.models import Case

    case = Case.objects.select_for_update().get(pk=row.case_id)
    case_reporter_informed(case=case, actor=SENDER_ACTOR, outbound=row)
