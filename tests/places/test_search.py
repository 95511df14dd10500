"""Finding places by name (case, accents and alternate spellings ignored) and in free text."""

from __future__ import annotations

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from palava.missions.models import Membership, Mission, Role
from palava.places.search import Rank, fold_with_offsets, match_place_in_text, place_search
from palava.places.services import admin_unit_update, site_update
from palava.places.text import fold
from tests.factories import AdminUnitFactory, MembershipFactory, MissionFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(mission: Mission) -> Membership:
    return MembershipFactory(mission=mission, role=Role.VIEWER)


@pytest.fixture
def places(mission: Mission) -> dict[str, object]:
    country = AdminUnitFactory(mission=mission, pcode="CD", name="République démocratique du Congo")
    north = AdminUnitFactory(
        parent=country, pcode="CD61", name="Nord-Kivu", alt_names=["North Kivu"]
    )
    beni_territory = AdminUnitFactory(parent=north, pcode="CD6101", name="Beni")
    beni_town = AdminUnitFactory(parent=north, pcode="CD6102", name="Béni-Ville")
    oicha = AdminUnitFactory(parent=beni_territory, pcode="CD610101", name="Oïcha")
    camp = SiteFactory(admin_unit=beni_territory, code="S-BENI", name="Beni")
    market = SiteFactory(
        admin_unit=beni_territory, code="S-MKT", name="Marché central", alt_names=["Soko"]
    )
    return {
        "country": country,
        "north": north,
        "beni_territory": beni_territory,
        "beni_town": beni_town,
        "oicha": oicha,
        "camp": camp,
        "market": market,
    }


def _codes(member: Membership, query: str, **kwargs: object) -> list[str]:
    return [hit.code for hit in place_search(membership=member, query=query, **kwargs)]  # type: ignore[arg-type]


def test_ranking_exact_then_prefix_then_word_then_anywhere(
    member: Membership, places: dict[str, object]
) -> None:
    # "beni": the territory and the site named exactly so, then "Béni-Ville" (a prefix); the
    # unit before the site at equal rank
    hits = place_search(membership=member, query="BENI")
    assert [(h.code, h.rank, h.kind) for h in hits] == [
        ("CD6101", Rank.EXACT, "unit"),
        ("S-BENI", Rank.EXACT, "site"),
        ("CD6102", Rank.PREFIX, "unit"),
    ]
    # "kivu": a word of the name; "ivu": anywhere
    assert [h.rank for h in place_search(membership=member, query="kivu")] == [Rank.WORD_PREFIX]
    assert [h.rank for h in place_search(membership=member, query="ivu")] == [Rank.CONTAINS]


def test_search_ignores_accents_case_and_punctuation(
    member: Membership, places: dict[str, object]
) -> None:
    assert _codes(member, "oicha") == ["CD610101"]
    assert _codes(member, "OÏCHA") == ["CD610101"]
    assert _codes(member, "republique democratique") == ["CD"]
    assert _codes(member, "nord kivu") == ["CD61"]
    assert _codes(member, "Nord\u2013Kivu!") == ["CD61"]
    assert _codes(member, "marche") == ["S-MKT"]


def test_search_matches_alternate_names(member: Membership, places: dict[str, object]) -> None:
    assert _codes(member, "north kivu") == ["CD61"]
    assert _codes(member, "soko") == ["S-MKT"]


def test_search_orders_shallower_units_first_at_equal_rank(
    member: Membership, mission: Mission
) -> None:
    country = AdminUnitFactory(mission=mission, pcode="X", name="Lake")
    AdminUnitFactory(parent=country, pcode="X1", name="Lake")
    assert _codes(member, "lake") == ["X", "X1"]


def test_search_limits_skips_sites_and_retired_on_request(
    member: Membership, places: dict[str, object]
) -> None:
    assert _codes(member, "beni", limit=1) == ["CD6101"]
    assert _codes(member, "beni", include_sites=False) == ["CD6101", "CD6102"]
    admin_unit_update(actor=None, unit=places["beni_town"], retired_at=timezone.now())  # type: ignore[arg-type]
    site_update(actor=None, site=places["camp"], retired_at=timezone.now())  # type: ignore[arg-type]
    assert _codes(member, "beni") == ["CD6101"]
    assert _codes(member, "beni", include_retired=True) == ["CD6101", "S-BENI", "CD6102"]


@pytest.mark.parametrize("query", ["", "   ", "!!", "--"])
def test_an_empty_query_finds_nothing(
    member: Membership, places: dict[str, object], query: str
) -> None:
    assert place_search(membership=member, query=query) == []


