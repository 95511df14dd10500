"""Which language a message is written in: English, French, Arabic, Swahili or Portuguese.

One lingua detector per process, built lazily on first use (its language models load on demand,
never at import time) and shared by every thread. Short SMS are hard: text with fewer than
:data:`MIN_LETTERS` letters, or whose best language is not clearly ahead, answers ``("", 0.0)``
("unsure") rather than a guess. Numbers, links, @handles and phone numbers are removed first so
they do not vote.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from lingua import ConfidenceValue, Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "ar", "sw", "pt")

_LINGUA: dict[str, Language] = {
    "en": Language.ENGLISH,
    "fr": Language.FRENCH,
    "ar": Language.ARABIC,
    "sw": Language.SWAHILI,
    "pt": Language.PORTUGUESE,
}
_CODE: dict[Language, str] = {language: code for code, language in _LINGUA.items()}

MIN_LETTERS = 4
"""Fewer letters than this (after removing numbers and links) is too little to tell."""
MIN_CONFIDENCE = 0.45
"""Below this confidence of the best language the answer is "unsure"."""
MAX_CHARS = 1000
"""Only the start of a long message is read: it is enough, and bounds the time per message."""

_NOISE = re.compile(
    r"https?://\S+|www\.\S+|@\w+|#|\+?\d[\d\s().-]{5,}\d|\d+",
    re.UNICODE,
)
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]\b")  # MONUSCO, UNMISS, PoC, WFP

_detector: LanguageDetector | None = None
_lock = threading.Lock()


def detector() -> LanguageDetector:
    """The process's one detector (built on first use)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = LanguageDetectorBuilder.from_languages(*_LINGUA.values()).build()
    return _detector


def clean(text: str) -> str:
    """The words of ``text`` worth reading: no links, handles, numbers or phone numbers, and no
    acronyms (MONUSCO, WFP) unless the whole text is in capitals."""
    words = _NOISE.sub(" ", text[:MAX_CHARS])
    if any(ch.islower() or _ARABIC_LETTER.match(ch) for ch in words):
        words = _ACRONYM.sub(" ", words)
    return " ".join(words.split())


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def _answer(text: str, values: Sequence[ConfidenceValue]) -> tuple[str, float]:
    best = values[0] if values else None
    # Arabic is the only language of the five written in Arabic script: a text with at least
    # as many Arabic words as others is Arabic whatever a few Latin words (a place) say.
    words = text.split()
    arabic = sum(1 for word in words if _ARABIC_LETTER.search(word))
    if arabic and arabic * 2 >= len(words):
        lingua = best.value if best is not None and best.language is Language.ARABIC else 0.0
        return "ar", max(round(lingua, 3), 0.9)
    if best is None or best.value < MIN_CONFIDENCE:
        return "", 0.0
    return _CODE[best.language], round(float(best.value), 3)


def detect_language(text: str) -> tuple[str, float]:
    """``(code, confidence)`` with a code from :data:`SUPPORTED_LANGUAGES`, or ``("", 0.0)``."""
    cleaned = clean(text or "")
    if _letters(cleaned) < MIN_LETTERS:
        return "", 0.0
    return _answer(cleaned, detector().compute_language_confidence_values(cleaned))


def detect_languages(texts: Sequence[str]) -> list[tuple[str, float]]:
    """:func:`detect_language` for many texts at once (lingua's parallel batch)."""
    cleaned = [clean(t or "") for t in texts]
    wanted = [i for i, t in enumerate(cleaned) if _letters(t) >= MIN_LETTERS]
    out: list[tuple[str, float]] = [("", 0.0)] * len(cleaned)
    if not wanted:
        return out
    results = detector().compute_language_confidence_values_in_parallel(
        [cleaned[i] for i in wanted]
    )
    for i, values in zip(wanted, results, strict=True):
        out[i] = _answer(cleaned[i], values)
    return out
