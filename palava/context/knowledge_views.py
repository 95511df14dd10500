"""Knowledge base pages: the home (places with entry counts, filters, the entries), what holds at
a place (grouped by topic, inherited entries marked, in the reader's language), an entry with its
translations and history, the review queue and the list of stale entries. The pages that write
(create, edit, submit, review, retire, translate) are in ``knowledge_edit_views``.

Every role with ``Perm.CONTEXT_VIEW`` reads these pages; readers see only what the visibility
selectors give them (mission, scope with inheritance, the entry's own classification; reviewed
entries only for roles that may not edit). An entry or place the reader may not see answers 404
like a missing one. The source of an entry is confidential: shown only from that clearance up.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palava.actors.models import RecordSensitivity
from palava.context import knowledge_selectors as selectors
from palava.context.knowledge_forms import (
    EntryFilterForm,
)
from palava.context.knowledge_text import (
    language_name,
    primary_language,
    text_direction,
    word_diff,
)
from palava.context.knowledge_view_support import (
    entry_or_404,
    entry_rows,
    language_of,
    render_entry,
    sees_source,
    site_or_404,
    unit_or_404,
)
from palava.context.models import KnowledgeRevision, Topic
from palava.engagement.view_support import membership_of, query_without_page
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view, role_has
from palava.places.models import AdminUnit, Site
from palava.places.scope import scope_for
from palava.places.selectors import (
    admin_unit_ancestors,
    admin_unit_children,
    admin_units_visible,
    sites_in_unit,
)

PAGE_SIZE = 25
SITES_SHOWN = 100
LIST_SHOWN = 200

#: One line per topic for the legend of the home page.
TOPIC_HINTS: dict[str, Any] = {
    Topic.LANGUAGES: gettext_lazy("Languages spoken, greetings, forms of address."),
    Topic.LEADERSHIP: gettext_lazy("Who leads: customary, religious, administrative, armed."),
    Topic.CUSTOMS: gettext_lazy("Hospitality, meetings, gifts, dress, how to behave."),
    Topic.RELIGION: gettext_lazy("Faiths, places of worship, prayer times, fasting."),
    Topic.SENSITIVITIES: gettext_lazy("What offends: words, gestures, subjects, places."),
    Topic.DOS_DONTS: gettext_lazy("Short practical advice for patrols and visits."),
    Topic.CONFLICT: gettext_lazy("Root causes, past violence, land and identity disputes."),
    Topic.ASSETS: gettext_lazy("Markets, schools, health posts, committees, networks."),
    Topic.GENDER: gettext_lazy("Roles of women and men, who may speak, safe ways to consult."),
    Topic.SECURITY: gettext_lazy("Threats, armed presence, safe routes and hours."),
}


def _top_units(membership: Membership) -> QuerySet[AdminUnit]:
    """Where browsing starts: the units without a parent, or those of the member's scope."""
    visible = admin_units_visible(membership=membership).filter(retired_at__isnull=True)
    scope = scope_for(membership)
    if scope.paths is None:
        tops = visible.filter(parent__isnull=True)
    else:
        tops = visible.filter(path__in=list(scope.paths))
    return tops.order_by("level", "name", "pcode")


def _topic_badges(counts: Any) -> list[tuple[str, str, int]]:
    """``(topic, label, count)`` in topic order for the non-zero counts."""
    found = dict(counts.items()) if hasattr(counts, "items") else dict(counts)
    labels = dict(Topic.choices)
    badges = []
    for topic in Topic.values:
        number = int(found.get(topic, 0) or found.get(Topic(topic), 0) or 0)
        if number:
            badges.append((topic, str(labels[topic]), number))
    return badges


def _unit_cards(membership: Membership, units: list[AdminUnit]) -> list[dict[str, Any]]:
    cards = []
    for unit in units:
        badges = _topic_badges(selectors.topic_counts(membership=membership, unit=unit))
        cards.append({"unit": unit, "topics": badges, "total": sum(b[2] for b in badges)})
    return cards


