"""Actors pages: the list with filters, a profile, create and edit, consent, the audited
"show contact" action, the influence x stance grid, the relationship graph and duplicates.

Records are found only through ``palava.actors.selectors`` (mission, geographic scope and
clearance): an actor the member may not see answers 404 exactly like one that does not exist.
Writes go through ``palava.actors.services`` (and ``merge.actor_merge``), which audit them.
"""

from __future__ import annotations

import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from palava.actors import selectors, services
from palava.actors.forms import (
    ActorFilterForm,
    ActorForm,
    ConsentForm,
    ConsentWithdrawForm,
    MergeForm,
)
from palava.actors.models import (
    Actor,
    ActorType,
    Consent,
    ConsentPurpose,
    Relationship,
    RelationshipKind,
    Stance,
)
from palava.actors.relationship_forms import INVERSE_LABELS, RelationshipForm
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places.scope import scope_for

PAGE_SIZE = 25
RESULTS_TARGET = "actor-results"
DUPLICATES_SHOWN = 50


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _wants_partial(request: HttpRequest, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target
    )


def _actor_or_404(membership: Membership, actor_id: Any) -> Actor:
    found = selectors.actor_get(membership=membership, public_id=actor_id)
    if found is None:
        raise Http404(_("No such actor."))
    return found


def _actor_url(membership: Membership, actor: Actor) -> str:
    return reverse(
        "actors:detail",
        kwargs={"mission_slug": membership.mission.slug, "actor_id": actor.public_id},
    )


def _has_contact(actor: Actor) -> bool:
    """Whether contact details are on file, judged by the pseudonyms (nothing decrypted)."""
    return bool(actor.phone_pseudonym or actor.email_pseudonym) or (
        actor.contact_other is not None and actor.contact_other != ""
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    pairs = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in names
        for value in values
        if value
    ]
    return urlencode(pairs)


# --- List ------------------------------------------------------------------------------------


@vary_on_headers("HX-Request", "HX-Target")
@mission_view(Perm.ACTOR_VIEW)
def actor_list(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = ActorFilterForm(request.GET or None)
    found = selectors.actor_list(membership=membership, filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "mission": membership.mission,
        "form": form,
        "page": page,
        "actors": page.object_list,
        "query": _query_without(request, "page"),
        "results_target": RESULTS_TARGET,
        "can_manage": role_has(membership.role, Perm.ACTOR_MANAGE),
        "can_merge": role_has(membership.role, Perm.ACTOR_MERGE),
    }
    if _wants_partial(request, RESULTS_TARGET):
        return render(request, "actors/_partials/results.html", context)
    return render(request, "actors/list.html", context)


# --- Profile ---------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    actor: Actor,
    *,
    contact: services.ActorContact | None = None,
    consent_form: ConsentForm | None = None,
    relationship_form: RelationshipForm | None = None,
    end_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = _membership(request)
    role = membership.role
    readable = selectors.readable_fields(membership, Actor)
    scope = scope_for(membership)
    relationships = list(selectors.actor_relationships(membership=membership, actor=actor))
    consents = list(selectors.actor_consents(membership=membership, actor=actor))
    purposes = dict(ConsentPurpose.choices)
    can_manage = role_has(role, Perm.ACTOR_MANAGE)
    relationship_readable = selectors.readable_fields(membership, Relationship)
    if relationship_form is None and can_manage:
        relationship_form = RelationshipForm(
            membership=membership,
            actor=actor,
            query=request.GET.get("rel_q", "")[:100],
            readable=relationship_readable,
        )
    context = {
        "mission": membership.mission,
        "actor": actor,
        "can_read_notes": "notes" in readable,
        "relationships": [
            {
                "rel": rel,
                "other": rel.target if rel.source_id == actor.pk else rel.source,
                "label": (
                    rel.get_kind_display()
                    if rel.source_id == actor.pk or rel.is_symmetric
                    else INVERSE_LABELS.get(rel.kind, rel.get_kind_display())
                ),
                "end_errors": (end_errors or {}).get(rel.pk, []),
            }
            for rel in relationships
        ],
        "can_read_sources": "information_source" in relationship_readable,
        "relationship_form": relationship_form,
        "rel_query": request.GET.get("rel_q", "")[:100],
        "today": timezone.localdate(timezone=zoneinfo.ZoneInfo(membership.mission.time_zone)),
        "consents": [
            {"consent": c, "purposes": [purposes.get(p, p) for p in c.purposes]} for c in consents
        ],
        "consent_readable": selectors.readable_fields(membership, Consent),
        "places": [{"unit": unit, "visible": scope.contains(unit)} for unit in actor.places.all()],
        "has_contact": _has_contact(actor),
        "contact": contact,
        "can_see_contact": role_has(role, Perm.ACTOR_CONTACT_VIEW),
        "can_manage": can_manage,
        "can_merge": role_has(role, Perm.ACTOR_MERGE),
        "consent_form": consent_form or (ConsentForm() if can_manage else None),
        "withdraw_form": ConsentWithdrawForm() if can_manage else None,
    }
    return render(request, "actors/detail.html", context, status=status)


@mission_view(Perm.ACTOR_VIEW)
def actor_detail(request: HttpRequest, mission_slug: str, actor_id: Any) -> HttpResponse:
    actor = _actor_or_404(_membership(request), actor_id)
    return _render_detail(request, actor)


@never_cache
@vary_on_headers("HX-Request")
@require_POST
@mission_view(Perm.ACTOR_CONTACT_VIEW)
def actor_contact(request: HttpRequest, mission_slug: str, actor_id: Any) -> HttpResponse:
    """Decrypt and show the contact details, once, by an explicit POST; the service audits it."""
    membership = _membership(request)
    actor = _actor_or_404(membership, actor_id)
    contact = services.actor_contact_read(actor=request.user, membership=membership, record=actor)
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            "actors/_partials/contact.html",
            {"mission": membership.mission, "actor": actor, "contact": contact},
        )
    return _render_detail(request, actor, contact=contact)


