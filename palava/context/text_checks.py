"""Character checks shared by the context forms and services."""

from __future__ import annotations

from typing import Final

#: Bidirectional embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069):
#: they can make a text display differently from what it says (e.g. "\u202e" reverses what
#: follows). Left-to-right and right-to-left marks (U+200E, U+200F) are not among them: Arabic
#: text needs them.
BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_TABLE: Final[dict[int, None]] = dict.fromkeys(ord(ch) for ch in BIDI_CONTROLS)


def has_bidi_controls(text: str) -> bool:
    """Whether ``text`` holds a bidirectional control character."""
    return any(ch in BIDI_CONTROLS for ch in text)


def strip_bidi_controls(text: str) -> str:
    """``text`` without its bidirectional control characters."""
    return text.translate(_BIDI_TABLE)
