"""Dossier sections drawn from other apps' records: key actors, feedback themes, alerts and
cases, open commitments.

Every read starts from the owning app's visibility selector for the reader (mission, scope,
clearance, restricted queue); the caller leaves a section out when the reader's role lacks the
permission to read that data elsewhere. Field by field, only what the reader's clearance allows
is written (``readable_fields``), and never contact details, message text, reporters, case titles
or summaries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palava.actors.models import Actor, ActorKind, ActorType, Stance
from palava.actors.selectors import actors_visible, readable_fields
from palava.context.dossier.content import Block, KeyValueTable, Paragraph, Section, Table
from palava.context.dossier.gather_places import DossierPlace, localised_name, places_q
from palava.engagement.models import Commitment
from palava.engagement.models.commitments import OPEN_STATUSES as COMMITMENT_OPEN
from palava.engagement.selectors import commitments_visible
from palava.feedback.cases.selectors import cases_visible
from palava.feedback.models import CaseStatus, CaseType, Category, Urgency
from palava.feedback.selectors import label_of, messages_visible
from palava.missions.models import Membership

#: Most actors listed, by influence.
MAX_ACTORS = 15
#: Most commitments listed (the soonest due first).
MAX_COMMITMENTS = 50
#: Feedback window and the smallest count shown exactly.
THEME_DAYS = 90
SMALL_COUNT = 5
#: Fields an actor's card may show, in order (contact fields are never among them).
ACTOR_FIELDS: tuple[str, ...] = (
    "kind",
    "actor_type",
    "title",
    "admin_unit",
    "languages",
    "influence",
    "stance_peace_process",
    "stance_mission",
    "notes",
)
_NEVER = frozenset({"phone", "email", "contact_other", "phone_pseudonym", "email_pseudonym"})


def _choice(choices: type[ActorKind] | type[ActorType] | type[Stance], value: object) -> str:
    labels = {str(k): str(v) for k, v in choices.choices}
    return labels.get(str(value), "") if value not in (None, "") else ""


def _actor_value(actor: Actor, name: str, language: str) -> str:
    if name == "kind":
        return _choice(ActorKind, actor.kind)
    if name == "actor_type":
        return _choice(ActorType, actor.actor_type)
    if name in ("stance_peace_process", "stance_mission"):
        return _choice(Stance, getattr(actor, name))
    if name == "admin_unit":
        return localised_name(actor.admin_unit, language) if actor.admin_unit else ""
    if name == "languages":
        values = actor.languages if isinstance(actor.languages, list) else []
        return ", ".join(str(v) for v in values)
    if name == "influence":
        return _("%(value)s of 5") % {"value": actor.influence} if actor.influence else ""
    return str(getattr(actor, name) or "")


def actors_section(membership: Membership, places: list[DossierPlace], language: str) -> Section:
    """The most influential actors of the places the reader may see: readable fields only."""
    readable = (readable_fields(membership, Actor) & set(ACTOR_FIELDS)) - _NEVER
    condition = places_q(places, site_field="site")
    for place in places:
        if place.site is None:
            condition |= Q(places__path__startswith=place.unit.path)
    ids = (
        actors_visible(membership=membership)
        .filter(condition)
        .values_list("pk", flat=True)
        .distinct()
    )
    found = (
        actors_visible(membership=membership)
        .filter(pk__in=list(ids))
        .select_related("admin_unit")
        .order_by(F("influence").desc(nulls_last=True), "name", "id")[:MAX_ACTORS]
    )
    labels = {
        name: str(getattr(Actor._meta.get_field(name), "verbose_name", name))
        for name in ACTOR_FIELDS
    }
    blocks: list[Block] = []
    for actor in found:
        rows = [
            (labels[name].capitalize(), _actor_value(actor, name, language))
            for name in ACTOR_FIELDS
            if name in readable
        ]
        blocks.append(KeyValueTable([(k, v) for k, v in rows if v], caption=actor.name))
    if not blocks:
        blocks.append(Paragraph(_("No actors recorded for these places.")))
    return Section(_("Key actors"), blocks)


def _count_text(count: int) -> str:
    if count < SMALL_COUNT:
        return _("fewer than %(n)s") % {"n": SMALL_COUNT}
    return str(count)


def _trend(current: int, previous: int) -> str:
    if current < SMALL_COUNT or previous < SMALL_COUNT:
        return _("not enough reports")
    change = round((current - previous) * 100 / previous)
    if abs(change) < 10:
        return _("stable")
    if change > 0:
        return _("up %(percent)s%%") % {"percent": change}
    return _("down %(percent)s%%") % {"percent": -change}


def feedback_section(
    membership: Membership, places: list[DossierPlace], now: dt.datetime
) -> Section:
    """Messages of the last 90 days by category, with the trend against the 90 days before.
    Counts only (below five: "fewer than 5"); never text, reporters or single messages."""
    start = now - dt.timedelta(days=THEME_DAYS)
    before = start - dt.timedelta(days=THEME_DAYS)
    visible = messages_visible(membership).filter(places_q(places, site_field="site"))
    current: Counter[int | None] = Counter()
    previous: Counter[int | None] = Counter()
    for counter, since, until in ((current, start, now), (previous, before, start)):
        rows = (
            visible.filter(received_at__gte=since, received_at__lt=until)
            .values("category_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counter[row["category_id"]] += row["n"]
    keys = set(current) | set(previous)
    categories = {
        c.pk: c
        for c in Category.objects.filter(
            mission_id=membership.mission_id, pk__in=[k for k in keys if k is not None]
        ).select_related("parent")
    }

    def label(key: int | None) -> str:
        category = categories.get(key) if key is not None else None
        return label_of(category) if category is not None else _("Not yet classified")

    ordered = sorted(keys, key=lambda k: (-current[k], -previous[k], label(k)))
    table_rows = [
        [
            label(k),
            _count_text(current[k]),
            _count_text(previous[k]),
            _trend(current[k], previous[k]),
        ]
        for k in ordered
    ]
    total_now, total_before = sum(current.values()), sum(previous.values())
    blocks: list[Block] = [
        Paragraph(
            _(
                "Messages received about these places, by category. Counts below %(n)s are not "
                "shown exactly; no message text or sender is included."
            )
            % {"n": SMALL_COUNT}
        ),
        Table(
            [_("Category"), _("Last 90 days"), _("Previous 90 days"), _("Trend")],
            [
                *table_rows,
                [
                    _("All messages"),
                    _count_text(total_now),
                    _count_text(total_before),
                    _trend(total_now, total_before),
                ],
            ],
        ),
    ]
    return Section(_("Feedback themes"), blocks)


def cases_section(membership: Membership, places: list[DossierPlace], now: dt.datetime) -> Section:
    """Open alerts and cases as counts by type, category, urgency and status, and the age of the
    oldest; no case title, summary, reporter or assignee."""
    found = (
        cases_visible(membership)
        .filter(places_q(places, site_field="site"))
        .exclude(status=CaseStatus.CLOSED)
    )
    total = found.count()
    if total == 0:
        return Section(_("Alerts and cases"), [Paragraph(_("No open alerts or cases."))])
    alerts = found.filter(case_type=CaseType.ALERT).count()
    pressing = found.filter(urgency__in=[Urgency.LIFE_THREATENING, Urgency.URGENT]).count()
    oldest = found.order_by("opened_at").values_list("opened_at", flat=True).first()
    age_days = max(0, (now - oldest).days) if oldest is not None else 0
    summary = [
        (_("Open cases"), str(total)),
        (_("Of which alerts"), str(alerts)),
        (_("Urgent or life-threatening"), str(pressing)),
        (
            _("Oldest open case"),
            ngettext("opened %(days)s day ago", "opened %(days)s days ago", age_days)
            % {"days": age_days},
        ),
    ]
    by_category = Counter[int | None](found.values_list("category_id", flat=True))
    categories = {
        c.pk: c
        for c in Category.objects.filter(
            mission_id=membership.mission_id, pk__in=[k for k in by_category if k is not None]
        )
    }
    category_rows = [
        [label_of(categories.get(k)) if k in categories else _("Not yet classified"), str(n)]
        for k, n in sorted(by_category.items(), key=lambda kv: -kv[1])
    ]
    status_labels = dict(CaseStatus.choices)
    urgency_labels = dict(Urgency.choices)
    by_status = Counter(found.values_list("status", flat=True))
    by_urgency = Counter(found.values_list("urgency", flat=True))
    return Section(
        _("Alerts and cases"),
        [
            KeyValueTable(summary),
            Table([_("Category"), _("Open")], category_rows, caption=_("By category")),
            Table(
                [_("Status"), _("Open")],
                [[str(status_labels.get(s, s)), str(n)] for s, n in by_status.most_common()],
                caption=_("By status"),
            ),
            Table(
                [_("Urgency"), _("Open")],
                [
                    [str(urgency_labels.get(u, "")) or _("Not assessed"), str(n)]
                    for u, n in by_urgency.most_common()
                ],
                caption=_("By urgency"),
            ),
        ],
    )


def commitments_section(
    membership: Membership, places: list[DossierPlace], today: dt.date
) -> Section:
    """Open commitments at the places (each filtered by its own classification)."""
    readable = readable_fields(membership, Commitment)
    found = (
        commitments_visible(membership=membership)
        .filter(places_q(places, site_field=None), status__in=list(COMMITMENT_OPEN))
        .order_by(F("due_date").asc(nulls_last=True), "number")
    )
    total = found.count()
    status_labels = dict(Commitment._meta.get_field("status").choices or [])
    rows: list[list[str]] = []
    for item in found[:MAX_COMMITMENTS]:
        status = str(status_labels.get(item.status, item.status))
        if item.due_date is not None and item.due_date < today:
            status = _("%(status)s (overdue)") % {"status": status}
        rows.append(
            [
                item.reference,
                item.description if "description" in readable else "",
                item.made_by_name if "made_by_name" in readable else "",
                item.made_to_name if "made_to_name" in readable else "",
                date_format(item.due_date) if item.due_date and "due_date" in readable else "",
                status,
            ]
        )
    blocks: list[Block] = [
        Table(
            [_("No."), _("What was promised"), _("Made by"), _("Made to"), _("Due"), _("Status")],
            rows,
        )
    ]
    if total > MAX_COMMITMENTS:
        blocks.append(
            Paragraph(
                _("%(shown)s of %(total)s open commitments shown (the soonest due).")
                % {"shown": MAX_COMMITMENTS, "total": total}
            )
        )
    return Section(_("Open commitments"), blocks)
