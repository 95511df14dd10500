"""Small text helpers of the knowledge base pages: language names and direction, and a readable
word diff between two versions of an entry (escaped HTML)."""

from __future__ import annotations

import difflib
import re
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import override as language_override

#: Local languages Django does not know, named here so pages show a name, not a code.
EXTRA_LANGUAGES = {
    "rw": gettext_lazy("Kinyarwanda"),
    "ln": gettext_lazy("Lingala"),
    "kg": gettext_lazy("Kikongo"),
    "lua": gettext_lazy("Tshiluba"),
    "rn": gettext_lazy("Kirundi"),
    "lg": gettext_lazy("Luganda"),
}
#: Suggested languages of an entry (the form accepts any valid code).
SUGGESTED_LANGUAGES = ("en", "fr", "ar", "sw", "ln", "rw", "kg", "lua")
#: Scripts written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi"})
#: Longest text the word diff compares word by word (beyond: a line diff is enough).
DIFF_MAX_WORDS = 6000

_WORDS = re.compile(r"(\s+)")


def language_name(code: str) -> str:
    """The language's name in the active language, or the code itself when unknown."""
    base = code.lower()
    if base in EXTRA_LANGUAGES:
        return str(EXTRA_LANGUAGES[base])
    try:
        return str(get_language_info(base)["name_translated"])
    except KeyError:
        primary = base.split("-")[0]
        if primary != base and primary in EXTRA_LANGUAGES:
            return str(EXTRA_LANGUAGES[primary])
        if primary != base:
            try:
                return str(get_language_info(primary)["name_translated"])
            except KeyError:
                pass
        return code


def language_name_in(code: str, language: str) -> str:
    """The language's name in ``language`` (for lists of languages to choose from)."""
    with language_override(language):
        return language_name(code)


def primary_language(code: str) -> str:
    """The primary language subtag, in lower case (``"en-GB"`` -> ``"en"``)."""
    return code.split("-", 1)[0].lower()


def text_direction(code: str) -> str:
    """``rtl`` for scripts written right to left, else ``ltr``."""
    return "rtl" if code.lower().split("-")[0] in RTL_LANGUAGES else "ltr"


def word_diff(old: str, new: str) -> SafeString:
    """``new`` compared with ``old`` word by word: removed words in ``<del>``, added in ``<ins>``.

    Every piece of text is escaped; only the ``del``/``ins`` tags are markup.
    """
    before = _WORDS.split(old)
    after = _WORDS.split(new)
    if len(before) + len(after) > 2 * DIFF_MAX_WORDS:
        before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[a1:a2])))
            continue
        if op in ("replace", "delete"):
            parts.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if op in ("replace", "insert"):
            parts.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
