"""Knowledge base pages that write: create and edit an entry, send it for review, review it,
retire it and translate it. Each view finds the entry through the selectors (404 when not
visible) and writes through ``knowledge_services``; a refused write re-renders with the reason
(400, or 403 when the role or the four-eyes rule forbids it), never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palava.actors.models import RecordSensitivity
from palava.context import knowledge_selectors as selectors
from palava.context import knowledge_services as services
from palava.context.knowledge_forms import (
    EntryCreateForm,
    EntryEditForm,
    RetireForm,
    ReviewForm,
    TranslationForm,
    translation_language_choices,
)
from palava.context.knowledge_text import (
    SUGGESTED_LANGUAGES,
    language_name,
    text_direction,
)
from palava.context.knowledge_view_support import (
    entry_or_404,
    entry_url,
    language_of,
    place_code,
    place_name,
    place_url,
    render_entry,
    sees_source,
)
from palava.context.models import EntryStatus, KnowledgeEntry
from palava.context.selectors import entry_is_stale
from palava.engagement.view_support import apply_errors, membership_of
from palava.missions.permissions import Perm, mission_view


def _form_page(
    request: HttpRequest,
    form: EntryCreateForm | EntryEditForm,
    *,
    entry: KnowledgeEntry | None,
    status: int = 200,
) -> HttpResponse:
    membership = membership_of(request)
    return render(
        request,
        "context/knowledge/form.html",
        {
            "mission": membership.mission,
            "form": form,
            "entry": entry,
            "language_suggestions": [(c, language_name(c)) for c in SUGGESTED_LANGUAGES],
            "sees_source": sees_source(membership),
        },
        status=status,
    )


@mission_view(Perm.CONTEXT_EDIT)
def entry_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    preset = str(request.GET.get("unit") or request.GET.get("site") or "")[:40]
    initial = {
        "place": preset,
        "language": language_of(request),
        "sensitivity": int(RecordSensitivity.INTERNAL),
        "topic": request.GET.get("topic", "")[:20],
    }
    form = EntryCreateForm(request.POST or None, membership=membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(
                actor=request.user,
                membership=membership,
                submit=bool(form.cleaned_data.get("submit")),
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not write this entry."))
        else:
            messages.success(request, _("Entry saved."))
            return redirect(entry_url(membership, entry))
    return _form_page(request, form, entry=None, status=400 if form.is_bound else 200)


@mission_view(Perm.CONTEXT_EDIT)
def entry_edit(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    membership = membership_of(request)
    entry = entry_or_404(membership, entry_id)
    if entry.status == EntryStatus.RETIRED:
        raise Http404(_("This entry is retired."))
    initial = {
        "place": place_code(entry),
        "topic": entry.topic,
        "title": entry.title,
        "body": entry.body,
        "language": entry.language,
        "sensitivity": entry.sensitivity,
        "source": entry.source,
        "valid_until": entry.valid_until,
        "actors": [a.public_id for a in entry.actors.all()],
    }
    form = EntryEditForm(request.POST or None, membership=membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if not sees_source(membership):  # pragma: no cover - editors all see sources
            fields.pop("source")
        try:
            services.entry_update(
                actor=request.user,
                membership=membership,
                entry=entry,
                note=form.cleaned_data.get("note") or "",
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not change this entry."))
        else:
            messages.success(request, _("Entry saved."))
            return redirect(entry_url(membership, entry))
    return _form_page(request, form, entry=entry, status=400 if form.is_bound else 200)


def _renamed(error: ValidationError, **names: str) -> ValidationError:
    """``error`` with its field names renamed (service field -> form field)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): errors for field, errors in error.message_dict.items()}
    )


def _service_error(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error) or _("Your role does not allow this.")


