"""``palava generate-data-key``: print a new entry for ``PALAVA_DATA_KEY``."""

from __future__ import annotations

import base64
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from palava.core import crypto


class Command(BaseCommand):
    help = (
        "Print a new data key ring entry 'kid:BASE64URL(32 random bytes)'. Prepend it to "
        "PALAVA_DATA_KEY (comma-separated) to make it the active key. With --pseudonym-key, "
        "print a value for PALAVA_PSEUDONYM_KEY instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kid",
            default="",
            help="Key id: 1 to 32 letters, digits, '_' or '-' (default: k<YYYYMMDD>).",
        )
        parser.add_argument(
            "--pseudonym-key",
            action="store_true",
            help="Print a random 32-byte base64url value for PALAVA_PSEUDONYM_KEY.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pseudonym_key"]:
            raw = base64.urlsafe_b64encode(os.urandom(crypto.KEY_BYTES)).rstrip(b"=")
            self.stdout.write(raw.decode("ascii"))
            return
        kid = options["kid"] or timezone.now().strftime("k%Y%m%d")
        try:
            self.stdout.write(crypto.new_key_entry(kid))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
