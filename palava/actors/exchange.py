"""Actors in and out: CSV/XLSX export and import with HXL hashtags.

Export (kind ``actors`` of :mod:`palava.core.exporters`): the actors the reader may see
(``palava.actors.selectors.actors_visible``: mission, geographic scope, clearance), one row
each. **Never** contact details (phone, e-mail, address), their pseudonyms, or notes. Columns
and hashtags (the second row of the file):

======================  =========================================  ================================
header                  hashtag                                    values
======================  =========================================  ================================
Public ID               ``#meta+id``                               the actor's stable identifier
Kind                    ``#meta+kind``                             person, organisation, group
Person                  ``#contact+name``                          a person's name (persons only)
Organisation or group   ``#org+name``                              name of an organisation/group
Other names             ``#meta+name+alt``                         ``;``-separated spellings
Type                    ``#org+type``                              ``ActorType`` code
Title or role           ``#meta+title``                            free text
Gender                  ``#meta+gender``                           female, male, other, unknown
Languages               ``#meta+lang``                             ``;``-separated codes
Admin 1..3 P-code/name  ``#adm1+code`` ... ``#adm3+name``          the main place and its parents
Site code / Site        ``#loc+code`` / ``#loc+name``              the settlement or site
Influence               ``#indicator+influence+num``               1 (little) .. 5 (decisive)
Stance: peace process   ``#indicator+stance+peace_process+num``    -2 (hostile) .. +2 (supportive)
Stance: mission         ``#indicator+stance+mission+num``          -2 (hostile) .. +2 (supportive)
Sensitivity             ``#meta+sensitivity``                      public .. strictly_confidential
======================  =========================================  ================================

Import (kind ``actors`` of :mod:`palava.core.importers`): a CSV (UTF-8, or Windows-1252 with a
warning) or XLSX file with those columns, found by header name or by hashtag, the hashtag row
optional. Places are matched by P-code (the most specific ``#admN+code`` given; the others
must be its parents) and sites by code, in the importing mission (and the importer's scope).
Every row is checked first; one bad row and nothing is written (each problem is reported with
its line number). Cells are text, never evaluated: an XLSX formula is imported as its text,
and a leading apostrophe that an export put before ``=``, ``+``, ``-`` or ``@`` is removed.
A row whose ``#meta+id`` is an actor already in the mission is skipped, so importing the same
file twice adds nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from palava.actors.models import (
    INFLUENCE_MAX,
    INFLUENCE_MIN,
    Actor,
    ActorKind,
    ActorType,
    Gender,
    RecordSensitivity,
    Stance,
    default_sensitivity,
)
from palava.actors.selectors import actors_visible, readable_fields
from palava.actors.services import actor_create
from palava.audit.services import audit_record
from palava.core.exporters import (
    Cell,
    Column,
    ExportKind,
    Table,
    export_kind_register,
    unescape_text,
)
from palava.core.importers import ImportFileError, ImportKind, import_kind_register
from palava.core.models import Job, JobStatus
from palava.core.services import job_finish, job_progress
from palava.missions.models import Membership, Mission
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.exchange import Hierarchy, ancestor_columns
from palava.places.importers.base import (
    ColumnSpec,
    HxlTag,
    Issues,
    decode_text,
    hxl,
    is_hxl_row,
    locate_columns,
    max_import_bytes,
    read_bytes,
    read_table,
)
from palava.places.importers.base import Table as InputTable
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for
from palava.places.text import fold

logger = logging.getLogger("palava.actors.exchange")

IMPORT_JOB_KIND = "actors.import"
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024  # zip bombs: refuse before openpyxl unpacks them
MAX_NAME = 200
MAX_TEXT = 200
PROGRESS_EVERY = 200
WORKER_ACTOR = "system:worker"

# --- Export ----------------------------------------------------------------------------------

# (column, the Actor field whose sensitivity class decides whether the reader gets it)
_EXPORT: tuple[tuple[Column, str], ...] = (
    (Column("Public ID", "#meta+id"), "public_id"),
    (Column("Kind", "#meta+kind"), "kind"),
    (Column("Person", "#contact+name"), "name"),
    (Column("Organisation or group", "#org+name"), "name"),
    (Column("Other names", "#meta+name+alt"), "alt_names"),
    (Column("Type", "#org+type"), "actor_type"),
    (Column("Title or role", "#meta+title"), "title"),
    (Column("Gender", "#meta+gender"), "gender"),
    (Column("Languages", "#meta+lang"), "languages"),
    *((column, "admin_unit") for column in ancestor_columns()),
    (Column("Site code", "#loc+code"), "site"),
    (Column("Site", "#loc+name"), "site"),
    (Column("Influence", "#indicator+influence+num"), "influence"),
    (
        Column("Stance: peace process", "#indicator+stance+peace_process+num"),
        "stance_peace_process",
    ),
    (Column("Stance: mission", "#indicator+stance+mission+num"), "stance_mission"),
    (Column("Sensitivity", "#meta+sensitivity"), "sensitivity"),
)
EXPORT_COLUMNS: tuple[Column, ...] = tuple(column for column, _field in _EXPORT)
# Fields no export ever holds, whatever the reader's clearance.
NEVER_EXPORTED: frozenset[str] = frozenset(
    {"phone", "phone_pseudonym", "email", "email_pseudonym", "contact_other", "notes"}
)
_SENSITIVITY_CODES: dict[int, str] = {
    int(RecordSensitivity.PUBLIC): "public",
    int(RecordSensitivity.INTERNAL): "internal",
    int(RecordSensitivity.CONFIDENTIAL): "confidential",
    int(RecordSensitivity.STRICTLY_CONFIDENTIAL): "strictly_confidential",
}


def _actor_row(actor: Actor, hierarchy: Hierarchy) -> list[Cell]:
    person = actor.kind == ActorKind.PERSON
    return [
        str(actor.public_id),
        actor.kind,
        actor.name if person else "",
        "" if person else actor.name,
        "; ".join(actor.alt_names or []),
        actor.actor_type,
        actor.title,
        actor.gender,
        "; ".join(actor.languages or []),
        *hierarchy.cells(actor.admin_unit.path if actor.admin_unit else None),
        actor.site.code if actor.site else "",
        actor.site.name if actor.site else "",
        actor.influence,
        actor.stance_peace_process,
        actor.stance_mission,
        _SENSITIVITY_CODES.get(actor.sensitivity, ""),
    ]


def actors_table(reader: Membership) -> Table:
    """Visible actors (scope and clearance of ``reader``), without contact details or notes."""
    readable = readable_fields(reader) - NEVER_EXPORTED
    keep = [index for index, (_column, name) in enumerate(_EXPORT) if name in readable]
    actors = (
        actors_visible(membership=reader)
        .select_related("admin_unit", "site")
        .order_by("name", "id")
    )
    hierarchy = Hierarchy(reader.mission_id)

    def rows() -> Iterator[list[Cell]]:
        for actor in actors.iterator(chunk_size=1000):
            row = _actor_row(actor, hierarchy)
            yield [row[index] for index in keep]

    return Table(
        columns=[EXPORT_COLUMNS[index] for index in keep], rows=rows(), total=actors.count()
    )


export_kind_register(
    ExportKind(
        name="actors",
        help="actors with type, places, influence and stance (never contact details or notes)",
        perm=Perm.ACTOR_VIEW,
        table=actors_table,
    )
)


# --- Reading an import file ------------------------------------------------------------------


def _xlsx_text(value: Any) -> str:
    """A cell as text: formulas stay their text, numbers lose a trailing ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = getattr(value, "text", None)  # ArrayFormula and friends
    return str(text if isinstance(text, str) else value)


