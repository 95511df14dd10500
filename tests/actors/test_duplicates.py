"""Duplicate candidates: evidence, scope, "may already exist", and blocking that scales."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from palava.actors.duplicates import (
    ActorRecord,
    BlockingStats,
    candidate_pairs,
    duplicate_candidates,
    find_similar_actors,
)
from palava.actors.models import ActorKind, ActorType
from palava.actors.services import actor_set_contact
from palava.missions.models import Membership, Mission, Role
from tests.actors.conftest import Geo
from tests.factories import ActorFactory, MissionFactory

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]


def _pair_names(found: list) -> set[frozenset[str]]:  # type: ignore[type-arg]
    return {frozenset({c.a.name, c.b.name}) for c in found}


def test_transliteration_variants_are_proposed_and_different_people_are_not(geo: Geo) -> None:
    # given variants of one imam, two Kabilas, and an unrelated chief
    ActorFactory(mission=geo.mission, name="Mohamed Ag Intalla", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Muhammad Ag Intallah", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Joseph Kabila", admin_unit=geo.south_town)
    ActorFactory(mission=geo.mission, name="Jean Kabila", admin_unit=geo.south_town)
    ActorFactory(mission=geo.mission, name="Deng Ajak")
    # when candidates are computed for the mission
    found = duplicate_candidates(mission=geo.mission)
    # then only the transliteration pair is proposed, with its reasons in words
    assert _pair_names(found) == {frozenset({"Mohamed Ag Intalla", "Muhammad Ag Intallah"})}
    assert "Same place" in found[0].reasons
    assert any(r.startswith("Similar names") for r in found[0].reasons)


def test_the_same_phone_makes_a_weak_name_match_a_candidate(geo: Geo) -> None:
    # given two records with rather different names but the same phone, written differently
    a = ActorFactory(mission=geo.mission, name="Papa Kasongo Ilunga")
    b = ActorFactory(mission=geo.mission, name="Ilunga Kyungu")
    actor_set_contact(actor=None, record=a, phone="+243 990 000 111")
    actor_set_contact(actor=None, record=b, phone="00243990000111")
    # when candidates are computed
    found = duplicate_candidates(mission=geo.mission)
    # then they are proposed because of the phone, which comes first among the reasons
    assert _pair_names(found) == {frozenset({"Papa Kasongo Ilunga", "Ilunga Kyungu"})}
    assert found[0].reasons[0] == "Same phone number"
    assert found[0].name_score < 0.86 <= found[0].score


def test_without_the_phone_the_same_weak_pair_is_not_proposed(geo: Geo) -> None:
    ActorFactory(mission=geo.mission, name="Papa Kasongo Ilunga")
    ActorFactory(mission=geo.mission, name="Ilunga Kyungu")
    assert duplicate_candidates(mission=geo.mission) == []


def test_a_person_is_not_matched_with_an_organisation_of_the_same_name(geo: Geo) -> None:
    ActorFactory(mission=geo.mission, name="Femmes pour la Paix", kind=ActorKind.PERSON)
    ActorFactory(
        mission=geo.mission,
        name="Femmes pour la Paix",
        kind=ActorKind.ORGANISATION,
        actor_type=ActorType.WOMENS_GROUP,
    )
    assert duplicate_candidates(mission=geo.mission) == []


def test_alternate_names_count_and_merged_or_other_mission_actors_do_not(geo: Geo) -> None:
    # given an actor known by an alternate spelling, and a look-alike in another mission
    ActorFactory(mission=geo.mission, name="Abbé Malumalu", alt_names=["Apollinaire Malumalu"])
    ActorFactory(mission=geo.mission, name="Apolinaire Malu Malu")
    ActorFactory(mission=MissionFactory(), name="Apollinaire Malumalu")
    # when candidates are computed
    found = duplicate_candidates(mission=geo.mission)
    # then the pair inside the mission is found through the alternate name, and only it
    assert _pair_names(found) == {frozenset({"Abbé Malumalu", "Apolinaire Malu Malu"})}


def test_candidates_of_one_actor_only(geo: Geo) -> None:
    target = ActorFactory(mission=geo.mission, name="Riek Machar Teny")
    ActorFactory(mission=geo.mission, name="Machar Riek")
    ActorFactory(mission=geo.mission, name="Salva Kiir Mayardit")
    ActorFactory(mission=geo.mission, name="Kiir Mayardit Salva")
    found = duplicate_candidates(mission=geo.mission, actor=target)
    assert _pair_names(found) == {frozenset({"Riek Machar Teny", "Machar Riek"})}


def test_a_scoped_member_sees_no_candidate_involving_an_actor_outside_their_area(
    geo: Geo, member_in: MemberIn
) -> None:
    # given look-alikes, one pair across provinces and one inside the north
    ActorFactory(mission=geo.mission, name="Kalonji Tshibangu", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Kalondji Tchibangu", admin_unit=geo.south_town)
    ActorFactory(mission=geo.mission, name="Bahati Kahindo", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Kahindo Bahaty", admin_unit=geo.north)
    north_member = member_in(Role.MANAGER, geo.north)
    # when the scoped member asks, and a whole-mission member asks
    scoped = duplicate_candidates(mission=geo.mission, membership=north_member)
    whole = duplicate_candidates(mission=geo.mission, membership=member_in(Role.MANAGER))
    # then the scoped member sees only the pair inside the north
    assert _pair_names(scoped) == {frozenset({"Bahati Kahindo", "Kahindo Bahaty"})}
    assert len(whole) == 2
    assert "Neighbouring places (same parent area)" in scoped[0].reasons


def test_find_similar_actors_warns_before_creating_a_duplicate(geo: Geo) -> None:
    # given an imam already registered, with a phone
    imam = ActorFactory(
        mission=geo.mission,
        name="Imam Mahmoud Dicko",
        actor_type=ActorType.RELIGIOUS_LEADER,
        admin_unit=geo.north_town,
    )
    actor_set_contact(actor=None, record=imam, phone="+223 70 00 00 01")
    ActorFactory(mission=geo.mission, name="Mahmoud Diallo", admin_unit=geo.north_town)
    # when someone is about to create "Mahmud Diko", or someone with the same phone
    by_name = find_similar_actors(mission=geo.mission, name="Mahmud Diko", admin_unit=geo.north)
    by_phone = find_similar_actors(mission=geo.mission, name="Cheikh Dicko", phone="0022370000001")
    nobody = find_similar_actors(mission=geo.mission, name="Aminata Traoré", phone="not a phone")
    # then the imam is proposed, with reasons, and nobody for an unrelated name
    assert [s.actor.pk for s in by_name] == [imam.pk]
    assert [s.actor.pk for s in by_phone] == [imam.pk]
    assert by_phone[0].reasons[0] == "Same phone number"
    assert nobody == []


# --- Scale ------------------------------------------------------------------------------------

_GIVEN_TEXT = """
    Mohamed Ahmed Oumar Moussa Ibrahim Youssouf Abdoulaye Mamadou Amadou Boubacar Seydou
    Souleymane Ousmane Bakary Adama Modibo Issa Hamidou Aliou Cheick Fatoumata Aminata Mariam
    Aïcha Kadidia Oumou Assa Hawa Awa Salimata Jean Joseph Pierre Paul Marie Claire Thérèse
    Désiré Héritier Bahati Kavira Kahindo Kambale Paluku Justine Deng Garang Riek Salva Nyandeng
    Akol Lual Kuol Majok Ayen Gatluak Nyuon Peter James John Mary Rebecca
