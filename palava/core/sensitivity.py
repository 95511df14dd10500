"""Sensitivity classes: every model field says how sensitive it is and why it is kept.

Models declare ``field_classes: ClassVar[dict[str, FieldClass]]``; entries are merged along the
class hierarchy, so an abstract base classifies its own fields once. Third-party models that
Palava installs are classified in ``THIRD_PARTY`` below. ``tests/core/test_sensitivity.py`` fails
on any field without a class.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models


class Sensitivity(enum.IntEnum):
    PUBLIC = 0
    INTERNAL = 1
    CONFIDENTIAL = 2
    STRICTLY_CONFIDENTIAL = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True)
class FieldClass:
    level: Sensitivity
    purpose: str


def public(purpose: str) -> FieldClass:
    return FieldClass(Sensitivity.PUBLIC, purpose)


def internal(purpose: str) -> FieldClass:
    return FieldClass(Sensitivity.INTERNAL, purpose)


def confidential(purpose: str) -> FieldClass:
    return FieldClass(Sensitivity.CONFIDENTIAL, purpose)


def strictly_confidential(purpose: str) -> FieldClass:
    return FieldClass(Sensitivity.STRICTLY_CONFIDENTIAL, purpose)


_I = Sensitivity.INTERNAL
_C = Sensitivity.CONFIDENTIAL
_S = Sensitivity.STRICTLY_CONFIDENTIAL

# Third-party models: "app_label.ModelName" -> {field name: FieldClass}
THIRD_PARTY: dict[str, dict[str, FieldClass]] = {
    "admin.LogEntry": {
        f: FieldClass(_I, "Django admin change log")
        for f in (
            "id",
            "action_time",
            "user",
            "content_type",
            "object_id",
            "object_repr",
            "action_flag",
            "change_message",
        )
    },
    "auth.Permission": {
        f: FieldClass(_I, "Django permission catalogue")
        for f in ("id", "name", "content_type", "codename")
    },
    "auth.Group": {f: FieldClass(_I, "Django groups") for f in ("id", "name", "permissions")},
    "contenttypes.ContentType": {
        f: FieldClass(_I, "model registry") for f in ("id", "app_label", "model")
    },
    "sessions.Session": {
        "session_key": FieldClass(_S, "authenticates a browser session"),
        "session_data": FieldClass(_S, "signed session state"),
        "expire_date": FieldClass(_I, "session expiry"),
    },
    "otp_totp.TOTPDevice": {
        "id": FieldClass(_I, "identifier"),
        "user": FieldClass(_I, "device owner"),
        "name": FieldClass(_I, "device label"),
        "confirmed": FieldClass(_I, "whether enrolment finished"),
        "key": FieldClass(_S, "TOTP shared secret"),
        "step": FieldClass(_I, "TOTP parameters"),
        "t0": FieldClass(_I, "TOTP parameters"),
        "digits": FieldClass(_I, "TOTP parameters"),
        "tolerance": FieldClass(_I, "TOTP parameters"),
        "drift": FieldClass(_I, "TOTP clock drift"),
        "last_t": FieldClass(_I, "replay protection"),
        "throttling_failure_timestamp": FieldClass(_I, "brute-force throttling"),
        "throttling_failure_count": FieldClass(_I, "brute-force throttling"),
        "created_at": FieldClass(_I, "enrolment time"),
        "last_used_at": FieldClass(_I, "last use"),
    },
    "otp_static.StaticDevice": {
        "id": FieldClass(_I, "identifier"),
        "user": FieldClass(_I, "device owner"),
        "name": FieldClass(_I, "device label"),
        "confirmed": FieldClass(_I, "whether enrolment finished"),
        "throttling_failure_timestamp": FieldClass(_I, "brute-force throttling"),
        "throttling_failure_count": FieldClass(_I, "brute-force throttling"),
        "created_at": FieldClass(_I, "enrolment time"),
        "last_used_at": FieldClass(_I, "last use"),
    },
    "otp_static.StaticToken": {
        "id": FieldClass(_I, "identifier"),
        "device": FieldClass(_I, "owning device"),
        "token": FieldClass(_S, "single-use recovery code"),
    },
    "axes.AccessAttempt": {
        "id": FieldClass(_I, "identifier"),
        "user_agent": FieldClass(_C, "lock-out investigation"),
        "ip_address": FieldClass(_C, "lock-out investigation"),
        "username": FieldClass(_C, "lock-out key"),
        "http_accept": FieldClass(_I, "lock-out investigation"),
        "path_info": FieldClass(_I, "lock-out investigation"),
        "attempt_time": FieldClass(_I, "lock-out window"),
        "get_data": FieldClass(_C, "lock-out investigation (axes redacts passwords)"),
        "post_data": FieldClass(_C, "lock-out investigation (axes redacts passwords)"),
        "failures_since_start": FieldClass(_I, "lock-out counter"),
    },
    "axes.AccessFailureLog": {
        "id": FieldClass(_I, "identifier"),
        "user_agent": FieldClass(_C, "lock-out investigation"),
        "ip_address": FieldClass(_C, "lock-out investigation"),
        "username": FieldClass(_C, "lock-out investigation"),
        "http_accept": FieldClass(_I, "lock-out investigation"),
        "path_info": FieldClass(_I, "lock-out investigation"),
        "attempt_time": FieldClass(_I, "lock-out window"),
        "locked_out": FieldClass(_I, "lock-out state"),
    },
    "axes.AccessLog": {
        "id": FieldClass(_I, "identifier"),
        "user_agent": FieldClass(_C, "access history"),
        "ip_address": FieldClass(_C, "access history"),
        "username": FieldClass(_C, "access history"),
        "http_accept": FieldClass(_I, "access history"),
        "path_info": FieldClass(_I, "access history"),
        "attempt_time": FieldClass(_I, "access history"),
        "logout_time": FieldClass(_I, "access history"),
        "session_hash": FieldClass(_S, "session fingerprint"),
    },
    "axes.AccessAttemptExpiration": {
        "access_attempt": FieldClass(_I, "the lock-out attempt that expires"),
        "expires_at": FieldClass(_I, "lock-out window"),
    },
    # django-tasks-db's app label is "django_tasks_database".
    "django_tasks_database.DBTaskResult": {
        "id": FieldClass(_I, "task identifier"),
        "status": FieldClass(_I, "task state"),
        "enqueued_at": FieldClass(_I, "task timing"),
        "started_at": FieldClass(_I, "task timing"),
        "finished_at": FieldClass(_I, "task timing"),
        "args_kwargs": FieldClass(_C, "task arguments (ids only, never personal data)"),
        "priority": FieldClass(_I, "task ordering"),
        "task_path": FieldClass(_I, "which task"),
        "worker_ids": FieldClass(_I, "which worker ran it"),
        "queue_name": FieldClass(_I, "task routing"),
        "backend_name": FieldClass(_I, "task routing"),
        "run_after": FieldClass(_I, "task timing"),
        "return_value": FieldClass(_C, "task result"),
        "exception_class_path": FieldClass(_I, "failure diagnosis"),
        "traceback": FieldClass(_C, "failure diagnosis"),
    },
}


def field_classes_for(model: type[models.Model]) -> dict[str, FieldClass]:
    """All declared classes for a model's fields, merged along its class hierarchy."""
    key = f"{model._meta.app_label}.{model.__name__}"
    merged: dict[str, FieldClass] = dict(THIRD_PARTY.get(key, {}))
    for klass in reversed(model.__mro__):
        merged.update(getattr(klass, "field_classes", None) or {})
    return merged


def classify_field(model: type[models.Model], field_name: str) -> FieldClass | None:
    return field_classes_for(model).get(field_name)


def unclassified_fields(model: type[models.Model]) -> list[str]:
    """Concrete and many-to-many fields of ``model`` without a sensitivity class."""
    declared = field_classes_for(model)
    names = [
        f.name
        for f in model._meta.get_fields(include_hidden=False)
        if ((getattr(f, "concrete", False) or f.many_to_many) and not f.auto_created)
        or getattr(f, "primary_key", False)
    ]
    return sorted({n for n in names if n not in declared})


def fields_at_or_below(model: type[models.Model], level: Sensitivity) -> list[str]:
    """Field names a reader cleared up to ``level`` may see."""
    return [name for name, fc in field_classes_for(model).items() if fc.level <= level]
