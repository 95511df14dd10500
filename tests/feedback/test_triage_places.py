"""Where triage places a message: coordinates, the given place, names in the text (accents,
alternate names, typing slips), the channel's default area; and the batch locate path."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from palava.feedback.models import LabelSource, Message
from palava.feedback.placing import PlaceInput, find_names, name_index, place_many
from palava.feedback.triage import triage_pending
from palava.places.locate import locate, locate_many
from tests.feedback.helpers_triage import Geo, make_channel, make_geo, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo(mission: Any) -> Geo:
    return make_geo(mission)


def _triaged(message: Message) -> Message:
    triage_pending()
    return Message.objects.select_related("admin_unit", "site").get(pk=message.pk)


def test_coordinates_win_over_names(geo: Geo) -> None:
    # given a message with coordinates near Kiwanja that names Goma in its text
    message = receive(make_channel(geo.mission), "We are in Goma", lat=0.61, lon=29.51)
    message = _triaged(message)
    # then the coordinates decide: the north's polygon, refined by the nearest site
    assert message.place_source == LabelSource.COORDINATES
    assert (message.admin_unit, message.site) == (geo.beni, geo.kiwanja)


def test_coordinates_inside_a_deeper_polygon(geo: Geo) -> None:
    message = _triaged(receive(make_channel(geo.mission), "help", lat=-1.7, lon=29.2))
    assert (message.admin_unit, message.place_source) == (geo.goma, LabelSource.COORDINATES)


def test_coordinates_nowhere_fall_back_to_the_text(geo: Geo) -> None:
    # given coordinates far from any area or site, and a place named in the text
    message = receive(make_channel(geo.mission), "Armed men in Mutwanga", lat=10.0, lon=10.0)
    message = _triaged(message)
    assert (message.site, message.place_source) == (geo.mutwanga, LabelSource.TEXT)


def test_the_given_place_comes_before_the_text(geo: Geo) -> None:
    message = receive(
        make_channel(geo.mission), "Problem at Mutwanga market", given_place="KIWANJA"
    )
    message = _triaged(message)
    assert (message.site, message.admin_unit) == (geo.kiwanja, geo.beni)
    assert message.place_source == LabelSource.GIVEN


def test_a_given_place_that_is_part_of_a_name_is_searched(geo: Geo) -> None:
    message = _triaged(receive(make_channel(geo.mission), "help", given_place="Kanyabay"))
    assert message.site is not None
    assert message.site.code == "KANY"
    assert message.place_source == LabelSource.GIVEN


@pytest.mark.parametrize(
    ("text", "site", "unit"),
    [
        ("Des hommes armés à KIWANJA ce matin", "KIW", "CD6101"),  # case
        ("Insécurité à Kiwandja depuis hier", "KIW", "CD6101"),  # an alternate name
        ("people fleeing Kanyabyaonga tonight", "KANY", "CD6101"),  # two letters swapped
        ("people fleeing Kanyabayongaa tonight", "KANY", "CD6101"),  # a letter too many
        ("Problème à Béni-Ville", None, "CD6101"),  # accents, punctuation, alternate name
        ("Trouble in beni and in Goma", None, "CD6101"),  # first of equal depth
        ("Shooting in Nord-Kivu, near Mutwanga", "MUT", "CD6101"),  # the most precise
    ],
)
def test_place_names_in_the_text(geo: Geo, text: str, site: str | None, unit: str) -> None:
    message = _triaged(receive(make_channel(geo.mission), text))
    assert message.place_source == LabelSource.TEXT
    assert message.admin_unit is not None
    assert (message.site.code if message.site else None, message.admin_unit.pcode) == (site, unit)


def test_short_words_are_never_matched_fuzzily(geo: Geo) -> None:
    # "Gomo" is one letter from "Goma" but too short to be trusted
    message = _triaged(receive(make_channel(geo.mission), "Gomo gomo"))
    assert message.admin_unit is None
    assert message.place_source == LabelSource.NONE


def test_a_name_shared_by_several_places(geo: Geo) -> None:
    # "Kalehe" is a unit in the south and a site in the north
    channel = make_channel(geo.mission)
    anywhere = _triaged(receive(channel, "Tension in Kalehe"))
    assert (anywhere.admin_unit, anywhere.site) == (geo.country, None)
    # a channel of the north narrows it to the north's Kalehe
    north_channel = make_channel(geo.mission, default_admin_unit=geo.north)
    north = _triaged(receive(north_channel, "Tension in Kalehe"))
    assert (north.site, north.place_source) == (geo.north_kalehe, LabelSource.TEXT)


def test_the_channel_default_area_when_nothing_else(geo: Geo) -> None:
    channel = make_channel(geo.mission, default_admin_unit=geo.goma)
    message = _triaged(receive(channel, "We need water"))
    assert (message.admin_unit, message.place_source) == (geo.goma, LabelSource.CHANNEL)


def test_nothing_known(geo: Geo) -> None:
    message = _triaged(receive(make_channel(geo.mission), "We need water"))
    assert (message.admin_unit, message.site, message.place_source) == (None, None, "")


def test_retired_places_are_not_matched(geo: Geo) -> None:
    from django.utils import timezone

    from palava.places.models import Site

    Site.objects.filter(pk=geo.mutwanga.pk).update(retired_at=timezone.now())
    message = _triaged(receive(make_channel(geo.mission), "Armed men in Mutwanga"))
    assert message.site is None


def test_locate_many_answers_as_locate_does(geo: Geo) -> None:
    points = [
        (0.61, 29.51),  # north polygon, refined to Kiwanja's unit
        (-1.7, 29.2),  # Goma polygon
        (0.31, 29.81),  # north, near Mutwanga
        (1.9, 32.9),  # north polygon, no site within 50 km
        (10.0, 10.0),  # nowhere
        (-1.99, 29.0),  # on Goma's border
        (95.0, 10.0),  # off the globe
    ]
    expected = []
    for lat, lon in points:
        try:
            expected.append(locate(mission=geo.mission, lat=lat, lon=lon))
        except ValueError:
            expected.append(None)
    assert locate_many(mission=geo.mission, points=points) == expected
    assert locate_many(mission=geo.mission, points=[]) == []


def test_placing_a_batch_costs_a_few_queries(geo: Geo) -> None:
    items = [
        PlaceInput(
            text=f"Trouble in Kiwanja {i}",
            latitude=0.6 if i % 3 else None,
            longitude=29.5 if i % 3 else None,
            given_place="Mutwanga" if i % 5 == 0 else "",
        )
        for i in range(200)
    ]
    place_many(geo.mission, items[:2])  # warm the indexes
    with CaptureQueriesContext(connection) as queries:
        placed = place_many(geo.mission, items)
    assert len(placed) == 200
    assert len(queries) <= 10, [q["sql"][:80] for q in queries]


def test_hostile_texts_are_handled(geo: Geo) -> None:
    index = name_index(geo.mission)
    assert find_names(index, "") == []
    assert find_names(index, "\x00\u202e" * 1000) == []
    long_text = "Kiwanja " * 100_000
    assert len(find_names(index, long_text)) == 400  # only the first 400 words are read
