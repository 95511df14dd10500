"""Triage: language, category, urgency, place, reporter and near-duplicate cluster, in batches.

:func:`triage_pending` takes messages whose ``triaged_at`` is NULL in id order, a batch at a
time. Each batch is read (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers share the queue; SQLite's IMMEDIATE transactions serialise writers), computed and written
back with bulk updates in **one** transaction: a crash mid-batch leaves the whole batch
untriaged and the next run triages it, so every message is triaged exactly once. A batch costs a
fixed number of queries per mission in it, whatever its size.

Labels set by staff (``LabelSource.STAFF``) are never replaced. Category and urgency come from
the mission's active trained model when it is confident enough (:data:`MODEL_MIN_PROBABILITY`),
else from the keyword lexicons (:mod:`palava.feedback.lexicon`). A restricted category (sexual
exploitation and abuse, gender-based violence, child protection, or any category a mission
marks so) makes the message and its cluster restricted. No audit row is written per message:
triage is the machine's first reading of a message, recorded on the row (``triage_version``);
every later change by staff is audited.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone, translation

from palava.audit.services import audit_record
from palava.feedback.bulk import bulk_grow, bulk_set
from palava.feedback.classify import Prediction, active_classifiers, model_load, predict
from palava.feedback.clustering import Report, clusters_plan, clusters_write
from palava.feedback.language import SUPPORTED_LANGUAGES, detect_languages
from palava.feedback.lexicon import (
    LEXICON_VERSION,
    CategoryInfo,
    LexiconError,
    LexiconResult,
    MissionLexicon,
)
from palava.feedback.models import (
    Category,
    Channel,
    ClassifierTarget,
    LabelSource,
    Message,
    MessageStatus,
    Reporter,
    Urgency,
)
from palava.feedback.placing import PlaceInput, place_many
from palava.feedback.taxonomy import DEFAULT_CATEGORIES
from palava.missions.models import Mission
from palava.places.text import fold

logger = logging.getLogger(__name__)

TRIAGE_ACTOR = "system:triage"
BATCH_SIZE = 500
MODEL_MIN_PROBABILITY = 0.5
"""A trained model's answer is used only when its probability reaches this; else the lexicon."""
MAX_ATTEMPTS = 3
"""A batch that hits a deadlock or a lock timeout is retried this many times."""
FAILED_VERSION = "failed"

_FIELDS = (
    "id",
    "public_id",
    "mission_id",
    "channel_id",
    "body",
    "search_text",
    "received_at",
    "latitude",
    "longitude",
    "given_place",
    "given_language",
    "sender_pseudonym",
    "status",
    "language",
    "language_confidence",
    "category_id",
    "category_source",
    "category_confidence",
    "urgency",
    "urgency_source",
    "admin_unit_id",
    "site_id",
    "place_source",
    "cluster_id",
    "reporter_id",
    "is_restricted",
)
_WRITTEN = [
    "language",
    "language_confidence",
    "category",
    "category_source",
    "category_confidence",
    "urgency",
    "urgency_source",
    "admin_unit",
    "site",
    "place_source",
    "cluster",
    "reporter",
    "is_restricted",
    "status",
    "triaged_at",
    "triage_version",
    "updated_at",
]


# --- The mission's taxonomy ------------------------------------------------------------------


def categories_ensure(mission: Mission) -> dict[str, Category]:
    """The mission's categories by code, creating the default taxonomy's missing ones."""
    existing = {c.code: c for c in Category.objects.filter(mission=mission)}
    missing = [d for d in DEFAULT_CATEGORIES if d.code not in existing]
    if not missing:
        return existing
    with transaction.atomic():
        for default in sorted(missing, key=lambda d: bool(d.parent)):  # parents first
            names = {}
            for language in ("en", "fr", "ar"):
                with translation.override(language):
                    names[language] = str(default.label)
            parent = existing.get(default.parent) if default.parent else None
            category = Category(
                mission=mission,
                code=default.code,
                name=names["en"],
                names=names,
                parent=parent,
                is_restricted=default.restricted,
                sort_order=[d.code for d in DEFAULT_CATEGORIES].index(default.code),
            )
            try:
                with transaction.atomic():
                    category.save()
            except IntegrityError:  # another worker created it meanwhile
                category = Category.objects.get(mission=mission, code=default.code)
            existing[default.code] = category
        audit_record(
            actor=TRIAGE_ACTOR,
            action="category.defaults_create",
            mission=mission,
            object_type="feedback.category",
            changes={"codes": [d.code for d in missing]},
        )
    return existing


