"""``palava user create``: create an account through the audited service."""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from palava.accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user (the password is read from standard input or prompted for)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--username", required=True)
        create.add_argument("--email", default="")
        create.add_argument("--language", default="", choices=["", "en", "fr", "ar"])
        create.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("the passwords differ")
        try:
            user = user_create(
                actor="command-line",
                username=options["username"],
                password=password,
                email=options["email"],
                preferred_language=options["language"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"created user {user.username}")
