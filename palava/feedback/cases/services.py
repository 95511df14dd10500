"""Writes about cases: opening, joining messages, every move of the state machine, assignment.

Every function is atomic, locks the case row, stamps the time of the move on the case, appends
a :class:`~palava.feedback.models.CaseEvent` to the timeline and writes an audit row, all in one
transaction; notices to staff are rows in the same transaction, and their e-mails and SMS leave
after the commit (:mod:`palava.feedback.cases.notify`).

The state machine (``timeline.TRANSITIONS``)::

    new -> acknowledged -> verified | unfounded | response dispatched
    verified -> response dispatched -> resolved
    resolved | unfounded -> reporter informed
    resolved | unfounded | reporter informed -> closed

An illegal move raises :class:`CaseTransitionError`. ``reporter_informed_at`` may be stamped
earlier, in any state, by a delivered reply (:func:`case_reporter_informed`); the status then
moves to "reporter informed" only from resolved or unfounded. Resolving a case whose reporter
already had a reply does not inform them again: informing is about the outcome.

Escalation (:mod:`palava.feedback.cases.escalation`) follows ``next_escalation_at``: the
acknowledgement stops the acknowledgement breach and starts watching the response deadline;
a response, an unfounded verdict or closing stops it.

Permissions are checked by the pages and the API (``Perm.CASE_*``); the services check that
everything they are given belongs to the case's mission.
"""

from __future__ import annotations

from palava.feedback.cases.flow_services import (
    case_acknowledge,
    case_assign,
    case_close,
    case_comment,
    case_grade,
    case_incident_link,
    case_reporter_informed,
    case_resolve,
    case_response_record,
    case_verify,
)
from palava.feedback.cases.open_services import (
    case_attach_messages,
    case_open,
    case_open_from_message,
)
from palava.feedback.cases.routing_services import (
    notification_mark_read,
    rule_delete,
    rule_save,
    sla_policy_delete,
    sla_policy_save,
    team_member_remove,
    team_member_set,
    team_save,
)
from palava.feedback.cases.timeline import CaseTransitionError

__all__ = [
    "CaseTransitionError",
    "case_acknowledge",
    "case_assign",
    "case_attach_messages",
    "case_close",
    "case_comment",
    "case_grade",
    "case_incident_link",
    "case_open",
    "case_open_from_message",
    "case_reporter_informed",
    "case_resolve",
    "case_response_record",
    "case_verify",
    "notification_mark_read",
    "rule_delete",
    "rule_save",
    "sla_policy_delete",
    "sla_policy_save",
    "team_member_remove",
    "team_member_set",
    "team_save",
]