def _rows_to_table(rows: list[tuple[int, list[str]]]) -> InputTable:
    if not rows:
        raise ImportFileError(_("The file has no rows."))
    _line, header = rows.pop(0)
    tags: list[HxlTag | None] = [None] * len(header)
    has_hxl = False
    if is_hxl_row(header):
        tags = [HxlTag.parse(cell) for cell in header]
        header = [""] * len(header)
        has_hxl = True
    elif rows and is_hxl_row(rows[0][1]):
        _hxl_line, cells = rows.pop(0)
        tags = [HxlTag.parse(cell) for cell in cells] + [None] * (len(header) - len(cells))
        has_hxl = True
    return InputTable(
        header=[cell.strip() for cell in header], tags=tags, rows=rows, has_hxl_row=has_hxl
    )


def read_xlsx(path: Path) -> InputTable:
    """The first sheet of an XLSX file, read-only, as text cells with their row numbers."""
    import openpyxl

    read_bytes(path, max_bytes=max_import_bytes())  # size limit before anything else
    if not zipfile.is_zipfile(path):
        raise ImportFileError(_("The file is not an XLSX workbook."))
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError(_("The file is not an XLSX workbook.")) from None
    if unpacked > MAX_XLSX_UNCOMPRESSED:
        raise ImportFileError(
            _("The workbook unpacks to more than %(limit)s bytes.")
            % {"limit": MAX_XLSX_UNCOMPRESSED}
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for broken files
        raise ImportFileError(_("The workbook cannot be read (damaged or not XLSX).")) from None
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS:
                values = values[:MAX_COLUMNS]
            cells = [_xlsx_text(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS + 2:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("The workbook cannot be read (damaged or not XLSX).")) from None
    finally:
        book.close()
    return _rows_to_table(rows)


def read_actor_file(path: Path, warnings: Issues) -> InputTable:
    """CSV or XLSX (by content: an XLSX file is a zip archive)."""
    head = read_bytes(path, max_bytes=max_import_bytes())
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path)
    table = read_table(decode_text(head, warnings))
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return table


# --- Columns and cells -----------------------------------------------------------------------

SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", ("publicid", "id", "actorid"), (hxl("meta", "id"),)),
    ColumnSpec("kind", ("kind",), (hxl("meta", "kind"),)),
    ColumnSpec(
        "person",
        ("person", "personname", "contactname"),
        (hxl("contact", "name", without=["alt"]),),
    ),
    ColumnSpec(
        "org",
        ("organisationorgroup", "organisation", "organization", "orgname", "group"),
        (hxl("org", "name", without=["alt"]), hxl("group", "name", without=["alt"])),
    ),
    ColumnSpec("name", ("name", "actorname", "fullname"), (hxl("meta", "name", without=["alt"]),)),
    ColumnSpec(
        "alt_names",
        ("othernames", "alternatenames", "altnames", "aliases"),
        (hxl("meta", "name", "alt"), hxl("contact", "name", "alt"), hxl("org", "name", "alt")),
    ),
    ColumnSpec("actor_type", ("type", "actortype", "category"), (hxl("org", "type"),)),
    ColumnSpec("title", ("titleorrole", "title", "role"), (hxl("meta", "title"),)),
    ColumnSpec("gender", ("gender",), (hxl("meta", "gender"),)),
    ColumnSpec("languages", ("languages", "language"), (hxl("meta", "lang"),)),
    *(
        ColumnSpec(
            f"adm{level}",
            (f"admin{level}pcode", f"adm{level}pcode", f"admin{level}code", f"adm{level}code"),
            (hxl(f"adm{level}", "code"),),
        )
        for level in (1, 2, 3)
    ),
    ColumnSpec("site", ("sitecode", "loccode", "locationcode"), (hxl("loc", "code"),)),
    ColumnSpec("influence", ("influence",), (hxl("indicator", "influence"),)),
    ColumnSpec(
        "stance_peace_process",
        ("stancepeaceprocess",),
        (hxl("indicator", "stance", "peace_process"),),
    ),
    ColumnSpec("stance_mission", ("stancemission",), (hxl("indicator", "stance", "mission"),)),
    ColumnSpec("sensitivity", ("sensitivity",), (hxl("meta", "sensitivity"),)),
)


