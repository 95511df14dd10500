"""The demo feedback line: five channels and about 5,000 fictional messages over six months.

On top of the demo geography (``palava.places.demo``), this loader creates one channel of each
type through the channel services, stores the plan of :mod:`palava.feedback.demo_plan` (texts
from :mod:`palava.feedback.demo_text` naming the geography's real place names, read from the
database), triages everything, then plays a few weeks of staff work: label corrections (the
training data), statuses on older messages, spam marked as spam, and a category model training
job (a task, run by the worker ``palava demo`` starts) so the evaluation page has something to
show.

Messages are bulk-inserted by :func:`message_row` rows, each exactly the row the channel's
webhook (:func:`palava.feedback.ingest.message_ingest`) would store: same normalisation,
pseudonym, encryption and acknowledgement (a test compares the two), because 5,000 single-row
transactions would make every ``palava demo`` start slow. One ``message.demo_load`` audit row
per channel records the load. Corrections and the statuses of the last weeks go through the
services, audited like any other; the statuses of older messages (thousands) are set in bulk
with one ``message.demo_status`` summary row each, as the places demo does for population.

Idempotent: messages are found again by their provider id (a hash of their position in the
plan), channels by name, and staff work and training happen only when the demo has no staff
label and no model yet. A second ``palava demo`` adds nothing.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from palava.accounts.models import User
from palava.audit.services import audit_record
from palava.core.demo import Output, demo_loader
from palava.feedback.ack import ack_for
from palava.feedback.demo_plan import (
    CHANNEL_AT,
    CHANNEL_GENERIC,
    CHANNEL_HOTLINE,
    CHANNEL_TWILIO,
    CHANNEL_WEBFORM,
    SEED,
    DemoPlace,
    PlannedMessage,
    demo_messages,
)
from palava.feedback.ingest import message_build
from palava.feedback.models import (
    Category,
    Channel,
    ChannelType,
    Classifier,
    ClassifierTarget,
    LabelSource,
    Message,
    MessageStatus,
)
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit, Site, SiteKind

DEMO_ACTOR = "system:demo"
INSERT_BATCH = 500
STATUS_BATCH = 500  # message_set_status takes at most this many at once
CORRECTIONS_PER_CATEGORY = 16
CORRECTIONS_PER_RESTRICTED_CATEGORY = 8
# Statuses of the last weeks (what people browse) are set one by one through the service, each
# audited; older ones in bulk with one summary audit row per status (thousands of rows).
RECENT_STATUS_DAYS = 30
STAFF_ERROR_RATE = 0.05  # staff are people: a few corrections are themselves wrong
# What a hurried reviewer confuses a category with.
CONFUSABLE: dict[str, tuple[str, ...]] = {
    "security_threat": ("violence_incident", "tension_dispute"),
    "violence_incident": ("security_threat",),
    "tension_dispute": ("security_threat", "violence_incident"),
    "need_water": ("need_health", "need_food"),
    "need_food": ("need_water", "need_shelter"),
    "need_health": ("need_water",),
    "need_shelter": ("need_food",),
    "need_education": ("need_shelter",),
    "rumour": ("information_request", "security_threat"),
    "information_request": ("rumour", "other"),
    "conduct_complaint": ("other",),
    "positive_feedback": ("other",),
    "other": ("information_request",),
}


# name, type, address: found again by name; one channel of every type.
DEMO_CHANNELS: tuple[tuple[str, str, str], ...] = (
    ("SMS +999 970 000 100 (Twilio)", CHANNEL_TWILIO, "+999 970 000 100"),
    ("SMS short code 4040 (Africa's Talking)", CHANNEL_AT, "4040"),
    ("RapidPro gateway", CHANNEL_GENERIC, ""),
    ("Public web form", CHANNEL_WEBFORM, ""),
    ("Hotline", CHANNEL_HOTLINE, "+999 970 000 200"),
)
_PLACE_SITE_KINDS = (SiteKind.VILLAGE, SiteKind.TOWN, SiteKind.IDP_CAMP)


# --- Places, as the plan needs them ------------------------------------------------------------


def demo_places(mission: Mission) -> list[DemoPlace]:
    """Villages, towns, displacement sites and admin 2/3 units of ``mission``, with spellings."""
    units = {
        u.pcode: u
        for u in AdminUnit.objects.filter(mission=mission, retired_at__isnull=True).only(
            "pcode", "level", "name", "alt_names", "path", "centroid_lat", "centroid_lon"
        )
    }

    def ancestors(path: str) -> tuple[str, str] | None:
        parts = [p for p in path.split("/") if p in units]
        levels = {units[p].level: p for p in parts}
        if 1 not in levels or 2 not in levels:
            return None
        return levels[1], levels[2]

    places: list[DemoPlace] = []
    for pcode in sorted(units):
        unit = units[pcode]
        found = ancestors(unit.path) if unit.level in (2, 3) else None
        if found is None:
            continue
        places.append(
            DemoPlace(
                name=unit.name,
                variants=tuple(str(a) for a in unit.alt_names or ()),
                kind=f"adm{unit.level}",
                province=found[0],
                territory=found[1],
                unit=pcode,
                latitude=unit.centroid_lat,
                longitude=unit.centroid_lon,
            )
        )
    sites = (
        Site.objects.filter(mission=mission, retired_at__isnull=True, kind__in=_PLACE_SITE_KINDS)
        .select_related("admin_unit")
        .order_by("code")
    )
    for site in sites:
        found = ancestors(site.admin_unit.path)
        if found is None:
            continue
        places.append(
            DemoPlace(
                name=site.name,
                variants=tuple(str(a) for a in site.alt_names or ()),
                kind=site.kind,
                province=found[0],
                territory=found[1],
                unit=site.admin_unit.pcode,
                latitude=site.latitude,
                longitude=site.longitude,
            )
        )
    return places


# --- Channels ----------------------------------------------------------------------------------


def demo_channels_ensure(mission: Mission, actor: Any) -> dict[str, Channel]:
    """The demo's channel of each type, by type; created through the channel services."""
    from palava.feedback.channel_services import channel_create

    existing = {c.name: c for c in Channel.objects.filter(mission=mission)}
    out: dict[str, Channel] = {}
    for name, channel_type, address in DEMO_CHANNELS:
        channel = existing.get(name)
        if channel is None and channel_type in (ChannelType.WEBFORM, ChannelType.HOTLINE):
            # One public form per mission; a hotline may already exist (logged calls).
            channel = (
                Channel.objects.filter(mission=mission, channel_type=channel_type, is_active=True)
                .order_by("id")
                .first()
            )
        if channel is None:
            channel = channel_create(
                actor=actor,
                mission=mission,
                name=name,
                channel_type=channel_type,
                # Twilio's auth token comes from the Twilio console; the demo invents one.
                secret=secrets.token_hex(16) if channel_type == ChannelType.TWILIO else None,
                address=address,
                ack_enabled=channel_type == ChannelType.AFRICASTALKING,
            ).channel
        out[channel_type] = channel
    return out


