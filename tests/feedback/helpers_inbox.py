"""Helpers for the inbox tests: a small geography, the default categories, channels, and
messages stored through ``message_ingest`` then labelled as triage would label them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from palava.feedback.channel_services import channel_create
from palava.feedback.ingest import message_ingest
from palava.feedback.models import (
    Category,
    Channel,
    ChannelType,
    Cluster,
    LabelSource,
    Message,
    MessageStatus,
    Reporter,
)
from palava.feedback.taxonomy import DEFAULT_CATEGORIES
from palava.missions.models import Membership, Mission, Role
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_create, membership_scope_set
from tests.factories import MembershipFactory

PHONE = "+243 990 123 456"
PHONE_DIGITS = "243990123456"
SECRET_WORD = "zanzibarique"  # only in the restricted message's body
RESTRICTED_BODY = f"A peacekeeper abused a girl near the camp {SECRET_WORD}"
ROLES_WITH_VIEW = [r for r in Role if role_has(r, Perm.MESSAGE_VIEW)]
ROLES_NOT_RESTRICTED = [r for r in ROLES_WITH_VIEW if not role_has(r, Perm.MESSAGE_RESTRICTED_VIEW)]
ROLES_RESTRICTED = [r for r in ROLES_WITH_VIEW if role_has(r, Perm.MESSAGE_RESTRICTED_VIEW)]

_ids = itertools.count(1)


@dataclass(frozen=True)
class Geo:
    mission: Mission
    country: AdminUnit
    north: AdminUnit  # province CD10
    north_town: AdminUnit  # territory CD1001
    south: AdminUnit  # province CD20
    south_town: AdminUnit  # territory CD2001


def make_geo(mission: Mission) -> Geo:
    def unit(pcode: str, level: int, name: str, parent: Any, lat: float, lon: float) -> Any:
        return admin_unit_create(
            actor=None,
            mission=mission,
            pcode=pcode,
            level=level,
            name=name,
            parent=parent,
            centroid_lat=lat,
            centroid_lon=lon,
        )

    country = unit("CD", 0, "Congo", None, -2.0, 23.0)
    north = unit("CD10", 1, "Nord", country, 0.5, 29.0)
    south = unit("CD20", 1, "Sud", country, -3.5, 28.5)
    north_town = unit("CD1001", 2, "Béni", north, 0.49, 29.47)
    south_town = unit("CD2001", 2, "Uvira", south, -3.39, 29.14)
    return Geo(mission, country, north, north_town, south, south_town)


def categories(mission: Mission) -> dict[str, Category]:
    """The default taxonomy (through ``triage.categories_ensure`` once it exists)."""
    try:
        from palava.feedback.triage import categories_ensure
    except ImportError:
        pass
    else:
        return dict(categories_ensure(mission))
    found = {c.code: c for c in Category.objects.filter(mission=mission)}
    for order, default in enumerate(DEFAULT_CATEGORIES):
        if default.code in found:
            continue
        # No service creates categories yet (triage will); rows like the migration would.
        found[default.code] = Category.objects.create(
            mission=mission,
            code=default.code,
            name=str(default.label),
            parent=found.get(default.parent),
            is_restricted=default.restricted,
            sort_order=order,
        )
    return found


def make_channel(
    mission: Mission, channel_type: str = ChannelType.GENERIC, name: str = ""
) -> Channel:
    name = name or f"{channel_type} {next(_ids)}"
    return channel_create(actor=None, mission=mission, name=name, channel_type=channel_type).channel


def make_message(
    channel: Channel,
    body: str,
    *,
    phone: str = "",
    unit: AdminUnit | None = None,
    category: Category | None = None,
    urgency: str = "",
    language: str = "",
    status: str = MessageStatus.OPEN,
    received_at: datetime | None = None,
    cluster: Cluster | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    reporter: bool = False,
) -> Message:
    """A message stored by ingest, then labelled the way triage would label it."""
    message = message_ingest(
        channel=channel,
        provider_message_id=f"test-{next(_ids)}",
        body=body,
        sender_phone=phone,
        received_at=received_at,
        latitude=latitude,
        longitude=longitude,
    ).message
    restricted = bool(
        category and (category.is_restricted or (category.parent and category.parent.is_restricted))
    )
    fields: dict[str, Any] = {
        "admin_unit": unit,
        "place_source": LabelSource.TEXT if unit else "",
        "category": category,
        "category_source": LabelSource.LEXICON if category else "",
        "category_confidence": 0.8 if category else None,
        "urgency": urgency,
        "urgency_source": LabelSource.LEXICON if urgency else "",
        "language": language,
        "language_confidence": 0.9 if language else None,
        "status": status,
        "is_restricted": restricted,
        "cluster": cluster,
        "triaged_at": timezone.now() if status != MessageStatus.NEW else None,
        "triage_version": "lexicon-test" if status != MessageStatus.NEW else "",
    }
    if reporter and message.sender_pseudonym:
        fields["reporter"], _created = Reporter.objects.get_or_create(
            mission_id=channel.mission_id,
            pseudonym=message.sender_pseudonym,
            defaults={
                "phone": message.sender_phone,
                "first_seen_at": message.received_at,
                "last_seen_at": message.received_at,
            },
        )
    Message.objects.filter(pk=message.pk).update(**fields)
    return Message.objects.get(pk=message.pk)


def make_cluster(mission: Mission, *, category: Category | None = None, size: int = 1) -> Cluster:
    now = timezone.now()
    return Cluster.objects.create(
        mission=mission, category=category, first_at=now, last_at=now, size=size
    )


def member_in(mission: Mission, role: str, *units: AdminUnit) -> Membership:
    membership = MembershipFactory(mission=mission, role=role)
    if units:
        membership_scope_set(actor=None, membership=membership, units=units)
    return membership


def client_of(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def no_two_factor(mission: Mission) -> None:
    mission.require_two_factor = False
    mission.save(update_fields=["require_two_factor"])


MakeMember = Callable[..., Membership]
