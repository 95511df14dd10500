"""French and Arabic ship complete: no untranslated or fuzzy entry, placeholders kept."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "palava" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_catalogue_is_complete(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_translations_keep_their_placeholders(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in catalogue.translated_entries():
        expected = set(PLACEHOLDER.findall(entry.msgid))
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            # a plural form may leave the count out ("one actor"), never add a placeholder
            found = set(PLACEHOLDER.findall(target))
            assert found <= expected | set(PLACEHOLDER.findall(entry.msgid_plural or "")), (
                language,
                entry.msgid,
            )
            if not entry.msgid_plural:
                assert found == expected, (language, entry.msgid, target)


@pytest.mark.parametrize(("language", "expected"), [("fr", "Journal d"), ("ar", "سجل التدقيق")])
def test_compiled_catalogue_is_loaded(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Audit trail").startswith(expected)
