"""Every channel type has an authenticator, and no inbound route goes without one.

Walks the URL map: every pattern under ``/hooks/`` and ``/p/`` must reach a view marked with
``palava.feedback.channels.inbound(...)`` naming a known authenticator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from palava.feedback.channels import (
    HANDLERS,
    INBOUND_ATTR,
    RECEIVES_NOTHING,
    WEBHOOK_BY_CHANNEL,
    ChannelHandler,
    inbound,
)
from palava.feedback.models import ChannelType

INBOUND_PREFIXES = ("hooks/", "p/")
KNOWN = {WEBHOOK_BY_CHANNEL, RECEIVES_NOTHING, *ChannelType.values}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def inbound_routes(patterns: list[Any]) -> list[tuple[str, Any]]:
    return [(r, cb) for r, cb in _walk(patterns) if r.startswith(INBOUND_PREFIXES)]


def unauthenticated_routes(patterns: list[Any]) -> list[str]:
    return [
        route
        for route, callback in inbound_routes(patterns)
        if getattr(callback, INBOUND_ATTR, None) not in KNOWN
    ]


def test_every_channel_type_has_a_handler_with_an_authenticator() -> None:
    for channel_type in ChannelType.values:
        handler = HANDLERS.get(channel_type)
        assert isinstance(handler, ChannelHandler), f"{channel_type} has no handler"
        assert handler.channel_type == channel_type
        assert str(handler.authenticator).strip(), f"{channel_type} names no authenticator"
    assert set(HANDLERS) == set(ChannelType.values)


def test_handlers_that_take_webhooks_need_a_secret() -> None:
    # a webhook without a secret would accept anyone: only staff/public-page types may lack one
    for handler in HANDLERS.values():
        if handler.accepts_webhook:
            assert handler.needs_secret, handler.channel_type


def test_every_inbound_route_names_its_authenticator() -> None:
    routes = inbound_routes(get_resolver().url_patterns)
    assert any(r.startswith("hooks/") for r, _cb in routes)
    assert any(r.startswith("p/") for r, _cb in routes)
    missing = unauthenticated_routes(get_resolver().url_patterns)
    assert not missing, "inbound routes without an authenticator: " + ", ".join(missing)


def _view(request: object) -> HttpResponse:
    return HttpResponse("")


@pytest.mark.parametrize(
    ("marker", "refused"),
    [(None, True), ("made-up", True), (RECEIVES_NOTHING, False), (ChannelType.TWILIO, False)],
)
def test_walk_catches_an_unmarked_or_unknown_route(marker: str | None, refused: bool) -> None:
    # given a URL map with one inbound route marked (or not) / when walked / then it is flagged
    view = _view if marker is None else inbound(marker)(lambda request: HttpResponse(""))
    patterns = [path("p/<slug:mission_slug>/", include([path("x/", view)])), path("other/", _view)]
    assert unauthenticated_routes(patterns) == (["p/<slug:mission_slug>/x/"] if refused else [])
