"""Phone numbers never in plaintext: not in any database column, not in the audit trail, not in
API answers to roles without ACTOR_CONTACT_VIEW. Every contact read is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from palava.actors.services import actor_set_contact
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from palava.missions.permissions import Perm, role_has
from tests.factories import ActorFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PHONES = ["+243 81 555 0199", "0997 123 456", "+٢٤٣٨١٢٣٤٥٦٧٨"]  # the last in Arabic-Indic digits
DIGITS = ["815550199", "997123456", "812345678"]
EMAIL = "mama.furaha@example.org"
ADDRESS = "Avenue du Lac 14, quartier Mulongwe"


def _as_text(value: object) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _all_text_in_the_database() -> str:
    """Every value of every column of every table, as text, through raw SQL."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (table names from the schema)
            for row in cursor.fetchall():
                chunks.extend(_as_text(value) for value in row)
    return "\n".join(chunks)


def _make_actors_with_contacts(mission: Mission, by: object) -> None:
    for n, phone in enumerate(PHONES):
        actor = ActorFactory(mission=mission, name=f"Contact {n}", actor=by)
        actor_set_contact(actor=by, record=actor, phone=phone, email=EMAIL, contact_other=ADDRESS)


def test_phone_numbers_never_reach_any_column_in_plaintext(
    mission: Mission, member_of: Callable[..., Membership]
) -> None:
    # given actors with phones, e-mails and addresses, recorded by an officer
    officer = member_of(Role.OFFICER)
    _make_actors_with_contacts(mission, officer.user)
    # when every text of every table is read raw
    dump = _all_text_in_the_database()
    # then the scan saw the actors (so it can see plaintext) but no contact value
    assert "Contact 2" in dump
    for digits in DIGITS:
        assert digits not in dump
    assert EMAIL not in dump
    assert "Mulongwe" not in dump


def test_the_scan_would_find_a_plaintext_phone(mission: Mission) -> None:
    # given a phone written as an ordinary name (what the test above must catch)
    ActorFactory(mission=mission, name="Call +243 81 555 0199")
    # then the raw scan sees it (digits with separators removed are checked above)
    assert "555 0199" in _all_text_in_the_database()


def test_contact_values_never_reach_the_audit_trail(
    mission: Mission, member_of: Callable[..., Membership]
) -> None:
    officer = member_of(Role.OFFICER)
    _make_actors_with_contacts(mission, officer.user)

    trail = repr(list(AuditEvent.objects.values_list("changes", "object_type", "actor_label")))

    assert AuditEvent.objects.filter(action="actor.contact_set").count() == len(PHONES)
    for digits in DIGITS:
        assert digits not in trail
    assert "mama.furaha" not in trail


# --- Through the API -------------------------------------------------------------------------


def _client(member: Membership, token_for: Callable[..., str]) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for(member)}"})


@pytest.fixture
def token_for() -> Callable[..., str]:
    from palava.accounts.tokens import token_create

    def make(member: Membership) -> str:
        return token_create(
            actor=member.user, user=member.user, mission=member.mission, name="t", days=1
        ).raw

    return make


@pytest.mark.parametrize("role", list(Role))
def test_api_answers_carry_contact_values_only_on_the_contact_route_for_allowed_roles(
    mission: Mission, token_for: Callable[..., str], role: Role
) -> None:
    # given an actor with a phone, and a member with ``role``
    actor = ActorFactory(mission=mission, name="Mama Furaha")
    actor_set_contact(actor=None, record=actor, phone=PHONES[0], email=EMAIL)
    member = MembershipFactory(mission=mission, role=role)
    client = _client(member, token_for)
    base = f"/api/v1/missions/{mission.slug}/actors"
    # when they read the list, the detail, the graph and the contact route
    answers = {
        "list": client.get(base),
        "detail": client.get(f"{base}/{actor.public_id}"),
        "graph": client.get(f"{base}/graph"),
        "contact": client.get(f"{base}/{actor.public_id}/contact"),
    }
    # then no answer but the contact route holds the number, and that one only when allowed
    for name in ("list", "detail", "graph"):
        assert answers[name].status_code == 200
        assert DIGITS[0] not in answers[name].content.decode()
        assert "mama.furaha" not in answers[name].content.decode()
    reads = AuditEvent.objects.filter(action="actor.contact_read")
    if role_has(role, Perm.ACTOR_CONTACT_VIEW):
        assert answers["contact"].status_code == 200
        assert answers["contact"].json()["phone"] == "+243815550199"
        assert answers["contact"].json()["email"] == EMAIL
        # and the read is audited: who, which actor, no values
        read = reads.get()
        assert read.actor_id == member.user.pk
        assert read.object_id == str(actor.public_id)
        assert DIGITS[0] not in repr(read.changes)
    else:
        assert answers["contact"].status_code == 403
        assert DIGITS[0] not in answers["contact"].content.decode()
        assert not reads.exists()
    # and the detail says a contact is on file without giving it
    assert answers["detail"].json()["has_contact"] is True


def test_each_contact_read_writes_its_own_audit_row(
    mission: Mission, token_for: Callable[..., str]
) -> None:
    actor = ActorFactory(mission=mission)
    actor_set_contact(actor=None, record=actor, phone=PHONES[0])
    client = _client(MembershipFactory(mission=mission, role=Role.LIAISON), token_for)
    url = f"/api/v1/missions/{mission.slug}/actors/{actor.public_id}/contact"

    for _ in range(3):
        assert client.get(url).status_code == 200

    assert AuditEvent.objects.filter(action="actor.contact_read").count() == 3


def test_a_contact_read_outside_clearance_is_404_and_unaudited(
    mission: Mission, token_for: Callable[..., str]
) -> None:
    # given a strictly confidential armed-group figure with a phone, and an officer
    figure = ActorFactory(mission=mission, actor_type="armed_group_figure")
    actor_set_contact(actor=None, record=figure, phone=PHONES[0])
    client = _client(MembershipFactory(mission=mission, role=Role.OFFICER), token_for)
    # when the officer asks for its contact / then it does not exist for them
    response = client.get(f"/api/v1/missions/{mission.slug}/actors/{figure.public_id}/contact")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="actor.contact_read").exists()


def test_contact_set_by_api_is_stored_encrypted_and_not_echoed(
    mission: Mission, token_for: Callable[..., str]
) -> None:
    actor = ActorFactory(mission=mission)
    client = _client(MembershipFactory(mission=mission, role=Role.OFFICER), token_for)

    response = client.put(
        f"/api/v1/missions/{mission.slug}/actors/{actor.public_id}/contact",
        data={"phone": PHONES[1]},
        content_type="application/json",
    )

    assert response.status_code == 204
    assert response.content == b""
    assert DIGITS[1] not in _all_text_in_the_database()


def test_an_invalid_phone_by_api_is_refused_without_echo(
    mission: Mission, token_for: Callable[..., str]
) -> None:
    actor = ActorFactory(mission=mission)
    client = _client(MembershipFactory(mission=mission, role=Role.OFFICER), token_for)

    response = client.put(
        f"/api/v1/missions/{mission.slug}/actors/{actor.public_id}/contact",
        data={"phone": "ring 0997123456 please"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "0997123456" not in response.content.decode()
