"""Envelope encryption, the key ring, the encrypted field, pseudonyms and key rotation."""

from __future__ import annotations

import base64
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from palava.accounts.models import User
from palava.accounts.services import user_set_phone
from palava.audit.models import AuditEvent
from palava.core import crypto
from palava.core.fields import EncryptedLookupError, EncryptedTextField, PseudonymField
from tests.factories import UserFactory

PURPOSE = "accounts.User.phone"
KEY_A = base64.urlsafe_b64encode(b"\xaa" * 32).decode()
KEY_B = base64.urlsafe_b64encode(b"\xbb" * 32).decode()
RING_A = f"keyA:{KEY_A}"
RING_B = f"keyB:{KEY_B}"
RING_BA = f"{RING_B},{RING_A}"
DB_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _raw_column(user: User, column: str = "phone") -> Any:
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [user.pk])  # noqa: S608
        return cursor.fetchone()[0]


def _flip(token: str, position: int, mask: int) -> str:
    data = bytearray(token.encode("ascii"))
    data[position % len(data)] ^= mask
    return data.decode("latin-1")


# --- the primitive --------------------------------------------------------------------------


@given(st.text())
@example("")
@example("😀🕊️ peace 🇨🇩")
@example("مرحبا بالعالم \u202eRTL override")
@example("nul\x00byte")
def test_encrypt_then_decrypt_returns_the_plaintext(plaintext: str) -> None:
    token = crypto.encrypt(plaintext, purpose=PURPOSE)

    assert token.isascii()
    assert token.startswith("v1.test1.")
    assert crypto.decrypt(token, purpose=PURPOSE) == plaintext


def test_the_same_plaintext_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("x", purpose=PURPOSE) != crypto.encrypt("x", purpose=PURPOSE)


@given(
    plaintext=st.text(max_size=40),
    position=st.integers(min_value=0, max_value=10_000),
    mask=st.integers(min_value=1, max_value=255),
)
def test_any_flipped_byte_is_refused(plaintext: str, position: int, mask: int) -> None:
    token = crypto.encrypt(plaintext, purpose=PURPOSE)
    tampered = _flip(token, position, mask)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, purpose=PURPOSE)


@pytest.mark.parametrize("plaintext", ["a", "ab", "abc"])
def test_every_single_byte_change_is_refused_exhaustively(plaintext: str) -> None:
    # Exhaustive for short tokens: hypothesis rarely hits the spare low bits of the last
    # base64 character, which a lax decoder ignores.
    token = crypto.encrypt(plaintext, purpose=PURPOSE)
    accepted = []

    for position in range(len(token)):
        for mask in range(1, 256):
            tampered = _flip(token, position, mask)
            try:
                crypto.decrypt(tampered, purpose=PURPOSE)
            except crypto.DecryptionError:
                continue
            accepted.append((position, mask))

    assert accepted == []


def test_a_token_copied_to_another_field_is_refused() -> None:
    token = crypto.encrypt("+243991234567", purpose=PURPOSE)

    with pytest.raises(crypto.DecryptionError, match="failed authentication"):
        crypto.decrypt(token, purpose="feedback.Reporter.phone")


def test_a_token_from_an_unknown_key_is_refused() -> None:
    with override_settings(PALAVA_DATA_KEY=RING_A):
        token = crypto.encrypt("secret", purpose=PURPOSE)

    with (
        override_settings(PALAVA_DATA_KEY=RING_B),
        pytest.raises(crypto.DecryptionError, match="keyA"),
    ):
        crypto.decrypt(token, purpose=PURPOSE)


def test_a_token_wrapped_under_another_key_with_the_same_kid_is_refused() -> None:
    with override_settings(PALAVA_DATA_KEY=f"k:{KEY_A}"):
        token = crypto.encrypt("secret", purpose=PURPOSE)

    with override_settings(PALAVA_DATA_KEY=f"k:{KEY_B}"), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, purpose=PURPOSE)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "plaintext phone +243991234567",
        "v1",
        "v1.test1",
        "v1.test1.AAAA",
        "v1.test1.AAAA.AAAA",
        "v2.test1.AAAA.AAAA",
        "v1.te st1.AAAA.AAAA",
        "v1.test1.!!!!.AAAA",
        "v1.test1.AAAA.AAAA.AAAA",
    ],
)
def test_garbage_is_refused_with_one_exception_type(garbage: str) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(garbage, purpose=PURPOSE)


