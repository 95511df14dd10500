"""Closing the loop: reply templates per language and replies to a case's reporter.

A reply goes out on the case's ``reply_channel`` (the channel the reporter wrote on) to the
case's reporter, through :func:`outbound_enqueue` (key ``reply:<case uuid>:<n>``). The number is
decrypted only by the sender; the case's timeline records the reply (kind ``reply``) with the
outbound message's id, never the text. When the gateway reports it delivered, the case records
that the reporter was informed (``outbound.services.on_delivered``).

Default templates (``reply_templates_ensure``) are per-language data, written in each language
(not interface strings): the reporter reads them whatever the staff member's interface language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.models import acting_user
from palava.feedback.models import (
    MAX_OUTBOUND_CHARS,
    Case,
    CaseEvent,
    CaseEventKind,
    Channel,
    OutboundMessage,
    OutboundPurpose,
    ReplyTemplate,
)
from palava.feedback.outbound.services import outbound_enqueue

FALLBACK_LANGUAGES = ("en", "fr")

DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "received",
        "name": "Message received, being looked at",
        "texts": {
            "en": "Your report {reference} has been received. The mission is looking into it.",
            "fr": "Votre signalement {reference} a été reçu. La mission s'en occupe.",
            "ar": "تم استلام بلاغكم {reference}. البعثة تتابعه.",
            "sw": "Ripoti yako {reference} imepokelewa. Misheni inaishughulikia.",
            "pt": "A sua denúncia {reference} foi recebida. A missão está a tratar dela.",
        },
    },
    {
        "code": "response",
        "name": "Help has been sent",
        "texts": {
            "en": "About your report {reference}: a response has been sent to the area.",
            "fr": "Concernant votre signalement {reference} : une réponse a été envoyée sur place.",
            "ar": "بخصوص بلاغكم {reference}: تم إرسال استجابة إلى المنطقة.",
            "sw": "Kuhusu ripoti yako {reference}: msaada umetumwa eneo hilo.",
            "pt": "Sobre a sua denúncia {reference}: foi enviada uma resposta para a zona.",
        },
    },
    {
        "code": "resolved",
        "name": "Resolved, thank you",
        "texts": {
            "en": "Your report {reference} has been dealt with. Thank you for telling us.",
            "fr": "Votre signalement {reference} a été traité. Merci de nous avoir informés.",
            "ar": "تمت معالجة بلاغكم {reference}. شكرًا لإبلاغنا.",
            "sw": "Ripoti yako {reference} imeshughulikiwa. Asante kwa kutujulisha.",
            "pt": "A sua denúncia {reference} foi tratada. Obrigado por nos informar.",
        },
    },
    {
        "code": "unfounded",
        "name": "Checked, not confirmed",
        "texts": {
            "en": "We checked your report {reference} and could not confirm it. Thank you.",
            "fr": "Nous avons vérifié votre signalement {reference} sans pouvoir le confirmer. "
            "Merci.",
            "ar": "تحققنا من بلاغكم {reference} ولم نتمكن من تأكيده. شكرًا لكم.",
            "sw": "Tumechunguza ripoti yako {reference} na hatukuweza kuithibitisha. Asante.",
            "pt": "Verificámos a sua denúncia {reference} e não a pudemos confirmar. Obrigado.",
        },
    },
]


def _base(code: str) -> str:
    return (code or "").lower().replace("_", "-").split("-")[0]


def reply_render(template: ReplyTemplate, *, case: Case, language: str = "") -> str:
    """The template's text in ``language`` (else the case's, else English, else French, else
    any), with ``{reference}`` replaced. Other braces are left as they are."""
    texts = template.texts if isinstance(template.texts, dict) else {}
    for code in (_base(language), _base(case.language), *FALLBACK_LANGUAGES):
        text = texts.get(code)
        if isinstance(text, str) and text.strip():
            break
    else:
        text = next((t for t in texts.values() if isinstance(t, str) and t.strip()), "")
    return str(text).replace("{reference}", case.reference).strip()


def reply_templates_for(*, mission: Any, case_type: str = "") -> list[ReplyTemplate]:
    """Active templates offered for a case of ``case_type`` (or for every type)."""
    rows = ReplyTemplate.objects.filter(mission=mission, is_active=True)
    if case_type:
        return [t for t in rows if t.case_type in ("", case_type)]
    return list(rows)


def _clean_texts(texts: Any) -> dict[str, str]:
    if not isinstance(texts, dict):
        raise ValidationError(_("Give the texts as language code and text."))
    out: dict[str, str] = {}
    for code, text in texts.items():
        value = str(text or "").strip()
        if not value:
            continue
        if len(value) > MAX_OUTBOUND_CHARS:
            raise ValidationError(
                _("A text is longer than %(limit)d characters.") % {"limit": MAX_OUTBOUND_CHARS}
            )
        out[_base(str(code))[:8]] = value
    if not out:
        raise ValidationError(_("Give the text in at least one language."))
    return out


@transaction.atomic
def reply_template_save(
    *,
    mission: Any,
    actor: Any,
    code: str,
    name: str,
    texts: dict[str, str],
    case_type: str = "",
    is_active: bool = True,
    order: int = 0,
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """Create a template, or update ``template`` (same mission)."""
    if template is not None and template.mission_id != mission.pk:
        raise ValidationError(_("This template belongs to another mission."))
    row = template or ReplyTemplate(mission=mission, created_by=acting_user(actor))
    row.code = code
    row.name = name
    row.texts = _clean_texts(texts)
    row.case_type = case_type
    row.is_active = is_active
    row.order = order
    row.updated_by = acting_user(actor)
    row.full_clean(exclude=["mission"])
    if ReplyTemplate.objects.filter(mission=mission, code=code).exclude(pk=row.pk).exists():
        raise ValidationError({"code": _("A template with this code exists already.")})
    row.save()
    audit_record(
        actor=actor,
        action="reply_template.save",
        mission=mission,
        obj=row,
        changes={"code": row.code, "name": row.name, "languages": sorted(row.texts)},
    )
    return row


@transaction.atomic
def reply_template_delete(*, template: ReplyTemplate, actor: Any) -> None:
    audit_record(
        actor=actor,
        action="reply_template.delete",
        mission=template.mission,
        obj=template,
        changes={"code": template.code},
    )
    template.delete()


@transaction.atomic
def reply_templates_ensure(mission: Any, *, actor: Any = "system:setup") -> int:
    """The default templates, for a mission that has none of their codes yet; how many were
    created (idempotent)."""
    existing = set(ReplyTemplate.objects.filter(mission=mission).values_list("code", flat=True))
    created = 0
    for order, spec in enumerate(DEFAULT_TEMPLATES):
        if spec["code"] in existing:
            continue
        reply_template_save(
            mission=mission,
            actor=actor,
            code=spec["code"],
            name=spec["name"],
            texts=dict(spec["texts"]),
            order=order,
        )
        created += 1
    return created


def _reply_channel(case: Case) -> Channel | None:
    """The case's own channel when it is an SMS gateway; for a report that came by the hotline
    or the web form (which cannot send), the mission's first channel that sends."""
    from palava.feedback.outbound.channel_settings import can_send, sending_channel

    channel = case.reply_channel
    if channel is not None and can_send(channel):
        return channel
    return sending_channel(case.mission_id) or channel