def test_search_treats_like_wildcards_literally(
    member: Membership, places: dict[str, object]
) -> None:
    assert place_search(membership=member, query="%") == []
    assert place_search(membership=member, query="b_ni") == []


def test_search_stays_in_the_mission(member: Membership, places: dict[str, object]) -> None:
    AdminUnitFactory(mission=MissionFactory(), pcode="OTHER", name="Beni")
    assert "OTHER" not in _codes(member, "beni")


# --- Free text -------------------------------------------------------------------------------


@pytest.fixture
def gazetteer(mission: Mission) -> dict[str, object]:
    country = AdminUnitFactory(mission=mission, pcode="CD", name="RDC")
    north = AdminUnitFactory(
        parent=country, pcode="CD61", name="Nord-Kivu", alt_names=["North Kivu"]
    )
    south = AdminUnitFactory(
        parent=country, pcode="CD62", name="Sud-Kivu", alt_names=["South Kivu"]
    )
    goma = AdminUnitFactory(parent=north, pcode="CD6101", name="Goma")
    beni = AdminUnitFactory(parent=north, pcode="CD6102", name="Béni")
    kivu = AdminUnitFactory(parent=south, pcode="CD6201", name="Kivu")
    camp = SiteFactory(admin_unit=goma, code="S1", name="Bulengo", alt_names=["Camp de Bulengo"])
    other_goma = SiteFactory(admin_unit=beni, code="S2", name="Goma")
    AdminUnitFactory(parent=south, pcode="CD6202", name="Ka")  # too short to match in text
    return {
        "north": north,
        "goma": goma,
        "beni": beni,
        "kivu": kivu,
        "camp": camp,
        "other_goma": other_goma,
    }


def test_french_sentence_with_accents_and_case(
    mission: Mission, gazetteer: dict[str, object]
) -> None:
    text = (
        "Des tirs entendus à GOMA ce matin; des déplacés arrivent au camp de Bulengo (Nord-Kivu)."
    )
    matches = match_place_in_text(mission=mission, text=text)
    assert [m.text for m in matches] == ["GOMA", "camp de Bulengo", "Nord-Kivu"]
    goma = matches[0]
    assert goma.units == (gazetteer["goma"],)
    assert goma.sites == (gazetteer["other_goma"],)  # a name shared by several places
    assert text[goma.start : goma.end] == "GOMA"
    assert matches[1].sites == (gazetteer["camp"],)
    assert matches[2].units == (gazetteer["north"],)


def test_english_sentence_alt_names_and_longest_first(
    mission: Mission, gazetteer: dict[str, object]
) -> None:
    text = "Flooding reported in North Kivu near Beni; Kivu lake levels rising."
    matches = match_place_in_text(mission=mission, text=text)
    assert [(m.text, m.folded) for m in matches] == [
        ("North Kivu", "north kivu"),
        ("Beni", "beni"),
        ("Kivu", "kivu"),
    ]
    # "North Kivu" is one match, not also "Kivu"
    assert matches[0].units == (gazetteer["north"],)
    assert matches[2].units == (gazetteer["kivu"],)


@pytest.mark.parametrize(
    "text",
    [
        "Gomaville is quiet",  # not a whole word
        "Ka is too short to be trusted",
        "rien à signaler",
        "",
        "!!!",
    ],
)
def test_no_false_matches(mission: Mission, gazetteer: dict[str, object], text: str) -> None:
    assert match_place_in_text(mission=mission, text=text) == []


def test_text_matching_follows_renames_and_retirement(
    mission: Mission, gazetteer: dict[str, object]
) -> None:
    assert match_place_in_text(mission=mission, text="Goma") != []
    admin_unit_update(actor=None, unit=gazetteer["goma"], name="Ngoma")  # type: ignore[arg-type]
    site_update(actor=None, site=gazetteer["other_goma"], retired_at=timezone.now())  # type: ignore[arg-type]
    assert match_place_in_text(mission=mission, text="Goma") == []
    assert [m.units for m in match_place_in_text(mission=mission, text="à Ngoma")] == [
        (gazetteer["goma"],)
    ]


def test_text_matching_stays_in_the_mission(gazetteer: dict[str, object]) -> None:
    assert match_place_in_text(mission=MissionFactory(), text="Goma") == []


@given(st.text(max_size=60))
def test_fold_with_offsets_agrees_with_fold(text: str) -> None:
    folded, where = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(where) == len(folded)
    assert where == sorted(where)
    assert all(0 <= i < len(text) for i in where)