# --- Storing the plan --------------------------------------------------------------------------


def message_row(
    channel: Channel, planned: PlannedMessage, *, now: datetime, staff: User | None = None
) -> Message:
    """The unsaved row ``message_ingest`` would store for ``planned`` (see the module doc)."""
    ack_text = ""
    if channel.ack_enabled:
        ack_text = ack_for(channel, given_language=planned.given_language, body=planned.body)
    message = message_build(
        channel=channel,
        provider_message_id=planned.provider_message_id,
        body=planned.body,
        sender_phone=planned.phone or "",
        received_at=planned.received_at(now),
        sent_at=planned.sent_at(now),
        latitude=planned.latitude,
        longitude=planned.longitude,
        given_place=planned.given_place,
        given_language=planned.given_language,
        extra=dict(planned.extra),
        ack_text=ack_text,
    )
    if planned.channel == CHANNEL_HOTLINE and staff is not None:
        message.created_by = message.updated_by = staff  # the assistant who logged the call
    return message


def messages_store(
    mission: Mission,
    channels: dict[str, Channel],
    plan: Iterable[PlannedMessage],
    *,
    now: datetime,
    staff: User | None = None,
) -> Counter[str]:
    """Insert the planned messages not stored yet; returns how many per channel type."""
    plan = list(plan)
    stored = set(
        Message.objects.filter(channel__in=channels.values()).values_list(
            "channel_id", "provider_message_id"
        )
    )
    rows = [
        message_row(channels[p.channel], p, now=now, staff=staff)
        for p in plan
        if (channels[p.channel].pk, p.provider_message_id) not in stored
    ]
    for start in range(0, len(rows), INSERT_BATCH):
        Message.objects.bulk_create(rows[start : start + INSERT_BATCH])
    created = Counter(row.channel.channel_type for row in rows)
    for channel_type, count in sorted(created.items()):
        channel = channels[channel_type]
        audit_record(
            actor=DEMO_ACTOR,
            action="message.demo_load",
            mission=mission,
            obj=Message(mission=mission, channel=channel),
            object_id=f"demo:{channel.public_id}",
            changes={"channel": channel.name, "extra": f"{count} fictional messages"},
        )
    return created


