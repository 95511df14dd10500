"""Exactly once under concurrent replay: the same message sent from several threads at once,
for every channel type with a webhook and the public form, is stored once (real commits)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from palava.feedback import ingest
from palava.feedback.models import ChannelType, Message
from tests.factories import MissionFactory
from tests.feedback.helpers_channels import (
    at_params,
    at_post,
    generic_payload,
    generic_sign,
    hook_path,
    make_channel,
    twilio_params,
    twilio_post,
)

THREADS = 6
ROUNDS = 3


@pytest.fixture(autouse=True)
def _no_triage(monkeypatch: pytest.MonkeyPatch) -> None:
    # Triage runs on the worker, not in these requests; the immediate test backend would run it
    # inline after each commit, which is not what is tested here.
    monkeypatch.setattr(ingest, "triage_kick", lambda: None)


def hammer(send: Callable[[Client], Any]) -> list[int]:
    """Call ``send`` from THREADS threads at once, ROUNDS times each; the status codes."""
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker() -> None:
        client = Client()
        try:
            start.wait()
            for _ in range(ROUNDS):
                code = send(client).status_code
                with lock:
                    statuses.append(code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_twilio_replay_from_threads_stores_one() -> None:
    channel = make_channel(MissionFactory(), ChannelType.TWILIO).channel
    statuses = hammer(lambda c: twilio_post(c, channel, twilio_params(sid="SMrace")))
    assert statuses == [200] * THREADS * ROUNDS
    assert Message.objects.filter(channel=channel).count() == 1


@pytest.mark.django_db(transaction=True)
def test_africastalking_replay_from_threads_stores_one() -> None:
    created = make_channel(MissionFactory(), ChannelType.AFRICASTALKING)
    statuses = hammer(
        lambda c: at_post(c, created.channel, at_params("ATrace"), token=created.secret)
    )
    assert statuses == [200] * THREADS * ROUNDS
    assert Message.objects.filter(channel=created.channel).count() == 1


@pytest.mark.django_db(transaction=True)
def test_generic_replay_from_threads_stores_one_with_one_ack() -> None:
    created = make_channel(MissionFactory(), ChannelType.GENERIC, ack_enabled=True)
    raw = json.dumps(generic_payload("gw-race", language="fr")).encode()
    ts = str(int(time.time()))
    headers = {
        "X-Palava-Timestamp": ts,
        "X-Palava-Signature": generic_sign(str(created.secret), ts, raw),
    }
    answers: list[dict[str, Any]] = []

    def send(client: Client) -> Any:
        response = client.post(
            hook_path(created.channel), data=raw, content_type="application/json", headers=headers
        )
        answers.append(response.json())
        return response

    statuses = hammer(send)
    assert statuses == [200] * THREADS * ROUNDS
    message = Message.objects.get(channel=created.channel)
    assert sorted({a["status"] for a in answers}) == ["duplicate", "stored"]
    assert [a["status"] for a in answers].count("stored") == 1
    assert {a["id"] for a in answers} == {str(message.public_id)}
    assert {a["reply"] for a in answers} == {message.ack_text} != {""}


@pytest.mark.django_db(transaction=True)
def test_webform_double_submission_from_threads_stores_one() -> None:
    mission = MissionFactory()
    make_channel(mission, ChannelType.WEBFORM)
    url = f"/p/{mission.slug}/report/"
    page = Client().get(url).content.decode()
    match = re.search(r'name="submission" value="([0-9a-f]{32})"', page)
    assert match is not None
    data = {"message": "Two taps on the send button", "submission": match.group(1)}
    statuses = hammer(
        lambda c: c.post(url, data=data, REMOTE_ADDR=f"192.0.2.{threading.get_ident() % 200}")
    )
    assert set(statuses) <= {302, 429}
    assert 302 in statuses
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_webform_rate_limit_counts_every_concurrent_request(settings: Any) -> None:
    # given a limit of 5 per window / when 18 requests race from one address
    settings.PALAVA_WEBFORM_RATE_LIMIT = 5
    mission = MissionFactory()
    make_channel(mission, ChannelType.WEBFORM)
    url = f"/p/{mission.slug}/report/"
    counter = iter(range(10_000))
    lock = threading.Lock()

    def send(client: Client) -> Any:
        with lock:
            n = next(counter)
        data = {"message": f"report {n}", "submission": f"{n:032x}"}
        return client.post(url, data=data, REMOTE_ADDR="198.51.100.99")

    statuses = hammer(send)
    # then exactly 5 get through: the counter is never lost to a race
    assert statuses.count(302) == 5
    assert statuses.count(429) == THREADS * ROUNDS - 5
    assert Message.objects.count() == 5
