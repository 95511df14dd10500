"""Model fields for encrypted values and pseudonyms (see ``palava.core.crypto``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.db.models.lookups import Exact, IsNull
from django.views.decorators.debug import sensitive_variables

from palava.core import crypto


class EncryptedLookupError(TypeError):
    """Encrypted columns cannot be searched: each value has a random nonce."""


class _NoneOnlyExact(Exact):
    """``field=None`` becomes ``isnull``; any other equality test is refused."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None:
            raise EncryptedLookupError(_lookup_message(lhs, "exact"))
        super().__init__(lhs, rhs)


def _lookup_message(lhs: Any, lookup_name: str) -> str:
    target = getattr(lhs, "target", None) or getattr(lhs, "output_field", None)
    name = target.purpose if isinstance(target, EncryptedTextField) else "an encrypted field"
    return (
        f"cannot filter {name} with '{lookup_name}': encrypted values are randomised, so only "
        "'isnull' works. Match on the field's pseudonym instead."
    )


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as an AES-GCM envelope token; reads and writes plaintext ``str``.

    The associated data is ``purpose`` (default ``"app_label.ModelName.field_name"``), so a
    token copied into another field or model refuses to decrypt. Renaming the model or field
    needs ``purpose=`` set to the old value (or a data migration that re-encrypts).
    """

    description = "Encrypted text"

    def __init__(self, *args: Any, purpose: str | None = None, **kwargs: Any) -> None:
        self._purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self._purpose is not None:
            kwargs["purpose"] = self._purpose
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        if self._purpose is not None:
            return self._purpose
        model = getattr(self, "model", None)
        if model is None:
            raise TypeError("EncryptedTextField used outside a model needs purpose=")
        return f"{model._meta.label}.{self.name}"

    @sensitive_variables()
    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value, purpose=self.purpose)

    def to_python(self, value: Any) -> str | None:
        # Values on the instance are always plaintext (from_db_value decrypts).
        if value is None or isinstance(value, str):
            return value
        return str(value)

    @sensitive_variables()
    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(str(value), purpose=self.purpose)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _NoneOnlyExact
        raise EncryptedLookupError(
            f"cannot filter {self.purpose} with '{lookup_name}': encrypted values are "
            "randomised, so only 'isnull' works. Match on the field's pseudonym instead."
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise EncryptedLookupError(
            f"cannot filter {self.purpose} with '{lookup_name}': the value is encrypted."
        )

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) must not write plaintext; it writes the token instead.
        value = self.value_from_object(obj)
        if value is None:
            return ""
        return crypto.encrypt(str(value), purpose=self.purpose)


class PseudonymField(models.CharField):  # type: ignore[type-arg]
    """Hex HMAC-SHA256 digest from :func:`palava.core.crypto.pseudonym` (64 characters)."""

    description = "Keyed pseudonym (hex HMAC-SHA256)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 64
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs
