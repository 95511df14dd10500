"""Near-duplicate clustering: one event, one cluster; other places, times or topics apart."""

from __future__ import annotations

from typing import Any

import pytest

from palava.feedback.clustering import Report, clusters_plan, similarity, stems
from palava.feedback.models import Cluster, Message
from palava.feedback.triage import triage_pending
from tests.factories import MissionFactory
from tests.feedback.helpers_triage import T0, Geo, hours, make_channel, make_geo, receive

pytestmark = pytest.mark.django_db

ATTACK = [
    "Armed men attacked Kiwanja market last night, 3 people killed",
    "Attack on the market of Kiwanja this night, people killed by armed men",
    "Kiwanja: armed men attacked the market, many killed and houses burned",
    "They attacked Kiwanja market at night, killed people",
    "Armed men attacked the Kiwanja market!! 3 killed",
]


@pytest.fixture
def geo(mission: Any) -> Geo:
    return make_geo(mission)


def _clusters(messages: list[Message]) -> list[int | None]:
    return [Message.objects.get(pk=m.pk).cluster_id for m in messages]


def test_many_reports_of_one_event_join_one_cluster(geo: Geo) -> None:
    # given five reports of one attack, from different people over a day
    channel = make_channel(geo.mission)
    messages = [
        receive(channel, text, at=T0 + hours(5 * i), phone=f"+24399100000{i}")
        for i, text in enumerate(ATTACK)
    ]
    # when triaged (in two runs, so the cluster grows across batches)
    triage_pending(batch_size=2)
    # then they share one cluster that knows its size and time span
    ids = _clusters(messages)
    assert len(set(ids)) == 1
    cluster = Cluster.objects.get(pk=ids[0] or 0)
    assert cluster.size == 5
    assert (cluster.first_at, cluster.last_at) == (T0, T0 + hours(20))
    assert cluster.category is not None
    assert cluster.category.code == "violence_incident"
    assert cluster.admin_unit == geo.beni


def test_a_later_report_joins_the_existing_cluster(geo: Geo) -> None:
    channel = make_channel(geo.mission)
    first = receive(channel, ATTACK[0], at=T0)
    triage_pending()
    later = receive(channel, ATTACK[1], at=T0 + hours(30))
    triage_pending()
    assert _clusters([first, later])[0] == _clusters([first, later])[1]
    cluster = Cluster.objects.get(pk=_clusters([first])[0] or 0)
    assert (cluster.size, cluster.last_at) == (2, T0 + hours(30))


def test_other_places_times_and_topics_make_other_clusters(geo: Geo) -> None:
    channel = make_channel(geo.mission)
    base = receive(channel, ATTACK[0], at=T0)
    elsewhere = receive(channel, ATTACK[0].replace("Kiwanja", "Goma"), at=T0)
    too_late = receive(channel, ATTACK[1], at=T0 + hours(49))
    other_topic = receive(channel, "No clean water in Kiwanja, the pump is broken", at=T0)
    other_event = receive(channel, "Armed men seen near the Kiwanja school, people afraid", at=T0)
    triage_pending()
    ids = _clusters([base, elsewhere, too_late, other_topic, other_event])
    assert len(set(ids)) == 5


def test_nearby_coordinates_count_as_the_same_place(geo: Geo) -> None:
    # given two reports whose coordinates are 1 km apart (in no known area) and one 30 km away
    channel = make_channel(geo.mission)
    text = "Armed men attacked the market last night, 3 people killed"
    a = receive(channel, text, lat=10.0, lon=10.0)
    b = receive(channel, text.replace("last night", "tonight"), lat=10.009, lon=10.0)
    far = receive(channel, text, lat=10.27, lon=10.0)
    triage_pending()
    ids = _clusters([a, b, far])
    assert ids[0] == ids[1] != ids[2]


def test_reports_without_any_place_need_a_close_wording(mission: Any) -> None:
    channel = make_channel(mission)
    same = [receive(channel, "Armed men attacked the market, 3 killed") for _ in range(2)]
    loose = receive(channel, "Armed men attacked a church, people killed")
    triage_pending()
    ids = _clusters([*same, loose])
    assert ids[0] == ids[1] != ids[2]


def test_clusters_never_cross_missions(geo: Geo) -> None:
    other = MissionFactory()
    make_geo(other)
    a = receive(make_channel(geo.mission), ATTACK[0])
    b = receive(make_channel(other), ATTACK[0])
    triage_pending()
    assert _clusters([a])[0] != _clusters([b])[0]


def test_the_plan_is_deterministic(mission: Any) -> None:
    # given the same reports in the same order, planned twice
    reports = [
        Report(
            category_id=1,
            admin_unit_id=None if i % 4 == 0 else 7,
            latitude=None,
            longitude=None,
            received_at=T0 + hours(i),
            text=ATTACK[i % len(ATTACK)] + (" water pump" if i % 3 == 0 else ""),
        )
        for i in range(30)
    ]
    first = clusters_plan(mission=mission, reports=reports)
    second = clusters_plan(mission=mission, reports=reports)
    assert first.assignments == second.assignments
    assert [(n.size, n.first_at, n.last_at) for n in first.new] == [
        (n.size, n.first_at, n.last_at) for n in second.new
    ]
    assert sum(n.size for n in first.new) == 30


def test_stems_and_similarity() -> None:
    a = stems("Armed men ATTACKED the market of Kiwanja!")
    b = stems("attack on Kiwanja's market")
    assert {"attac", "marke", "kiwan"} <= a & b
    assert "the" not in a
    assert "men" not in a
    assert similarity(a, b) == len(a & b) / len(a | b)
    assert similarity(frozenset(), b) == 0.0
    assert stems("1234 5678 !!!") == frozenset()