@transaction.atomic
def reply_send(
    *,
    case: Case,
    actor: Any,
    body: str = "",
    template: ReplyTemplate | None = None,
    language: str = "",
) -> OutboundMessage:
    """Send ``body`` (or the template rendered in the reporter's language) to the case's
    reporter on the case's channel. Raises ``ValidationError`` with a clear message when the
    reporter has no number or the channel does not send."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("reply_channel", "reporter")
        .get(pk=case.pk)
    )
    if template is not None and template.mission_id != case.mission_id:
        raise ValidationError(_("This template belongs to another mission."))
    text = (body or "").strip()
    if not text and template is not None:
        text = reply_render(template, case=case, language=language)
    if not text:
        raise ValidationError(_("Write a text or choose a template."))
    reporter = case.reporter
    if reporter is None or not reporter.phone:
        raise ValidationError(_("The reporter left no number: a reply cannot be sent."))
    channel = _reply_channel(case)
    if channel is None or channel.outbound_mode not in ("live", "sandbox"):
        raise ValidationError(
            _("The channel the reporter wrote on does not send messages; turn sending on first.")
        )
    number = OutboundMessage.objects.filter(case=case, purpose=OutboundPurpose.REPLY).count() + 1
    row = outbound_enqueue(
        mission=case.mission,
        channel=channel,
        purpose=OutboundPurpose.REPLY,
        body=text,
        idempotency_key=f"reply:{case.public_id}:{number}",
        actor=actor,
        reporter=reporter,
        case=case,
        language=_base(language or case.language or reporter.language),
    )
    user = acting_user(actor)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.REPLY,
        at=timezone.now(),
        actor=user,
        actor_label="" if user is not None else str(actor)[:60],
        data={
            "outbound": str(row.public_id),
            "template": template.code if template is not None else "",
            "language": row.language,
            "channel": str(channel.public_id),
        },
    )
    audit_record(
        actor=actor,
        action="case.reply",
        mission=case.mission,
        obj=case,
        changes={"outbound": str(row.public_id)},
    )
    return row