# --- Create and edit -------------------------------------------------------------------------


def _similar(membership: Membership, form: ActorForm) -> list[Any]:
    """Actors that may already be the one being recorded (none when detection is absent)."""
    try:
        from palava.actors.duplicates import find_similar_actors
    except ImportError:  # pragma: no cover - duplicates ship with the actors app
        return []
    data = form.cleaned_data
    return find_similar_actors(
        mission=membership.mission,
        name=data["name"],
        phone=data.get("phone") or None,
        admin_unit=data.get("admin_unit"),
        membership=membership,
        kind=data.get("kind", ""),
        actor_type=data.get("actor_type", ""),
        limit=5,
    )


def _form_errors_from(form: ActorForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _set_contact(request: HttpRequest, record: Actor, form: ActorForm) -> None:
    contact = form.contact_fields()
    if any(contact.values()):
        services.actor_set_contact(
            actor=request.user,
            record=record,
            phone=contact["phone"],
            email=contact["email"],
            contact_other=contact["contact_other"],
        )


@mission_view(Perm.ACTOR_MANAGE)
def actor_create(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    readable = selectors.readable_fields(membership, Actor)
    similar: list[Any] = []
    if request.method == "POST":
        form = ActorForm(request.POST, membership=membership, can_read_notes="notes" in readable)
        if form.is_valid():
            similar = [] if form.cleaned_data.get("confirm_new") else _similar(membership, form)
            if not similar:
                try:
                    with transaction.atomic():
                        record = services.actor_create(
                            actor=request.user, mission=membership.mission, **form.service_fields()
                        )
                        _set_contact(request, record, form)
                except ValidationError as exc:
                    _form_errors_from(form, exc)
                else:
                    messages.success(request, _("Actor recorded."))
                    if selectors.actor_get(membership=membership, public_id=record.public_id):
                        return redirect(_actor_url(membership, record))
                    messages.warning(
                        request, _("Its sensitivity class puts this record above your clearance.")
                    )
                    return redirect("actors:list", mission_slug=membership.mission.slug)
        status = 200 if similar and not form.errors else 400
    else:
        initial = {"admin_unit": request.GET.get("admin_unit", "")[:40]}
        form = ActorForm(initial=initial, membership=membership, can_read_notes="notes" in readable)
        status = 200
    return render(
        request,
        "actors/form.html",
        {"mission": membership.mission, "form": form, "similar": similar, "actor": None},
        status=status,
    )


@mission_view(Perm.ACTOR_MANAGE)
def actor_edit(request: HttpRequest, mission_slug: str, actor_id: Any) -> HttpResponse:
    membership = _membership(request)
    record = _actor_or_404(membership, actor_id)
    can_read_notes = "notes" in selectors.readable_fields(membership, Actor)
    status = 200
    if request.method == "POST":
        form = ActorForm(
            request.POST, membership=membership, editing=True, can_read_notes=can_read_notes
        )
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.actor_update(
                        actor=request.user, record=record, data=form.service_fields()
                    )
                    _set_contact(request, record, form)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                if selectors.actor_get(membership=membership, public_id=record.public_id):
                    return redirect(_actor_url(membership, record))
                return redirect("actors:list", mission_slug=membership.mission.slug)
        status = 400
    else:
        form = ActorForm(
            initial=ActorForm.initial_for(record),
            membership=membership,
            editing=True,
            can_read_notes=can_read_notes,
        )
    return render(
        request,
        "actors/form.html",
        {"mission": membership.mission, "form": form, "similar": [], "actor": record},
        status=status,
    )


# --- Consent ---------------------------------------------------------------------------------


@require_POST
@mission_view(Perm.ACTOR_MANAGE)
def consent_record(request: HttpRequest, mission_slug: str, actor_id: Any) -> HttpResponse:
    membership = _membership(request)
    actor = _actor_or_404(membership, actor_id)
    with timezone.override(zoneinfo.ZoneInfo(membership.mission.time_zone)):
        form = ConsentForm(request.POST)
        valid = form.is_valid()
    if valid:
        try:
            services.consent_record(
                actor=request.user,
                record=actor,
                purposes=form.cleaned_data["purposes"],
                method=form.cleaned_data["method"],
                given_at=form.cleaned_data.get("given_at"),
                details=form.cleaned_data.get("details", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(_actor_url(membership, actor) + "#consent")
    return _render_detail(request, actor, consent_form=form, status=400)


@require_POST
@mission_view(Perm.ACTOR_MANAGE)
def consent_withdraw(request: HttpRequest, mission_slug: str, consent_id: Any) -> HttpResponse:
    membership = _membership(request)
    consent = selectors.consent_get(membership=membership, public_id=consent_id)
    if consent is None:
        raise Http404(_("No such consent record."))
    actor = consent.actor
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user, consent=consent, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Withdrawal recorded."))
    return redirect(_actor_url(membership, actor) + "#consent")


# --- Influence x stance grid -----------------------------------------------------------------

HEAT_LEVELS = 5


def _heat(count: int, largest: int) -> int:
    if count <= 0 or largest <= 0:
        return 0
    return max(1, -(-count * HEAT_LEVELS // largest))


@mission_view(Perm.ACTOR_VIEW)
def actor_grid(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = ActorFilterForm(request.GET or None)
    axis = "mission" if request.GET.get("axis") == "mission" else "peace_process"
    stance_field = f"stance_{axis}"
    grid = selectors.actor_grid(
        membership=membership, stance_field=stance_field, filters=form.filters()
    )
    largest = max(grid.counts.values(), default=0)
    list_url = reverse("actors:list", kwargs={"mission_slug": membership.mission.slug})
    base = _query_without(
        request, "axis", "influence_min", "influence_max", "stance", "stance_mission", "page"
    )
    stance_param = "stance" if axis == "peace_process" else "stance_mission"
    labels = dict(Stance.choices)
    rows = []
    for influence, counts in grid.rows():
        cells = []
        for stance, count in zip(grid.stances, counts, strict=True):
            url = None
            if count and influence is not None and stance is not None:
                params = urlencode(
                    {
                        "influence_min": influence,
                        "influence_max": influence,
                        stance_param: stance,
                    }
                )
                url = f"{list_url}?{base + '&' if base else ''}{params}"
            cells.append(
                {
                    "count": count,
                    "heat": _heat(count, largest),
                    "url": url,
                    "stance_label": labels.get(stance) if stance is not None else None,
                }
            )
        rows.append({"influence": influence, "cells": cells})
    return render(
        request,
        "actors/grid.html",
        {
            "mission": membership.mission,
            "form": form,
            "axis": axis,
            "stances": [
                {"value": s, "label": labels.get(s) if s is not None else None}
                for s in grid.stances
            ],
            "rows": rows,
            "total": grid.total,
            "query": base,
            "heat_levels": range(HEAT_LEVELS + 1),
        },
    )


# --- Relationship graph ----------------------------------------------------------------------


@mission_view(Perm.ACTOR_VIEW)
def actor_graph(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = _membership(request)
    form = ActorFilterForm(request.GET or None)
    include_ended = request.GET.get("ended") == "1"
    graph = selectors.actor_graph(
        membership=membership, filters=form.filters(), include_ended=include_ended
    )
    slug = membership.mission.slug
    names = {node.public_id: node.name for node in graph.nodes}
    urls = {
        node.public_id: reverse(
            "actors:detail", kwargs={"mission_slug": slug, "actor_id": node.public_id}
        )
        for node in graph.nodes
    }
    data = {
        "nodes": [
            {
                "id": str(node.public_id),
                "name": node.name,
                "type": node.actor_type,
                "influence": node.influence,
                "url": urls[node.public_id],
            }
            for node in graph.nodes
        ],
        "edges": [
            {
                "source": str(edge.source),
                "target": str(edge.target),
                "kind": edge.kind,
                "symmetric": edge.symmetric,
                "ended": edge.ended,
            }
            for edge in graph.edges
        ],
    }
    kinds = dict(RelationshipKind.choices)
    types = dict(ActorType.choices)
    linked = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    return render(
        request,
        "actors/graph.html",
        {
            "mission": membership.mission,
            "form": form,
            "graph_data": data,
            "edges": [
                {
                    "source": names[e.source],
                    "source_url": urls[e.source],
                    "target": names[e.target],
                    "target_url": urls[e.target],
                    "kind": e.kind,
                    "kind_label": kinds.get(e.kind, e.kind),
                    "symmetric": e.symmetric,
                    "ended": e.ended,
                }
                for e in graph.edges
            ],
            "isolated": [n for n in graph.nodes if n.public_id not in linked],
            "node_count": len(graph.nodes),
            "truncated": graph.truncated,
            "include_ended": include_ended,
            "type_legend": sorted(
                {(n.actor_type, types.get(n.actor_type, n.actor_type)) for n in graph.nodes},
                key=lambda item: str(item[1]),
            ),
            "kind_legend": [
                (k, label)
                for k, label in RelationshipKind.choices
                if k in {e.kind for e in graph.edges}
            ],
            "query": _query_without(request, "ended"),
        },
    )


# --- Duplicates ------------------------------------------------------------------------------


@mission_view(Perm.ACTOR_MERGE)
def actor_duplicates(request: HttpRequest, mission_slug: str) -> HttpResponse:
    from palava.actors.duplicates import duplicate_candidates

    membership = _membership(request)
    candidates = duplicate_candidates(
        mission=membership.mission, membership=membership, limit=DUPLICATES_SHOWN
    )
    return render(
        request,
        "actors/duplicates.html",
        {"mission": membership.mission, "candidates": candidates},
    )


@require_POST
@mission_view(Perm.ACTOR_MERGE)
def actor_merge(request: HttpRequest, mission_slug: str) -> HttpResponse:
    from palava.actors.merge import actor_merge as merge_service

    membership = _membership(request)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose which record to keep."))
        return redirect("actors:duplicates", mission_slug=membership.mission.slug)
    keep = _actor_or_404(membership, form.cleaned_data["keep"])
    merge = _actor_or_404(membership, form.cleaned_data["merge"])
    try:
        result = merge_service(actor=request.user, keep=keep, merge=merge)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("actors:duplicates", mission_slug=membership.mission.slug)
    messages.success(
        request,
        _("%(merged)s was merged into %(kept)s.")
        % {"merged": result.merged.name, "kept": result.kept.name},
    )
    return redirect(_actor_url(membership, result.kept))
