"""The optional automatic acknowledgement, in the reporter's language.

A channel with ``ack_enabled`` answers each new message with ``Channel.ack_texts[lang]`` or
else the built-in text below, where ``lang`` is the language the sender gave, else the one
detected in the message (``palava.feedback.language``, when present), else the mission's first
language. The built-in texts are per-language data (like the triage lexicons), not interface
strings: an SMS is answered in the sender's language whatever the server's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from palava.feedback.models import Channel

ACK_MAX_CHARS = 320  # two SMS segments

BUILTIN_ACK: dict[str, str] = {
    "en": "Thank you. The mission has received your message.",
    "fr": "Merci. La mission a bien reçu votre message.",
    "ar": "شكرًا لكم. لقد تلقّت البعثة رسالتكم.",
    "sw": "Asante. Misheni imepokea ujumbe wako.",
    "pt": "Obrigado. A missão recebeu a sua mensagem.",
}
DEFAULT_LANGUAGE = "en"


def _detected(body: str) -> str:
    try:
        from palava.feedback.language import detect_language
    except ImportError:  # the triage helper's module may not be installed yet
        return ""
    try:
        code, _confidence = detect_language(body)
    except Exception:  # detection is a nicety; it never blocks storing the message
        return ""
    return str(code or "")


def _base(code: str) -> str:
    return (code or "").lower().replace("_", "-").split("-")[0]


def ack_language(*, given_language: str, body: str, mission_languages: Sequence[Any]) -> str:
    """Which language to answer in."""
    given = _base(given_language)
    if given:
        return given
    detected = _base(_detected(body))
    if detected:
        return detected
    for code in mission_languages or ():
        if isinstance(code, str) and code:
            return _base(code)
    return DEFAULT_LANGUAGE


def ack_text_in(channel: Channel, language: str) -> str:
    """The channel's acknowledgement in ``language`` ("" when acknowledgements are off)."""
    if not channel.ack_enabled:
        return ""
    lang = _base(language)
    texts = channel.ack_texts if isinstance(channel.ack_texts, dict) else {}
    own = texts.get(lang)
    if isinstance(own, str) and own.strip():
        return own.strip()[:ACK_MAX_CHARS]
    return BUILTIN_ACK.get(lang) or BUILTIN_ACK[DEFAULT_LANGUAGE]


def ack_for(channel: Channel, *, given_language: str, body: str) -> str:
    """The acknowledgement for a new message on ``channel`` ("" when off)."""
    if not channel.ack_enabled:
        return ""
    mission_languages = channel.mission.languages if channel.mission_id else []
    language = ack_language(
        given_language=given_language, body=body, mission_languages=mission_languages
    )
    return ack_text_in(channel, language)
