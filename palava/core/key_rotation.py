"""Moving every encrypted value to the active data key (``palava rotate-key``).

Each batch is one transaction: select up to ``batch_size`` rows whose stored token is not under
the active key (locked with ``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions are
``IMMEDIATE``), decrypt, re-encrypt under the active key, write one audit row. A batch that
fails rolls back alone, and rows already under the active key are never selected again, so the
job is idempotent and resumes where an interrupted run stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from palava.audit.services import audit_record
from palava.core import crypto
from palava.core.fields import EncryptedTextField

ROTATE_ACTION = "crypto.rotate"
DEFAULT_BATCH_SIZE = 500
_RAW = "_palava_raw_token"


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: EncryptedTextField

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def encrypted_columns() -> Iterator[EncryptedColumn]:
    """Every EncryptedTextField of every installed model, each column once."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.local_concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield EncryptedColumn(model=model, field=field)


def _stale(column: EncryptedColumn) -> models.QuerySet[models.Model]:
    """Rows of ``column`` holding a token that is not under the active key.

    The raw column is read through ``Cast`` so the field's decrypting converter does not run.
    """
    name = column.field.name
    manager: models.Manager[models.Model] = column.model._base_manager
    stale: models.QuerySet[models.Model] = (
        manager.filter(**{f"{name}__isnull": False})
        .annotate(**{_RAW: Cast(name, output_field=models.TextField())})
        .exclude(**{f"{_RAW}__startswith": crypto.active_prefix()})
    )
    return stale


def stale_count(column: EncryptedColumn) -> int:
    return _stale(column).count()


@transaction.atomic
def column_rotate_batch(*, actor: str, column: EncryptedColumn, batch_size: int) -> int:
    """Re-encrypt up to ``batch_size`` stale values of ``column``; returns how many."""
    # FOR UPDATE on PostgreSQL; ignored on SQLite, whose IMMEDIATE transactions serialise writers.
    rows = list(
        _stale(column).select_for_update().order_by("pk").values_list("pk", _RAW)[:batch_size]
    )
    if not rows:
        return 0
    field = column.field
    manager = column.model._base_manager
    for pk, token in rows:
        plaintext = crypto.decrypt(token, purpose=field.purpose)
        # update() runs the field's get_prep_value, which encrypts under the active key.
        manager.filter(pk=pk).update(**{field.name: plaintext})
    # Values in ``changes`` are redacted without a model; the object id names the column and
    # the range of primary keys this batch moved to the active key.
    audit_record(
        actor=actor,
        action=ROTATE_ACTION,
        object_type=column.model._meta.label_lower,
        object_id=f"{field.name}:{rows[0][0]}-{rows[-1][0]}"[:64],
        changes={"rows": len(rows), "active_kid": crypto.key_ring().active_kid},
    )
    return len(rows)


def column_rotate(
    *, actor: str, column: EncryptedColumn, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Re-encrypt every stale value of ``column``, one transaction per batch."""
    total = 0
    while True:
        done = column_rotate_batch(actor=actor, column=column, batch_size=batch_size)
        if done == 0:
            return total
        total += done
