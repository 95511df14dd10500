"""Reading a round's quotas from CSV (``pcode,sex,age_band,target``), with size limits and
every problem reported with its line number."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from palava.assessments.round_classify import normalise_band, sex_code
from palava.missions.models import Mission
from palava.places.models import AdminUnit

MAX_QUOTA_CSV_BYTES = 1024 * 1024
MAX_QUOTA_ROWS = 5_000
MAX_QUOTA_TARGET = 1_000_000


@dataclass(frozen=True)
class QuotaProblem:
    line: int | None
    message: str


class QuotaCSVError(ValueError):
    def __init__(self, problems: list[QuotaProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


MAX_PROBLEMS = 20


def parse_quota_csv(content: bytes, *, mission: Mission) -> list[tuple[AdminUnit, str, str, int]]:
    """Read ``pcode,sex,age_band,target`` rows (header required; comma or semicolon; UTF-8
    with or without BOM). Sex is ``f``, ``m``, a word such as female or homme, or empty for
    any; the age band ``18-59``, ``60+`` or empty. Raises :class:`QuotaCSVError` listing up to
    20 problems with their line numbers; nothing is returned half-read."""
    if len(content) > MAX_QUOTA_CSV_BYTES:
        raise QuotaCSVError(
            [
                QuotaProblem(
                    None,
                    _("The file is too large (limit %(kb)d KB).")
                    % {"kb": MAX_QUOTA_CSV_BYTES // 1024},
                )
            ]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuotaCSVError([QuotaProblem(None, _("The file is not UTF-8 text."))]) from None
    if "\x00" in text:
        raise QuotaCSVError([QuotaProblem(None, _("The file is not a CSV text file."))])
    lines = text.splitlines()
    if sum(1 for row in lines[1:] if row.strip()) > MAX_QUOTA_ROWS:
        raise QuotaCSVError(
            [QuotaProblem(None, _("Too many rows (limit %(n)d).") % {"n": MAX_QUOTA_ROWS})]
        )
    first_line = lines[0] if lines else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[QuotaProblem] = []
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error:
        header = []
    expected = ["pcode", "sex", "age_band", "target"]
    if header[:4] != expected:
        raise QuotaCSVError(
            [QuotaProblem(1, _("The first line must be the header: pcode,sex,age_band,target."))]
        )
    units = {
        u.pcode.upper(): u
        for u in AdminUnit.objects.filter(mission=mission).only("pk", "pcode", "mission_id")
    }
    rows: list[tuple[AdminUnit, str, str, int]] = []
    seen: dict[tuple[str, str, str], int] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if len(problems) >= MAX_PROBLEMS:
                break
            if not any(cell.strip() for cell in record):
                continue
            if len(record) < 4:
                problems.append(QuotaProblem(line, _("Four columns are needed.")))
                continue
            pcode, sex_text, band_text, target_text = (c.strip() for c in record[:4])
            unit = units.get(pcode.upper()) if len(pcode) <= 32 else None
            if unit is None:
                problems.append(
                    QuotaProblem(line, _("Unknown P-code “%(pcode)s”.") % {"pcode": pcode[:40]})
                )
                continue
            sex = sex_code(sex_text) if sex_text else ""
            if sex_text and not sex:
                problems.append(
                    QuotaProblem(line, _("Unknown sex “%(sex)s”.") % {"sex": sex_text[:40]})
                )
                continue
            band = normalise_band(band_text) if band_text else ""
            if band_text and not band:
                problems.append(
                    QuotaProblem(
                        line,
                        _("Unknown age band “%(band)s” (write it like 18-59 or 60+).")
                        % {"band": band_text[:40]},
                    )
                )
                continue
            if not re.fullmatch(r"\d{1,7}", target_text) or int(target_text) > MAX_QUOTA_TARGET:
                problems.append(
                    QuotaProblem(
                        line,
                        _("The target “%(target)s” is not a whole number up to 1,000,000.")
                        % {"target": target_text[:40]},
                    )
                )
                continue
            key = (unit.pcode, sex, band)
            if key in seen:
                problems.append(
                    QuotaProblem(
                        line,
                        _("The same cell is already on line %(line)d.") % {"line": seen[key]},
                    )
                )
                continue
            seen[key] = line
            rows.append((unit, sex, band, int(target_text)))
    except csv.Error:
        problems.append(QuotaProblem(line + 1, _("This line is not valid CSV.")))
    if problems:
        raise QuotaCSVError(problems[:MAX_PROBLEMS])
    if not rows:
        raise QuotaCSVError([QuotaProblem(None, _("The file has no quota rows."))])
    return rows