"""
_SURNAME_TEXT = """
    Traoré Touré Keïta Coulibaly Diarra Diallo Cissé Sissoko Konaté Kanté Dembélé Sidibé Maïga
    Sangaré Sanogo Doumbia Diakité Diabaté Koné Camara Kouyaté Tounkara Bah Sow Dicko Haïdara
    Ag-Intalla Ag-Ghaly Ould-Sidi Ould-Ahmed Ben-Ali Mukendi Kabila Kasongo Ilunga Tshibangu
    Kalonji Mwamba Kabuya Lumumba Nzuzi Mbusa Nyamwisi Katanga Ngudjolo Lubanga Kasereka
    Muhindo Masika Bihamba Kahongya Mayardit Machar Teny Mabior Alor Ajak Malong Awan Igga Wani
    Lado Manyang Juuk Gatdet Yaka Akec Mayom Koor Athorbei Nyabol Malek Kiir Mathok Lam Akuol
"""
GIVEN = _GIVEN_TEXT.split()
SURNAMES = _SURNAME_TEXT.split()


def _generated(n: int, seed: int = 7) -> list[ActorRecord]:
    rng = random.Random(seed)
    out: list[ActorRecord] = []
    for pk in range(n):
        words = [rng.choice(GIVEN), rng.choice(SURNAMES)]
        if rng.random() < 0.4:
            words.append(rng.choice(SURNAMES))
        if rng.random() < 0.2:
            words.reverse()
        out.append(
            ActorRecord(
                pk=pk,
                names=(" ".join(words),),
                admin_unit_id=rng.randrange(300),
                phone_pseudonym=f"p{rng.randrange(n * 10)}" if rng.random() < 0.3 else "",
            )
        )
    return out


def test_candidate_generation_compares_far_fewer_than_all_pairs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given 3,000 generated actors drawn from a small pool of common names
    records = _generated(3000)
    # when candidate pairs are generated
    stats = BlockingStats()
    pairs = candidate_pairs(records, stats=stats)
    with capsys.disabled():
        print(
            f"\nblocking: {stats.actors} actors, {stats.comparisons} comparisons of "
            f"{stats.all_pairs} pairs ({stats.comparisons / stats.all_pairs:.2%}), "
            f"{stats.blocks} blocks used, {stats.skipped_blocks} too common skipped"
        )
    # then far fewer than n^2/2 pairs are compared, yet exact repeats of a name all meet
    assert stats.comparisons == len(pairs)
    assert stats.comparisons < 0.05 * stats.all_pairs
    by_name: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_name.setdefault(record.names[0], []).append(index)
    repeats = [(i, j) for group in by_name.values() for i in group for j in group if i < j]
    assert repeats
    assert all(pair in pairs for pair in repeats)


def test_candidates_for_one_actor_touch_only_its_blocks() -> None:
    records = _generated(3000)
    stats = BlockingStats()
    pairs = candidate_pairs(records, focus=10, stats=stats)
    assert all(10 in pair for pair in pairs)
    assert stats.comparisons < 0.05 * len(records)


def test_duplicate_candidates_in_the_database_count_their_comparisons(mission: Mission) -> None:
    for name in ["Moussa Traoré", "Musa Traore", "Ibrahim Keita", "Brahim Keïta", "Awa Sow"]:
        ActorFactory(mission=mission, name=name)
    stats = BlockingStats()
    found = duplicate_candidates(mission=mission, stats=stats)
    assert len(found) == 2
    assert stats.actors == 5
    assert 2 <= stats.comparisons < stats.all_pairs
