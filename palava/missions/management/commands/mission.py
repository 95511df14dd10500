"""``palava mission create|add-member|list``: operator commands that go through services."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from palava.accounts.models import User
from palava.missions.models import Mission, Role
from palava.missions.services import membership_set, mission_create


class Command(BaseCommand):
    help = "Create missions and add members (writes are audited)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a mission")
        create.add_argument("--slug", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--country", required=True, help="ISO 3166 alpha-3, e.g. COD")
        create.add_argument("--languages", default="en,fr", help="comma-separated: en,fr,ar")
        create.add_argument("--time-zone", default="UTC")
        create.add_argument(
            "--no-two-factor", action="store_true", help="do not require 2FA for staff"
        )
        member = sub.add_parser("add-member", help="add a user to a mission or change the role")
        member.add_argument("--mission", required=True)
        member.add_argument("--user", required=True)
        member.add_argument("--role", required=True, choices=Role.values)
        sub.add_parser("list", help="list missions")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                mission = mission_create(
                    actor="command-line",
                    slug=options["slug"],
                    name=options["name"],
                    country=options["country"],
                    languages=[x.strip() for x in options["languages"].split(",") if x.strip()],
                    time_zone=options["time_zone"],
                    require_two_factor=not options["no_two_factor"],
                )
                self.stdout.write(f"created mission {mission.slug} ({mission.public_id})")
            elif options["action"] == "add-member":
                found = Mission.objects.filter(slug=options["mission"]).first()
                if found is None:
                    raise CommandError(f"no mission with slug {options['mission']!r}")
                user = User.objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(f"no user named {options['user']!r}")
                membership = membership_set(
                    actor="command-line", mission=found, user=user, role=options["role"]
                )
                self.stdout.write(f"{user.username} is {membership.role} in {found.slug}")
            else:
                for mission in Mission.objects.order_by("slug"):
                    self.stdout.write(f"{mission.slug}\t{mission.country}\t{mission.name}")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
