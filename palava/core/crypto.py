"""Envelope encryption (AES-256-GCM) under a rotatable key ring, and keyed pseudonyms.

Key ring: ``settings.PALAVA_DATA_KEY`` = ``"kid2:BASE64URL(32 bytes),kid1:BASE64URL(32 bytes)"``.
The first entry is the active key (new values are wrapped with it); the others are kept only
to decrypt values written before a rotation (``palava rotate-key`` moves them to the active key).

Token format (ASCII, safe for a text column)::

    v1.<kid>.<b64url(nonce_w || wrapped DEK)>.<b64url(nonce_d || ciphertext)>

Each value gets a fresh random 256-bit data key (DEK) and 96-bit nonce. The DEK is wrapped with
the key-encryption key named by ``kid``. Both AES-GCM operations take associated data naming the
value's *purpose* (``"app_label.Model.field"``), so a token copied into another field does not
decrypt. Every failure raises :class:`DecryptionError`, whose message never holds plaintext,
tokens or key material.

Pseudonyms: ``pseudonym(value, kind=...)`` = hex HMAC-SHA256 under a pseudonym key that does
not change when the data key rotates. See ``docs/adr/0002-encryption-and-pseudonyms.md``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_B64_RE = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_PURPOSE_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")
# Upper bound on a token we are willing to parse (a ~1 MiB value); guards against garbage.
MAX_TOKEN_CHARS = 1_500_000


class DecryptionError(Exception):
    """A value could not be decrypted. The message never contains plaintext or key material."""


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number. The message never repeats the text."""


# --- encoding -------------------------------------------------------------------------------


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    """Strict base64url: unpadded or padded, and only the canonical encoding of the bytes.

    The canonical check matters: the spare low bits of the last character are otherwise
    ignored, so a flipped bit there would decode to the same bytes.
    """
    if not _B64_RE.match(text):
        raise ValueError("not base64url")
    bare = text.rstrip("=")
    try:
        raw = base64.b64decode(bare + "=" * (-len(bare) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    if _b64e(raw) != bare:
        raise ValueError("not canonical base64url")
    return raw


# --- key ring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRing:
    active_kid: str
    keys: dict[str, bytes] = field(repr=False)

    def __repr__(self) -> str:  # never show key material
        return f"KeyRing(active={self.active_kid!r}, kids={list(self.keys)!r})"

    @property
    def kids(self) -> list[str]:
        return list(self.keys)

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_kid]

    @property
    def oldest_kid(self) -> str:
        return list(self.keys)[-1]


@sensitive_variables()
def parse_key_ring(raw: str, *, setting: str = "PALAVA_DATA_KEY") -> KeyRing:
    """Parse a key ring. Errors name the entry's position (and kid once it is valid), never
    the key material."""
    if not raw or not raw.strip():
        raise ImproperlyConfigured(
            f"{setting} is empty: set it to 'kid:BASE64URL(32 bytes)' "
            "(generate one with 'palava generate-data-key')."
        )
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(raw.split(","), start=1):
        entry = entry.strip()
        if not entry:
            raise ImproperlyConfigured(f"{setting}: entry {position} is empty.")
        kid, sep, material = entry.partition(":")
        kid = kid.strip()
        material = material.strip()
        if not sep:
            raise ImproperlyConfigured(
                f"{setting}: entry {position} has no 'kid:' prefix (expected 'kid:BASE64URL')."
            )
        if not KID_RE.match(kid):
            raise ImproperlyConfigured(
                f"{setting}: entry {position} has an invalid key id "
                "(use 1 to 32 letters, digits, '_' or '-')."
            )
        if kid in keys:
            raise ImproperlyConfigured(f"{setting}: key id {kid!r} appears twice.")
        try:
            key = _b64d(material)
        except ValueError:
            raise ImproperlyConfigured(
                f"{setting}: key {kid!r} (entry {position}) is not valid base64url."
            ) from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{setting}: key {kid!r} (entry {position}) must decode to {KEY_BYTES} bytes, "
                f"not {len(key)}."
            )
        keys[kid] = key
    return KeyRing(active_kid=next(iter(keys)), keys=keys)


