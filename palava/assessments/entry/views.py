"""Web entry: staff fill any open form in the browser; the server decides (ADR 0008).

GET renders the form with a fresh instanceID in a hidden field; POST either changes the page
(add or remove a repeat instance, switch the label language, check the answers) or submits:
relevance, required, types and constraints are checked here, the instance XML is built as ODK
Collect builds it and goes through ``submission_receive`` (idempotent by instanceID, so a
double POST stores one submission), then Post/Redirect/Get to the "received" page.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.assessments import form_selectors
from palava.assessments.entry import render as rendering
from palava.assessments.entry.instance import Meta, build_xml
from palava.assessments.entry.post import TooMuch, answers_from_post, remove_instance, split_path
from palava.assessments.entry.questions import Form as Questions
from palava.assessments.entry.schema import State, new_state
from palava.assessments.entry.selectors import already_received
from palava.assessments.models import Form, FormVersion
from palava.assessments.openrosa.instance import InstanceError
from palava.assessments.submission_services import (
    SubmissionConflict,
    SubmissionRejected,
    submission_receive,
)
from palava.missions.models import Mission
from palava.missions.permissions import Perm, mission_view, role_has

logger = logging.getLogger(__name__)

MAX_FIELDS = 1900  # below DATA_UPLOAD_MAX_NUMBER_FIELDS, which answers 400 itself
MAX_STARTED_AGE = dt.timedelta(days=7)


def _mission(request: HttpRequest) -> Mission:
    return request.mission  # type: ignore[attr-defined, no-any-return]


def _form_or_404(request: HttpRequest, form_id: uuid.UUID) -> tuple[Form, FormVersion]:
    try:
        form = form_selectors.form_get(mission=_mission(request), public_id=form_id)
    except Form.DoesNotExist:
        raise Http404(_("No such form.")) from None
    if form.current_version is None:
        raise Http404(_("No such form version."))
    return form, form.current_version


def _is_open(form: Form) -> bool:
    return form.accepting_submissions and form.archived_at is None


def _zone(mission: Mission) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(mission.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _entry_url(mission: Mission, form: Form, name: str = "fill") -> str:
    return reverse(
        f"entry:{name}", kwargs={"mission_slug": mission.slug, "form_id": form.public_id}
    )


def _message(request: HttpRequest, form: Form, title: str, text: str, status: int) -> HttpResponse:
    return render(
        request,
        "assessments/entry_message.html",
        {"mission": _mission(request), "form": form, "title": title, "text": text},
        status=status,
    )


def _closed(request: HttpRequest, form: Form) -> HttpResponse:
    return _message(
        request,
        form,
        _("This form is closed"),
        _("The form no longer accepts submissions; ask the form's manager to reopen it."),
        409,
    )


def _page(
    request: HttpRequest,
    form: Form,
    version: FormVersion,
    state: State,
    *,
    instance_id: str,
    started: str,
    status: int = 200,
    show_errors: bool = True,
    focus: str = "",
    checked: bool = False,
) -> HttpResponse:
    renderer = rendering.Renderer(state, show_errors=show_errors, focus=focus)
    views = renderer.build()
    errors: list[rendering.View] = []

    def collect(nodes: list[rendering.View]) -> None:
        for node in nodes:
            if node.error and not node.hidden:
                errors.append(node)
            collect(node.children)

    collect(views)
    languages = list(version.languages or [])
    return render(
        request,
        "assessments/entry_form.html",
        {
            "mission": _mission(request),
            "form": form,
            "version": version,
            "nodes": views,
            "sections": rendering.sections(views),
            "errors": errors,
            "form_languages": languages,
            "form_lang": state.lang,
            "form_dir": ("rtl" if rendering.is_rtl(state.lang) else "ltr") if state.lang else "",
            "instance_id": instance_id,
            "started": started,
            "schema": rendering.schema_json(state),
            "checked_ok": checked and not errors,
        },
        status=status,
    )


def _language(version: FormVersion, wanted: str = "") -> str:
    return rendering.pick_language(
        list(version.languages or []), version.default_language, get_language() or "", wanted
    )


def _started(raw: str, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(raw[:40])
    except ValueError:
        return now
    if timezone.is_naive(moment):
        return now
    if moment > now or now - moment > MAX_STARTED_AGE:
        return now
    return moment.astimezone(zone)


@never_cache
@mission_view(Perm.SUBMISSION_ENTER)
def entry_fill(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    form, version = _form_or_404(request, form_id)
    if not _is_open(form):
        return _closed(request, form)
    zone = _zone(mission)
    now = timezone.now().astimezone(zone)
    questions = Questions(version.definition or {}, xform=version.xml)
    if request.method != "POST":
        state = new_state(questions, lang=_language(version, request.GET.get("lang", "")), now=now)
        return _page(
            request,
            form,
            version,
            state,
            instance_id=str(uuid.uuid4()),
            started=now.isoformat(timespec="seconds"),
        )
    post = request.POST
    if len(post) > MAX_FIELDS:
        return _message(
            request, form, _("Too many answers"), _("The page sent too many fields."), 413
        )
    try:
        instance_id = str(uuid.UUID(str(post.get("_instance", ""))[:40]))
    except ValueError:
        instance_id = str(uuid.uuid4())
    if already_received(form=form, instance_id=f"uuid:{instance_id}"):
        return redirect(_entry_url(mission, form, "received"))
    started = _started(str(post.get("_started", "")), now, zone)
    action = str(post.get("_action", "check"))[:500]
    lang = _language(version, str(post.get("_lang", ""))[:100])
    extra: dict[str, int] = {}
    if action.startswith("add:") and split_path(action[4:]):
        extra[action[4:]] = 1
    try:
        answers = answers_from_post(questions, post, extra=extra)
    except TooMuch:
        return _message(
            request,
            form,
            _("Too many answers"),
            _("A repeat may have at most 200 entries, and an answer at most 10,000 characters."),
            413,
        )
    if action.startswith("remove:"):
        remove_instance(answers, action[7:])
    if action.startswith("lang:"):
        lang = _language(version, action[5:100])
    state = State(form=questions, answers=answers, lang=lang, now=now)
    state.compute()
    page_args: dict[str, Any] = {"instance_id": instance_id, "started": started.isoformat()}
    if action not in ("submit", "check"):
        focus = ""
        if extra:
            added = state.value_at(tuple(split_path(action[4:])))
            focus = f"{action[4:]}[{len(added) - 1}]" if isinstance(added, list) and added else ""
        return _page(request, form, version, state, show_errors=False, focus=focus, **page_args)
    errors = state.validate()
    if errors or action == "check":
        return _page(
            request,
            form,
            version,
            state,
            status=400 if errors else 200,
            checked=action == "check",
            **page_args,
        )
    xml = build_xml(
        state,
        Meta(
            instance_id=f"uuid:{instance_id}",
            form_id=form.form_id,
            version=version.version,
            started=started,
            ended=now,
            username=request.user.get_username(),
        ),
    )
    try:
        submission_receive(
            mission=mission, xml=xml, attachments=[], source="web", actor=request.user
        )
    except SubmissionConflict:
        pass  # the same instanceID arrived twice (a double click): already stored
    except SubmissionRejected:
        return _closed(request, form)
    except InstanceError as exc:
        logger.warning("web entry built an instance that was refused: %s", type(exc).__name__)
        return _message(request, form, _("The submission was refused"), str(exc), 400)
    target = _entry_url(mission, form, "received")
    if lang and lang != _language(version):
        target = f"{target}?{urlencode({'lang': lang})}"
    return redirect(target)


@never_cache
@mission_view(Perm.SUBMISSION_ENTER)
def entry_received(request: HttpRequest, mission_slug: str, form_id: uuid.UUID) -> HttpResponse:
    mission = _mission(request)
    form, version = _form_or_404(request, form_id)
    lang = request.GET.get("lang", "")
    again = _entry_url(mission, form)
    if lang and lang in (version.languages or []):
        again = f"{again}?{urlencode({'lang': lang})}"
    return render(
        request,
        "assessments/entry_received.html",
        {
            "mission": mission,
            "form": form,
            "again": again,
            "is_open": _is_open(form),
            "can_view_forms": role_has(request.membership.role, Perm.FORM_VIEW),  # type: ignore[attr-defined]
        },
    )
