"""``palava rotate-key``: re-encrypt every encrypted value under the active data key.

Procedure (docs/operations.md, "Rotating the data key"): prepend a new entry to
``PALAVA_DATA_KEY`` (``palava generate-data-key``), restart, run ``palava rotate-key``, confirm
with ``palava rotate-key --check``, then drop the old entry.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palava.core import crypto
from palava.core.key_rotation import (
    DEFAULT_BATCH_SIZE,
    column_rotate,
    encrypted_columns,
    stale_count,
)

ACTOR = "palava rotate-key"


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field value that is not under the active data key "
        "(the first entry of PALAVA_DATA_KEY). Idempotent and resumable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit non-zero while any value is under an old key.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        ring = crypto.key_ring()
        self.stdout.write(f"active key: {ring.active_kid} (ring: {', '.join(ring.kids)})")
        columns = list(encrypted_columns())
        if options["check"]:
            self._check(columns)
            return
        total = 0
        for column in columns:
            try:
                done = column_rotate(actor=ACTOR, column=column, batch_size=batch_size)
            except crypto.DecryptionError as exc:
                raise CommandError(
                    f"{column.label}: {exc}. Values rotated so far are committed; fix the "
                    "key ring and run the command again."
                ) from None
            total += done
            self.stdout.write(f"{column.label}: {done} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"done: {total} values re-encrypted"))

    def _check(self, columns: list[Any]) -> None:
        stale_total = 0
        for column in columns:
            stale = stale_count(column)
            stale_total += stale
            self.stdout.write(f"{column.label}: {stale} under an old key")
        if stale_total:
            raise CommandError(
                f"{stale_total} values are not under the active key; run 'palava rotate-key'."
            )
        self.stdout.write(self.style.SUCCESS("every encrypted value is under the active key"))
