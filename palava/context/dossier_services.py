"""Briefing dossiers: requesting one, generating it as a job, downloading, deleting, purging.

A dossier is made for one reader (its ``created_by``): the job re-reads that reader's *active*
membership when it runs (role or scope may have changed since the request), gathers what that
reader may see (:func:`palava.context.dossier.gather.dossier_content`), renders the offline
HTML and the PDF and stores both on the :class:`Dossier`. Only the reader may download it, and
only while their clearance still covers the one it was made for. Dossiers are deleted after
:data:`DOSSIER_KEEP_DAYS` by the periodic purge (:func:`dossiers_purge`).

Every write is atomic and audited (``dossier.request``, ``dossier.generate``,
``dossier.download`` (a sensitive read), ``dossier.delete``, ``dossier.purge``); the audit rows
name place codes, sizes and the clearance, never the dossier's content.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zlib
from collections.abc import Sequence
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from palava.audit.services import audit_record
from palava.context.dossier.gather import dossier_content
from palava.context.dossier.render import render_html, render_pdf
from palava.context.models import DOSSIER_KEEP_DAYS, Dossier, DossierKind
from palava.context.selectors import dossiers_of, place_by_code
from palava.core.models import Job, JobStatus
from palava.core.services import job_create, job_finish, job_progress
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.models import AdminUnit, Site

logger = logging.getLogger(__name__)

JOB_KIND = "context.dossier"
WORKER_ACTOR = "system:worker"
ROUTE_MIN_STOPS = 2
ROUTE_MAX_STOPS = 25
MAX_CODE_LENGTH = 60
MAX_PENDING_PER_READER = 3
"""A reader may have this many dossiers waiting or being generated at once."""
MAX_FILE_BYTES = 100 * 1024 * 1024
"""A generated file larger than this is refused (the job fails) rather than stored."""
TITLE_MAX = 300

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
CONTENT_TYPES: dict[str, str] = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}

Place = AdminUnit | Site


# --- Reads -----------------------------------------------------------------------------------


def dossier_list(*, membership: Membership, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """The member's own dossiers not yet expired, newest first, without their files."""
    now = now or timezone.now()
    return (
        dossiers_of(membership=membership)
        .filter(expires_at__gt=now)
        .defer("html", "pdf")
        .order_by("-created_at", "-id")
    )


def dossier_get(
    *, membership: Membership, public_id: Any, now: dt.datetime | None = None
) -> Dossier | None:
    """The member's own dossier with this id (not expired), without its files; else None."""
    try:
        key = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return dossier_list(membership=membership, now=now).filter(public_id=key).first()


def dossier_is_ready(dossier: Dossier) -> bool:
    job = dossier.job
    return job is not None and job.status == JobStatus.SUCCEEDED and dossier.html_bytes > 0


def place_resolve(*, membership: Membership, code: str) -> Place | None:
    """A current admin unit (by P-code) or site (by code) the member may see, else None."""
    place = place_by_code(membership=membership, code=code)
    return place if place is not None and place.retired_at is None else None


def download_name(dossier: Dossier, fmt: str) -> str:
    """``dossier-<title>-<date>.<fmt>`` (ASCII; the title slugified)."""
    stem = slugify(dossier.title)[:60].strip("-") or "dossier"
    day = timezone.localdate(dossier.created_at).isoformat()
    return f"dossier-{stem}-{day}.{fmt}"


def place_code(place: Place) -> str:
    return place.pcode if isinstance(place, AdminUnit) else place.code