# --- Staff work --------------------------------------------------------------------------------


def _membership(mission: Mission, users: dict[str, User], role: str) -> Membership | None:
    user = users.get(role)
    if user is None:
        return None
    return Membership.objects.filter(mission=mission, user=user, is_active=True).first()


def _corrections(
    triaged: list[dict[str, Any]], truth: dict[str, PlannedMessage], rng: random.Random
) -> list[tuple[dict[str, Any], str, str]]:
    """(message, staff category, staff urgency): per true category, misclassified ones first."""
    from palava.feedback.taxonomy import RESTRICTED_DEFAULT_CODES

    by_truth: dict[str, list[dict[str, Any]]] = {}
    for row in triaged:
        planned = truth[row["provider_message_id"]]
        if not planned.is_spam:
            by_truth.setdefault(planned.category, []).append(row)
    out: list[tuple[dict[str, Any], str, str]] = []
    for code in sorted(by_truth):
        rows = by_truth[code]
        rng.shuffle(rows)
        rows.sort(key=lambda r: r["category__code"] == code)  # wrong ones first (stable)
        quota = (
            CORRECTIONS_PER_RESTRICTED_CATEGORY
            if code in RESTRICTED_DEFAULT_CODES
            else CORRECTIONS_PER_CATEGORY
        )
        for row in rows[:quota]:
            label = code
            if code in CONFUSABLE and rng.random() < STAFF_ERROR_RATE:
                label = rng.choice(CONFUSABLE[code])
            out.append((row, label, truth[row["provider_message_id"]].urgency))
    return out


def _status_for(planned: PlannedMessage, age: timedelta, rng: random.Random) -> str | None:
    if planned.is_spam:
        return MessageStatus.SPAM
    roll = rng.random()
    if age > timedelta(days=30):
        return (
            MessageStatus.CLOSED if roll < 0.72 else MessageStatus.REVIEWED if roll < 0.9 else None
        )
    if age > timedelta(days=7):
        return (
            MessageStatus.REVIEWED if roll < 0.45 else MessageStatus.CLOSED if roll < 0.7 else None
        )
    return MessageStatus.REVIEWED if roll < 0.1 else None


def _statuses_bulk(mission: Mission, user: User, ids: list[int], status: str, now: datetime) -> int:
    """Set ``status`` on many old messages at once, with one summary audit row."""
    changed = (
        Message.objects.filter(mission=mission, pk__in=ids)
        .exclude(status=status)
        .update(status=status, updated_at=now, updated_by=user)
    )
    if changed:
        audit_record(
            actor=user,
            action="message.demo_status",
            mission=mission,
            obj=Message(mission=mission, status=status),
            object_id=f"demo:{status}",
            changes={"status": status, "extra": f"{changed} older demo messages"},
        )
    return changed


