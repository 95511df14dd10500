"""The duty officer's board: open cases, overdue ones first, with their countdowns, and the
member's unread notifications.

The page works as a plain page (reload it, or use its Refresh link). With JavaScript, htmx
fetches the live part again every 10 seconds (``board_poll``); notifications newer than the
last one the page showed (``?after=<id>``) are highlighted and ``static/js/board.js`` plays a
short beep (WebAudio, no sound file) unless the member muted it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palava.feedback.cases import display, selectors
from palava.feedback.cases.views import membership_of
from palava.feedback.models import CaseStatus, Notification
from palava.missions.models import Membership
from palava.missions.permissions import Perm, mission_view

NOTICES_SHOWN = 15


@dataclass
class Column:
    key: str
    title: str
    cards: list[dict[str, Any]] = field(default_factory=list)


def _due(card: dict[str, Any], now: datetime) -> datetime:
    clock: display.Clock | None = card["deadline"]
    return clock.due_at if clock is not None and clock.due_at is not None else now


def _columns(found: selectors.Board, now: datetime) -> list[Column]:
    """The board's columns, each case with its next deadline (overdue first)."""
    groups = (
        ("overdue", _("Overdue"), found.overdue),
        ("new", _("New: acknowledge"), found.new),
        ("working", _("Acknowledged: verify or respond"), found.acknowledged),
        ("response", _("Response dispatched"), found.in_response),
        ("closing", _("Inform the reporter, close"), found.to_close),
    )
    columns = []
    for key, title, cases in groups:
        cards: list[dict[str, Any]] = [
            {
                "case": case,
                "deadline": display.next_deadline(case, now),
                "overdue": key == "overdue",
                "can_ack": case.status == CaseStatus.NEW,
            }
            for case in cases
        ]
        if key == "overdue":  # late the longest first
            cards.sort(key=lambda card: _due(card, now))
        columns.append(Column(key, title, cards))
    return columns


def _after(request: HttpRequest) -> int | None:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _live_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    now = timezone.now()
    after = _after(request)
    notices: list[Notification] = list(
        selectors.notifications_for(membership=membership, unread_only=True, limit=NOTICES_SHOWN)
    )
    unread = selectors.notification_unread_count(membership=membership)
    newest = max([n.pk for n in notices], default=after or 0)
    new_ids = {n.pk for n in notices if after is not None and n.pk > after}
    found = selectors.board(membership=membership, mine_only=request.GET.get("mine") == "1")
    poll_url = reverse("cases:board_poll", kwargs={"mission_slug": membership.mission.slug})
    return {
        "mission": membership.mission,
        "now": now,
        "columns": _columns(found, now),
        "open_count": found.total,
        "notices": [{"notice": n, "is_new": n.pk in new_ids} for n in notices],
        "unread": unread,
        "new_count": len(new_ids),
        "poll_url": f"{poll_url}?after={newest}",
        "board_url": reverse("cases:board", kwargs={"mission_slug": membership.mission.slug}),
    }


@never_cache
@mission_view(Perm.CASE_MANAGE)
def board(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The duty officer's board (a plain page; htmx refreshes its live part)."""
    membership = membership_of(request)
    return render(request, "feedback/cases/board.html", _live_context(request, membership))


@never_cache
@mission_view(Perm.CASE_MANAGE)
def board_poll(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The board's live part (htmx, every 10 s): new notices are marked for the cue."""
    membership = membership_of(request)
    return render(
        request, "feedback/cases/_partials/board_live.html", _live_context(request, membership)
    )
