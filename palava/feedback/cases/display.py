"""What the case pages show about a case: its SLA clocks and which actions its state offers.

Pure functions of a case and the time (no queries), shared by the case page, the list and the
duty officer's board, so that "overdue" means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palava.feedback.models import Case, CaseStatus

OPEN_STATES = frozenset(s for s in CaseStatus if s != CaseStatus.CLOSED)
RESPONDABLE = frozenset(
    {
        CaseStatus.ACKNOWLEDGED,
        CaseStatus.VERIFIED,
        CaseStatus.RESPONSE_DISPATCHED,
        CaseStatus.RESOLVED,
    }
)
INFORMABLE = frozenset({CaseStatus.RESOLVED, CaseStatus.UNFOUNDED})
CLOSABLE = frozenset({CaseStatus.RESOLVED, CaseStatus.UNFOUNDED, CaseStatus.REPORTER_INFORMED})


def errors_into(
    form: forms.Form, exc: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """Put a service's ``ValidationError`` on the form: on the field it names when the form has
    it, else on the whole form."""
    found = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, errors in found.items():
        target = (renames or {}).get(str(field), field)
        form.add_error(target if target in form.fields else None, errors)


def duration_text(delta: timedelta) -> str:
    """``"3 d 4 h"``, ``"2 h 05 min"``, ``"12 min"``: short, for countdowns."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": mins}
    return ngettext("%(m)d min", "%(m)d min", mins) % {"m": mins}


@dataclass(frozen=True)
class Clock:
    """One SLA deadline: ``state`` is ``met``, ``late`` (met after the deadline), ``running``,
    ``overdue``, ``stopped`` (no longer needed) or ``none`` (no deadline)."""

    label: str
    state: str
    due_at: datetime | None
    done_at: datetime | None
    text: str

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"


def _clock(
    label: str, due: datetime | None, done: datetime | None, now: datetime, stopped: bool
) -> Clock:
    if due is None:
        return Clock(label, "none", None, done, _("No deadline"))
    if done is not None:
        if done <= due:
            return Clock(label, "met", due, done, _("Met"))
        return Clock(
            label, "late", due, done, _("Met %(late)s late") % {"late": duration_text(done - due)}
        )
    if stopped:
        return Clock(label, "stopped", due, None, _("Not needed"))
    if now > due:
        return Clock(
            label, "overdue", due, None, _("Overdue by %(t)s") % {"t": duration_text(now - due)}
        )
    return Clock(label, "running", due, None, _("Due in %(t)s") % {"t": duration_text(due - now)})


def clocks(case: Case, now: datetime) -> tuple[Clock, Clock]:
    """The acknowledge and respond clocks of ``case`` at ``now``."""
    closed = case.status == CaseStatus.CLOSED
    ack = _clock(_("Acknowledge"), case.acknowledge_due_at, case.acknowledged_at, now, closed)
    respond_stopped = closed or case.status == CaseStatus.UNFOUNDED
    respond = _clock(
        _("Respond"), case.respond_due_at, case.response_dispatched_at, now, respond_stopped
    )
    return ack, respond


def is_overdue(case: Case, now: datetime) -> bool:
    return any(c.is_overdue for c in clocks(case, now))


def next_deadline(case: Case, now: datetime) -> Clock | None:
    """The clock that matters now: an overdue one first, else the running one."""
    ack, respond = clocks(case, now)
    for clock in (ack, respond):
        if clock.state == "overdue":
            return clock
    for clock in (ack, respond):
        if clock.state == "running":
            return clock
    return None


@dataclass(frozen=True)
class Actions:
    """Which action forms the case page offers in the case's state."""

    acknowledge: bool
    verify: bool
    grade: bool
    respond: bool
    resolve: bool
    inform: bool
    close: bool
    edit: bool  # assign, note, link incident, join message


def actions_for(case: Case) -> Actions:
    status = case.status
    is_open = status != CaseStatus.CLOSED
    return Actions(
        acknowledge=status == CaseStatus.NEW,
        verify=status == CaseStatus.ACKNOWLEDGED,
        grade=is_open and status not in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED),
        respond=status in RESPONDABLE,
        resolve=status == CaseStatus.RESPONSE_DISPATCHED,
        inform=status in INFORMABLE,
        close=status in CLOSABLE,
        edit=is_open,
    )
