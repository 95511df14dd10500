"""What a briefing dossier says for one reader: :func:`dossier_content`.

Everything is read through the reader's visibility selectors (mission, geographic scope, the
clearance of their role, the restricted queue), so a dossier never holds more than its reader
could open in Palava. A section whose data the reader's role may not read elsewhere (actors,
messages, cases, commitments, access) is left out and named in the summary as "not available for
your role". Within a section, a field whose class (``field_classes``) is above the reader's
clearance is never written: the source of a context entry, an actor's notes, ... Contact details,
message text, reporters and case titles are never written for anyone.

The text is in the reader's language (``translation.override``): headings, labels, the calendar
titles and, where they exist, the translations of context entries.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palava.actors.models import RecordSensitivity
from palava.actors.selectors import readable_fields
from palava.context.calendar_rules import rule_of
from palava.context.dossier.content import (
    Block,
    BulletList,
    DossierContent,
    EventList,
    KeyValueTable,
    MapBlock,
    MapCategory,
    MapData,
    MapFeature,
    Paragraph,
    RouteStop,
    Section,
    Table,
    UpcomingEvent,
)
from palava.context.dossier.gather_places import (
    DossierPlace,
    localised_name,
    md_escape,
    resolve_places,
)
from palava.context.dossier.gather_records import (
    actors_section,
    cases_section,
    commitments_section,
    feedback_section,
)
from palava.context.models import (
    CalendarEvent,
    DossierKind,
    EntryStatus,
    KnowledgeEntry,
    KnowledgeTranslation,
    Topic,
)
from palava.context.recurrence import occurrences
from palava.context.selectors import (
    entries_applying_to_site,
    entries_applying_to_unit,
    entry_is_stale,
    events_applying_to_unit,
    events_visible,
)
from palava.engagement.selectors import zone_of
from palava.missions.models import Membership
from palava.missions.permissions import Perm, clearance_for, role_has
from palava.places.models import AccessLevel, AccessStatus, AdminUnit, Site
from palava.places.selectors import (
    access_current,
    access_current_for_units,
    admin_unit_children,
    sites_in_unit,
)

__all__ = ["ProgressFn", "dossier_content"]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[int, str], None]

#: Days of calendar shown, most occurrences per event and in all.
UPCOMING_DAYS = 60
MAX_OCCURRENCES_PER_EVENT = 3
MAX_EVENTS = 120
#: Most sites drawn per place and child units listed per place.
MAX_SITES = 60
MAX_CHILDREN = 40

_ACCESS_CATEGORY = {
    AccessLevel.ACCESSIBLE: MapCategory.ACCESSIBLE,
    AccessLevel.RESTRICTED: MapCategory.RESTRICTED,
    AccessLevel.NO_GO: MapCategory.NO_GO,
}


# --- summary ----------------------------------------------------------------------------------


def _language_name(language: str) -> str:
    try:
        return str(translation.get_language_info(language)["name_translated"])
    except KeyError:
        return language


def _summary(
    membership: Membership,
    places: list[DossierPlace],
    kind: str,
    language: str,
    now: dt.datetime,
    left_out: list[str],
) -> Section:
    level = RecordSensitivity(int(clearance_for(membership.role))).label
    rows = [
        (_("Places covered"), ", ".join(p.label for p in places)),
        (_("Kind"), _("Route") if kind == DossierKind.ROUTE else _("Place")),
        (_("Prepared for"), membership.user.username),
        (_("Clearance"), str(level)),
        (_("Language"), _language_name(language)),
        (_("Generated"), date_format(now.date())),
    ]
    blocks: list[Block] = [
        KeyValueTable(rows),
        Paragraph(
            _(
                "This dossier was filtered for its reader: it holds only what their role, "
                "geographic scope and clearance allow. Do not pass it on. Only reviewed context "
                "entries are included."
            )
        ),
    ]
    if left_out:
        blocks.append(
            Paragraph(
                _("Not available for your role, and left out: %(sections)s.")
                % {"sections": ", ".join(left_out)}
            )
        )
    return Section(_("Summary"), blocks)


# --- map --------------------------------------------------------------------------------------


def _category(status: AccessStatus | None, *, show_access: bool) -> MapCategory:
    if not show_access:
        return MapCategory.ADMIN_UNIT
    if status is None:
        return MapCategory.UNKNOWN
    return _ACCESS_CATEGORY.get(AccessLevel(status.level), MapCategory.UNKNOWN)


def _unit_feature(unit: AdminUnit, label: str, category: MapCategory) -> MapFeature | None:
    if isinstance(unit.boundary, dict) and unit.boundary.get("type"):
        return MapFeature(unit.boundary, label, category)
    if unit.centroid_lon is not None and unit.centroid_lat is not None:
        point = {"type": "Point", "coordinates": [unit.centroid_lon, unit.centroid_lat]}
        return MapFeature(point, label, category)
    return None


def _site_feature(site: Site, label: str, category: MapCategory) -> MapFeature:
    point = {"type": "Point", "coordinates": [site.longitude, site.latitude]}
    return MapFeature(point, label, category)


def _stop(place: DossierPlace) -> RouteStop | None:
    if place.site is not None:
        return RouteStop(place.site.longitude, place.site.latitude, place.name)
    unit = place.unit
    if unit.centroid_lon is None or unit.centroid_lat is None:
        return None
    return RouteStop(unit.centroid_lon, unit.centroid_lat, place.name)


def _map(
    membership: Membership,
    places: list[DossierPlace],
    kind: str,
    language: str,
    today: dt.date,
) -> Section:
    show_access = role_has(membership.role, Perm.PLACE_VIEW)
    units = list({p.unit.pk: p.unit for p in places}.values())  # a site: its unit too
    children: list[AdminUnit] = []
    if kind == DossierKind.PLACE:
        for unit in units:
            children.extend(admin_unit_children(membership=membership, unit=unit)[:MAX_CHILDREN])
    status = (
        access_current_for_units(membership=membership, units=[*units, *children], today=today)
        if show_access
        else {}
    )
    features: list[MapFeature] = []
    for unit in [*units, *children]:
        feature = _unit_feature(
            unit,
            localised_name(unit, language),
            _category(status.get(unit.pk), show_access=show_access),
        )
        if feature is not None:
            features.append(feature)
    for place in places:
        if place.site is not None:
            current = (
                access_current(membership=membership, place=place.site, today=today)
                if show_access
                else None
            )
            category = MapCategory.SITE if current is None else _category(current, show_access=True)
            features.append(_site_feature(place.site, place.name, category))
        elif kind == DossierKind.PLACE:
            for site in sites_in_unit(membership=membership, unit=place.unit)[:MAX_SITES]:
                features.append(
                    _site_feature(site, localised_name(site, language), MapCategory.SITE)
                )
    route: list[RouteStop] = []
    if kind == DossierKind.ROUTE:
        route = [stop for stop in (_stop(p) for p in places) if stop is not None]
    caption = (
        _("Areas are coloured by their current access status.")
        if show_access
        else _("Access status is not available for your role.")
    )
    return Section(_("Map"), [MapBlock(MapData(features=features, route=route), caption=caption)])


# --- context entries --------------------------------------------------------------------------


def _translations(
    entries: Sequence[KnowledgeEntry], language: str
) -> dict[int, KnowledgeTranslation]:
    base = language.split("-")[0]
    found: dict[int, KnowledgeTranslation] = {}
    rows = KnowledgeTranslation.objects.filter(
        entry_id__in=[e.pk for e in entries], language__in={language, base}
    )
    for row in rows:
        if row.entry_id not in found or row.language == language:
            found[row.entry_id] = row
    return found


def _entry_block(
    entry: KnowledgeEntry,
    translated: KnowledgeTranslation | None,
    *,
    place: DossierPlace,
    show_source: bool,
    language: str,
    now: dt.datetime,
) -> Paragraph:
    title, body = entry.title, entry.body
    notes: list[str] = [
        _("Classification: %(level)s") % {"level": RecordSensitivity(entry.sensitivity).label}
    ]
    if translated is not None and entry.language.split("-")[0] != language.split("-")[0]:
        title, body = translated.title, translated.body
        if translated.source_version < entry.version:
            notes.append(_("translated from an earlier version"))
    elif entry.language.split("-")[0] != language.split("-")[0]:
        notes.append(_("in the original language (%(language)s)") % {"language": entry.language})
    if show_source:
        notes.append(_("Source: %(source)s") % {"source": entry.source})
    site = place.site
    own = (site is not None and entry.site_id == site.pk) or (
        site is None and entry.admin_unit_id == place.unit.pk
    )
    if not own and entry.admin_unit is not None:
        notes.append(_("from %(place)s") % {"place": localised_name(entry.admin_unit, language)})
    if entry.reviewed_at is not None:
        notes.append(_("reviewed %(date)s") % {"date": date_format(entry.reviewed_at.date())})
    if entry.valid_until is not None:
        notes.append(_("valid until %(date)s") % {"date": date_format(entry.valid_until)})
    if entry_is_stale(entry, now=now):
        notes.append(_("due for review"))
    meta = " · ".join(md_escape(n) for n in notes)
    return Paragraph(f"#### {md_escape(title)}\n\n{body}\n\n*{meta}*")


def _context(
    membership: Membership,
    places: list[DossierPlace],
    language: str,
    now: dt.datetime,
) -> list[Section]:
    show_source = "source" in readable_fields(membership, KnowledgeEntry)
    topic_labels = dict(Topic.choices)
    topic_order = {value: index for index, value in enumerate(Topic.values)}
    shown: dict[int, str] = {}
    sections: list[Section] = []
    for place in places:
        if place.site is not None:
            found = entries_applying_to_site(membership=membership, site=place.site)
        else:
            found = entries_applying_to_unit(membership=membership, unit=place.unit)
        entries = sorted(
            found.filter(status=EntryStatus.REVIEWED).select_related("admin_unit"),
            key=lambda e: (topic_order.get(e.topic, 99), e.title, e.pk),
        )
        translated = _translations(entries, language)
        blocks: list[Block] = []
        seen_before: list[str] = []
        topic = ""
        for entry in entries:
            if entry.pk in shown:
                seen_before.append(
                    _("%(title)s (see %(place)s)")
                    % {"title": entry.title, "place": shown[entry.pk]}
                )
                continue
            shown[entry.pk] = place.name
            if entry.topic != topic:
                topic = entry.topic
                blocks.append(Paragraph(f"### {md_escape(str(topic_labels.get(topic, topic)))}"))
            blocks.append(
                _entry_block(
                    entry,
                    translated.get(entry.pk),
                    place=place,
                    show_source=show_source,
                    language=language,
                    now=now,
                )
            )
        if seen_before:
            blocks.append(Paragraph(md_escape(_("Also applies here, shown above:"))))
            blocks.append(BulletList(seen_before))
        if not blocks:
            blocks.append(Paragraph(md_escape(_("No reviewed context entries for this place."))))
        sections.append(Section(_("Context: %(place)s") % {"place": place.name}, blocks))
    return sections


# --- calendar ---------------------------------------------------------------------------------


def _event_place(event: CalendarEvent, language: str) -> str:
    if event.site is not None:
        return localised_name(event.site, language)
    if event.admin_unit is not None:
        return localised_name(event.admin_unit, language)
    return _("Whole mission")


def _calendar(
    membership: Membership, places: list[DossierPlace], language: str, today: dt.date
) -> Section:
    end = today + dt.timedelta(days=UPCOMING_DAYS)
    events: dict[int, CalendarEvent] = {}
    for unit in {p.unit.pk: p.unit for p in places}.values():
        # what is observed there (mission-wide, the unit and above) and at places inside it
        # (a province's market days and ceremonies matter to whoever is briefed on it)
        inside = events_visible(membership=membership).filter(
            Q(admin_unit__path__startswith=unit.path)
            | Q(site__admin_unit__path__startswith=unit.path),
            is_active=True,
        )
        applying = events_applying_to_unit(membership=membership, unit=unit)
        for query in (applying, inside):
            for event in query.select_related("admin_unit", "site"):
                events.setdefault(event.pk, event)
    upcoming: list[UpcomingEvent] = []
    for event in events.values():
        try:
            found = occurrences(rule_of(event, language), today, end)
        except ValueError:
            logger.warning("calendar event %s has an invalid rule; left out", event.pk)
            continue
        for occurrence in found[:MAX_OCCURRENCES_PER_EVENT]:
            upcoming.append(
                UpcomingEvent(
                    start=occurrence.start,
                    end=occurrence.end,
                    title=str(occurrence.label),
                    place=_event_place(event, language),
                    note=event.note,
                )
            )
    upcoming.sort(key=lambda e: (e.start, e.title))
    return Section(
        _("Upcoming calendar (next %(days)s days)") % {"days": UPCOMING_DAYS},
        [EventList(upcoming[:MAX_EVENTS])],
    )


# --- access -----------------------------------------------------------------------------------


def _access(
    membership: Membership, places: list[DossierPlace], language: str, today: dt.date
) -> Section:
    show_reason = "reason" in readable_fields(membership, AccessStatus)
    levels = dict(AccessLevel.choices)
    rows: list[list[str]] = []

    def row(name: str, status: AccessStatus | None) -> list[str]:
        if status is None:
            return [name, _("Not assessed"), "", ""]
        return [
            name,
            str(levels.get(status.level, status.level)),
            date_format(status.effective_from),
            status.reason if show_reason else "",
        ]

    for place in places:
        rows.append(
            row(place.label, access_current(membership=membership, place=place.place, today=today))
        )
        if place.site is None:
            children = list(
                admin_unit_children(membership=membership, unit=place.unit)[:MAX_CHILDREN]
            )
            current = access_current_for_units(membership=membership, units=children, today=today)
            for child in children:
                if child.pk in current:
                    rows.append(
                        row(f"{place.name} / {localised_name(child, language)}", current[child.pk])
                    )
    headers = [_("Place"), _("Access"), _("Since"), _("Reason")]
    if not show_reason:
        headers = headers[:3]
        rows = [r[:3] for r in rows]
    return Section(_("Access status"), [Table(headers, rows)])


# --- the dossier ------------------------------------------------------------------------------


def _title(places: list[DossierPlace], kind: str) -> tuple[str, str]:
    if kind == DossierKind.ROUTE:
        title = _("Route briefing: %(start)s to %(end)s") % {
            "start": places[0].name,
            "end": places[-1].name,
        }
        return title, " → ".join(p.name for p in places)
    return _("Briefing: %(place)s") % {"place": places[0].name}, places[0].code


def dossier_content(
    *,
    membership: Membership,
    places: Sequence[AdminUnit | Site],
    kind: str,
    language: str,
    now: dt.datetime,
    progress: ProgressFn | None = None,
) -> DossierContent:
    """The dossier of ``places`` (one for a place, the stops in order for a route) for the
    reader ``membership``, in ``language``. ``progress(percent, message)`` is called between
    sections. Raises ValueError for a bad kind or no place, PermissionDenied when the membership
    is inactive or a place is outside the reader's mission or scope."""
    if kind not in DossierKind.values:
        raise ValueError("unknown dossier kind")
    if not places:
        raise ValueError("no place")
    if not membership.is_active:
        raise PermissionDenied("inactive membership")

    def step(percent: int, message: str) -> None:
        if progress is not None:
            progress(percent, message)

    with translation.override(language):
        resolved = resolve_places(membership, list(places), language)
        today = now.astimezone(zone_of(membership.mission)).date()
        role = membership.role
        allowed = {
            "actors": role_has(role, Perm.ACTOR_VIEW),
            "feedback": role_has(role, Perm.MESSAGE_VIEW),
            "cases": role_has(role, Perm.CASE_VIEW),
            "commitments": role_has(role, Perm.COMMITMENT_VIEW),
            "access": role_has(role, Perm.PLACE_VIEW),
        }
        names = {
            "actors": _("Key actors"),
            "feedback": _("Feedback themes"),
            "cases": _("Alerts and cases"),
            "commitments": _("Open commitments"),
            "access": _("Access status"),
        }
        left_out = [names[key] for key, ok in allowed.items() if not ok]
        sections: list[Section] = [_summary(membership, resolved, kind, language, now, left_out)]
        step(5, _("Drawing the map"))
        sections.append(_map(membership, resolved, kind, language, today))
        step(20, _("Reading context entries"))
        sections.extend(_context(membership, resolved, language, now))
        if allowed["actors"]:
            step(40, _("Listing key actors"))
            sections.append(actors_section(membership, resolved, language))
        if allowed["feedback"]:
            step(50, _("Counting feedback themes"))
            sections.append(feedback_section(membership, resolved, now))
        if allowed["cases"]:
            step(60, _("Summarising alerts and cases"))
            sections.append(cases_section(membership, resolved, now))
        if allowed["commitments"]:
            step(70, _("Listing open commitments"))
            sections.append(commitments_section(membership, resolved, today))
        step(80, _("Reading the calendar"))
        sections.append(_calendar(membership, resolved, language, today))
        if allowed["access"]:
            step(90, _("Reading access status"))
            sections.append(_access(membership, resolved, language, today))
        title, subtitle = _title(resolved, kind)
        level = RecordSensitivity(int(clearance_for(role))).label
        reader = membership.user.username
        content = DossierContent(
            title=title,
            subtitle=subtitle,
            language=language,
            generated_at=now,
            reader=reader,
            classification=_("%(level)s — for %(reader)s") % {"level": level, "reader": reader},
            sections=sections,
        )
        step(95, _("Dossier content ready"))
    return content
