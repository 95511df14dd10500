"""Files attached to engagement records: checked on upload, audited on every add, read and delete.

A file is accepted only when its content is one of an allow-list of types, recognised by its
first bytes (and, for office documents, by the members of the zip archive), and its extension
agrees with what the content is. The stored ``content_type`` is the detected one, never the one
the browser claimed. Archives are inspected without extracting anything but the few bytes of an
OpenDocument ``mimetype`` entry, with limits on the number and declared sizes of members.

Downloads (``document_views``) are served as attachments with ``nosniff`` and a sandbox CSP.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.core.sensitivity import Sensitivity
from palava.engagement.models import Activity, Agreement, Commitment, Document, Project
from palava.engagement.selectors import (
    activities_visible,
    commitments_visible,
    partners_visible,
    projects_visible,
)
from palava.missions.models import Membership, Mission
from palava.missions.permissions import clearance_for

MAX_DOCUMENT_BYTES: int = 10 * 1024 * 1024
MAX_FILENAME_CHARS = 200

# Zip archives (docx, xlsx, odt, ods): nothing is extracted, but members are counted and their
# declared sizes bounded so a "zip bomb" is refused before anyone opens it.
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_MEMBER_BYTES = 100 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"
CSV = "text/csv"

# Extension -> the content type the file's content must be.
EXTENSIONS: dict[str, str] = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "webp": WEBP,
    "docx": DOCX,
    "xlsx": XLSX,
    "odt": ODT,
    "ods": ODS,
    "txt": TEXT,
    "csv": CSV,
}

# Short labels for lists ("PDF", "Word", ...); not translated (format names).
TYPE_LABELS: dict[str, str] = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    WEBP: "WebP",
    DOCX: "Word (docx)",
    XLSX: "Excel (xlsx)",
    ODT: "OpenDocument text",
    ODS: "OpenDocument spreadsheet",
    TEXT: "Text",
    CSV: "CSV",
}

_ODF_TYPES = (ODT, ODS)
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: safe name, detected type, the bytes and their hash."""

    filename: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def allowed_extensions() -> str:
    """The accepted extensions for help texts and the ``accept`` attribute: ".pdf,.png,..."."""
    return ",".join(f".{ext}" for ext in EXTENSIONS)


def sanitise_filename(name: str) -> str:
    """The last path component, without control or format characters, at most 200 characters.

    Format characters (Unicode category Cf) include the right-to-left override used to disguise
    an extension ("report\u202efdp.exe"). Returns "" when nothing usable is left.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/")
    name = posixpath.basename(name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME_CHARS]
    return name


def _extension(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def _zip_type(data: bytes) -> str | None:
    """The office type of a zip archive, judged by its members; raises on hostile archives."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    with archive:
        infos = archive.infolist()
        if len(infos) > ZIP_MAX_MEMBERS:
            raise ValidationError(
                _("This archive has too many parts to be a document."), code="zip_members"
            )
        total = 0
        for info in infos:
            if info.file_size > ZIP_MAX_MEMBER_BYTES:
                raise ValidationError(
                    _("This archive expands to more than a document can hold."), code="zip_size"
                )
            total += info.file_size
            ratio_base = max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and info.file_size / ratio_base > ZIP_MAX_RATIO:
                raise ValidationError(
                    _("This archive expands to more than a document can hold."), code="zip_size"
                )
        if total > ZIP_MAX_TOTAL_BYTES:
            raise ValidationError(
                _("This archive expands to more than a document can hold."), code="zip_size"
            )
        names = {info.filename for info in infos}
        if any(name.startswith("/") or ".." in name.split("/") for name in names):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            return None
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size > 100:
                return None
            try:
                with archive.open(info) as handle:
                    kind = handle.read(101).decode("ascii", errors="replace").strip()
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                return None
            if kind in _ODF_TYPES and "content.xml" in names:
                return kind
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return False
    head = text.lstrip("\ufeff \t\r\n")[:200].lower().encode("utf-8")
    # A web page in disguise: refused even as text, in case a browser ignores nosniff.
    return not head.startswith(_MARKUP_STARTS)


