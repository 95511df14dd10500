"""Helpers for the triage, clustering, training and evaluation-page tests: a small geography
with boundaries and sites, channels, and messages stored through ``message_ingest``."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from palava.feedback.channel_services import channel_create
from palava.feedback.ingest import message_ingest
from palava.feedback.models import Channel, ChannelType, Message
from palava.missions.models import Mission
from palava.places.models import AdminUnit, Site, SiteKind
from palava.places.services import admin_unit_create, site_create

DATA = Path(__file__).resolve().parent / "data"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.get_fixed_timezone(0))
_ids = itertools.count(1)


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    """A GeoJSON square polygon with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass(frozen=True)
class Geo:
    mission: Mission
    country: AdminUnit
    north: AdminUnit  # province with a boundary: lon 29..33, lat -2..2
    beni: AdminUnit  # territory without a boundary, inside north
    goma: AdminUnit  # territory with a boundary: lon 29..29.5, lat -2..-1.5
    kiwanja: Site  # a village in north / beni, at (0.6, 29.5)
    mutwanga: Site  # a village in north / beni, at (0.3, 29.8)
    south_kalehe: AdminUnit  # a unit named "Kalehe" in the south
    north_kalehe: Site  # a site also named "Kalehe", in the north


def make_geo(mission: Mission) -> Geo:
    def unit(pcode: str, level: int, name: str, parent: Any, **kw: Any) -> AdminUnit:
        return admin_unit_create(
            actor=None, mission=mission, pcode=pcode, level=level, name=name, parent=parent, **kw
        )

    def site(code: str, name: str, unit: AdminUnit, lat: float, lon: float, **kw: Any) -> Site:
        return site_create(
            actor=None,
            mission=mission,
            code=code,
            name=name,
            kind=SiteKind.VILLAGE,
            latitude=lat,
            longitude=lon,
            admin_unit=unit,
            **kw,
        )

    country = unit("CD", 0, "Congo", None)
    north = unit("CD61", 1, "Nord-Kivu", country, boundary=square(29.0, -2.0, 4.0))
    beni = unit("CD6101", 2, "Béni", north, alt_names=["Beni-Ville"])
    goma = unit("CD6102", 2, "Goma", north, boundary=square(29.0, -2.0, 0.5))
    south = unit("CD62", 1, "Sud-Kivu", country)
    south_kalehe = unit("CD6201", 2, "Kalehe", south)
    kiwanja = site("KIW", "Kiwanja", beni, 0.6, 29.5, alt_names=["Kiwandja"])
    mutwanga = site("MUT", "Mutwanga", beni, 0.3, 29.8)
    north_kalehe = site("KAL", "Kalehe", beni, 0.9, 29.9)
    site("KANY", "Kanyabayonga", beni, 0.7, 29.2)
    return Geo(mission, country, north, beni, goma, kiwanja, mutwanga, south_kalehe, north_kalehe)


def make_channel(
    mission: Mission, *, name: str = "", default_admin_unit: AdminUnit | None = None
) -> Channel:
    return channel_create(
        actor=None,
        mission=mission,
        name=name or f"SMS {next(_ids)}",
        channel_type=ChannelType.GENERIC,
        default_admin_unit=default_admin_unit,
    ).channel


def receive(
    channel: Channel,
    body: str,
    *,
    phone: str = "",
    at: datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    given_place: str = "",
    given_language: str = "",
) -> Message:
    """A message stored through the real ingest service."""
    return message_ingest(
        channel=channel,
        provider_message_id=f"pm-{next(_ids)}",
        body=body,
        sender_phone=phone,
        received_at=at or T0,
        latitude=lat,
        longitude=lon,
        given_place=given_place,
        given_language=given_language,
    ).message


def sample_rows(name: str = "language_sample.csv") -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def code_of(message: Message) -> str:
    """The code of the message's category (which must be set)."""
    assert message.category is not None, f"{message} has no category"
    return message.category.code


def cluster_of(message: Message) -> Any:
    """The message's cluster (which must be set)."""
    assert message.cluster is not None, f"{message} has no cluster"
    return message.cluster


# --- Staff labels ----------------------------------------------------------------------------

LINGALA: dict[str, list[str]] = {
    # Lingala, which no shipped lexicon knows: only a model trained on staff labels can learn it
    "need_water": [
        "mai ya komela ezali te na {place}",
        "pompe ya mai ebebi na {place} mikolo {n}",
        "tozali na mposa ya mai peto na {place}",
        "basi batambolaka mosika mpo na koluka mai {place}",
    ],
    "need_food": [
        "nzala makasi na {place}, bilei ezali te",
        "bana bazali na nzala na {place}",
        "tozali kolia te mikolo {n} na {place}",
        "kabo ya bilei eyaki te na {place}",
    ],
    "security_threat": [
        "bato ya bibundeli bazali koya na {place}",
        "mampinga mingi bamonani pene ya {place}",
        "bato ya mandoki bazali kozinga {place}",
        "banguna bazali kobongisa kobundisa {place} butu oyo",
    ],
    "positive_feedback": [
        "matondo mingi mpo na patrouille na {place}",
        "tosepeli mingi na mosala na bino na {place}",
        "botondi bino mpo na lisalisi na {place}",
        "Nzambe apambola bino mpo na {place}",
    ],
}
LINGALA_PLACES = ["Mbandaka", "Gemena", "Lisala", "Bumba", "Basankusu", "Boende", "Libenge"]


def lingala_messages(count_per_class: int) -> list[tuple[str, str]]:
    """``(text, category code)`` pairs, varied by template, place and number."""
    out = []
    for code, templates in LINGALA.items():
        for i in range(count_per_class):
            template = templates[i % len(templates)]
            place = LINGALA_PLACES[(i * 3 + len(code)) % len(LINGALA_PLACES)]
            out.append((template.format(place=place, n=i % 9 + 2), code))
    return out


def staff_labelled(
    mission: Mission, pairs: list[tuple[str, str]], *, urgency: str | None = None
) -> list[Message]:
    """Messages stored, triaged, then labelled by a manager through the inbox's service."""
    from palava.feedback.services import message_relabel
    from palava.feedback.triage import categories_ensure, triage_pending
    from palava.missions.models import Role
    from tests.factories import MembershipFactory

    channel = make_channel(mission)
    messages = [receive(channel, text, at=T0 + hours(i)) for i, (text, _code) in enumerate(pairs)]
    triage_pending()
    categories = categories_ensure(mission)
    manager = MembershipFactory(mission=mission, role=Role.MANAGER)
    return [
        message_relabel(
            actor=manager.user,
            membership=manager,
            message=message,
            category=categories[code],
            urgency=urgency,
        )
        for message, (_text, code) in zip(messages, pairs, strict=True)
    ]
