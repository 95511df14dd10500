"""The committed OpenAPI document and the ``openapi`` command that keeps it honest."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from palava.core.management.commands.openapi import DEFAULT_PATH, render_openapi


def test_committed_document_matches_the_code() -> None:
    # given the committed file / when checked / then no drift (else: make openapi)
    out = StringIO()
    call_command("openapi", "--check", stdout=out)
    assert "up to date" in out.getvalue()
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render_openapi()


def test_write_is_sorted_indented_and_ends_with_a_newline(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    call_command("openapi", "--write", "--path", str(target), stdout=StringIO())
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(text)["paths"]["/api/v1/me"]["get"]["operationId"] == "me_get"


def test_check_fails_with_a_short_diff_on_drift(tmp_path: Path) -> None:
    # given a committed file where one summary was edited by hand
    target = tmp_path / "openapi.json"
    target.write_text(render_openapi().replace("One mission", "A mission"), encoding="utf-8")
    # when checked / then it fails, naming the fix and showing the changed line
    with pytest.raises(CommandError) as failure:
        call_command("openapi", "--check", "--path", str(target))
    message = str(failure.value)
    assert "make openapi" in message
    assert '-        "summary": "A mission",' in message
    assert '+        "summary": "One mission",' in message


def test_check_fails_when_the_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("openapi", "--check", "--path", str(tmp_path / "absent.json"))
