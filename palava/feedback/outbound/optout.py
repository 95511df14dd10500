"""Consent for broadcasts: STOP / START keywords in English, French, Arabic, Swahili and
Portuguese.

A message is a keyword only when the whole text is one (``"stop"``, ``" Arrêt! "``, ``"إيقاف"``),
compared after folding case and accents (NFKD without combining marks, so ``ARRÊT`` = ``arret``
and ``إيقاف`` = ``ايقاف``), ignoring punctuation, symbols and extra spaces. ``"stop the
shooting"`` is a report, not a keyword. An opt-out is keyed by the phone pseudonym (it covers a
reporter and an actor with the same number); a broadcast is never sent to it (checked when the
row is enqueued and again right before sending). The keyword texts are per-language data, not
interface strings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from palava.audit.services import audit_record
from palava.feedback.models import Message, OptOut, Reporter

Keyword = Literal["stop", "start"]
MAX_KEYWORD_CHARS = 40
KEYWORD_ACTOR = "system:optout"

STOP_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "opt out"),
    "fr": ("arrêt", "arret", "arrêter", "stopper", "désabonner", "désinscrire", "désinscription"),
    "ar": ("توقف", "إيقاف", "أوقف", "الغاء", "إلغاء", "إلغاء الاشتراك"),
    "sw": ("acha", "simama", "sitisha", "ondoa"),
    "pt": ("parar", "pare", "sair", "cancelar"),
}
START_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("start", "join", "subscribe", "unstop", "opt in"),
    "fr": ("abonner", "s'abonner", "inscrire", "commencer", "reprendre"),
    "ar": ("اشترك", "ابدأ", "اشتراك"),
    "sw": ("anza", "jiunge", "jisajili"),
    "pt": ("entrar", "começar", "iniciar", "assinar"),
}
CONFIRMATIONS: dict[str, dict[str, str]] = {
    "stop": {
        "en": "You will no longer receive messages from the mission. Send START to subscribe.",
        "fr": "Vous ne recevrez plus de messages de la mission. Envoyez START pour vous réabonner.",
        "ar": "لن تصلكم رسائل البعثة بعد الآن. أرسلوا START للاشتراك من جديد.",
        "sw": "Hutapokea tena ujumbe kutoka kwa misheni. Tuma ANZA kujiunga tena.",
        "pt": "Não receberá mais mensagens da missão. Envie START para voltar a subscrever.",
    },
    "start": {
        "en": "You will receive messages from the mission. Send STOP to unsubscribe.",
        "fr": "Vous recevrez les messages de la mission. Envoyez STOP pour vous désabonner.",
        "ar": "ستصلكم رسائل البعثة. أرسلوا STOP لإلغاء الاشتراك.",
        "sw": "Utapokea ujumbe kutoka kwa misheni. Tuma STOP kujiondoa.",
        "pt": "Vai receber as mensagens da missão. Envie STOP para cancelar.",
    },
}


def fold(text: str) -> str:
    """Case, accents, Arabic marks, punctuation and symbols removed; spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category.startswith("M") or ch == "\u0640":  # combining marks, Arabic tatweel
            continue
        if category[0] in "PSC" or category == "Zl" or category == "Zp":
            kept.append(" ")
            continue
        kept.append(ch)
    return " ".join("".join(kept).casefold().split())


def _index(words: dict[str, tuple[str, ...]]) -> frozenset[str]:
    out: set[str] = set()
    for group in words.values():
        for word in group:
            folded = fold(word)
            out.add(folded)
            out.add(folded.replace(" ", ""))
    return frozenset(out)


STOP_INDEX = _index(STOP_WORDS)
START_INDEX = _index(START_WORDS)


def keyword_of(body: Any) -> Keyword | None:
    """``"stop"``, ``"start"`` or None: the whole message must be one keyword."""
    if not isinstance(body, str) or not body or len(body) > MAX_KEYWORD_CHARS:
        return None
    folded = fold(body)
    if not folded:
        return None
    candidates = {folded, folded.replace(" ", "")}
    if candidates & STOP_INDEX:
        return "stop"
    if candidates & START_INDEX:
        return "start"
    return None


def is_opted_out(mission_id: int, pseudonym: str) -> bool:
    if not pseudonym:
        return False
    return OptOut.objects.filter(
        mission_id=mission_id, pseudonym=pseudonym, is_active=True
    ).exists()


@transaction.atomic
def opt_out(
    *, mission: Any, pseudonym: str, keyword: str, source: str = "sms", actor: Any = KEYWORD_ACTOR
) -> OptOut:
    """The number stops receiving broadcasts (and the reporter is marked opted out)."""
    now = timezone.now()
    row, _created = OptOut.objects.update_or_create(
        mission=mission,
        pseudonym=pseudonym,
        defaults={
            "is_active": True,
            "opted_out_at": now,
            "keyword": keyword[:30],
            "source": source[:20],
        },
    )
    Reporter.objects.filter(mission=mission, pseudonym=pseudonym).update(
        opted_out=True, broadcast_opt_in_at=None
    )
    audit_record(
        actor=actor,
        action="optout.stop",
        mission=mission,
        object_type="feedback.optout",
        object_id=str(row.pk),
        changes={"is_active": True, "source": row.source},
    )
    return row


@transaction.atomic
def opt_in(
    *, mission: Any, pseudonym: str, keyword: str, source: str = "sms", actor: Any = KEYWORD_ACTOR
) -> OptOut | None:
    """The number asked for broadcasts again: the opt-out ends, the reporter is opted in."""
    now = timezone.now()
    row = OptOut.objects.filter(mission=mission, pseudonym=pseudonym).first()
    if row is not None:
        row.is_active = False
        row.opted_in_at = now
        row.keyword = keyword[:30]
        row.source = source[:20]
        row.save(update_fields=["is_active", "opted_in_at", "keyword", "source"])
    Reporter.objects.filter(mission=mission, pseudonym=pseudonym).update(
        opted_out=False, broadcast_opt_in_at=now
    )
    audit_record(
        actor=actor,
        action="optout.start",
        mission=mission,
        object_type="feedback.optout",
        object_id=str(row.pk) if row is not None else "",
        changes={"is_active": False, "source": source[:20]},
    )
    return row


def _confirmation(kind: str, language: str) -> str:
    texts = CONFIRMATIONS[kind]
    return texts.get((language or "").split("-")[0].lower()) or texts["en"]


def keywords_apply(messages: Sequence[Message], *, now: datetime) -> set[int]:
    """Apply STOP/START messages (inside the caller's transaction); the ids of the keyword
    messages (which must not open cases). A confirmation goes back when the channel sends."""
    from palava.feedback.models import OutboundPurpose
    from palava.feedback.outbound.services import outbound_enqueue

    found: set[int] = set()
    for message in messages:
        kind = keyword_of(message.body)
        if kind is None:
            continue
        found.add(message.pk)
        reporter = message.reporter
        if reporter is None or not reporter.pseudonym:
            continue
        keyword = fold(message.body)[:30]
        change = opt_out if kind == "stop" else opt_in
        change(mission=message.mission, pseudonym=reporter.pseudonym, keyword=keyword)
        channel = message.channel
        if channel.outbound_mode in ("live", "sandbox") and reporter.phone:
            outbound_enqueue(
                mission=message.mission,
                channel=channel,
                purpose=OutboundPurpose.ACK,
                body=_confirmation(kind, message.language or reporter.language),
                idempotency_key=f"keyword:{message.public_id}",
                actor=KEYWORD_ACTOR,
                reporter=reporter,
                language=message.language,
            )
    return found