def _restricted(category: Category | None, by_id: Mapping[int, Category]) -> bool:
    """Restricted when the category or its parent is (as the inbox's relabelling decides)."""
    if category is None:
        return False
    parent = by_id.get(category.parent_id) if category.parent_id else None
    return bool(category.is_restricted or (parent is not None and parent.is_restricted))


_lexicons: dict[int, tuple[str, MissionLexicon]] = {}
_lexicon_lock = threading.Lock()


def mission_lexicon(mission_id: int, categories: Sequence[Category]) -> MissionLexicon:
    """The lexicon for a mission's active categories and keywords (cached until they change)."""
    active = [c for c in categories if c.is_active]
    by_id = {c.pk: c for c in categories}
    infos = [
        CategoryInfo(
            code=c.code,
            parent=by_id[c.parent_id].code if c.parent_id in by_id else "",
            is_restricted=_restricted(c, by_id),
            keywords=c.keywords or {},
            sort_order=c.sort_order,
        )
        for c in active
    ]
    fingerprint = repr(
        sorted((i.code, i.parent, i.is_restricted, repr(i.keywords), i.sort_order) for i in infos)
    )
    with _lexicon_lock:
        cached = _lexicons.get(mission_id)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    try:
        found = MissionLexicon(infos)
    except LexiconError as exc:  # unusable mission keywords must not stop triage
        logger.error("mission %s: keywords ignored, they cannot be used: %s", mission_id, exc)
        found = MissionLexicon([replace(i, keywords={}) for i in infos])
    with _lexicon_lock:
        _lexicons[mission_id] = (fingerprint, found)  # one per mission: the latest
    return found


# --- One batch -------------------------------------------------------------------------------


@dataclass
class _Labels:
    category: Category | None
    category_source: str
    category_confidence: float | None
    urgency: str
    urgency_source: str
    version: str


def _model_predictions(
    mission_id: int, target: str, texts: list[str], classifiers: dict[tuple[int, str], Any]
) -> tuple[list[Prediction | None], int | None]:
    classifier = classifiers.get((mission_id, target))
    if classifier is None:
        return [None] * len(texts), None
    pipeline = model_load(classifier)
    if pipeline is None:
        return [None] * len(texts), None
    return list(predict(pipeline, texts)), int(classifier.version)


def _labels(
    message: Message,
    lexicon_result: LexiconResult,
    by_code: dict[str, Category],
    category_model: Prediction | None,
    category_version: int | None,
    urgency_model: Prediction | None,
    urgency_version: int | None,
) -> _Labels:
    version = f"lex{LEXICON_VERSION}"
    category: Category | None = None
    if message.category_source == LabelSource.STAFF:
        category = message.category
        category_source, confidence = LabelSource.STAFF, message.category_confidence
    elif (
        category_model is not None
        and category_model.probability >= MODEL_MIN_PROBABILITY
        and category_model.label in by_code
        and by_code[category_model.label].is_active
    ):
        category = by_code[category_model.label]
        category_source, confidence = LabelSource.MODEL, category_model.probability
        version += f"+c{category_version}"
    else:
        category = by_code.get(lexicon_result.category)
        category_source = LabelSource.LEXICON if category is not None else LabelSource.NONE
        confidence = lexicon_result.confidence if category is not None else None
    if message.urgency_source == LabelSource.STAFF:
        urgency, urgency_source = message.urgency, LabelSource.STAFF
    elif (
        urgency_model is not None
        and urgency_model.probability >= MODEL_MIN_PROBABILITY
        and urgency_model.label in Urgency.values
    ):
        urgency, urgency_source = urgency_model.label, LabelSource.MODEL
        version += f"+u{urgency_version}"
    else:
        urgency, urgency_source = lexicon_result.urgency, LabelSource.LEXICON
    return _Labels(category, category_source, confidence, urgency, urgency_source, version)