# --- Requesting ------------------------------------------------------------------------------


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _clean_codes(kind: str, places: Sequence[Any]) -> list[str]:
    if kind not in DossierKind.values:
        raise ValidationError({"kind": _("Choose a place or a route.")})
    if isinstance(places, str | bytes) or not isinstance(places, Sequence):
        raise ValidationError({"places": _("Give the places as a list of codes.")})
    codes: list[str] = []
    for index, raw in enumerate(places, start=1):
        if not isinstance(raw, str):
            raise ValidationError(
                {"places": _("Place %(n)d is not a P-code or a site code.") % {"n": index}}
            )
        code = raw.strip()
        if not code:
            continue
        if len(code) > MAX_CODE_LENGTH or not CODE_RE.match(code):
            raise ValidationError(
                {"places": _("Place %(n)d is not a P-code or a site code.") % {"n": index}}
            )
        codes.append(code)
    if kind == DossierKind.PLACE:
        if len(codes) != 1:
            raise ValidationError({"places": _("A place dossier covers exactly one place.")})
        return codes
    if not ROUTE_MIN_STOPS <= len(codes) <= ROUTE_MAX_STOPS:
        raise ValidationError(
            {
                "places": _("A route has between %(min)d and %(max)d stops.")
                % {"min": ROUTE_MIN_STOPS, "max": ROUTE_MAX_STOPS}
            }
        )
    if len(set(codes)) != len(codes):
        raise ValidationError({"places": _("Each place can appear only once in a route.")})
    return codes


def places_resolve(*, membership: Membership, codes: Sequence[str]) -> list[Place]:
    """The places named by ``codes``, in order; ValidationError naming the first unknown one
    (a place outside the member's area is unknown to them, exactly like a missing one)."""
    found: list[Place] = []
    for code in codes:
        place = place_resolve(membership=membership, code=code)
        if place is None:
            raise ValidationError(
                {
                    "places": _("Unknown place, or a place outside your area: %(code)s")
                    % {"code": code}
                }
            )
        found.append(place)
    return found


def dossier_title(kind: str, places: Sequence[Place]) -> str:
    names = [place.name for place in places]
    title = names[0] if kind == DossierKind.PLACE else " → ".join(names)
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def _check_reader(membership: Membership) -> None:
    if not membership.is_active or not role_has(membership.role, Perm.DOSSIER_CREATE):
        raise PermissionDenied(_("Your role does not allow this."))


@transaction.atomic
def dossier_request(
    *, actor: Any, membership: Membership, kind: str, places: list[str], language: str
) -> Dossier:
    """Record a dossier for ``membership``'s user and enqueue its job once this commits.

    ``places``: one code for a place dossier; 2..25 codes in travel order for a route; each a
    P-code or site code the member may see. ``language``: one of ``settings.LANGUAGES``.
    """
    _check_reader(membership)
    codes = _clean_codes(kind, places)
    if language not in _languages():
        raise ValidationError({"language": _("Choose one of the languages of Palava.")})
    resolved = places_resolve(membership=membership, codes=codes)
    pending = (
        dossiers_of(membership=membership)
        .filter(job__status__in=[JobStatus.PENDING, JobStatus.RUNNING])
        .count()
    )
    if pending >= MAX_PENDING_PER_READER:
        raise ValidationError(
            _("You already have %(count)d dossiers being generated; wait until one is ready.")
            % {"count": pending}
        )
    now = timezone.now()
    mission = membership.mission
    dossier = Dossier(
        mission=mission,
        kind=kind,
        title=dossier_title(kind, resolved),
        places=[place_code(place) for place in resolved],
        language=language,
        clearance=int(clearance_for(membership.role)),
        expires_at=now + dt.timedelta(days=DOSSIER_KEEP_DAYS),
        created_by=membership.user,
        updated_by=membership.user,
    )
    job = job_create(
        actor=actor,
        mission=mission,
        kind=JOB_KIND,
        params={"dossier": str(dossier.public_id)},
    )
    dossier.job = job
    dossier.full_clean(exclude=["html", "pdf"])
    dossier.save()
    audit_record(
        actor=actor,
        action="dossier.request",
        mission=mission,
        obj=dossier,
        changes={
            "kind": kind,
            "places": ",".join(dossier.places),
            "language": language,
            "clearance": dossier.clearance,
        },
    )
    job_id = str(job.public_id)

    def enqueue() -> None:
        from palava.context.tasks import context_dossier_generate

        context_dossier_generate.enqueue(job_id)

    transaction.on_commit(enqueue)
    return dossier


