"""Reading actors: mission, geographic scope and clearance always; filters, grid and graph."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from palava.actors.models import Actor, ActorKind, ActorType
from palava.actors.selectors import (
    ActorFilters,
    actor_consents,
    actor_get,
    actor_graph,
    actor_grid,
    actor_list,
    actor_relationships,
    consent_get,
    relationship_get,
)
from palava.actors.services import actor_deactivate
from palava.core.sensitivity import Sensitivity
from palava.missions.models import Membership, Mission, Role
from palava.missions.permissions import clearance_for
from palava.missions.services import membership_set
from tests.actors.conftest import Geo
from tests.factories import ActorFactory, ConsentFactory, MembershipFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]


def _names(actors: object) -> set[str]:
    return {a.name for a in actors}  # type: ignore[attr-defined]


# --- Clearance -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, Sensitivity.STRICTLY_CONFIDENTIAL),
        (Role.MANAGER, Sensitivity.STRICTLY_CONFIDENTIAL),
        (Role.OFFICER, Sensitivity.CONFIDENTIAL),
        (Role.LIAISON, Sensitivity.CONFIDENTIAL),
        (Role.ANALYST, Sensitivity.CONFIDENTIAL),
        (Role.PARTNER, Sensitivity.INTERNAL),
        (Role.VIEWER, Sensitivity.INTERNAL),
        ("stranger", Sensitivity.PUBLIC),
    ],
)
def test_clearance_per_role(role: str, expected: Sensitivity) -> None:
    assert clearance_for(role) == expected


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_records_up_to_its_clearance(
    mission: Mission, member_in: MemberIn, role: Role
) -> None:
    # given one actor of each sensitivity
    for level in Sensitivity:
        ActorFactory(mission=mission, name=level.name, sensitivity=level)
    member = member_in(role)
    # when the member lists actors / then exactly those up to the role's clearance appear
    expected = {level.name for level in Sensitivity if level <= clearance_for(role)}
    assert _names(actor_list(membership=member)) == expected
    for actor in Actor.objects.all():
        found = actor_get(membership=member, public_id=actor.public_id)
        assert (found is not None) == (actor.name in expected)


def test_a_partner_never_sees_a_strictly_confidential_actor(
    mission: Mission, member_in: MemberIn
) -> None:
    # given an armed-group figure (strictly confidential by default) related to a chief
    figure = ActorFactory(mission=mission, actor_type=ActorType.ARMED_GROUP_FIGURE, influence=5)
    chief = ActorFactory(mission=mission, name="Chief", influence=5, stance_peace_process=1)
    RelationshipFactory(source=figure, target=chief, kind="allied_with")
    partner = member_in(Role.PARTNER)
    # then the partner sees the chief, without the relationship, nowhere the figure
    assert _names(actor_list(membership=partner)) == {"Chief"}
    assert actor_get(membership=partner, public_id=figure.public_id) is None
    assert list(actor_relationships(membership=partner, actor=chief)) == []
    graph = actor_graph(membership=partner)
    assert [n.name for n in graph.nodes] == ["Chief"]
    assert graph.edges == []
    assert actor_grid(membership=partner).total == 1
    # while a manager sees both ends and the link
    manager = member_in(Role.MANAGER)
    assert len(actor_relationships(membership=manager, actor=chief)) == 1
    assert len(actor_graph(membership=manager).edges) == 1


def test_a_suspended_membership_sees_nothing(mission: Mission, member_in: MemberIn) -> None:
    ActorFactory(mission=mission)
    member = member_in(Role.ADMIN)
    member = membership_set(
        actor=None, mission=mission, user=member.user, role=Role.ADMIN, is_active=False
    )

    assert list(actor_list(membership=member)) == []


# --- Mission and scope -----------------------------------------------------------------------


def test_another_missions_actors_are_never_listed(mission: Mission, member_in: MemberIn) -> None:
    ActorFactory(mission=mission, name="Ours")
    theirs = ActorFactory(name="Theirs")
    admin = member_in(Role.ADMIN)

    assert _names(actor_list(membership=admin)) == {"Ours"}
    assert actor_get(membership=admin, public_id=theirs.public_id) is None


def test_a_member_scoped_to_one_province_never_sees_another(geo: Geo, member_in: MemberIn) -> None:
    # given actors in the north (main place or below), in the south, and with no place
    north_chief = ActorFactory(mission=geo.mission, name="North", admin_unit=geo.north_town)
    south_chief = ActorFactory(mission=geo.mission, name="South", admin_unit=geo.south)
    placeless = ActorFactory(mission=geo.mission, name="Nowhere")
    south_group = ActorFactory(
        mission=geo.mission, name="South group", kind=ActorKind.GROUP, admin_unit=geo.south_town
    )
    RelationshipFactory(source=north_chief, target=south_chief, kind="in_dispute_with")
    RelationshipFactory(source=south_chief, target=south_group, kind="leads")
    consent = ConsentFactory(record=south_chief)
    # when a manager scoped to the north reads
    member = member_in(Role.MANAGER, geo.north)
    # then only the north is there: list, detail, relationships, consents, grid and graph
    assert _names(actor_list(membership=member)) == {"North"}
    for hidden in (south_chief, placeless, south_group):
        assert actor_get(membership=member, public_id=hidden.public_id) is None
    assert list(actor_relationships(membership=member, actor=north_chief)) == []
    assert list(actor_consents(membership=member, actor=south_chief)) == []
    assert consent_get(membership=member, public_id=consent.public_id) is None
    assert actor_grid(membership=member).total == 1
    graph = actor_graph(membership=member)
    assert [n.name for n in graph.nodes] == ["North"]
    assert graph.edges == []
    # and a whole-mission member sees all four and both links
    everyone = member_in(Role.MANAGER)
    assert len(actor_list(membership=everyone)) == 4
    assert len(actor_graph(membership=everyone).edges) == 2


def test_relationship_get_needs_both_ends_visible(geo: Geo, member_in: MemberIn) -> None:
    north = ActorFactory(mission=geo.mission, admin_unit=geo.north)
    south = ActorFactory(mission=geo.mission, admin_unit=geo.south)
    rel = RelationshipFactory(source=north, target=south)

    assert (
        relationship_get(membership=member_in(Role.OFFICER, geo.north), public_id=rel.public_id)
        is None
    )
    assert relationship_get(membership=member_in(Role.OFFICER), public_id=rel.public_id) == rel


def test_merged_actors_leave_the_list_but_remain_readable_on_request(
    mission: Mission, member_in: MemberIn
) -> None:
    kept = ActorFactory(mission=mission, name="Kept")
    merged = ActorFactory(mission=mission, name="Merged")
    actor_deactivate(actor=None, record=merged, merged_into=kept)
    admin = member_in(Role.ADMIN)

    assert _names(actor_list(membership=admin)) == {"Kept"}
    assert actor_get(membership=admin, public_id=merged.public_id) is None
    found = actor_get(membership=admin, public_id=merged.public_id, include_inactive=True)
    assert found is not None
    assert found.merged_into == kept


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", "123"])
def test_a_malformed_id_finds_nothing(mission: Mission, member_in: MemberIn, bad_id: str) -> None:
    assert actor_get(membership=member_in(Role.ADMIN), public_id=bad_id) is None


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def registry(geo: Geo) -> Geo:
    ActorFactory(
        mission=geo.mission,
        name="Mwami Kabarè",
        alt_names=["Kabare II"],
        admin_unit=geo.south_town,
        influence=5,
        stance_peace_process=2,
        stance_mission=-1,
    )
    ActorFactory(
        mission=geo.mission,
        name="Abbé Jean-Pierre",
        actor_type=ActorType.RELIGIOUS_LEADER,
        admin_unit=geo.north,
        places=[geo.south_town],
        influence=3,
        stance_peace_process=-2,
    )
    ActorFactory(
        mission=geo.mission,
        name="Femmes de Béni",
        kind=ActorKind.GROUP,
        actor_type=ActorType.WOMENS_GROUP,
        admin_unit=geo.north_town,
        influence=1,
    )
    return geo


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ActorFilters(), {"Mwami Kabarè", "Abbé Jean-Pierre", "Femmes de Béni"}),
        (ActorFilters(actor_types=("religious_leader",)), {"Abbé Jean-Pierre"}),
        (ActorFilters(kinds=("group",)), {"Femmes de Béni"}),
        (ActorFilters(place="CD10"), {"Abbé Jean-Pierre", "Femmes de Béni"}),
        (ActorFilters(place="CD2001"), {"Mwami Kabarè", "Abbé Jean-Pierre"}),
        (ActorFilters(place="CD20"), {"Mwami Kabarè", "Abbé Jean-Pierre"}),
        (ActorFilters(place="XX99"), set()),
        (ActorFilters(influence_min=3), {"Mwami Kabarè", "Abbé Jean-Pierre"}),
        (ActorFilters(influence_min=2, influence_max=4), {"Abbé Jean-Pierre"}),
        (ActorFilters(stance_peace_process=(-2, -1)), {"Abbé Jean-Pierre"}),
        (
            ActorFilters(stance_peace_process=(-2,), stance_unknown=True),
            {"Abbé Jean-Pierre", "Femmes de Béni"},
        ),
        (ActorFilters(stance_mission=(-1,)), {"Mwami Kabarè"}),
        (ActorFilters(query="KABARE"), {"Mwami Kabarè"}),
        (ActorFilters(query="kabare ii"), {"Mwami Kabarè"}),
        (ActorFilters(query="jean pierre"), {"Abbé Jean-Pierre"}),
        (ActorFilters(query="beni femmes"), {"Femmes de Béni"}),
        (ActorFilters(query="nobody"), set()),
    ],
)
def test_list_filters(
    registry: Geo, member_in: MemberIn, filters: ActorFilters, expected: set[str]
) -> None:
    member = member_in(Role.ANALYST)

    assert _names(actor_list(membership=member, filters=filters)) == expected


def test_the_list_costs_the_same_queries_for_many_actors(
    registry: Geo,
    member_in: MemberIn,
    django_assert_max_num_queries: Any,
) -> None:
    member = member_in(Role.ANALYST, registry.country)
    for n in range(20):
        ActorFactory(mission=registry.mission, name=f"Extra {n}", admin_unit=registry.south)

    with django_assert_max_num_queries(2):
        rows = [
            (a.name, a.admin_unit.pcode if a.admin_unit else "")
            for a in actor_list(membership=member)
        ]

    assert len(rows) == 23


# --- Grid and graph --------------------------------------------------------------------------


def test_grid_counts_influence_by_stance(registry: Geo, member_in: MemberIn) -> None:
    # given the registry (influence 5 / stance +2, 3 / -2, 1 / unknown) plus one unknown/unknown
    ActorFactory(mission=registry.mission, name="Unknown", admin_unit=registry.north)
    member = member_in(Role.OFFICER)
    # when the grid is read for the peace process
    grid = actor_grid(membership=member)
    # then each actor is in its cell and the rows run 5..1 then unknown, -2..+2 then unknown
    assert grid.total == 4
    assert grid.influences == (5, 4, 3, 2, 1, None)
    assert grid.stances == (-2, -1, 0, 1, 2, None)
    assert grid.count(5, 2) == 1
    assert grid.count(3, -2) == 1
    assert grid.count(1, None) == 1
    assert grid.count(None, None) == 1
    assert grid.rows()[0] == (5, [0, 0, 0, 0, 1, 0])
    # and towards the mission the chief moves to the -1 column
    assert actor_grid(membership=member, stance_field="stance_mission").count(5, -1) == 1


def test_grid_refuses_an_unknown_stance_field(mission: Mission, member_in: MemberIn) -> None:
    with pytest.raises(ValueError, match="stance"):
        actor_grid(membership=member_in(), stance_field="name")


def test_graph_is_capped_to_the_most_influential(mission: Mission, member_in: MemberIn) -> None:
    # given five actors with influence 1..5 in a chain of relationships
    actors = [ActorFactory(mission=mission, name=f"A{i}", influence=i) for i in range(1, 6)]
    for left, right in itertools.pairwise(actors):
        RelationshipFactory(source=left, target=right, kind="allied_with")
    # when the graph is capped at three nodes
    graph = actor_graph(membership=member_in(Role.ANALYST), max_nodes=3)
    # then the three most influential are kept, with only the links among them
    assert graph.truncated
    assert [n.name for n in graph.nodes] == ["A5", "A4", "A3"]
    names = {a.public_id: a.name for a in actors}
    assert {(names[e.source], names[e.target]) for e in graph.edges} == {
        ("A3", "A4"),
        ("A4", "A5"),
    }


def test_graph_leaves_out_ended_relationships_unless_asked(
    mission: Mission, member_in: MemberIn
) -> None:
    from palava.actors.services import relationship_end

    rel = RelationshipFactory(source=ActorFactory(mission=mission))
    relationship_end(actor=None, relationship=rel)
    member = member_in(Role.ANALYST)

    assert actor_graph(membership=member).edges == []
    edges = actor_graph(membership=member, include_ended=True).edges
    assert [(e.ended, e.kind) for e in edges] == [(True, "member_of")]


def test_selectors_check_the_membership_mission(mission: Mission) -> None:
    # given an admin of another mission and an actor of this one
    actor = ActorFactory(mission=mission)
    outsider = MembershipFactory(role=Role.ADMIN)
    # then they find nothing of it
    assert actor_get(membership=outsider, public_id=actor.public_id) is None
    assert list(actor_consents(membership=outsider, actor=actor)) == []