def _choices(pairs: Sequence[tuple[Any, Any]]) -> dict[str, Any]:
    """Folded code and label -> value, for choices given as codes or as (English) labels."""
    out: dict[str, Any] = {}
    for value, label in pairs:
        out[fold(str(value))] = value
        out[fold(str(label))] = value
    return out


_KINDS = _choices(ActorKind.choices)
_TYPES = _choices(ActorType.choices)
_GENDERS = _choices(Gender.choices)
# Labels only: folding would turn "-2" into "2".
_STANCES = {fold(str(label)): int(value) for value, label in Stance.choices}
_SENSITIVITIES = {
    **_choices(RecordSensitivity.choices),
    **{fold(code): value for value, code in _SENSITIVITY_CODES.items()},
}
_LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")
_SPLIT = re.compile(r"\s*[;|]\s*")


@dataclass
class PlannedActor:
    line: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    actors: list[PlannedActor] = field(default_factory=list)
    skipped: int = 0
    errors: Issues = field(default_factory=Issues)
    warnings: Issues = field(default_factory=Issues)
    ignored_columns: list[str] = field(default_factory=list)


class _Row:
    """One row's cells by spec key, with the row's errors."""

    def __init__(
        self,
        line: int,
        cells: list[str],
        columns: dict[str, int],
        errors: Issues,
        warnings: Issues,
    ):
        self.line = line
        self.cells = cells
        self.columns = columns
        self.errors = errors
        self.warnings = warnings
        self.ok = True

    def error(self, reason: str) -> None:
        self.errors.add(self.line, reason)
        self.ok = False

    def text(self, key: str, what: str, max_chars: int = MAX_TEXT) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return ""
        value = unescape_text(self.cells[index].strip()).strip()
        if len(value) > max_chars:
            self.error(
                _("%(what)s is longer than %(max)s characters.") % {"what": what, "max": max_chars}
            )
            return ""
        if any(ord(ch) < 32 for ch in value):
            self.error(_("%(what)s contains control characters.") % {"what": what})
            return ""
        return value

    def choice(self, key: str, what: str, choices: dict[str, Any]) -> Any:
        value = self.text(key, what)
        if not value:
            return None
        found = choices.get(fold(value))
        if found is None:
            self.error(
                _("%(what)s %(value)r is not one of: %(allowed)s.")
                % {
                    "what": what,
                    "value": value[:40],
                    "allowed": ", ".join(sorted({str(v) for v in choices.values()})),
                }
            )
        return found

    def integer(self, key: str, what: str, low: int, high: int) -> int | None:
        value = self.text(key, what)
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = float("nan")
        if not number.is_integer() or not low <= number <= high:
            self.error(
                _("%(what)s must be a whole number from %(low)s to %(high)s.")
                % {"what": what, "low": low, "high": high}
            )
            return None
        return int(number)


