"""``palava channel create|rotate|list``: inbound channels from the command line.

``create`` and ``rotate`` print ``channel: <uuid>``, ``webhook: <url>`` and ``secret: <secret>``
lines (or, with ``--json``, one JSON object ``{"uuid", "webhook", "secret", "callback_url"}``)
on standard output; notes go to standard error. The secret is printed this once only. Webhook
URLs start with ``PALAVA_PUBLIC_URL`` (else ``--base-url``, else http://127.0.0.1:8000).
Writes go through the audited services.
"""

from __future__ import annotations

import json
import sys
import uuid
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from palava.feedback.channel_services import (
    ChannelWithSecret,
    channel_create,
    channel_rotate_secret,
)
from palava.feedback.channels import callback_url, webhook_url
from palava.feedback.models import Channel, ChannelType
from palava.missions.models import Mission

ACTOR = "command-line"
DEFAULT_BASE = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "Create, rotate or list a mission's inbound channels (SMS gateways, web form, hotline)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a channel; prints its id, URL and secret")
        create.add_argument("--mission", required=True, help="slug of the mission")
        create.add_argument("--type", required=True, choices=ChannelType.values, dest="kind")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--secret",
            help="Twilio: the auth token (required); others: omit to generate one. "
            "'-' reads it from standard input.",
        )
        create.add_argument("--address", default="", help="the number or short code")
        create.add_argument("--ack", action="store_true", help="send acknowledgements")
        create.add_argument("--base-url", default="", help="when PALAVA_PUBLIC_URL is unset")
        create.add_argument("--json", action="store_true", help="print one JSON object")
        rotate = sub.add_parser("rotate", help="give a channel a new secret")
        rotate.add_argument("uuid", help="the channel's id")
        rotate.add_argument("--secret", help="Twilio: the new auth token; '-' reads stdin")
        rotate.add_argument(
            "--grace-hours", type=int, default=24, help="old secret stays valid (0 to 168)"
        )
        rotate.add_argument("--base-url", default="")
        rotate.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="list a mission's channels (never secrets)")
        listing.add_argument("--mission", required=True)
        listing.add_argument("--base-url", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "rotate":
            self._rotate(options)
        else:
            self._list(options)

    # --- helpers ---------------------------------------------------------------------------

    def _base(self, options: dict[str, Any]) -> str:
        base = str(getattr(settings, "PALAVA_PUBLIC_URL", "") or options.get("base_url") or "")
        if not base:
            self.stderr.write(
                f"note: PALAVA_PUBLIC_URL is not set; URLs below start with {DEFAULT_BASE}"
            )
            base = DEFAULT_BASE
        return base.rstrip("/")

    def _mission(self, slug: str) -> Mission:
        mission = Mission.objects.filter(slug=slug).first()
        if mission is None:
            raise CommandError(f"no mission with slug {slug!r}")
        return mission

    def _secret(self, value: str | None) -> str | None:
        if value == "-":
            return sys.stdin.readline().strip() or None
        return value or None

    def _print(self, result: ChannelWithSecret, options: dict[str, Any]) -> None:
        channel = result.channel
        base = self._base(options)
        webhook = webhook_url(channel, base=base)
        callback = callback_url(channel, base=base, secret=result.secret)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "uuid": str(channel.public_id),
                        "webhook": webhook,
                        "secret": result.secret,
                        "callback_url": callback,
                    }
                )
            )
            return
        self.stdout.write(f"channel: {channel.public_id}")
        self.stdout.write(f"webhook: {webhook or '-'}")
        self.stdout.write(f"secret: {result.secret or '-'}")
        if callback and callback != webhook:
            self.stderr.write(f"give the gateway this callback URL: {callback}")
        if result.secret:
            self.stderr.write("the secret is shown only now; it is stored encrypted")

    def _fail(self, exc: ValidationError) -> CommandError:
        return CommandError("; ".join(str(m) for m in exc.messages))

    # --- actions ---------------------------------------------------------------------------

    def _create(self, options: dict[str, Any]) -> None:
        mission = self._mission(options["mission"])
        try:
            result = channel_create(
                actor=ACTOR,
                mission=mission,
                name=options["name"],
                channel_type=options["kind"],
                secret=self._secret(options.get("secret")),
                address=options["address"],
                ack_enabled=options["ack"],
            )
        except ValidationError as exc:
            raise self._fail(exc) from None
        self._print(result, options)

    def _rotate(self, options: dict[str, Any]) -> None:
        try:
            key = uuid.UUID(options["uuid"])
        except ValueError:
            raise CommandError(f"{options['uuid']!r} is not a channel id") from None
        channel = Channel.objects.select_related("mission").filter(public_id=key).first()
        if channel is None:
            raise CommandError(f"no channel with id {key}")
        hours = options["grace_hours"]
        if not 0 <= hours <= 168:
            raise CommandError("--grace-hours must be between 0 and 168")
        try:
            result = channel_rotate_secret(
                actor=ACTOR,
                channel=channel,
                secret=self._secret(options.get("secret")),
                grace=timedelta(hours=hours),
            )
        except ValidationError as exc:
            raise self._fail(exc) from None
        self._print(result, options)

    def _list(self, options: dict[str, Any]) -> None:
        mission = self._mission(options["mission"])
        channels = list(Channel.objects.filter(mission=mission).select_related("mission"))
        if not channels:
            self.stderr.write(f"mission {mission.slug} has no channels")
            return
        base = self._base(options)
        for channel in channels:
            self.stdout.write(
                "\t".join(
                    [
                        str(channel.public_id),
                        channel.channel_type,
                        "active" if channel.is_active else "off",
                        channel.name,
                        webhook_url(channel, base=base) or "-",
                    ]
                )
            )
