"""XLSForm -> XForm conversion with pyxform.

``convert`` takes the uploaded bytes (``.xlsx``, ``.xls``, ``.csv`` or ``.md``) and returns the
XForm, pyxform's JSON definition (the question tree) and the label languages. Any failure is an
``XLSFormError`` whose problems carry the sheet, row and column when pyxform's message names
them; the message itself is pyxform's, unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from palava.assessments.models import MAX_XLSFORM_BYTES

FORMATS = ("xlsx", "xls", "csv", "md")
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"(?:'(\w+)' sheet|sheet '(\w+)'|\[sheet\s*:\s*(\w+)\])")
_COLUMN = re.compile(r"the '([^']+)' (?:value|column)|column '([^']+)'")
_UNKNOWN_TYPE = re.compile(r"Unknown question type '([^']*)'")


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


class XLSFormError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass
class Conversion:
    form_id: str
    title: str
    version: str
    xml: str
    md5: str
    definition: dict[str, Any]
    languages: list[str] = field(default_factory=list)
    default_language: str = ""
    warnings: list[str] = field(default_factory=list)
    source_format: str = ""


def _first(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    return next((g for g in match.groups() if g), None)


def problem_from_message(message: str) -> Problem:
    """Pull sheet, row and column out of a pyxform message, keeping the message as it is."""
    row = _ROW.search(message)
    return Problem(
        message=message,
        sheet=_first(_SHEET.search(message)),
        row=int(row.group(1)) if row else None,
        column=_first(_COLUMN.search(message)),
    )


def _locate_unknown_type(problem: Problem, survey: list[dict[str, Any]]) -> Problem:
    """pyxform names an unknown type but not its row: find it (header is row 1)."""
    match = _UNKNOWN_TYPE.search(problem.message)
    if match is None or problem.row is not None:
        return problem
    for index, row in enumerate(survey):
        if str(row.get("type", "")).strip() == match.group(1):
            return Problem(message=problem.message, sheet="survey", row=index + 2, column="type")
    return problem


def _languages(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        for key in ("label", "hint", "guidance_hint", "constraint_message", "required_message"):
            value = node.get(key)
            if isinstance(value, dict):
                for lang in value:
                    if isinstance(lang, str) and lang not in found:
                        found.append(lang)
        for child in node.get("children", []) or []:
            _languages(child, found)
        choices = node.get("choices")
        if isinstance(choices, dict):
            for options in choices.values():
                for option in options or []:
                    _languages(option, found)
        elif isinstance(choices, list):
            for option in choices:
                _languages(option, found)


def _definition(result: Any) -> dict[str, Any]:
    """pyxform's JSON question tree; its intermediate JSON when ``to_json_dict`` breaks on a
    question type (pyxform 4.5 fails so on ``osm`` questions)."""
    raw = json.loads(json.dumps(result._pyxform or {}, default=str))
    try:
        found = result._survey.to_json_dict()
    except Exception:  # pyxform bug: fall back to the workbook JSON it converted from
        found = raw
    if not isinstance(found, dict):
        return {}
    _restore_binds(found, raw)
    return found


def _restore_binds(node: dict[str, Any], raw: dict[str, Any]) -> None:
    """``to_json_dict`` drops a group's or repeat's ``bind`` (its relevance): put it back."""
    if "bind" not in node and isinstance(raw.get("bind"), dict):
        node["bind"] = raw["bind"]
    by_name = {c.get("name"): c for c in raw.get("children") or [] if isinstance(c, dict)}
    for child in node.get("children") or []:
        if isinstance(child, dict) and isinstance(by_name.get(child.get("name")), dict):
            _restore_binds(child, by_name[child.get("name")])


def source_format(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def convert(*, filename: str, content: bytes) -> Conversion:
    from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
    from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]
    from pyxform.xls2xform import convert as pyxform_convert  # type: ignore[import-untyped]

    fmt = source_format(filename)
    if fmt not in FORMATS:
        raise XLSFormError([Problem(_("Upload an XLSForm: a .xlsx, .xls, .csv or .md file."))])
    if not content:
        raise XLSFormError([Problem(_("The file is empty."))])
    if len(content) > MAX_XLSFORM_BYTES:
        raise XLSFormError(
            [
                Problem(
                    _("The file is too large (limit %(mb)d MB).")
                    % {"mb": MAX_XLSFORM_BYTES // (1024 * 1024)}
                )
            ]
        )
    warnings: list[str] = []
    try:
        result = pyxform_convert(xlsform=content, warnings=warnings, file_type=f".{fmt}")
    except PyXFormError as exc:
        problem = problem_from_message(str(exc))
        if _UNKNOWN_TYPE.search(problem.message):
            try:
                survey = list(get_xlsform(xlsform=content, file_type=f".{fmt}").survey or [])
            except Exception:
                survey = []
            problem = _locate_unknown_type(problem, survey)
        raise XLSFormError([problem]) from exc
    except Exception as exc:
        message = str(exc) or type(exc).__name__
        raise XLSFormError(
            [Problem(_("The file could not be read as an XLSForm: %(error)s") % {"error": message})]
        ) from exc
    definition = _definition(result)
    languages: list[str] = []
    _languages(definition, languages)
    default_language = str(definition.get("default_language") or "")
    if languages and default_language == "default" and "default" not in languages:
        default_language = languages[0]
    xml = result.xform
    return Conversion(
        form_id=str(definition.get("id_string") or ""),
        title=str(definition.get("title") or definition.get("id_string") or ""),
        version=str(definition.get("version") or ""),
        xml=xml,
        md5=hashlib.md5(xml.encode("utf-8"), usedforsecurity=False).hexdigest(),
        definition=definition,
        languages=languages,
        default_language=default_language,
        warnings=list(warnings),
        source_format=fmt,
    )
