"""Text folding for search and matching: case, accents, punctuation and spacing ignored."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """``"Béni-Mbau  (Centre)"`` -> ``"beni mbau centre"``. Arabic letters are kept as they are,
    without diacritics (harakat)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def search_text(*names: str, extra: list[str] | None = None) -> str:
    """The folded, de-duplicated names a place or actor can be found by, one per line."""
    seen: list[str] = []
    for name in [*names, *(extra or [])]:
        folded = fold(name)
        if folded and folded not in seen:
            seen.append(folded)
    return "\n".join(seen)