@given(cut=st.integers(min_value=1, max_value=200))
def test_a_truncated_token_is_refused(cut: int) -> None:
    token = crypto.encrypt("+243991234567", purpose=PURPOSE)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token[: max(0, len(token) - cut)], purpose=PURPOSE)


def test_decrypts_under_an_older_key_still_in_the_ring() -> None:
    with override_settings(PALAVA_DATA_KEY=RING_A):
        token = crypto.encrypt("kept", purpose=PURPOSE)

    with override_settings(PALAVA_DATA_KEY=RING_BA):
        assert crypto.decrypt(token, purpose=PURPOSE) == "kept"
        assert crypto.token_kid(token) == "keyA"
        assert not crypto.is_current(token)
        assert crypto.encrypt("new", purpose=PURPOSE).startswith("v1.keyB.")


# --- the key ring ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ring", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (KEY_A, "no 'kid:' prefix"),
        (f"keyA:{KEY_A},", "entry 2 is empty"),
        (f"keyA:{KEY_A},keyA:{KEY_B}", "appears twice"),
        (f"key.A:{KEY_A}", "invalid key id"),
        (f"key A:{KEY_A}", "invalid key id"),
        (f":{KEY_A}", "invalid key id"),
        (f"{'k' * 33}:{KEY_A}", "invalid key id"),
        (f"keyA:{KEY_A[:-4]}!!!!", "not valid base64url"),
        (f"keyA:{base64.urlsafe_b64encode(b'x' * 16).decode()}", "32 bytes, not 16"),
        (f"keyA:{base64.urlsafe_b64encode(b'x' * 33).decode()}", "32 bytes, not 33"),
    ],
)
def test_a_malformed_ring_is_refused_without_echoing_key_material(ring: str, message: str) -> None:
    with override_settings(PALAVA_DATA_KEY=ring), pytest.raises(ImproperlyConfigured) as info:
        crypto.encrypt("x", purpose=PURPOSE)

    assert message in str(info.value)
    for secret in (KEY_A, KEY_B, KEY_A[:-4], KEY_A[:20]):
        assert secret not in str(info.value)


def test_unpadded_keys_as_written_by_generate_data_key_are_accepted() -> None:
    entry = crypto.new_key_entry("fresh")

    ring = crypto.parse_key_ring(entry + "," + RING_A)

    assert ring.active_kid == "fresh"
    assert ring.kids == ["fresh", "keyA"]
    assert "=" not in entry
    assert entry.split(":")[1] not in repr(ring)


def test_generate_data_key_prints_a_usable_ring_entry() -> None:
    out = StringIO()

    call_command("generate_data_key", "--kid", "k2027", stdout=out)

    entry = out.getvalue().strip()
    assert entry.startswith("k2027:")
    with override_settings(PALAVA_DATA_KEY=entry):
        assert crypto.decrypt(crypto.encrypt("ok", purpose=PURPOSE), purpose=PURPOSE) == "ok"


def test_generate_data_key_refuses_a_bad_kid() -> None:
    with pytest.raises(CommandError):
        call_command("generate_data_key", "--kid", "bad.kid", stdout=StringIO())


def test_generate_data_key_prints_a_pseudonym_key() -> None:
    out = StringIO()

    call_command("generate_data_key", "--pseudonym-key", stdout=out)

    with override_settings(PALAVA_PSEUDONYM_KEY=out.getvalue().strip()):
        assert len(crypto.pseudonym("+15550100", kind="phone")) == 64


def test_the_ring_is_read_when_used_not_at_import() -> None:
    with override_settings(PALAVA_DATA_KEY=RING_B):
        assert crypto.encrypt("x", purpose=PURPOSE).startswith("v1.keyB.")
    assert crypto.encrypt("x", purpose=PURPOSE).startswith("v1.test1.")


