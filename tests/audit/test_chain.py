"""The audit trail: rows in the same transaction, secrets redacted, tampering detected."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from palava.audit.chain import GENESIS, verify_chain
from palava.audit.models import AuditEvent
from palava.audit.services import REDACTED, AuditOutsideTransactionError, audit_record
from palava.core.request_context import current_ip
from tests.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bypass_append_only_trigger() -> None:
    """What a database administrator could do: tamper below the application."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")


def test_services_write_chained_rows() -> None:
    # given a mission and a member created through services
    membership = MembershipFactory()
    # then each write left a row linked to the previous one
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["user.create", "mission.create", "membership.create"]
    assert events[0].prev_hash == GENESIS
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
    assert events[-1].mission_id == membership.mission_id
    assert verify_chain().ok


def test_secret_values_never_reach_the_trail() -> None:
    # when a user is created with a password
    user = UserFactory(username="amina", password="a-very-secret-passphrase")
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    # then the password field is named but its value is not, and the e-mail (confidential) neither
    assert event.changes["password"] == REDACTED
    assert event.changes["email"] == REDACTED
    assert event.changes["username"] == "amina"
    assert "a-very-secret-passphrase" not in str(event.changes)


def test_unknown_fields_are_redacted_by_default() -> None:
    mission = MissionFactory()
    with transaction.atomic():
        event = audit_record(
            actor=None, action="x.test", obj=mission, changes={"not_a_field": "secret"}
        )
    assert event.changes == {"not_a_field": REDACTED}


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused() -> None:
    # given no surrounding transaction (autocommit), when a service forgets atomic
    with pytest.raises(AuditOutsideTransactionError):
        audit_record(actor=None, action="x.test")
    # then nothing was written
    assert not AuditEvent.objects.filter(action="x.test").exists()


def test_ip_address_comes_from_the_request_context() -> None:
    token = current_ip.set("203.0.113.9")
    try:
        with transaction.atomic():
            event = audit_record(actor=None, action="x.test")
    finally:
        current_ip.reset(token)
    assert event.ip_address == "203.0.113.9"


def test_database_refuses_updates_of_audit_rows() -> None:
    MissionFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="tampered")


@pytest.mark.parametrize("field", ["action", "changes", "actor_label", "occurred_at"])
def test_verifier_names_the_first_row_changed_behind_the_applications_back(field: str) -> None:
    # given a trail of several rows
    for _ in range(3):
        MembershipFactory()
    rows = list(AuditEvent.objects.order_by("id"))
    victim = rows[4]
    # when someone changes one row directly in the database
    _bypass_append_only_trigger()
    new_value = {
        "action": "'nothing.happened'",
        "changes": "'{}'",
        "actor_label": "'someone-else'",
        "occurred_at": "'2020-01-01 00:00:00'",
    }[field]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_auditevent SET {field} = {new_value} WHERE id = %s",  # noqa: S608
            [victim.id],
        )
    # then the verifier names exactly that row
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == victim.id
    assert report.checked == 4
    with pytest.raises(CommandError, match=f"id={victim.id}"):
        call_command("audit_verify")


def test_verifier_detects_a_removed_row() -> None:
    for _ in range(2):
        MembershipFactory()
    rows = list(AuditEvent.objects.order_by("id"))
    _bypass_append_only_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [rows[2].id])
    report = verify_chain()
    assert report.first_bad_id == rows[3].id
    assert "link" in report.reason


def test_verify_command_reports_an_intact_trail(capsys: pytest.CaptureFixture[str]) -> None:
    MembershipFactory()
    call_command("audit_verify")
    assert "3 rows verified" in capsys.readouterr().out
