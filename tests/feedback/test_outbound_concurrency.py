"""Two workers running ``outbound_send_due`` at the same time send every message once
(PostgreSQL: the conditional claim is re-checked on the locked row)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from palava.feedback.models import OutboundMessage, OutboundStatus
from palava.feedback.outbound.services import outbound_send_due
from palava.missions.models import Mission
from tests.feedback.gateway import Fault, LoopbackGateway
from tests.feedback.helpers_outbound import enqueue, sending_channel

ROWS = 12


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_message_once(
    mission: Mission, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers)")
    # rows wait for the workers (no immediate send on commit)
    monkeypatch.setattr("palava.feedback.outbound.common._enqueue_send", lambda ids: None)
    settings.PALAVA_OUTBOUND_TIMEOUT = 5
    settings.PALAVA_PUBLIC_URL = "http://testserver"
    with LoopbackGateway() as gw:
        channel, _ = sending_channel(mission, gateway=gw)
        rows = [enqueue(channel, key=f"race:{i}") for i in range(ROWS)]
        gw.fail_next(*[Fault(delay=0.05)] * (ROWS * 2))  # slow answers: the workers overlap
        barrier = threading.Barrier(2)
        counts: list[int] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                counts.append(outbound_send_due())
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sum(counts) == ROWS
        assert all(c > 0 for c in counts), counts  # both really worked
        assert sorted(r.key for r in gw.requests) == sorted(r.idempotency_key for r in rows)
        assert len(gw.messages) == ROWS
    statuses = set(OutboundMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboundStatus.SENT}
