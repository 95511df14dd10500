"""Consent: what was agreed, when and how; withdrawal; ``actor_has_consent`` over time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palava.actors.models import Consent
from palava.actors.selectors import actor_has_consent
from palava.actors.services import consent_record, consent_withdraw
from palava.audit.models import AuditEvent
from palava.missions.models import Mission
from tests.factories import ActorFactory, ConsentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _at(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


def test_consent_records_what_when_how_and_by_whom(mission: Mission) -> None:
    # given a liaison assistant and a chief
    clerk = UserFactory()
    chief = ActorFactory(mission=mission)
    # when verbal consent to be phoned is recorded, given ten days ago
    consent = consent_record(
        actor=clerk,
        record=chief,
        purposes=["contact_phone", "contact_phone", "store_contact"],
        method="verbal",
        given_at=_at(10),
        details="Agreed to be called about the dialogue forum",
    )
    # then it is kept with the recorder, and audited without the free text
    assert consent.purposes == ["contact_phone", "store_contact"]
    assert consent.recorded_by == clerk
    event = AuditEvent.objects.get(action="consent.record")
    assert event.changes["purposes"] == "contact_phone,store_contact"
    assert "details" not in event.changes


def test_has_consent_follows_the_purpose_and_time(mission: Mission) -> None:
    # given consent to phone, given 10 days ago
    chief = ActorFactory(mission=mission)
    ConsentFactory(record=chief, purposes=["contact_phone"], given_at=_at(10))
    # then it covers phoning now and 5 days ago, not 20 days ago, and not photographs
    assert actor_has_consent(chief, "contact_phone")
    assert actor_has_consent(chief, "contact_phone", at=_at(5))
    assert not actor_has_consent(chief, "contact_phone", at=_at(20))
    assert not actor_has_consent(chief, "photograph")


def test_withdrawal_ends_consent_from_then_on(mission: Mission) -> None:
    # given consent given 10 days ago
    chief = ActorFactory(mission=mission)
    consent = ConsentFactory(record=chief, purposes=["quote_publicly"], given_at=_at(10))
    # when it is withdrawn 3 days ago
    consent_withdraw(
        actor=None, consent=consent, reason="Threatened after the radio show", withdrawn_at=_at(3)
    )
    # then it held between the two dates, not after; the record stays
    assert actor_has_consent(chief, "quote_publicly", at=_at(5))
    assert not actor_has_consent(chief, "quote_publicly")
    stored = Consent.objects.get()
    assert stored.withdrawal_reason == "Threatened after the radio show"
    event = AuditEvent.objects.get(action="consent.withdraw")
    assert event.changes["withdrawal_reason"] == "[redacted]"


def test_a_later_consent_restores_the_purpose(mission: Mission) -> None:
    chief = ActorFactory(mission=mission)
    first = ConsentFactory(record=chief, purposes=["photograph"], given_at=_at(10))
    consent_withdraw(actor=None, consent=first, withdrawn_at=_at(8))

    ConsentFactory(record=chief, purposes=["photograph"], given_at=_at(1))

    assert actor_has_consent(chief, "photograph")
    assert not actor_has_consent(chief, "photograph", at=_at(4))


def test_withdrawing_twice_is_refused(mission: Mission) -> None:
    consent = ConsentFactory(record=ActorFactory(mission=mission))
    consent_withdraw(actor=None, consent=consent)

    with pytest.raises(ValidationError):
        consent_withdraw(actor=None, consent=consent)

    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1


def test_withdrawal_before_the_consent_is_refused(mission: Mission) -> None:
    consent = ConsentFactory(record=ActorFactory(mission=mission), given_at=_at(2))

    with pytest.raises(ValidationError):
        consent_withdraw(actor=None, consent=consent, withdrawn_at=_at(3))


@pytest.mark.parametrize(
    ("purposes", "method", "given_at"),
    [
        ([], "verbal", None),
        (["sell_data"], "verbal", None),
        (["photograph"], "telepathy", None),
        (["photograph"], "verbal", "future"),
        (["photograph"], "verbal", "naive"),
    ],
)
def test_bad_consent_is_refused(
    mission: Mission, purposes: list[str], method: str, given_at: str | None
) -> None:
    when = {
        None: None,
        "future": timezone.now() + timedelta(days=1),
        "naive": datetime(2024, 1, 1),  # noqa: DTZ001 (the naive value under test)
    }[given_at]

    with pytest.raises(ValidationError):
        consent_record(
            actor=None,
            record=ActorFactory(mission=mission),
            purposes=purposes,
            method=method,
            given_at=when,
        )

    assert not Consent.objects.exists()