@lru_cache(maxsize=8)
def _ring_for(raw: str) -> KeyRing:
    return parse_key_ring(raw)


def key_ring() -> KeyRing:
    """The configured key ring, parsed once per distinct setting value (override_settings
    works)."""
    return _ring_for(getattr(settings, "PALAVA_DATA_KEY", "") or "")


def new_key_entry(kid: str) -> str:
    """A fresh ring entry ``kid:BASE64URL(32 random bytes)``."""
    if not KID_RE.match(kid):
        raise ValueError("key ids use 1 to 32 letters, digits, '_' or '-'")
    return f"{kid}:{_b64e(os.urandom(KEY_BYTES))}"


# --- envelope encryption --------------------------------------------------------------------


def _check_purpose(purpose: str) -> bytes:
    if not _PURPOSE_RE.match(purpose):
        raise ValueError("purpose must look like 'app_label.Model.field'")
    return purpose.encode("ascii")


def _wrap_aad(kid: str, purpose: bytes) -> bytes:
    return b"palava-dek\x00" + VERSION.encode() + b"\x00" + kid.encode() + b"\x00" + purpose


def _data_aad(kid: str, purpose: bytes) -> bytes:
    return b"palava-data\x00" + VERSION.encode() + b"\x00" + kid.encode() + b"\x00" + purpose


@sensitive_variables()
def encrypt(plaintext: str, *, purpose: str) -> str:
    """Encrypt ``plaintext`` under the active key for ``purpose``; returns an ASCII token."""
    aad = _check_purpose(purpose)
    ring = key_ring()
    kid = ring.active_kid
    dek = AESGCM.generate_key(bit_length=256)
    wrap_nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(ring.active_key).encrypt(wrap_nonce, dek, _wrap_aad(kid, aad))
    data_nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(dek).encrypt(data_nonce, plaintext.encode("utf-8"), _data_aad(kid, aad))
    return f"{VERSION}.{kid}.{_b64e(wrap_nonce + wrapped)}.{_b64e(data_nonce + ciphertext)}"


def token_kid(token: str) -> str:
    """The key id a token was written under (no decryption). Raises DecryptionError."""
    parts = _split(token)
    return parts[1]


def is_current(token: str) -> bool:
    """Whether ``token`` is already under the active key."""
    return token.startswith(active_prefix())


def active_prefix() -> str:
    """Every token written under the active key starts with this text."""
    return f"{VERSION}.{key_ring().active_kid}."


def _split(token: str) -> list[str]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise DecryptionError("not an encrypted value")
    parts = token.split(".")
    if len(parts) != 4:
        raise DecryptionError("not an encrypted value (malformed token)")
    if parts[0] != VERSION:
        raise DecryptionError("unsupported encrypted value format")
    if not KID_RE.match(parts[1]):
        raise DecryptionError("not an encrypted value (malformed key id)")
    return parts


@sensitive_variables()
def decrypt(token: str, *, purpose: str) -> str:
    """Decrypt a token written by :func:`encrypt` for the same ``purpose``."""
    aad = _check_purpose(purpose)
    _version, kid, wrapped_b64, data_b64 = _split(token)
    ring = key_ring()
    kek = ring.keys.get(kid)
    if kek is None:
        raise DecryptionError(
            f"value for {purpose} is under key id {kid!r}, which is not in PALAVA_DATA_KEY"
        )
    try:
        wrapped = _b64d(wrapped_b64)
        data = _b64d(data_b64)
    except ValueError:
        raise DecryptionError(f"value for {purpose} is corrupt (bad encoding)") from None
    if len(wrapped) != NONCE_BYTES + KEY_BYTES + TAG_BYTES or len(data) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(f"value for {purpose} is corrupt (truncated)")
    try:
        dek = AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(kid, aad))
        plain = AESGCM(dek).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], _data_aad(kid, aad))
    except InvalidTag:
        raise DecryptionError(
            f"value for {purpose} failed authentication (corrupt, or written for another field)"
        ) from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - authenticated data is always our UTF-8
        raise DecryptionError(f"value for {purpose} is not text") from None


