"""``palava token create|list|revoke``: personal API tokens from the command line.

``create`` prints only the raw token on standard output, so ``TOKEN=$(palava token create ...)``
works; everything else goes to standard error.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from palava.accounts.models import TOKEN_PREFIX, ApiToken, User
from palava.accounts.tokens import (
    DEFAULT_TOKEN_DAYS,
    MAX_TOKEN_DAYS,
    TokenError,
    token_create,
    token_revoke,
)
from palava.missions.models import Membership, Mission

ACTOR = "command-line"


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise CommandError(f"--days must be a whole number, not {value!r}") from None
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise CommandError(f"--days must be between 1 and {MAX_TOKEN_DAYS}")
    return days


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it (only it)")
        create.add_argument("--user", required=True, help="username of the token owner")
        create.add_argument("--mission", required=True, help="slug of the mission it reaches")
        create.add_argument("--name", default="command-line token")
        create.add_argument("--days", default=str(DEFAULT_TOKEN_DAYS), help="1 to 365")
        listing = sub.add_parser("list", help="list a user's tokens (never their secrets)")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("--prefix", required=True, help="pvk_<prefix> or just <prefix>")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options)
        else:
            self._revoke(options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        days = _days(options["days"])
        user = self._user(options["user"])
        mission = Mission.objects.filter(slug=options["mission"]).first()
        if mission is None:
            raise CommandError(f"no mission with slug {options['mission']!r}")
        if not Membership.objects.filter(user=user, mission=mission, is_active=True).exists():
            raise CommandError(
                f"{user.username!r} is not an active member of mission {mission.slug!r}"
            )
        if not user.is_active:
            raise CommandError(f"the account {user.username!r} is disabled")
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters")
        try:
            new = token_create(actor=ACTOR, user=user, mission=mission, name=name, days=days)
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"created token {new.token.name!r} ({TOKEN_PREFIX}{new.token.prefix}…) for "
            f"{user.username} in {mission.slug}, expires {new.token.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        self.stdout.write(new.raw)

    def _list(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        tokens = (
            ApiToken.objects.filter(user=user)
            .select_related("mission")
            .order_by("-created_at", "-id")
        )
        for token in tokens:
            if token.revoked_at is not None:
                state = f"revoked {token.revoked_at:%Y-%m-%d}"
            elif not token.is_usable:
                state = "expired"
            else:
                state = "active"
            last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                "\t".join(
                    [
                        f"{TOKEN_PREFIX}{token.prefix}",
                        token.mission.slug,
                        token.name,
                        f"created {token.created_at:%Y-%m-%d}",
                        f"expires {token.expires_at:%Y-%m-%d}",
                        f"last used {last}",
                        state,
                    ]
                )
            )
        if not tokens:
            self.stderr.write(f"{user.username} has no tokens")

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].strip()
        if prefix.startswith(TOKEN_PREFIX):
            prefix = prefix[len(TOKEN_PREFIX) :]
        prefix = prefix.split("_", 1)[0]  # a whole token pasted by mistake: keep its prefix
        if not prefix:
            raise CommandError("give the token's prefix, e.g. --prefix pvk_1a2b3c4d")
        matches = list(ApiToken.objects.filter(prefix=prefix).select_related("mission"))
        if not matches:
            raise CommandError(f"no token with prefix {TOKEN_PREFIX}{prefix}")
        if len(matches) > 1:
            raise CommandError(
                f"{len(matches)} tokens share the prefix {TOKEN_PREFIX}{prefix}; "
                "revoke them from the admin or the tokens page"
            )
        token = matches[0]
        already = token.revoked_at is not None
        token_revoke(actor=ACTOR, token=token)
        self.stdout.write(
            f"token {TOKEN_PREFIX}{prefix} ({token.name}) "
            + ("was already revoked" if already else "revoked")
        )