@require_POST
@mission_view(Perm.CONTEXT_EDIT)
def entry_submit(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    membership = membership_of(request)
    entry = entry_or_404(membership, entry_id)
    if entry.status == EntryStatus.REVIEWED and not entry_is_stale(entry):
        return render_entry(
            request, entry, error=_("This entry is reviewed and up to date."), status=400
        )
    try:
        services.entry_submit(actor=request.user, membership=membership, entry=entry)
    except (ValidationError, PermissionDenied) as error:
        status = 403 if isinstance(error, PermissionDenied) else 400
        return render_entry(request, entry, error=_service_error(error), status=status)
    messages.success(request, _("Entry sent for review."))
    return redirect(entry_url(membership, entry))


@require_POST
@mission_view(Perm.CONTEXT_EDIT)
def entry_retire(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    membership = membership_of(request)
    entry = entry_or_404(membership, entry_id)
    form = RetireForm(request.POST)
    if not form.is_valid():
        return render_entry(request, entry, retire_form=form, status=400)
    try:
        services.entry_retire(
            actor=request.user, membership=membership, entry=entry, note=form.cleaned_data["note"]
        )
    except (ValidationError, PermissionDenied) as error:
        status = 403 if isinstance(error, PermissionDenied) else 400
        return render_entry(request, entry, error=_service_error(error), status=status)
    messages.success(request, _("Entry retired."))
    return redirect(entry_url(membership, entry))


@mission_view(Perm.CONTEXT_REVIEW)
def entry_review(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    membership = membership_of(request)
    entry = entry_or_404(membership, entry_id)
    form = ReviewForm(request.POST or None, initial={"valid_until": entry.valid_until})
    status = 200
    if request.method == "POST":
        status = 400
        if entry.status != EntryStatus.IN_REVIEW:
            form.add_error(None, _("This entry is not waiting for review."))
        elif form.is_valid():
            data = form.cleaned_data
            approve = data["decision"] == "approve"
            try:
                services.entry_review(
                    actor=request.user,
                    membership=membership,
                    entry=entry,
                    approve=approve,
                    note=data.get("note") or "",
                    valid_until=data.get("valid_until"),
                )
            except ValidationError as error:
                apply_errors(form, _renamed(error, review_note="note"))
            except PermissionDenied as error:
                form.add_error(None, _service_error(error))
                status = 403
            else:
                messages.success(
                    request, _("Entry approved.") if approve else _("Entry returned to its author.")
                )
                return redirect(entry_url(membership, entry))
    return render(
        request,
        "context/knowledge/review.html",
        {
            "mission": membership.mission,
            "entry": entry,
            "form": form,
            "waiting": entry.status == EntryStatus.IN_REVIEW,
            "is_author": entry.author_id == getattr(request.user, "pk", None),
            "place_name": place_name(entry),
            "place_url": place_url(membership, entry),
            "language_name": language_name(entry.language),
            "dir": text_direction(entry.language),
            "sees_source": sees_source(membership),
            "reason": selectors.stale_reason(entry),
        },
        status=status,
    )


@mission_view(Perm.CONTEXT_EDIT)
def entry_translate(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    membership = membership_of(request)
    entry = entry_or_404(membership, entry_id)
    if entry.status == EntryStatus.RETIRED:
        raise Http404(_("This entry is retired."))
    choices = translation_language_choices(entry.language)
    codes = [code for code, _name in choices]
    wanted = str(request.POST.get("language") or request.GET.get("language") or "")[:10]
    if wanted not in codes:
        reader = language_of(request)
        wanted = reader if reader in codes else (codes[0] if codes else "")
    existing = entry.translations.filter(language=wanted).first() if wanted else None
    initial: dict[str, Any] = {"language": wanted}
    if existing is not None:
        initial.update(title=existing.title, body=existing.body)
    form = TranslationForm(request.POST or None, original=entry.language, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.translation_set(
                actor=request.user,
                membership=membership,
                entry=entry,
                language=data["language"],
                title=data["title"].strip(),
                body=data["body"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, _service_error(error))
        else:
            messages.success(request, _("Translation saved."))
            return redirect(entry_url(membership, entry))
    return render(
        request,
        "context/knowledge/translate.html",
        {
            "mission": membership.mission,
            "entry": entry,
            "form": form,
            "existing": existing,
            "existing_stale": existing is not None and existing.source_version < entry.version,
            "target": wanted,
            "target_name": language_name(wanted) if wanted else "",
            "target_dir": text_direction(wanted) if wanted else "ltr",
            "choices": choices,
            "language_name": language_name(entry.language),
            "dir": text_direction(entry.language),
        },
        status=400 if form.is_bound else 200,
    )