@dataclass(frozen=True)
class _Places:
    """The importing mission's units and sites the importer may use, by code."""

    units: dict[str, AdminUnit]
    sites: dict[str, Site]

    @classmethod
    def load(cls, mission: Mission, membership: Membership | None) -> _Places:
        units = AdminUnit.objects.filter(mission=mission)
        sites = Site.objects.filter(mission=mission).select_related("admin_unit")
        if membership is not None:
            scope = scope_for(membership)
            units = units.filter(scope.q(""))
            sites = sites.filter(scope.q("admin_unit"))
        return cls(
            units={u.pcode.casefold(): u for u in units},
            sites={s.code.casefold(): s for s in sites},
        )


def _place(row: _Row, places: _Places) -> tuple[AdminUnit | None, Site | None]:
    given = [(level, row.text(f"adm{level}", _("Admin %(level)s P-code") % {"level": level}))
             for level in (1, 2, 3)]  # fmt: skip
    unit: AdminUnit | None = None
    for _level, code in reversed(given):
        if not code:
            continue
        found = places.units.get(code.casefold())
        if found is None:
            row.error(
                _("P-code %(code)s is not a place of this mission (or is outside your area).")
                % {"code": code[:40]}
            )
            return None, None
        if unit is None:
            unit = found
        elif not unit.path.startswith(found.path):
            row.error(
                _("P-code %(code)s is not a parent of %(child)s.")
                % {"code": code[:40], "child": unit.pcode}
            )
            return None, None
    site: Site | None = None
    site_code = row.text("site", _("Site code"))
    if site_code:
        site = places.sites.get(site_code.casefold())
        if site is None:
            row.error(
                _("Site %(code)s is not a site of this mission (or is outside your area).")
                % {"code": site_code[:40]}
            )
            return None, None
        if unit is None:
            unit = site.admin_unit
        elif not site.admin_unit.path.startswith(unit.path):
            # Kept as given (the registry allows it), but worth a look.
            row.warnings.add(
                row.line,
                _("Site %(code)s is not inside %(unit)s.")
                % {"code": site.code, "unit": unit.pcode},
            )
    return unit, site