def _reporters(mission_id: int, messages: Sequence[Message], now: datetime) -> None:
    """Link each message to its reporter (created when new) and update the reporters' history;
    a handful of queries for the whole group."""
    by_pseudonym: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        if message.sender_pseudonym:
            by_pseudonym[message.sender_pseudonym].append(message)
    if not by_pseudonym:
        return
    found = {
        r.pseudonym: r
        for r in Reporter.objects.filter(mission_id=mission_id, pseudonym__in=by_pseudonym)
    }
    missing = [p for p in by_pseudonym if p not in found]
    if missing:
        first_of = {p: by_pseudonym[p][0].pk for p in missing}
        phones = dict(
            Message.objects.filter(pk__in=first_of.values()).values_list("id", "sender_phone")
        )
        Reporter.objects.bulk_create(
            [
                Reporter(
                    mission_id=mission_id,
                    pseudonym=p,
                    phone=phones.get(first_of[p]),
                    first_seen_at=min(m.received_at for m in by_pseudonym[p]),
                    last_seen_at=min(m.received_at for m in by_pseudonym[p]),
                    message_count=0,
                )
                for p in missing
            ],
            ignore_conflicts=True,  # another worker may create the same reporter meanwhile
        )
        found.update(
            (r.pseudonym, r)
            for r in Reporter.objects.filter(mission_id=mission_id, pseudonym__in=missing)
        )
    grown: list[tuple[int, int, datetime, datetime]] = []
    languages: list[str] = []
    for pseudonym, group in by_pseudonym.items():
        reporter = found[pseudonym]
        for message in group:
            message.reporter = reporter
        latest = max(group, key=lambda m: (m.received_at, m.pk))
        grown.append(
            (
                reporter.pk,
                len(group),
                min(m.received_at for m in group),
                latest.received_at,
            )
        )
        languages.append(latest.language or reporter.language)
    bulk_grow(
        Reporter,
        grown,
        count="message_count",
        first="first_seen_at",
        last="last_seen_at",
        now=now,
        extra=[("language", languages)],
    )


def _claim(batch_size: int) -> list[Message]:
    rows = Message.objects.filter(triaged_at__isnull=True).order_by("id").only(*_FIELDS)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows[:batch_size])


def triage_batch(batch_size: int = BATCH_SIZE) -> int:
    """Triage the next batch of waiting messages in one transaction; returns how many."""
    with transaction.atomic():
        messages = _claim(batch_size)
        if not messages:
            return 0
        now = timezone.now()
        detected = detect_languages([m.body for m in messages])
        for message, (code, confidence) in zip(messages, detected, strict=True):
            if code:
                message.language, message.language_confidence = code, confidence
            elif message.given_language[:2] in SUPPORTED_LANGUAGES:
                message.language, message.language_confidence = message.given_language[:2], None
            else:
                message.language, message.language_confidence = "", None
        by_mission: dict[int, list[Message]] = defaultdict(list)
        for message in messages:
            by_mission[message.mission_id].append(message)
        missions = {m.pk: m for m in Mission.objects.filter(pk__in=by_mission)}
        defaults = dict(
            Channel.objects.filter(pk__in={m.channel_id for m in messages}).values_list(
                "id", "default_admin_unit_id"
            )
        )
        classifiers = active_classifiers(list(by_mission))
        for mission_id, group in by_mission.items():
            _triage_mission(missions[mission_id], group, defaults, classifiers, now)
        bulk_set(Message, messages, _WRITTEN)
        _after_triage(messages, now)
        return len(messages)


def _after_triage(messages: list[Message], now: datetime) -> None:
    """The chain starts in the same transaction: STOP/START keywords are applied, then alerts
    and urgent messages open (or join) cases, routed and notified (docs/adr/0007)."""
    from palava.feedback.cases.auto import cases_from_triage
    from palava.feedback.outbound.acks import acks_enqueue
    from palava.feedback.outbound.optout import keywords_apply

    keyword_ids = keywords_apply(messages, now=now)
    others = [m for m in messages if m.pk not in keyword_ids]
    acks_enqueue(others, now=now)
    cases_from_triage(others, now=now)