def staff_work(
    mission: Mission, users: dict[str, User], plan: list[PlannedMessage], *, now: datetime
) -> dict[str, int]:
    """Corrections, statuses and spam as staff would have done them, through the services."""
    from palava.feedback.services import message_relabel, message_set_status

    manager = _membership(mission, users, Role.MANAGER)
    officer = _membership(mission, users, Role.OFFICER) or manager
    if manager is None or officer is None:
        return {"corrections": 0, "statuses": 0}
    truth = {p.provider_message_id: p for p in plan}
    categories = {c.code: c for c in Category.objects.filter(mission=mission)}
    triaged: list[dict[str, Any]] = [
        dict(row)
        for row in Message.objects.filter(
            mission=mission, provider_message_id__in=truth, triaged_at__isnull=False
        )
        .order_by("id")
        .values("id", "provider_message_id", "category__code", "is_restricted", "received_at")
    ]
    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible demo data, not security
    corrections = 0
    for row, code, urgency in _corrections(triaged, truth, rng):
        category = categories.get(code)
        if category is None:
            continue
        restricted = row["is_restricted"] or category.is_restricted
        member = manager if restricted else officer
        message = Message.objects.get(pk=row["id"])
        try:
            message_relabel(
                actor=member.user,
                membership=member,
                message=message,
                category=category,
                urgency=urgency,
            )
        except (PermissionDenied, ValidationError):
            continue
        corrections += 1
    restricted_ids = set(
        Message.objects.filter(pk__in=[r["id"] for r in triaged], is_restricted=True).values_list(
            "id", flat=True
        )
    )
    recent: dict[tuple[str, bool], list[int]] = {}
    older: dict[str, list[int]] = {}
    for row in triaged:
        age = now - row["received_at"]
        status = _status_for(truth[row["provider_message_id"]], age, rng)
        if status is None:
            continue
        if age <= timedelta(days=RECENT_STATUS_DAYS):
            recent.setdefault((status, row["id"] in restricted_ids), []).append(row["id"])
        else:
            older.setdefault(status, []).append(row["id"])
    statuses = 0
    for (status, restricted), ids in sorted(recent.items()):
        member = manager if restricted else officer
        for start in range(0, len(ids), STATUS_BATCH):
            batch = [Message(pk=pk) for pk in ids[start : start + STATUS_BATCH]]
            statuses += message_set_status(
                actor=member.user, membership=member, messages=batch, status=status
            )
    for status, ids in sorted(older.items()):
        statuses += _statuses_bulk(mission, manager.user, ids, status, now)
    return {"corrections": corrections, "statuses": statuses}


def model_train_start(mission: Mission, users: dict[str, User]) -> bool:
    """Enqueue the training of the category model on the staff corrections, once, so the
    evaluation page has something to show. Training is a task like any retraining: the worker
    ``palava demo`` starts runs it within seconds (a model does not belong in the load's time).
    Returns whether a job was enqueued."""
    from palava.core.models import Job
    from palava.feedback.training import JOB_KIND, classifier_train_start

    target = ClassifierTarget.CATEGORY
    if Classifier.objects.filter(mission=mission, target=target).exists():
        return False
    if Job.objects.filter(mission=mission, kind=JOB_KIND).exists():
        return False
    if not Message.objects.filter(mission=mission, category_source=LabelSource.STAFF).exists():
        return False
    classifier_train_start(
        mission=mission, target=target, actor=users.get(Role.MANAGER) or DEMO_ACTOR
    )
    return True


# --- The loader --------------------------------------------------------------------------------


def _triage() -> int:
    try:
        from palava.feedback.triage import triage_pending
    except ImportError:  # triage not installed: the worker triages once it is
        return 0
    return triage_pending()


def _categories(mission: Mission) -> None:
    try:
        from palava.feedback.triage import categories_ensure
    except ImportError:
        return
    categories_ensure(mission)


@demo_loader(order=400)
def load_feedback(mission: Mission, users: dict[str, User], stdout: Output) -> None:
    """Channels, six months of messages, triage, staff work and models (idempotent)."""
    places = demo_places(mission)
    if not places:
        stdout.write("feedback: no demo places, no messages loaded\n")
        return
    now = timezone.now()
    admin = users.get(Role.ADMIN) or DEMO_ACTOR
    channels = demo_channels_ensure(mission, admin)
    plan = demo_messages(places, now=now)
    created = messages_store(mission, channels, plan, now=now, staff=users.get(Role.LIAISON))
    _categories(mission)
    triaged = _triage()
    work = {"corrections": 0, "statuses": 0}
    if (
        created
        and not Message.objects.filter(mission=mission, category_source=LabelSource.STAFF).exists()
    ):
        work = staff_work(mission, users, plan, now=now)
    training = model_train_start(mission, users)
    stdout.write(
        f"feedback: {len(channels)} channels, {sum(created.values())} messages created, "
        f"{triaged} triaged, {work['corrections']} staff corrections, "
        f"{work['statuses']} status changes"
        + (", category model training enqueued" if training else "")
        + "\n"
    )


# The chain's loaders (routing before triage at 390, case histories and rumours after).
from palava.feedback.cases import demo as _case_demo  # noqa: E402, F401