def plan_actors(
    table: InputTable,
    *,
    mission: Mission,
    membership: Membership | None,
    progress: Any = None,
    warnings: Issues | None = None,
) -> ImportPlan:
    """Check every row and say what would be created; nothing is written."""
    plan = ImportPlan(warnings=warnings or Issues())
    columns = locate_columns(table, SPECS)
    if not {"person", "org", "name"} & set(columns) or "actor_type" not in columns:
        raise ImportFileError(
            _(
                "The file needs a name column (Person #contact+name, Organisation or group "
                "#org+name, or Name) and a Type column (#org+type). Columns found: %(columns)s."
            )
            % {
                "columns": ", ".join(
                    (name or (str(tag.tag) if tag else "?"))[:40]
                    for name, tag in zip(table.header[:20], table.tags[:20], strict=False)
                )
                or "-"
            }
        )
    used = set(columns.values())
    plan.ignored_columns = [
        name or "#?" for index, name in enumerate(table.header) if index not in used and name
    ]
    places = _Places.load(mission, membership)
    clearance = clearance_for(membership.role) if membership is not None else None
    known_ids = set(Actor.objects.filter(mission=mission).values_list("public_id", flat=True))
    total = len(table.rows)
    for done, (line, cells) in enumerate(table.rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        row = _Row(line, cells, columns, plan.errors, plan.warnings)
        public_id = row.text("id", _("Public ID"))
        if public_id:
            try:
                if uuid.UUID(public_id) in known_ids:
                    plan.skipped += 1
                    continue
            except ValueError:
                row.error(_("Public ID is not a valid identifier."))
        person = row.text("person", _("Person"), MAX_NAME)
        org = row.text("org", _("Organisation or group"), MAX_NAME)
        generic = row.text("name", _("Name"), MAX_NAME)
        kind = row.choice("kind", _("Kind"), _KINDS)
        names = [n for n in (person, org, generic) if n]
        if len(names) != 1:
            row.error(
                _("Give exactly one name (Person, Organisation or group, or Name).")
                if not names
                else _("Give one name only: this row has several.")
            )
        if kind is None and row.ok:
            kind = ActorKind.PERSON if person else ActorKind.ORGANISATION if org else None
            if kind is None:
                row.error(_("Kind is empty: say person, organisation or group."))
        elif (kind == ActorKind.PERSON and org) or (
            kind not in (None, ActorKind.PERSON) and person
        ):
            row.error(_("The kind does not match the name column used."))
        actor_type = row.choice("actor_type", _("Type"), _TYPES)
        if actor_type is None and row.ok:
            row.error(_("Type is empty."))
        gender = row.choice("gender", _("Gender"), _GENDERS) or ""
        if gender and kind != ActorKind.PERSON:
            row.error(_("Only persons have a gender."))
        languages = [v for v in _SPLIT.split(row.text("languages", _("Languages"))) if v]
        if any(not _LANGUAGE.match(code) for code in languages):
            row.error(_("Languages are codes such as fr; sw; en separated by ';'."))
        alt_names = [v for v in _SPLIT.split(row.text("alt_names", _("Other names"), 1000)) if v]
        sensitivity = row.choice("sensitivity", _("Sensitivity"), _SENSITIVITIES)
        if sensitivity is None and actor_type is not None:
            sensitivity = int(default_sensitivity(actor_type))
        if clearance is not None and sensitivity is not None and sensitivity > clearance:
            row.error(_("Sensitivity is above your clearance."))
        unit, site = _place(row, places)
        values = {
            "kind": kind,
            "actor_type": actor_type,
            "name": names[0] if names else "",
            "alt_names": alt_names,
            "gender": gender,
            "title": row.text("title", _("Title or role")),
            "admin_unit": unit,
            "site": site,
            "languages": languages,
            "influence": row.integer("influence", _("Influence"), INFLUENCE_MIN, INFLUENCE_MAX),
            "stance_peace_process": _stance(
                row, "stance_peace_process", _("Stance: peace process")
            ),
            "stance_mission": _stance(row, "stance_mission", _("Stance: mission")),
            "sensitivity": sensitivity,
        }
        if row.ok:
            plan.actors.append(PlannedActor(line=line, values=values))
    return plan


def _stance(row: _Row, key: str, what: str) -> int | None:
    value = row.text(key, what)
    if not value:
        return None
    if fold(value) in _STANCES:
        return _STANCES[fold(value)]
    return row.integer(key, what, min(Stance.values), max(Stance.values))


# --- Writing ---------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


@dataclass
class ImportOutcome:
    ok: bool
    created: int = 0
    skipped: int = 0
    errors: Issues = field(default_factory=Issues)
    warnings: Issues = field(default_factory=Issues)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def result(self) -> dict[str, Any]:
        return {
            "counts": {"created": self.created, "skipped": self.skipped},
            "errors_total": self.errors.count,
            "warnings_total": self.warnings.count,
            "warnings": self.warnings.as_list(),
            "ignored_columns": self.ignored_columns[:50],
        }


def actors_import(
    *,
    actor: Any,
    mission: Mission,
    path: Path,
    membership: Membership | None = None,
    job: Job | None = None,
    progress: Any = None,
) -> ImportOutcome:
    """Import actors from ``path`` into ``mission``: all rows or none.

    ``membership`` (the importing member, if any) limits the places to their scope and the
    sensitivity to their clearance. Raises :class:`ImportFileError` for a file that cannot be
    read as a whole; returns the row errors (nothing written) or the counts.
    """
    warnings = Issues()
    table = read_actor_file(path, warnings)
    plan = plan_actors(
        table, mission=mission, membership=membership, progress=progress, warnings=warnings
    )
    outcome = ImportOutcome(
        ok=False,
        skipped=plan.skipped,
        errors=plan.errors,
        warnings=plan.warnings,
        ignored_columns=plan.ignored_columns,
    )
    if plan.errors:
        return outcome
    try:
        with transaction.atomic():
            for planned in plan.actors:
                try:
                    actor_create(actor=actor, mission=mission, **planned.values)
                except ValidationError as error:
                    reasons = error.messages if hasattr(error, "messages") else [str(error)]
                    for reason in reasons:
                        outcome.errors.add(planned.line, reason)
            if outcome.errors:
                raise _Rollback
            audit_record(
                actor=actor,
                action="actors.import",
                mission=mission,
                obj=job,
                object_type="" if job else "actors.import",
                changes={"result": f"created={len(plan.actors)} skipped={plan.skipped}"}
                if job
                else None,
            )
    except _Rollback:
        return outcome
    outcome.ok = True
    outcome.created = len(plan.actors)
    return outcome


def _importer_membership(job: Job) -> Membership | None:
    if job.created_by_id is None:
        return None
    return (
        Membership.objects.select_related("mission")
        .filter(mission_id=job.mission_id, user_id=job.created_by_id, is_active=True)
        .first()
    )


def actors_import_job_run(*, job: Job, actor: Any) -> Job:
    """Run an actors import job to its end (the task and ``palava import actors`` call this).

    A job created by a member imports as that member (role needs ``ACTOR_MANAGE``; places
    limited to their scope, sensitivity to their clearance); a job without a creator (the
    command) imports into the whole mission.
    """
    if job.status == JobStatus.SUCCEEDED:
        return job
    membership = _importer_membership(job)
    if job.created_by_id is not None and (
        membership is None or not role_has(membership.role, Perm.ACTOR_MANAGE)
    ):
        return job_finish(job=job, succeeded=False, message=_("Your role does not allow this."))

    def progress(done: int, total: int) -> None:
        job_progress(job=job, done=done, total=total, message=_("Checking rows"))

    job_progress(job=job, done=0, total=0, message=_("Reading the file"))
    try:
        outcome = actors_import(
            actor=actor,
            mission=job.mission,
            path=Path(job.input_file),
            membership=membership,
            job=job,
            progress=progress,
        )
    except ImportFileError as error:
        return job_finish(
            job=job,
            succeeded=False,
            result={"errors_total": 1},
            errors=[{"line": 0, "reason": str(error)}],
            message=str(error),
        )
    except Exception:
        logger.exception("actors import job %s crashed", job.public_id)
        job_finish(job=job, succeeded=False, message=_("The import failed on an internal error."))
        raise
    if not outcome.ok:
        return job_finish(
            job=job,
            succeeded=False,
            result=outcome.result,
            errors=outcome.errors.as_list(),
            message=_("%(count)s problems found: nothing was imported.")
            % {"count": outcome.errors.count},
        )
    return job_finish(
        job=job,
        succeeded=True,
        result=outcome.result,
        message=_("%(created)s actors imported, %(skipped)s already present.")
        % {"created": outcome.created, "skipped": outcome.skipped},
    )


@task()
def actors_import_task(job_public_id: str) -> dict[str, Any]:
    """Run an actors import job (thin: loads the job, calls :func:`actors_import_job_run`)."""
    job = (
        Job.objects.select_related("mission", "created_by")
        .filter(public_id=job_public_id, kind=IMPORT_JOB_KIND)
        .first()
    )
    if job is None:
        return {"status": "missing"}
    if job.status == JobStatus.SUCCEEDED:
        return {"status": job.status, "skipped": True}
    job = actors_import_job_run(job=job, actor=job.created_by or WORKER_ACTOR)
    return {"status": job.status, "errors": job.result.get("errors_total", 0)}


def _enqueue(job: Job) -> None:
    actors_import_task.enqueue(str(job.public_id))


def register_import_kind() -> None:
    """Called by ``palava.actors.importers`` (what the import registry discovers)."""
    import_kind_register(
        ImportKind(
            name="actors",
            help="actors CSV or XLSX with HXL hashtags (as exported by palava export actors)",
            run=actors_import_job_run,
            enqueue=_enqueue,
            formats=("csv", "xlsx"),
        )
    )


register_import_kind()