def _triage_mission(
    mission: Mission,
    messages: list[Message],
    defaults: Mapping[int, int | None],
    classifiers: dict[tuple[int, str], Any],
    now: datetime,
) -> None:
    by_code = categories_ensure(mission)
    by_id = {c.pk: c for c in by_code.values()}
    lexicon = mission_lexicon(mission.pk, list(by_code.values()))
    for message in messages:
        if not message.search_text:
            message.search_text = fold(message.body)
    texts = [m.body for m in messages]
    category_models, category_version = _model_predictions(
        mission.pk, ClassifierTarget.CATEGORY, texts, classifiers
    )
    urgency_models, urgency_version = _model_predictions(
        mission.pk, ClassifierTarget.URGENCY, texts, classifiers
    )
    places = place_many(
        mission,
        [
            PlaceInput(
                text=m.body,
                latitude=m.latitude,
                longitude=m.longitude,
                given_place=m.given_place,
                default_unit_id=defaults.get(m.channel_id),
                folded=m.search_text,
            )
            for m in messages
        ],
    )
    reports: list[Report] = []
    for i, message in enumerate(messages):
        message.category = by_id.get(message.category_id) if message.category_id else None
        labels = _labels(
            message,
            lexicon.classify(message.search_text, message.language, folded=True),
            by_code,
            category_models[i],
            category_version,
            urgency_models[i],
            urgency_version,
        )
        message.category = labels.category
        message.category_source = labels.category_source
        message.category_confidence = labels.category_confidence
        message.urgency = labels.urgency
        message.urgency_source = labels.urgency_source
        if message.place_source != LabelSource.STAFF:
            placed = places[i]
            message.admin_unit_id = placed.admin_unit_id
            message.site_id = placed.site_id
            message.place_source = placed.source
        message.is_restricted = _restricted(labels.category, by_id)
        if message.status == MessageStatus.NEW:
            message.status = MessageStatus.OPEN
        message.triaged_at = now
        message.triage_version = labels.version
        message.updated_at = now
        reports.append(
            Report(
                category_id=message.category.pk if message.category else None,
                admin_unit_id=message.admin_unit_id,
                latitude=message.latitude if message.latitude is not None else places[i].latitude,
                longitude=message.longitude
                if message.longitude is not None
                else places[i].longitude,
                received_at=message.received_at,
                text=message.search_text,
                is_restricted=message.is_restricted,
            )
        )
    plan = clusters_plan(mission=mission, reports=reports, exclude=[m.pk for m in messages])
    for message, cluster_id in zip(
        messages, clusters_write(mission=mission, plan=plan), strict=True
    ):
        message.cluster_id = cluster_id
    _reporters(mission.pk, messages, now)


def _batch_with_retries(batch_size: int) -> int:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return triage_batch(batch_size)
        except OperationalError:
            if attempt == MAX_ATTEMPTS:
                raise
            logger.warning("triage batch hit a lock conflict; retrying (%s)", attempt)
            time.sleep(0.05 * attempt)
    return 0  # pragma: no cover - the loop returns or raises


def _set_aside() -> int:
    """Mark the next waiting message as triaged without labels (``triage_version`` "failed"),
    restricted until staff label it: a message that breaks triage must not block the queue, and
    whatever it says stays out of sight of roles without the restricted queue."""
    with transaction.atomic():
        claimed = _claim(1)
        if not claimed:
            return 0
        message = claimed[0]
        Message.objects.filter(pk=message.pk).update(
            triaged_at=timezone.now(),
            triage_version=FAILED_VERSION,
            is_restricted=True,
            status=MessageStatus.OPEN if message.status == MessageStatus.NEW else message.status,
            updated_at=timezone.now(),
        )
    logger.error("message %s could not be triaged; set aside as restricted", message.public_id)
    return 1


def _one_by_one(count: int) -> int:
    """Triage the next ``count`` messages one at a time, setting aside any that still fails."""
    done = 0
    for _ in range(count):
        try:
            step = _batch_with_retries(1)
        except Exception:
            logger.exception("triage of a single message failed")
            step = _set_aside()
        if step == 0:
            break
        done += step
    return done


def triage_pending(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> int:
    """Triage every waiting message (all missions), batch by batch; returns how many.

    Safe to run in several workers at once: each batch is claimed with ``SKIP LOCKED`` on
    PostgreSQL. A batch that fails on a deadlock or lock timeout is retried. A batch that fails
    otherwise is rolled back and its messages are triaged one by one, so one message that
    breaks triage is set aside (restricted, ``triage_version`` "failed") instead of blocking
    every message behind it.
    """
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        try:
            done = _batch_with_retries(batch_size)
        except Exception:
            logger.exception("triage batch failed; triaging its messages one by one")
            done = _one_by_one(batch_size)
        total += done
        batches += 1
        if done < batch_size:
            break
    if total:
        logger.info("triaged %s messages", total)
    return total