def _groups(
    groups: list[tuple[Topic, list[selectors.LocalisedEntry]]], reader: str
) -> list[dict[str, Any]]:
    return [
        {
            "topic": str(topic.value if isinstance(topic, Topic) else topic),
            "label": Topic(topic).label,
            "items": [_localised_row(item, reader) for item in items],
        }
        for topic, items in groups
    ]


def _localised_row(item: selectors.LocalisedEntry, reader: str) -> dict[str, Any]:
    return {
        "item": item,
        "entry": item.entry,
        "language_name": language_name(item.language),
        "dir": text_direction(item.language),
        "other_language": primary_language(item.language) != primary_language(reader),
    }


# --- Reading ----------------------------------------------------------------------------------


@mission_view(Perm.CONTEXT_VIEW)
def knowledge_home(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    tops = list(_top_units(membership))
    root = tops[0] if len(tops) == 1 and tops[0].parent_id is None else None
    units = list(admin_unit_children(membership=membership, unit=root)) if root else tops
    form = EntryFilterForm(request.GET or None)
    found = selectors.entry_list(membership=membership, filters=form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    can_review = role_has(membership.role, Perm.CONTEXT_REVIEW)
    return render(
        request,
        "context/knowledge/home.html",
        {
            "mission": membership.mission,
            "root": root,
            "cards": _unit_cards(membership, units),
            "form": form,
            "page": page,
            "rows": entry_rows(membership, page.object_list),
            "query": query_without_page(request),
            "filtered": form.is_bound,
            "topics": [(t.value, t.label, TOPIC_HINTS[t]) for t in Topic],
            "review_count": (
                selectors.review_queue(membership=membership).count() if can_review else 0
            ),
            "stale_count": selectors.stale_entries(membership=membership).count(),
            "can_edit": role_has(membership.role, Perm.CONTEXT_EDIT),
            "can_review": can_review,
        },
    )


def _place_page(
    request: HttpRequest,
    membership: Membership,
    *,
    unit: AdminUnit | None,
    site: Site | None,
) -> HttpResponse:
    language = language_of(request)
    place_unit = unit if unit is not None else (site.admin_unit if site is not None else None)
    groups = selectors.place_entries(membership=membership, language=language, unit=unit, site=site)
    children: list[AdminUnit] = []
    sites: list[Site] = []
    if unit is not None:
        children = list(admin_unit_children(membership=membership, unit=unit))
        sites = list(
            sites_in_unit(membership=membership, unit=unit, descendants=False)[: SITES_SHOWN + 1]
        )
    crumbs = (
        admin_unit_ancestors(membership=membership, unit=place_unit)
        if place_unit is not None
        else []
    )
    create_url = reverse("context:entry_create", kwargs={"mission_slug": membership.mission.slug})
    if unit is not None:
        create_url += f"?unit={unit.pcode}"
    elif site is not None:
        create_url += f"?site={site.code}"
    rendered = _groups(groups, language)
    return render(
        request,
        "context/knowledge/place.html",
        {
            "mission": membership.mission,
            "unit": unit,
            "site": site,
            "place_unit": place_unit,
            "name": unit.name if unit is not None else (site.name if site is not None else ""),
            "code": unit.pcode if unit is not None else (site.code if site is not None else ""),
            "crumbs": crumbs,
            "groups": rendered,
            "entry_total": sum(len(g["items"]) for g in rendered),
            "children": children,
            "sites": sites[:SITES_SHOWN],
            "sites_more": len(sites) > SITES_SHOWN,
            "reader_language": language_name(language),
            "create_url": create_url,
            "can_edit": role_has(membership.role, Perm.CONTEXT_EDIT),
            "can_dossier": role_has(membership.role, Perm.DOSSIER_CREATE),
        },
    )


@mission_view(Perm.CONTEXT_VIEW)
def place_page(request: HttpRequest, mission_slug: str, pcode: str) -> HttpResponse:
    membership = membership_of(request)
    unit = unit_or_404(membership, pcode)
    return _place_page(request, membership, unit=unit, site=None)


@mission_view(Perm.CONTEXT_VIEW)
def site_page(request: HttpRequest, mission_slug: str, site_code: str) -> HttpResponse:
    membership = membership_of(request)
    site = site_or_404(membership, site_code)
    return _place_page(request, membership, unit=None, site=site)


@mission_view(Perm.CONTEXT_VIEW)
def entry_detail(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    entry = entry_or_404(membership_of(request), entry_id)
    return render_entry(request, entry)


def _revision_rows(
    revisions: list[KnowledgeRevision], *, sees_source: bool
) -> list[dict[str, Any]]:
    """Each revision with what changed from the one before (oldest first in ``revisions``)."""
    rows: list[dict[str, Any]] = []
    labels = dict(RecordSensitivity.choices)
    topics = dict(Topic.choices)
    previous: KnowledgeRevision | None = None
    for revision in revisions:
        changes: list[tuple[str, str, str]] = []
        if previous is not None:
            if previous.topic != revision.topic:
                changes.append(
                    (
                        _("Topic"),
                        str(topics.get(previous.topic, previous.topic)),
                        str(topics.get(revision.topic, revision.topic)),
                    )
                )
            if previous.sensitivity != revision.sensitivity:
                changes.append(
                    (
                        _("Classification"),
                        str(labels.get(previous.sensitivity, "")),
                        str(labels.get(revision.sensitivity, "")),
                    )
                )
            if previous.valid_until != revision.valid_until:
                changes.append(
                    (
                        _("Valid until"),
                        str(previous.valid_until or "—"),
                        str(revision.valid_until or "—"),
                    )
                )
            if sees_source and previous.source != revision.source:
                changes.append((_("Source"), previous.source, revision.source))
        rows.append(
            {
                "revision": revision,
                "title_diff": word_diff(previous.title, revision.title) if previous else None,
                "body_diff": word_diff(previous.body, revision.body) if previous else None,
                "body_changed": previous is not None and previous.body != revision.body,
                "title_changed": previous is not None and previous.title != revision.title,
                "changes": changes,
                "is_first": previous is None,
            }
        )
        previous = revision
    rows.reverse()
    return rows


@mission_view(Perm.CONTEXT_VIEW)
def entry_history(request: HttpRequest, mission_slug: str, entry_id: Any) -> HttpResponse:
    membership = membership_of(request)
    entry = entry_or_404(membership, entry_id)
    revisions = sorted(
        selectors.entry_revisions(membership=membership, entry=entry), key=lambda r: r.version
    )
    return render(
        request,
        "context/knowledge/history.html",
        {
            "mission": membership.mission,
            "entry": entry,
            "rows": _revision_rows(revisions, sees_source=sees_source(membership)),
            "sees_source": sees_source(membership),
            "dir": text_direction(entry.language),
        },
    )


@mission_view(Perm.CONTEXT_VIEW)
def review_queue_page(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    can_review = role_has(membership.role, Perm.CONTEXT_REVIEW)
    entries = list(selectors.review_queue(membership=membership)[:LIST_SHOWN])
    return render(
        request,
        "context/knowledge/review_queue.html",
        {
            "mission": membership.mission,
            "rows": entry_rows(membership, entries),
            "can_review": can_review,
        },
    )


@mission_view(Perm.CONTEXT_VIEW)
def stale_page(request: HttpRequest, mission_slug: str) -> HttpResponse:
    membership = membership_of(request)
    found = selectors.stale_entries(membership=membership)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "context/knowledge/stale.html",
        {
            "mission": membership.mission,
            "page": page,
            "rows": entry_rows(membership, page.object_list, with_reasons=True),
            "query": query_without_page(request),
            "can_edit": role_has(membership.role, Perm.CONTEXT_EDIT),
        },
    )