def test_system_check_reports_a_malformed_ring() -> None:
    with override_settings(PALAVA_DATA_KEY="nokid"):
        errors = crypto.check_keys()

    assert [e.id for e in errors] == ["palava.E001"]
    assert crypto.check_keys() == []


# --- the model field ------------------------------------------------------------------------


@pytest.mark.django_db
@DB_SETTINGS
@given(plaintext=st.text())
@example(plaintext="")
@example(plaintext="😀🕊️")
@example(plaintext="مرحبا \u202e")
@example(plaintext="nul\x00byte")
def test_the_field_round_trips_any_text_through_the_database(plaintext: str) -> None:
    user = _user()

    User.objects.filter(pk=user.pk).update(phone=plaintext)

    assert User.objects.get(pk=user.pk).phone == plaintext
    raw = _raw_column(user)
    assert raw.startswith("v1.test1.")
    assert crypto.decrypt(raw, purpose=PURPOSE) == plaintext


def _user() -> User:
    """One user per test transaction (hypothesis calls the test body many times)."""
    found = User.objects.filter(username="roundtrip").first()
    return found or UserFactory(username="roundtrip")


@pytest.mark.django_db
def test_none_stays_none_and_the_plaintext_never_reaches_the_column() -> None:
    user = UserFactory()

    assert _raw_column(user) is None
    user_set_phone(actor=None, user=user, phone="+243 99 123 4567")

    raw = _raw_column(user)
    assert "991234567" not in raw
    assert User.objects.get(pk=user.pk).phone == "+243991234567"
    user_set_phone(actor=None, user=user, phone=None)
    assert _raw_column(user) is None
    assert User.objects.get(pk=user.pk).phone is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup", ["phone", "phone__startswith", "phone__icontains", "phone__in", "phone__gt"]
)
def test_lookups_on_encrypted_fields_are_refused(lookup: str) -> None:
    value: Any = ["+1"] if lookup.endswith("__in") else "+1"

    with pytest.raises(EncryptedLookupError, match=r"accounts\.User\.phone"):
        User.objects.filter(**{lookup: value}).count()


@pytest.mark.django_db
def test_isnull_lookups_work() -> None:
    with_phone = UserFactory()
    user_set_phone(actor=None, user=with_phone, phone="+15550100")
    without = UserFactory()

    assert list(User.objects.filter(phone__isnull=False)) == [with_phone]
    assert list(User.objects.filter(phone=None)) == [without]


def test_fields_deconstruct_for_migrations() -> None:
    field = EncryptedTextField(blank=True, null=True, purpose="old.Model.field")
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "palava.core.fields.EncryptedTextField"
    assert kwargs == {"blank": True, "null": True, "purpose": "old.Model.field"}
    assert EncryptedTextField(**kwargs).purpose == "old.Model.field"

    _name, path, _args, kwargs = PseudonymField(db_index=True).deconstruct()
    assert path == "palava.core.fields.PseudonymField"
    assert kwargs == {"db_index": True}


# --- phones and pseudonyms ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+243 99 123 4567", "+243991234567"),
        ("00243-99-123-4567", "+243991234567"),
        ("(+243) 99.123.4567", "+243991234567"),
        ("+243 (0)99", "+243099"),
        ("0991234567", "0991234567"),
        ("٠٠٢٤٣ ٩٩١٢٣٤٥٦٧", "+243991234567"),
        ("  +1 555-0100 ", "+15550100"),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert crypto.normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "+", "12", "call me", "+243 99x", "1+2345", "1" * 16])
def test_normalise_phone_refuses_non_numbers_without_echoing_them(raw: str) -> None:
    with pytest.raises(crypto.InvalidPhoneNumber) as info:
        crypto.normalise_phone(raw)

    if raw.strip():
        assert raw not in str(info.value)


