"""Staff notifications: a row per recipient in the app, plus e-mail and SMS when asked.

:func:`notify` writes the rows in the caller's transaction (``bulk_create`` ignoring conflicts
on ``(recipient, dedupe_key)``, so a retried task or a second worker never makes a second
notice) and, once the transaction commits, enqueues :func:`notifications_deliver` for the rows
that still wait for an e-mail or an SMS. Delivery claims each channel of each row with a
conditional update (``pending`` -> ``sending``), so a notice is never mailed twice.

Titles carry the case reference, type, place and escalation level only: never a message body,
a reporter's name or a number (they leave the server by e-mail and SMS).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.feedback.models import (
    Case,
    Notification,
    NotificationKind,
    OutboundPurpose,
)

logger = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
QUEUED = "queued"
FAILED = "failed"
SKIPPED = "skipped"
NOTIFY_ACTOR = "system:notify"


def case_url(case: Case, slug: str = "") -> str:
    """The case page's path (``cases:detail``, fixed by the URL contract). Built by hand: it is
    stored on the notice in the triage transaction, where loading the URLconf is not wanted."""
    slug = slug or case.mission.slug
    return f"/m/{slug}/cases/{case.public_id}/"


@dataclass(frozen=True)
class Notice:
    """One notice to write: a text for some recipients (see :func:`notify`)."""

    mission_id: int
    recipients: Sequence[Any]
    kind: str
    title: str
    dedupe_key: str
    case: Case | None = None
    level: int = 0
    url: str = ""
    email: bool = False
    sms: bool = False


def notify(
    *,
    mission: Any,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    case: Case | None = None,
    level: int = 0,
    dedupe_key: str,
    url: str = "",
    email: bool = False,
    sms: bool = False,
) -> list[Notification]:
    """One notice per distinct recipient; returns the rows (new or already there)."""
    notice = Notice(
        mission_id=mission.pk,
        recipients=list(recipients),
        kind=kind,
        title=title,
        dedupe_key=dedupe_key,
        case=case,
        level=level,
        url=url,
        email=email,
        sms=sms,
    )
    return notify_many([notice])


def notify_many(notices: Sequence[Notice]) -> list[Notification]:
    """Write several notices with one insert and one read (a triage batch's new cases)."""
    now = timezone.now()
    rows: dict[tuple[int, str], Notification] = {}
    for notice in notices:
        if notice.kind not in NotificationKind.values:
            raise ValueError(f"unknown notification kind {notice.kind!r}")
        key = notice.dedupe_key[:120]
        for user in notice.recipients:
            if user is None or (user.pk, key) in rows:
                continue
            rows[(user.pk, key)] = Notification(
                mission_id=notice.mission_id,
                recipient_id=user.pk,
                case=notice.case,
                kind=notice.kind,
                level=notice.level,
                title=notice.title[:200],
                url=notice.url[:300],
                created_at=now,
                email_status=PENDING if notice.email else "",
                sms_status=PENDING if notice.sms else "",
                dedupe_key=key,
            )
    if not rows:
        return []
    Notification.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    found = [
        n
        for n in Notification.objects.filter(
            recipient_id__in={user_id for user_id, _key in rows},
            dedupe_key__in={key for _user_id, key in rows},
        )
        if (n.recipient_id, n.dedupe_key) in rows
    ]
    waiting = [
        n.pk
        for n in found
        if n.created_at == now and (n.email_status == PENDING or n.sms_status == PENDING)
    ]
    if waiting:
        transaction.on_commit(lambda: _enqueue_delivery(waiting))
    return found


def _enqueue_delivery(ids: Sequence[int]) -> None:
    from palava.feedback.cases.tasks import feedback_notifications_deliver

    try:
        feedback_notifications_deliver.enqueue([int(i) for i in ids])
    except Exception:  # the queue being down must not lose the notice: the sweep delivers it
        logger.exception("could not enqueue notification delivery")


def _claim(notification_id: int, field: str) -> bool:
    return bool(
        Notification.objects.filter(pk=notification_id, **{field: PENDING}).update(
            **{field: SENDING}
        )
    )


def _email_body(notification: Notification) -> str:
    link = notification.url
    base = str(getattr(settings, "PALAVA_PUBLIC_URL", "") or "")
    if link.startswith("/") and base:
        link = base + link
    lines = [notification.title, ""]
    if link:
        lines += [_("Open it in Palava:"), link, ""]
    lines.append(_("You receive this because of your role in the mission."))
    return "\n".join(lines)


def _send_email(notification: Notification) -> str:
    address = notification.recipient.email
    if not address:
        return SKIPPED
    try:
        send_mail(
            subject=notification.title,
            message=_email_body(notification),
            from_email=None,
            recipient_list=[address],
        )
    except Exception:
        logger.warning("notification e-mail %s failed", notification.pk, exc_info=True)
        return FAILED
    return SENT


def _send_sms(notification: Notification) -> str:
    user = notification.recipient
    if not user.phone:
        return SKIPPED
    from palava.feedback.outbound.channel_settings import sending_channel

    channel = sending_channel(notification.mission_id)
    if channel is None:
        return SKIPPED
    try:
        from palava.feedback.outbound.services import outbound_enqueue
    except ImportError:  # sending is not installed: nothing can carry the SMS
        return SKIPPED
    with transaction.atomic():
        outbound_enqueue(
            mission=notification.mission,
            channel=channel,
            purpose=OutboundPurpose.NOTIFICATION,
            body=notification.title,
            idempotency_key=f"notify:{notification.pk}",
            actor=NOTIFY_ACTOR,
            recipient_user=user,
            case=notification.case,
        )
    return QUEUED


def notifications_deliver(ids: Iterable[int] | None = None) -> int:
    """Send the pending e-mails and SMS of the given notices (all pending ones when ``None``);
    returns how many channels were handled. Safe to run twice: each is claimed first."""
    rows = Notification.objects.select_related("recipient", "mission", "case")
    if ids is None:
        pending = rows.filter(email_status=PENDING) | rows.filter(sms_status=PENDING)
        targets = list(pending.order_by("id")[:500])
    else:
        targets = list(rows.filter(pk__in=list(ids)).order_by("id"))
    handled = 0
    for notification in targets:
        for field, send in (("email_status", _send_email), ("sms_status", _send_sms)):
            if getattr(notification, field) != PENDING or not _claim(notification.pk, field):
                continue
            try:
                status = send(notification)
            except Exception:
                logger.warning("notification %s %s failed", notification.pk, field, exc_info=True)
                status = FAILED
            Notification.objects.filter(pk=notification.pk).update(**{field: status})
            handled += 1
    return handled