def detect_type(data: bytes, extension: str) -> str | None:
    """The allow-listed type of ``data`` judged by content, or None.

    Text has no signature: UTF-8 without NUL or control bytes is text, and the extension decides
    between plain text and CSV.
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if _is_text(data):
        return CSV if extension == "csv" else TEXT
    return None


def _read_upload(upload: UploadedFile[bytes]) -> bytes:
    declared = upload.size
    if declared is not None and declared > MAX_DOCUMENT_BYTES:
        raise _too_big()
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    chunks: list[bytes] = []
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > MAX_DOCUMENT_BYTES:
            raise _too_big()
        chunks.append(bytes(chunk))
    return b"".join(chunks)


def _too_big() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)d MiB.")
        % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)},
        code="too_big",
    )


def document_check(upload: UploadedFile[bytes]) -> CheckedFile:
    """Check an upload's name, size and type; raises ``ValidationError`` with a clear message."""
    filename = sanitise_filename(str(upload.name or ""))
    extension = _extension(filename)
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted: %(types)s.")
            % {"types": ", ".join(sorted(set(EXTENSIONS)))},
            code="extension",
        )
    content = _read_upload(upload)
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    detected = detect_type(content, extension)
    if detected is None:
        raise ValidationError(
            _("The file's content is not a type we accept (or it is damaged)."), code="type"
        )
    if EXTENSIONS[extension] != detected:
        raise ValidationError(
            _("The file's content (%(found)s) does not match its extension (.%(ext)s).")
            % {"found": TYPE_LABELS[detected], "ext": extension},
            code="mismatch",
        )
    return CheckedFile(
        filename=filename,
        content_type=detected,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _owner_mission_id(
    activity: Activity | None,
    commitment: Commitment | None,
    agreement: Agreement | None,
    project: Project | None,
) -> int:
    owners: list[Any] = [o for o in (activity, commitment, agreement, project) if o is not None]
    if len(owners) != 1:
        raise ValidationError(_("A document belongs to exactly one record."), code="owner")
    if agreement is not None:
        return int(agreement.partner.mission_id)
    return int(owners[0].mission_id)


@transaction.atomic
def document_add(
    *,
    actor: Any,
    mission: Mission,
    upload: UploadedFile[bytes],
    description: str = "",
    activity: Activity | None = None,
    commitment: Commitment | None = None,
    agreement: Agreement | None = None,
    project: Project | None = None,
) -> Document:
    """Check and store one uploaded file attached to exactly one record of ``mission``."""
    if _owner_mission_id(activity, commitment, agreement, project) != mission.pk:
        raise ValidationError(_("The record is not in this mission."), code="owner")
    checked = document_check(upload)
    user = actor if getattr(actor, "is_authenticated", False) else None
    document = Document(
        mission=mission,
        activity=activity,
        commitment=commitment,
        agreement=agreement,
        project=project,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        content=checked.content,
        description=(description or "").strip()[:300],
        created_by=user,
        updated_by=user,
    )
    document.full_clean()
    document.save()
    audit_record(
        actor=actor,
        action="engagement.document.add",
        mission=mission,
        obj=document,
        changes={
            "filename": document.filename,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
        },
    )
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    """Delete one document; the audit row keeps its name and hash."""
    audit_record(
        actor=actor,
        action="engagement.document.delete",
        mission=document.mission,
        obj=document,
        changes={"filename": document.filename, "sha256": document.sha256},
    )
    document.delete()


# --- Reads ----------------------------------------------------------------------------------


def documents_visible(*, membership: Membership) -> QuerySet[Document]:
    """Documents whose owner record the member may see (mission, scope and clearance)."""
    if not membership.is_active:
        return Document.objects.none()
    return Document.objects.filter(mission_id=membership.mission_id).filter(
        Q(activity__in=activities_visible(membership=membership))
        | Q(commitment__in=commitments_visible(membership=membership))
        | Q(project__in=projects_visible(membership=membership))
        | Q(agreement__partner__in=partners_visible(membership=membership))
    )


def document_get(*, membership: Membership, public_id: Any) -> Document | None:
    return documents_visible(membership=membership).filter(public_id=public_id).first()


def may_read_content(membership: Membership) -> bool:
    """File contents are confidential (attendance sheets, photos)."""
    return clearance_for(membership.role) >= Sensitivity.CONFIDENTIAL


@transaction.atomic
def document_read(*, actor: Any, membership: Membership, document: Document) -> bytes:
    """The file's bytes, after recording the read in the audit trail."""
    if document.mission_id != membership.mission_id or not may_read_content(membership):
        raise PermissionDenied(_("Your role does not allow this."))
    audit_record(
        actor=actor,
        action="engagement.document.read",
        mission=membership.mission,
        obj=document,
    )
    return bytes(document.content)