def test_one_number_in_different_formats_has_one_pseudonym() -> None:
    forms = ["+243 99 123 4567", "00243991234567", "+243-99-123-4567", "(+243) 99.123.4567"]

    pseudonyms = {crypto.pseudonym(form, kind="phone") for form in forms}

    assert len(pseudonyms) == 1
    (digest,) = pseudonyms
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_different_numbers_and_kinds_have_different_pseudonyms() -> None:
    assert crypto.pseudonym("+243991234567", kind="phone") != crypto.pseudonym(
        "+243991234568", kind="phone"
    )
    assert crypto.pseudonym("+243991234567", kind="phone") != crypto.pseudonym(
        "+243991234567", kind="reporter"
    )


phone_digits = st.text(alphabet="0123456789", min_size=6, max_size=13)


@given(digits=phone_digits, other=phone_digits, seps=st.lists(st.sampled_from(" -.()")))
def test_pseudonyms_match_exactly_when_normalised_numbers_match(
    digits: str, other: str, seps: list[str]
) -> None:
    formatted = "00" + "".join(d + (seps[i] if i < len(seps) else "") for i, d in enumerate(digits))

    assert crypto.pseudonym(formatted, kind="phone") == crypto.pseudonym("+" + digits, kind="phone")
    same = digits == other
    assert (
        crypto.pseudonym("+" + digits, kind="phone") == crypto.pseudonym("+" + other, kind="phone")
    ) is same


def test_pseudonyms_depend_on_the_key() -> None:
    pinned = crypto.pseudonym("+15550100", kind="phone")

    with override_settings(PALAVA_PSEUDONYM_KEY=KEY_A):
        assert crypto.pseudonym("+15550100", kind="phone") != pinned


def test_without_a_pinned_key_pseudonyms_derive_from_the_oldest_ring_key() -> None:
    with override_settings(PALAVA_PSEUDONYM_KEY="", PALAVA_DATA_KEY=RING_A):
        before = crypto.pseudonym("+15550100", kind="phone")
    with override_settings(PALAVA_PSEUDONYM_KEY="", PALAVA_DATA_KEY=RING_BA):
        after_rotation = crypto.pseudonym("+15550100", kind="phone")
    with override_settings(PALAVA_PSEUDONYM_KEY=KEY_A, PALAVA_DATA_KEY=RING_B):
        pinned_to_the_old_key = crypto.pseudonym("+15550100", kind="phone")
    with override_settings(PALAVA_PSEUDONYM_KEY="", PALAVA_DATA_KEY=RING_B):
        old_key_dropped_unpinned = crypto.pseudonym("+15550100", kind="phone")

    assert before == after_rotation == pinned_to_the_old_key
    assert old_key_dropped_unpinned != before


@pytest.mark.parametrize("pinned", ["not base64 !", base64.urlsafe_b64encode(b"x" * 8).decode()])
def test_a_malformed_pseudonym_key_is_refused(pinned: str) -> None:
    with override_settings(PALAVA_PSEUDONYM_KEY=pinned), pytest.raises(ImproperlyConfigured):
        crypto.pseudonym("+15550100", kind="phone")


# --- the service ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_user_set_phone_stores_the_pseudonym_and_audits_without_the_number() -> None:
    user = UserFactory()

    user_set_phone(actor=user, user=user, phone="00243 99 123 4567")

    user.refresh_from_db()
    assert user.phone == "+243991234567"
    assert user.phone_pseudonym == crypto.pseudonym("+243991234567", kind="phone")
    assert list(User.objects.filter(phone_pseudonym=user.phone_pseudonym)) == [user]
    event = AuditEvent.objects.filter(action="user.set_phone").get()
    assert event.actor == user
    assert "991234567" not in str(event.changes)
    assert set(event.changes) == {"phone"}


@pytest.mark.django_db
def test_user_set_phone_refuses_text_that_is_not_a_number() -> None:
    user = UserFactory()

    with pytest.raises(ValidationError) as info:
        user_set_phone(actor=None, user=user, phone="call 555 please")

    assert "phone" in info.value.message_dict
    assert not AuditEvent.objects.filter(action="user.set_phone").exists()
    assert User.objects.get(pk=user.pk).phone is None


# --- rotation -------------------------------------------------------------------------------


