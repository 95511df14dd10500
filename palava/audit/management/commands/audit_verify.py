"""``palava audit_verify``: walk the hash chain and name the first tampered row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from palava.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit non-zero naming the first tampered row."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit trail broken at row id={report.first_bad_id}: {report.reason} "
                f"({report.checked} rows verified before it)"
            )
        self.stdout.write(f"audit trail intact: {report.checked} rows verified")
