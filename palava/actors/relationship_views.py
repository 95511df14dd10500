"""Relationship pages, on the actor profile: add a relationship to another visible actor, end an
open one, and (htmx) narrow the list of actors to pick from.

Both ends are found through ``palava.actors.selectors`` (mission, scope, clearance); writes go
through ``services.relationship_create`` / ``services.relationship_end``, which audit them. A
refusal of the service is shown in the form (400), never as a server error.
"""

from __future__ import annotations

import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.actors import selectors, services
from palava.actors.models import Relationship
from palava.actors.relationship_forms import RelationshipEndForm, RelationshipForm
from palava.actors.views import _actor_or_404, _actor_url, _membership, _render_detail
from palava.missions.permissions import Perm, mission_view

TARGET_FIELD_ID = "rel-target-field"


def _service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _relationship_form(
    request: HttpRequest, actor: Any, data: Any = None, query: str = ""
) -> RelationshipForm:
    membership = _membership(request)
    return RelationshipForm(
        data,
        membership=membership,
        actor=actor,
        query=query,
        readable=selectors.readable_fields(membership, Relationship),
    )


@require_POST
@mission_view(Perm.ACTOR_MANAGE)
def relationship_add(request: HttpRequest, mission_slug: str, actor_id: Any) -> HttpResponse:
    membership = _membership(request)
    actor = _actor_or_404(membership, actor_id)
    form = _relationship_form(request, actor, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.relationship_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            _service_errors(form, exc)
        except IntegrityError:  # the same open relationship recorded concurrently
            form.add_error(None, _("This relationship is already recorded."))
        else:
            messages.success(request, _("Relationship recorded."))
            return redirect(_actor_url(membership, actor) + "#relationships")
    return _render_detail(request, actor, relationship_form=form, status=400)


@vary_on_headers("HX-Request")
@mission_view(Perm.ACTOR_MANAGE)
def relationship_targets(request: HttpRequest, mission_slug: str, actor_id: Any) -> HttpResponse:
    """The "other actor" select narrowed by ``rel_q`` (for htmx); a plain request goes back to
    the profile with the filter applied."""
    membership = _membership(request)
    actor = _actor_or_404(membership, actor_id)
    query = request.GET.get("rel_q", "")[:100]
    if request.headers.get("HX-Request") != "true":
        params = urlencode({"rel_q": query}) if query else ""
        return redirect(
            _actor_url(membership, actor) + (f"?{params}" if params else "") + "#add-relationship"
        )
    form = _relationship_form(request, actor, query=query)
    return render(
        request,
        "actors/_partials/relationship_target.html",
        {"relationship_form": form, "target_field_id": TARGET_FIELD_ID},
    )


@require_POST
@mission_view(Perm.ACTOR_MANAGE)
def relationship_end(request: HttpRequest, mission_slug: str, relationship_id: Any) -> HttpResponse:
    membership = _membership(request)
    rel = selectors.relationship_get(membership=membership, public_id=relationship_id)
    if rel is None:
        raise Http404(_("No such relationship."))
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(membership.mission.time_zone))
    form = RelationshipEndForm(request.POST, start_date=rel.start_date, today=today)
    # Back to the profile the button was pressed on (either end), else the source's.
    back = rel.target if request.POST.get("actor") == str(rel.target.public_id) else rel.source
    if form.is_valid():
        try:
            services.relationship_end(
                actor=request.user, relationship=rel, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Relationship ended."))
            return redirect(_actor_url(membership, back) + "#relationships")
    return _render_detail(
        request,
        back,
        end_errors={rel.pk: [str(e) for errors in form.errors.values() for e in errors]},
        status=400,
    )