def _users_with_phones_under_key_a(count: int) -> list[User]:
    with override_settings(PALAVA_DATA_KEY=RING_A, PALAVA_PSEUDONYM_KEY=""):
        users: list[User] = [UserFactory() for _ in range(count)]
        for index, user in enumerate(users):
            user_set_phone(actor=None, user=user, phone=f"+243 99 000 {index:04d}")
    return users


@pytest.mark.django_db
def test_rotate_key_moves_every_value_to_the_active_key_and_keeps_pseudonyms() -> None:
    users = _users_with_phones_under_key_a(5)
    no_phone = UserFactory()
    pseudonyms_before = {u.pk: _raw_column(u, "phone_pseudonym") for u in users}
    assert all(_raw_column(u).startswith("v1.keyA.") for u in users)

    with override_settings(PALAVA_DATA_KEY=RING_BA, PALAVA_PSEUDONYM_KEY=""):
        with pytest.raises(CommandError, match="5 values"):
            call_command("rotate_key", "--check", stdout=StringIO())
        out = StringIO()
        call_command("rotate_key", "--batch-size", "2", stdout=out)
        call_command("rotate_key", "--check", stdout=StringIO())
        for index, user in enumerate(users):
            # the pseudonym of the number is unchanged after rotation
            assert (
                crypto.pseudonym(f"+24399000{index:04d}", kind="phone")
                == (pseudonyms_before[user.pk])
            )

    assert "accounts.User.phone: 5 re-encrypted" in out.getvalue()
    assert _raw_column(no_phone) is None
    with override_settings(PALAVA_DATA_KEY=RING_B):
        for index, user in enumerate(users):
            raw = _raw_column(user)
            assert raw.startswith("v1.keyB.")
            assert crypto.decrypt(raw, purpose=PURPOSE) == f"+24399000{index:04d}"
            assert User.objects.get(pk=user.pk).phone == f"+24399000{index:04d}"
            assert _raw_column(user, "phone_pseudonym") == pseudonyms_before[user.pk]
    batches = AuditEvent.objects.filter(action="crypto.rotate")
    assert batches.count() == 3  # 2 + 2 + 1 rows
    assert all(e.object_type == "accounts.user" for e in batches)


@pytest.mark.django_db
def test_rotate_key_is_idempotent() -> None:
    _users_with_phones_under_key_a(2)

    with override_settings(PALAVA_DATA_KEY=RING_BA):
        call_command("rotate_key", stdout=StringIO())
        out = StringIO()
        call_command("rotate_key", stdout=out)

    assert "accounts.User.phone: 0 re-encrypted" in out.getvalue()
    assert AuditEvent.objects.filter(action="crypto.rotate").count() == 1


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes_where_it_stopped() -> None:
    users = _users_with_phones_under_key_a(5)
    real_encrypt = crypto.encrypt
    calls = {"n": 0}

    def failing_encrypt(plaintext: str, *, purpose: str) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("worker killed")
        return real_encrypt(plaintext, purpose=purpose)

    with override_settings(PALAVA_DATA_KEY=RING_BA):
        with (
            mock.patch.object(crypto, "encrypt", failing_encrypt),
            pytest.raises(RuntimeError),
        ):
            call_command("rotate_key", "--batch-size", "2", stdout=StringIO())
        # the first batch committed; the second rolled back as a whole
        kids = sorted(_raw_column(u).split(".")[1] for u in users)
        assert kids == ["keyA", "keyA", "keyA", "keyB", "keyB"]

        out = StringIO()
        call_command("rotate_key", "--batch-size", "2", stdout=out)
        call_command("rotate_key", "--check", stdout=StringIO())

    assert "accounts.User.phone: 3 re-encrypted" in out.getvalue()
    assert all(_raw_column(u).startswith("v1.keyB.") for u in users)


@pytest.mark.django_db
def test_rotate_key_stops_clearly_when_an_old_key_is_missing() -> None:
    _users_with_phones_under_key_a(1)

    with override_settings(PALAVA_DATA_KEY=RING_B), pytest.raises(CommandError) as info:
        call_command("rotate_key", stdout=StringIO())

    assert "keyA" in str(info.value)
    assert KEY_A not in str(info.value)