# --- Generating ------------------------------------------------------------------------------


def _reader_membership(job: Job) -> Membership | None:
    """The job creator's active membership in the job's mission, read now."""
    if job.created_by_id is None:
        return None
    membership = (
        Membership.objects.filter(
            user_id=job.created_by_id,
            mission_id=job.mission_id,
            is_active=True,
            user__is_active=True,
        )
        .select_related("mission", "user")
        .first()
    )
    if membership is None or not role_has(membership.role, Perm.DOSSIER_CREATE):
        return None
    return membership


_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
_PAGES_COUNT = re.compile(
    rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)"  # the page tree's root: its /Count is the total
    rb"|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b"
)
_STREAM = re.compile(rb"stream\r?\n")


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF: the ``/Count`` of its page tree, also inside compressed object streams
    (as WeasyPrint writes them). 0 when it cannot be found."""
    counts = [int(a or b) for a, b in _PAGES_COUNT.findall(pdf)]
    for match in _OBJSTM.finditer(pdf):
        start = _STREAM.search(pdf, match.end())
        if start is None:
            continue
        end = pdf.find(b"endstream", start.end())
        if end < 0:
            continue
        try:
            data = zlib.decompressobj().decompress(pdf[start.end() : end], MAX_FILE_BYTES)
        except zlib.error:
            continue
        counts.extend(int(a or b) for a, b in _PAGES_COUNT.findall(data))
    return max(counts, default=0)


def _fail(job: Job, message: str) -> Job:
    return job_finish(job=job, succeeded=False, message=message)


def dossier_job_run(*, job: Job) -> Job:
    """Generate the job's dossier for its reader: gather, render HTML and PDF, store them.

    Progress is reported on the job; any failure finishes the job as failed with a message for
    the reader (the details go to the server log only).
    """
    dossier = Dossier.objects.filter(job=job).select_related("mission").first()
    if dossier is None:
        return _fail(job, _("The dossier was deleted before it was generated."))
    with translation.override(dossier.language):
        membership = _reader_membership(job)
        if membership is None:
            return _fail(job, _("The dossier's reader is no longer an active member."))
        try:
            places = places_resolve(membership=membership, codes=list(dossier.places))
        except ValidationError:
            return _fail(job, _("A place of this dossier is no longer in the reader's area."))
        try:
            return _generate(job, dossier, membership, places)
        except Exception:
            logger.exception("dossier job %s failed", job.public_id)
            return _fail(job, _("The dossier could not be generated. Try again later."))


def _generate(job: Job, dossier: Dossier, membership: Membership, places: list[Place]) -> Job:
    def report(percent: int, message: str) -> None:
        # gathering takes the first 70 percent; rendering the rest
        done = 5 + max(0, min(100, int(percent))) * 65 // 100
        job_progress(job=job, done=done, total=100, message=message)

    job_progress(job=job, done=2, total=100, message=_("Gathering what you may see"))
    content = dossier_content(
        membership=membership,
        places=places,
        kind=dossier.kind,
        language=dossier.language,
        now=timezone.now(),
        progress=report,
    )
    job_progress(job=job, done=75, total=100, message=_("Writing the offline HTML file"))
    html = render_html(content)
    job_progress(job=job, done=80, total=100, message=_("Laying out the PDF"))
    pdf = render_pdf(html)
    if len(html) > MAX_FILE_BYTES or len(pdf) > MAX_FILE_BYTES:
        return _fail(job, _("The dossier is too large; choose fewer places."))
    job_progress(job=job, done=95, total=100, message=_("Saving the files"))
    with transaction.atomic():
        stored = Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        if stored is None:
            return _fail(job, _("The dossier was deleted before it was generated."))
        stored.html = html
        stored.pdf = pdf
        stored.html_bytes = len(html)
        stored.pdf_bytes = len(pdf)
        stored.pdf_pages = pdf_page_count(pdf)
        stored.clearance = int(clearance_for(membership.role))
        stored.save()
        audit_record(
            actor=WORKER_ACTOR,
            action="dossier.generate",
            mission=stored.mission,
            obj=stored,
            changes={
                "clearance": stored.clearance,
                "html_bytes": stored.html_bytes,
                "pdf_bytes": stored.pdf_bytes,
                "pdf_pages": stored.pdf_pages,
            },
        )
        return job_finish(
            job=job,
            succeeded=True,
            result={
                "dossier": str(stored.public_id),
                "html_bytes": stored.html_bytes,
                "pdf_bytes": stored.pdf_bytes,
                "pdf_pages": stored.pdf_pages,
            },
            message=_("The dossier is ready."),
        )


# --- Reading the files, deleting, purging ----------------------------------------------------


def _check_own(membership: Membership, dossier: Dossier) -> None:
    if (
        not membership.is_active
        or dossier.mission_id != membership.mission_id
        or dossier.created_by_id != membership.user_id
    ):
        raise PermissionDenied(_("Only the reader a dossier was made for may open it."))


@transaction.atomic
def dossier_download(*, actor: Any, membership: Membership, dossier: Dossier, fmt: str) -> bytes:
    """The dossier's HTML or PDF file for its reader; the read is audited.

    PermissionDenied for anyone but the reader, or when the reader's clearance dropped below
    the one the dossier was made for; ValidationError when it is not ready (or ``fmt`` is not
    ``html``/``pdf``).
    """
    _check_own(membership, dossier)
    _check_reader(membership)
    if fmt not in FORMATS:
        raise ValidationError(_("Choose the HTML or the PDF file."))
    if dossier.clearance > int(clearance_for(membership.role)):
        raise PermissionDenied(
            _("This dossier was made for a higher clearance than your role has now.")
        )
    field = "html" if fmt == "html" else "pdf"
    row = (
        Dossier.objects.filter(pk=dossier.pk, expires_at__gt=timezone.now())
        .select_related("job")
        .only(field, "html_bytes", "pdf_bytes", "job__status")
        .first()
    )
    if row is None or not dossier_is_ready(row):
        raise ValidationError(_("The dossier is not ready yet."))
    data = bytes(getattr(row, field))
    audit_record(
        actor=actor,
        action="dossier.download",
        mission=membership.mission,
        obj=dossier,
        changes={f"{field}_bytes": len(data)},
    )
    return data


@transaction.atomic
def dossier_delete(*, actor: Any, membership: Membership, dossier: Dossier) -> None:
    """Delete one of the member's own dossiers (a job still running then finds it gone)."""
    _check_own(membership, dossier)
    audit_record(
        actor=actor,
        action="dossier.delete",
        mission=membership.mission,
        obj=dossier,
        changes={"kind": dossier.kind, "places": ",".join(dossier.places)},
    )
    Dossier.objects.filter(pk=dossier.pk).delete()


@transaction.atomic
def dossiers_purge(*, now: dt.datetime, actor: Any = "system:scheduler") -> int:
    """Delete every dossier whose ``expires_at`` has passed; return how many."""
    expired = list(
        Dossier.objects.filter(expires_at__lte=now)
        .select_related("mission")
        .only("id", "public_id", "mission", "expires_at")
        .order_by("id")
    )
    for dossier in expired:
        audit_record(
            actor=actor,
            action="dossier.purge",
            mission=dossier.mission,
            obj=dossier,
            changes={"expires_at": dossier.expires_at.isoformat()},
        )
    if expired:
        Dossier.objects.filter(pk__in=[d.pk for d in expired]).delete()
    return len(expired)