# --- pseudonyms -----------------------------------------------------------------------------

_PSEUDONYM_SALT = b"palava-pseudonym-key-v1"
_PSEUDONYM_INFO = b"palava pseudonym HMAC-SHA256 key"
_PHONE_SEPARATORS = frozenset(" -.()/\t\n\r\u00a0\u2009\u202f\u2010\u2011\u2012\u2013\u2014")


@sensitive_variables()
def _derive(material: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_PSEUDONYM_SALT, info=_PSEUDONYM_INFO
    ).derive(material)


@lru_cache(maxsize=8)
def _pseudonym_key_for(pinned: str, ring_raw: str) -> bytes:
    if pinned.strip():
        try:
            material = _b64d(pinned.strip())
        except ValueError:
            raise ImproperlyConfigured("PALAVA_PSEUDONYM_KEY is not valid base64url.") from None
        if len(material) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"PALAVA_PSEUDONYM_KEY must decode to {KEY_BYTES} bytes, not {len(material)}."
            )
        return _derive(material)
    ring = _ring_for(ring_raw)
    return _derive(ring.keys[ring.oldest_kid])


def pseudonym_key() -> bytes:
    """The HMAC key for pseudonyms.

    ``PALAVA_PSEUDONYM_KEY`` when set; otherwise derived (HKDF) from the *last* (oldest) key of
    the data key ring, which stays in the ring through rotations. Pin ``PALAVA_PSEUDONYM_KEY``
    (``palava generate-data-key --show-pseudonym-key``) before retiring that key.
    """
    return _pseudonym_key_for(
        getattr(settings, "PALAVA_PSEUDONYM_KEY", "") or "",
        getattr(settings, "PALAVA_DATA_KEY", "") or "",
    )


def normalise_phone(value: str) -> str:
    """``"+243 (0)99-123.4567"``-style input to ``+`` and digits; ``00`` becomes ``+``.

    Separators (spaces, dashes, dots, slashes, parentheses) are removed; any Unicode decimal
    digit (e.g. Arabic-Indic) becomes its ASCII digit. Raises :class:`InvalidPhoneNumber`
    (without echoing the input) unless the result is an optional ``+`` and 3 to 15 digits.
    """
    out: list[str] = []
    for ch in value.strip():
        if ch in _PHONE_SEPARATORS:
            continue
        if ch == "+" and not out:
            out.append("+")
            continue
        digit = unicodedata.decimal(ch, None)
        if digit is None:
            raise InvalidPhoneNumber("a phone number holds only digits, '+' and separators")
        out.append(str(digit))
    text = "".join(out)
    if text.startswith("00"):
        text = "+" + text[2:]
    digits = text.removeprefix("+")
    if not digits.isdigit() or not 3 <= len(digits) <= 15:
        raise InvalidPhoneNumber("a phone number has 3 to 15 digits")
    return text


def _normalise_text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


NORMALISERS: dict[str, Callable[[str], str]] = {
    "phone": normalise_phone,
    "email": lambda v: _normalise_text(v).casefold(),
}


@sensitive_variables()
def pseudonym(value: str, *, kind: str) -> str:
    """Hex HMAC-SHA256 of the normalised ``value``, separated by ``kind`` (e.g. ``"phone"``).

    Equal inputs (after normalisation) give equal pseudonyms; the key never leaves the server,
    so a pseudonym cannot be reversed by hashing candidate numbers.
    """
    if not _KIND_RE.match(kind):
        raise ValueError("kind must be a short lower-case name such as 'phone'")
    normalised = NORMALISERS.get(kind, _normalise_text)(value)
    message = kind.encode("ascii") + b"\x00" + normalised.encode("utf-8")
    return hmac.new(pseudonym_key(), message, hashlib.sha256).hexdigest()


# --- system check ---------------------------------------------------------------------------


@checks.register("palava")
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Report a malformed key ring at start-up rather than at the first encryption."""
    try:
        key_ring()
        pseudonym_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="palava.E001")]
    return []
