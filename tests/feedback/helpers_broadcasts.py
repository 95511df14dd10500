"""Helpers for the broadcast and rumour tests: reporters who opted in (by a START message),
numbers that opt out (by a STOP message), consenting actors, and broadcasts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from palava.actors.models import Actor, ActorKind
from palava.actors.services import actor_set_contact
from palava.core import crypto
from palava.feedback.broadcasts.services import broadcast_create
from palava.feedback.models import Broadcast, Channel, Reporter
from palava.feedback.outbound.optout import keywords_apply
from palava.missions.models import Mission
from palava.places.models import AdminUnit
from tests.factories import ActorFactory, ConsentFactory, RelationshipFactory
from tests.feedback.helpers_inbox import make_message

_numbers = itertools.count(100001)


def new_phone() -> str:
    return f"+24381{next(_numbers):07d}"


def pseudonym_of(phone: str) -> str:
    return crypto.pseudonym(crypto.normalise_phone(phone), kind="phone")


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def keyword(inbound: Channel, phone: str, word: str) -> None:
    """The number sends ``word`` (STOP, START, ARRET, توقف...) and the keyword is applied as
    triage applies it."""
    message = make_message(inbound, word, phone=phone, reporter=True)
    keywords_apply([message], now=timezone.now())


def opted_in_reporter(
    inbound: Channel, unit: AdminUnit | None, *, phone: str = "", language: str = "fr"
) -> tuple[Reporter, str]:
    """A reporter who wrote from ``unit`` and then sent START."""
    phone = phone or new_phone()
    make_message(
        inbound,
        "Le point d'eau est en panne depuis une semaine",
        phone=phone,
        unit=unit,
        language=language,
        reporter=True,
    )
    keyword(inbound, phone, "START")
    reporter = Reporter.objects.get(mission_id=inbound.mission_id, pseudonym=pseudonym_of(phone))
    return reporter, phone


def consenting_actor(
    mission: Mission,
    unit: AdminUnit | None,
    *,
    phone: str = "",
    languages: Sequence[str] = ("fr",),
    consent: bool = True,
    **kwargs: Any,
) -> tuple[Actor, str]:
    phone = phone or new_phone()
    actor: Actor = ActorFactory(
        mission=mission, admin_unit=unit, languages=list(languages), **kwargs
    )
    actor = actor_set_contact(actor=None, record=actor, phone=phone)
    if consent:
        ConsentFactory(record=actor, purposes=["contact_message", "store_contact"])
    return actor, phone


def group(mission: Mission, name: str = "Women's association") -> Actor:
    return ActorFactory(mission=mission, kind=ActorKind.GROUP, actor_type="womens_group", name=name)


def member(person: Actor, of: Actor) -> None:
    RelationshipFactory(source=person, target=of, kind="member_of")


def broadcast(mission: Mission, channel: Channel, **kwargs: Any) -> Broadcast:
    values: dict[str, Any] = {
        "title": "Distribution de vivres",
        "texts": {
            "fr": "La distribution aura lieu samedi au marché.",
            "en": "The distribution is on Saturday at the market.",
        },
        "default_language": "fr",
        "to_reporters": True,
        "to_actors": True,
    }
    values.update(kwargs)
    return broadcast_create(mission=mission, actor="test", channel=channel, **values)


# --- Samples for tests/missions/test_matrix.py ------------------------------------------------


def sample_broadcast(mission: Mission) -> Broadcast:
    """A draft broadcast to everywhere (every role with broadcast.view sees it), through a
    sandbox channel (so it can be scheduled)."""
    from tests.feedback.helpers_outbound import sending_channel

    channel, _secret = sending_channel(mission, mode="sandbox")
    return broadcast_create(
        mission=mission,
        actor="test",
        title="Matrix broadcast",
        texts={"fr": "Réunion communautaire samedi."},
        default_language="fr",
        channel=channel,
    )


def sample_broadcast_body(mission: Mission) -> dict[str, Any]:
    from tests.feedback.helpers_inbox import make_channel

    return {
        "title": "Matrix broadcast by API",
        "texts": {"fr": "Réunion communautaire samedi."},
        "default_language": "fr",
        "channel": str(make_channel(mission).public_id),
    }


def sample_rumour(mission: Mission) -> Any:
    """A rumour without a place (whole-mission members see it)."""
    from palava.feedback.rumours.services import rumour_create
    from palava.missions.models import Role
    from tests.feedback.helpers_inbox import member_in

    author = member_in(mission, Role.ADMIN)
    return rumour_create(mission=mission, actor="test", membership=author, claim="Matrix rumour")
