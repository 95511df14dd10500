"""``palava channel create|rotate|list`` (the contract other tools rely on)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from palava.audit.models import AuditEvent
from palava.feedback.models import Channel, ChannelType, Message
from palava.missions.models import Mission
from tests.feedback.helpers_channels import (
    TWILIO_TOKEN,
    at_params,
    at_post,
    generic_payload,
    generic_post,
)

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str = "") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin:
        import sys

        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            call_command("channel", *args, stdout=out, stderr=err)
        finally:
            sys.stdin = saved
    else:
        call_command("channel", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@override_settings(PALAVA_PUBLIC_URL="https://palava.example.org")
def test_create_prints_uuid_webhook_and_a_working_secret(mission: Mission) -> None:
    out, _err = run("create", "--mission", mission.slug, "--type", "generic", "--name", "RapidPro")
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert set(lines) == {"channel", "webhook", "secret"}
    channel = Channel.objects.get()
    assert lines["channel"] == str(channel.public_id)
    assert lines["webhook"] == f"https://palava.example.org/hooks/{channel.public_id}/"
    # the printed secret signs requests the webhook accepts
    response = generic_post(Client(), channel, generic_payload(), secret=lines["secret"])
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="channel.create", actor_label="command-line").exists()


def test_create_json_for_africastalking(mission: Mission) -> None:
    out, err = run(
        "create", "--mission", mission.slug, "--type", "africastalking", "--name", "AT", "--json"
    )
    data = json.loads(out)
    assert set(data) == {"uuid", "webhook", "secret", "callback_url"}
    assert data["callback_url"] == f"{data['webhook']}?token={data['secret']}"
    assert "PALAVA_PUBLIC_URL" in err
    channel = Channel.objects.get(public_id=data["uuid"])
    assert at_post(Client(), channel, at_params(), token=data["secret"]).status_code == 200
    assert Message.objects.count() == 1


def test_create_twilio_reads_the_token_from_stdin(mission: Mission) -> None:
    out, _err = run(
        "create",
        "--mission",
        mission.slug,
        "--type",
        "twilio",
        "--name",
        "Twilio",
        "--secret",
        "-",
        stdin=TWILIO_TOKEN + "\n",
    )
    assert Channel.objects.get().secret == TWILIO_TOKEN
    assert f"secret: {TWILIO_TOKEN}" in out


def test_create_webform_prints_the_public_page(mission: Mission) -> None:
    out, _err = run("create", "--mission", mission.slug, "--type", "webform", "--name", "Web")
    assert f"/p/{mission.slug}/report/" in out
    assert "secret: -" in out


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--mission", "nope", "--type", "generic", "--name", "X"),
        ("create", "--mission", "{slug}", "--type", "twilio", "--name", "X"),
        ("rotate", "not-a-uuid"),
        ("rotate", "00000000-0000-0000-0000-000000000000"),
        ("list", "--mission", "nope"),
    ],
)
def test_errors_are_command_errors(mission: Mission, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        run(*(a.replace("{slug}", mission.slug) for a in args))


def test_rotate_prints_the_new_secret_and_list_never_does(mission: Mission) -> None:
    out, _err = run(
        "create", "--mission", mission.slug, "--type", "generic", "--name", "G", "--json"
    )
    first = json.loads(out)
    out, _err = run("rotate", first["uuid"], "--json", "--grace-hours", "1")
    second = json.loads(out)
    assert second["uuid"] == first["uuid"]
    assert second["secret"] != first["secret"]
    channel = Channel.objects.get()
    assert channel.secret == second["secret"]
    assert channel.previous_secret == first["secret"]
    with pytest.raises(CommandError):
        run("rotate", first["uuid"], "--grace-hours", "500")
    listing, _err = run("list", "--mission", mission.slug)
    assert re.match(rf"^{first['uuid']}\tgeneric\tactive\tG\t", listing)
    assert first["secret"] not in listing
    assert second["secret"] not in listing
    assert ChannelType.GENERIC in listing
