"""STOP / START keywords in en/fr/ar/sw/pt, opt-out records, and broadcasts never reaching an
opted-out number (checked at enqueue and again right before sending)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from palava.core import crypto
from palava.feedback.models import (
    ChannelType,
    OptOut,
    OutboundMessage,
    OutboundPurpose,
    OutboundStatus,
    Reporter,
)
from palava.feedback.outbound.optout import (
    MAX_KEYWORD_CHARS,
    START_WORDS,
    STOP_WORDS,
    is_opted_out,
    keyword_of,
    keywords_apply,
    opt_in,
    opt_out,
)
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Mission
from tests.feedback.gateway import LoopbackGateway
from tests.feedback.helpers_inbox import make_message
from tests.feedback.helpers_outbound import PHONE, enqueue, fresh, sending_channel


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("STOP", "stop"),
        ("  stop!! ", "stop"),
        ("Arrêt", "stop"),
        ("ARRET.", "stop"),
        ("désabonner", "stop"),
        ("توقف", "stop"),
        ("إيقاف", "stop"),
        ("ايقاف", "stop"),
        ("إلغاء الاشتراك", "stop"),
        ("Acha", "stop"),
        ("SIMAMA", "stop"),
        ("parar", "stop"),
        ("Sair", "stop"),
        ("unsubscribe", "stop"),
        ("opt-out", "stop"),
        ("START", "start"),
        ("join", "start"),
        ("s'abonner", "start"),
        ("اشترك", "start"),
        ("ANZA", "start"),
        ("entrar", "start"),
        ("Começar", "start"),
        ("stop the shooting near the market", None),
        ("arrêt de bus détruit", None),
        ("start", "start"),
        ("", None),
        ("...", None),
        ("stopp", None),
    ],
)
def test_keyword_of(body: str, expected: str | None) -> None:
    assert keyword_of(body) == expected


def test_every_listed_word_is_recognised() -> None:
    for words, kind in ((STOP_WORDS, "stop"), (START_WORDS, "start")):
        for language, group in words.items():
            for word in group:
                assert keyword_of(word) == kind, (language, word)
                assert keyword_of(f" {word.upper()} ! ") == kind, (language, word)


@given(st.text(max_size=200))
@hsettings(max_examples=400, deadline=None)
def test_keyword_of_never_raises_on_hostile_input(text: str) -> None:
    result = keyword_of(text)
    assert result in (None, "stop", "start")
    if len(text) > MAX_KEYWORD_CHARS:
        assert result is None


@given(
    st.sampled_from([w for group in STOP_WORDS.values() for w in group]),
    st.text(alphabet=" .,!?¡¿-_*\"'«»؟،\t", max_size=6),
    st.text(alphabet=" .,!?-\n", max_size=6),
)
@hsettings(max_examples=300, deadline=None)
def test_stop_words_survive_punctuation_and_case(word: str, before: str, after: str) -> None:
    body = before + word.swapcase() + after
    if len(body) <= MAX_KEYWORD_CHARS:
        assert keyword_of(body) == "stop"


@given(st.text(min_size=1, max_size=30).filter(lambda t: any(c.isalnum() for c in t)))
@hsettings(max_examples=300, deadline=None)
def test_a_keyword_inside_a_sentence_is_not_a_keyword(words: str) -> None:
    assert keyword_of(f"stop {words} please help us") is None


@pytest.fixture
def gw() -> Iterator[LoopbackGateway]:
    with LoopbackGateway() as gateway:
        yield gateway


@pytest.mark.django_db
def test_opt_out_and_back_in(mission: Mission) -> None:
    pseudonym = crypto.pseudonym(PHONE, kind="phone")
    opt_out(mission=mission, pseudonym=pseudonym, keyword="stop")
    assert is_opted_out(mission.pk, pseudonym)
    opt_in(mission=mission, pseudonym=pseudonym, keyword="start")
    assert not is_opted_out(mission.pk, pseudonym)
    row = OptOut.objects.get(mission=mission, pseudonym=pseudonym)
    assert row.opted_in_at is not None
    assert not row.is_active


@pytest.mark.django_db
def test_broadcast_to_an_opted_out_number_is_suppressed(
    mission: Mission, gw: LoopbackGateway, settings: Any
) -> None:
    settings.PALAVA_PUBLIC_URL = "http://testserver"
    channel, _ = sending_channel(mission, gateway=gw)
    opt_out(mission=mission, pseudonym=crypto.pseudonym(PHONE, kind="phone"), keyword="stop")
    row = enqueue(channel, purpose=OutboundPurpose.BROADCAST)
    assert row.status == OutboundStatus.SUPPRESSED
    outbound_send_due()
    assert gw.requests == []
    # a reply (not a broadcast) still reaches them: they asked the mission something
    reply = enqueue(channel, purpose=OutboundPurpose.REPLY)
    outbound_send_due()
    assert fresh(reply).status == OutboundStatus.SENT


@pytest.mark.django_db
def test_opt_out_after_enqueue_is_checked_before_sending(
    mission: Mission, gw: LoopbackGateway, settings: Any
) -> None:
    settings.PALAVA_PUBLIC_URL = "http://testserver"
    channel, _ = sending_channel(mission, gateway=gw)
    row = enqueue(channel, purpose=OutboundPurpose.BROADCAST)
    assert row.status == OutboundStatus.QUEUED
    opt_out(mission=mission, pseudonym=row.recipient_pseudonym, keyword="arret")
    outbound_send_due()
    assert fresh(row).status == OutboundStatus.SUPPRESSED
    assert gw.requests == []


@pytest.mark.django_db
def test_keywords_apply_records_consent_and_confirms(
    mission: Mission, gw: LoopbackGateway, settings: Any
) -> None:
    settings.PALAVA_PUBLIC_URL = "http://testserver"
    channel, _ = sending_channel(mission, ChannelType.AFRICASTALKING, gateway=gw)
    stop = make_message(channel, "ARRÊT", phone=PHONE, reporter=True, language="fr")
    other = make_message(channel, "Des tirs près du marché", phone=PHONE, reporter=True)
    from django.utils import timezone

    found = keywords_apply([stop, other], now=timezone.now())
    assert found == {stop.pk}
    assert stop.reporter_id is not None
    reporter = Reporter.objects.get(pk=stop.reporter_id)
    assert reporter.opted_out
    assert reporter.broadcast_opt_in_at is None
    assert is_opted_out(mission.pk, reporter.pseudonym)
    confirmation = OutboundMessage.objects.get(idempotency_key=f"keyword:{stop.public_id}")
    assert confirmation.purpose == OutboundPurpose.ACK
    assert "START" in confirmation.body
    assert "mission" in confirmation.body
    outbound_send_due()
    assert len(gw.messages) == 1
    assert gw.messages[0].to == PHONE

    start = make_message(channel, "start", phone=PHONE, reporter=True)
    assert keywords_apply([start], now=timezone.now()) == {start.pk}
    reporter.refresh_from_db()
    assert not reporter.opted_out
    assert reporter.broadcast_opt_in_at is not None
    assert not is_opted_out(mission.pk, reporter.pseudonym)
