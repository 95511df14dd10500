"""Every model field, ours and third-party, has a sensitivity class."""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from palava.core.fields import EncryptedTextField, PseudonymField
from palava.core.sensitivity import (
    THIRD_PARTY,
    FieldClass,
    Sensitivity,
    classify_field,
    field_classes_for,
    internal,
    strictly_confidential,
    unclassified_fields,
)

# Auto-created many-to-many through tables are covered by the many-to-many field's own class.
MODELS = sorted(apps.get_models(), key=lambda m: m._meta.label)
MODEL_IDS = [m._meta.label for m in MODELS]


def test_the_registry_includes_ours_and_third_party_models() -> None:
    labels = set(MODEL_IDS)

    assert {"accounts.User", "audit.AuditEvent", "missions.Mission"} <= labels
    assert {"auth.Group", "sessions.Session", "otp_totp.TOTPDevice"} <= labels


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_every_field_has_a_sensitivity_class(model: type[models.Model]) -> None:
    assert unclassified_fields(model) == [], (
        f"{model._meta.label}: classify these fields in field_classes "
        "(or sensitivity.THIRD_PARTY for third-party models)"
    )


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_every_declared_class_names_a_real_field(model: type[models.Model]) -> None:
    names = {f.name for f in model._meta.get_fields()}

    assert sorted(set(field_classes_for(model)) - names) == []


def test_every_third_party_entry_names_an_installed_model() -> None:
    labels = set(MODEL_IDS)

    assert sorted(set(THIRD_PARTY) - labels) == []


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_encrypted_and_pseudonym_fields_are_at_least_confidential(
    model: type[models.Model],
) -> None:
    for field in model._meta.get_fields():
        if isinstance(field, EncryptedTextField | PseudonymField):
            field_class = classify_field(model, field.name)
            assert field_class is not None
            assert field_class.level >= Sensitivity.CONFIDENTIAL, (
                f"{model._meta.label}.{field.name}"
            )


def test_the_staff_phone_is_strictly_confidential() -> None:
    from palava.accounts.models import User

    phone = classify_field(User, "phone")
    assert phone is not None
    assert phone.level == Sensitivity.STRICTLY_CONFIDENTIAL


@isolate_apps("palava.core")
def test_an_unclassified_field_is_reported() -> None:
    class Leaky(models.Model):
        name = models.CharField(max_length=10)
        phone = EncryptedTextField(null=True)
        tags = models.ManyToManyField("self")

        field_classes: ClassVar[dict[str, FieldClass]] = {
            "id": internal("identifier"),
            "name": internal("label"),
        }

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.name

    assert unclassified_fields(Leaky) == ["phone", "tags"]


@isolate_apps("palava.core")
def test_classes_are_inherited_from_abstract_bases() -> None:
    class Base(models.Model):
        secret = EncryptedTextField(null=True)

        field_classes: ClassVar[dict[str, FieldClass]] = {
            "secret": strictly_confidential("test"),
        }

        class Meta:
            abstract = True
            app_label = "core"

    class Child(Base):
        label = models.CharField(max_length=10)

        field_classes: ClassVar[dict[str, FieldClass]] = {"id": internal("identifier")}

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.label

    assert unclassified_fields(Child) == ["label"]
    secret = classify_field(Child, "secret")
    assert secret is not None
    assert secret.level == Sensitivity.STRICTLY_CONFIDENTIAL
