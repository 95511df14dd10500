"""Merging actors: links move, history stays, refusals, audit, and the API routes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from palava.accounts.tokens import token_create
from palava.actors.merge import actor_merge, resolve_merged
from palava.actors.models import Actor, Consent, Relationship
from palava.actors.services import actor_set_contact
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from tests.actors.conftest import Geo
from tests.factories import (
    ActorFactory,
    ConsentFactory,
    MembershipFactory,
    MissionFactory,
    RelationshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MemberIn = Callable[..., Membership]
PHONE = "+243 990 123 456"


def test_merge_moves_links_names_and_places_and_keeps_the_merged_record(geo: Geo) -> None:
    # given a chief recorded twice, each with links, and a third actor related to both
    user = UserFactory()
    keep = ActorFactory(mission=geo.mission, name="Kalonji Tshibangu", admin_unit=geo.north_town)
    dup = ActorFactory(
        mission=geo.mission,
        name="Chef Kalondji Tchibangu",
        alt_names=["Kalonji T.", "kalonji tshibangu"],
        admin_unit=geo.south_town,
    )
    group = ActorFactory(mission=geo.mission, name="Comité de Paix")
    other = ActorFactory(mission=geo.mission, name="Noyau de Paix")
    RelationshipFactory(source=keep, target=group, kind="member_of")
    RelationshipFactory(source=dup, target=group, kind="member_of")  # duplicates keep's
    RelationshipFactory(source=dup, target=other, kind="leads")  # moves
    RelationshipFactory(source=keep, target=dup, kind="related_to")  # would be a self-loop
    ConsentFactory(record=dup)
    # when the duplicate is merged into the kept record
    result = actor_merge(actor=user, keep=keep, merge=dup)
    # then the distinct link and the consent moved; the others stay on the merged record
    assert result.links.relationships_moved == 1
    assert result.links.relationships_kept == 2
    assert Relationship.objects.filter(source=keep, target=other, kind="leads").exists()
    assert Relationship.objects.filter(source=keep, target=group).count() == 1
    assert not Relationship.objects.filter(source=keep, target=keep).exists()
    assert Consent.objects.filter(actor=keep).count() == 1
    # and its names became alternate names (once, case-insensitively), its place a place
    keep.refresh_from_db()
    assert keep.alt_names == ["Chef Kalondji Tchibangu", "Kalonji T."]
    assert "chef kalondji tchibangu" in keep.search_text
    assert set(keep.places.all()) == {geo.south_town}
    # and the merged record stays, inactive, pointing at the kept one
    dup.refresh_from_db()
    assert dup.is_active is False
    assert dup.merged_into_id == keep.pk
    assert resolve_merged(dup) == keep
    assert resolve_merged(keep) == keep


def test_contact_details_fill_only_what_the_kept_record_lacks_and_are_never_logged(
    mission: Mission,
) -> None:
    # given a kept record with an e-mail and a duplicate with a phone and another e-mail
    keep = ActorFactory(mission=mission, name="Denis Mukwege")
    dup = ActorFactory(mission=mission, name="Dr. Mukwege Denis")
    actor_set_contact(actor=None, record=keep, email="kept@example.org")
    actor_set_contact(actor=None, record=dup, phone=PHONE, email="other@example.org")
    # when merged
    result = actor_merge(actor=None, keep=keep, merge=dup)
    # then the phone (and its pseudonym) is taken over, the kept e-mail is not replaced
    kept = Actor.objects.get(pk=keep.pk)
    assert result.contact_fields_filled == ("phone",)
    assert kept.phone == "+243990123456"
    assert kept.phone_pseudonym == Actor.objects.get(pk=dup.pk).phone_pseudonym
    assert kept.email == "kept@example.org"
    # and no audit row holds a contact value
    trail = json.dumps([e.changes for e in AuditEvent.objects.all()])
    assert "990123456" not in trail
    assert "example.org" not in trail
    row = AuditEvent.objects.filter(action="actor.merge", object_id=str(keep.public_id)).get()
    assert row.changes["phone"] == "[redacted]"


def test_merge_is_audited_on_both_records(mission: Mission) -> None:
    user = UserFactory()
    keep = ActorFactory(mission=mission, name="Riek Machar")
    dup = ActorFactory(mission=mission, name="Riak Machar Teny")
    actor_merge(actor=user, keep=keep, merge=dup)
    rows = AuditEvent.objects.filter(action="actor.merge")
    assert {r.object_id for r in rows} == {str(keep.public_id), str(dup.public_id)}
    assert all(r.actor_id == user.pk for r in rows)
    on_merged = rows.get(object_id=str(dup.public_id))
    assert on_merged.changes["merged_into"] == str(keep.public_id)


def test_merge_refuses_itself_another_mission_and_merged_records(mission: Mission) -> None:
    a = ActorFactory(mission=mission, name="Deng Alor")
    b = ActorFactory(mission=mission, name="Deng Alor Kuol")
    c = ActorFactory(mission=mission, name="Deng Alor Kwol")
    foreign = ActorFactory(mission=MissionFactory(), name="Deng Alor")
    with pytest.raises(ValidationError, match="itself"):
        actor_merge(actor=None, keep=a, merge=a)
    with pytest.raises(ValidationError, match="different missions"):
        actor_merge(actor=None, keep=a, merge=foreign)
    actor_merge(actor=None, keep=a, merge=b)
    with pytest.raises(ValidationError, match="to keep"):
        actor_merge(actor=None, keep=b, merge=c)  # into an already merged record
    with pytest.raises(ValidationError, match="merged or deactivated already"):
        actor_merge(actor=None, keep=c, merge=b)  # merging a merged record again
    # nothing changed for the refused ones
    assert Actor.objects.get(pk=c.pk).is_active
    assert Actor.objects.get(pk=foreign.pk).merged_into_id is None


def test_a_failed_merge_changes_nothing(mission: Mission, monkeypatch: Any) -> None:
    # given two actors with a relationship to move
    keep = ActorFactory(mission=mission, name="Paul Malong")
    dup = ActorFactory(mission=mission, name="Gen. Paul Malong Awan")
    other = ActorFactory(mission=mission, name="Other")
    RelationshipFactory(source=dup, target=other, kind="leads")

    # when the last step of the merge fails
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("palava.actors.merge.actor_deactivate", boom)
    with pytest.raises(RuntimeError):
        actor_merge(actor=None, keep=keep, merge=dup)
    # then the relationship and names are as before (one transaction)
    assert Relationship.objects.get(target=other).source_id == dup.pk
    assert Actor.objects.get(pk=keep.pk).alt_names == []
    assert not AuditEvent.objects.filter(action="actor.merge").exists()


# --- API --------------------------------------------------------------------------------------


def _client(member: Membership) -> Client:
    raw = token_create(
        actor=member.user, user=member.user, mission=member.mission, name="t", days=1
    ).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _merge(client: Client, member: Membership, actor: Actor, into: Actor) -> Any:
    return client.post(
        f"/api/v1/missions/{member.mission.slug}/actors/{actor.public_id}/merge",
        data={"into": str(into.public_id)},
        content_type="application/json",
    )


def test_api_lists_duplicates_within_the_callers_scope(geo: Geo, member_in: MemberIn) -> None:
    # given a pair in the north, a pair across provinces, and a manager scoped to the north
    ActorFactory(mission=geo.mission, name="Bahati Kahindo", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Kahindo Bahaty", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Kalonji Tshibangu", admin_unit=geo.north_town)
    ActorFactory(mission=geo.mission, name="Kalondji Tchibangu", admin_unit=geo.south_town)
    member = member_in(Role.MANAGER, geo.north)
    # when they list duplicates
    response = _client(member).get(f"/api/v1/missions/{geo.mission.slug}/actors/duplicates")
    # then only the pair inside their area is listed, with scores and reasons
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert {item["a"]["name"], item["b"]["name"]} == {"Bahati Kahindo", "Kahindo Bahaty"}
    assert item["score"] >= 0.86
    assert "Same place" in item["reasons"]


def test_api_duplicates_and_merge_need_the_merge_permission(mission: Mission) -> None:
    officer = _member(mission, Role.OFFICER)
    a = ActorFactory(mission=mission, name="Musa Hilal")
    b = ActorFactory(mission=mission, name="Sheikh Moussa Hilal")
    client = _client(officer)
    assert client.get(f"/api/v1/missions/{mission.slug}/actors/duplicates").status_code == 403
    assert _merge(client, officer, b, a).status_code == 403
    assert Actor.objects.get(pk=b.pk).is_active


def _member(mission: Mission, role: str) -> Membership:
    membership: Membership = MembershipFactory(mission=mission, role=role)
    return membership


def test_api_merge_merges_and_reports(mission: Mission) -> None:
    manager = _member(mission, Role.MANAGER)
    keep = ActorFactory(mission=mission, name="Musa Hilal")
    dup = ActorFactory(mission=mission, name="Sheikh Moussa Hilal")
    response = _merge(_client(manager), manager, dup, keep)
    assert response.status_code == 200
    body = response.json()
    assert body["kept"]["alt_names"] == ["Sheikh Moussa Hilal"]
    assert body["merged"]["is_active"] is False
    assert body["merged"]["merged_into"] == str(keep.public_id)
    # a second attempt is refused: the record is merged already
    again = _merge(_client(manager), manager, dup, keep)
    assert again.status_code == 422
    assert "already" in again.json()["detail"]


def test_api_merge_with_an_actor_outside_scope_answers_404(geo: Geo, member_in: MemberIn) -> None:
    inside = ActorFactory(mission=geo.mission, name="Bahati Kahindo", admin_unit=geo.north_town)
    outside = ActorFactory(mission=geo.mission, name="Bahaty Kahindo", admin_unit=geo.south_town)
    member = member_in(Role.MANAGER, geo.north)
    client = _client(member)
    assert _merge(client, member, inside, outside).status_code == 404
    assert _merge(client, member, outside, inside).status_code == 404
    assert Actor.objects.filter(is_active=True).count() == 2


def test_api_merge_into_itself_answers_422(mission: Mission) -> None:
    manager = _member(mission, Role.MANAGER)
    a = ActorFactory(mission=mission, name="Lam Akol")
    response = _merge(_client(manager), manager, a, a)
    assert response.status_code == 422
