"""Service levels: minutes to acknowledge and to respond, and the escalation interval.

A mission's :class:`~palava.feedback.models.SlaPolicy` rows override the built-in table
:data:`DEFAULT_SLA`. Lookup order for a case of type ``T`` and urgency ``U``: the mission's
policy for ``(T, U)``, its policy for ``(T, any urgency)``, the default for ``(T, U)``, the
default for ``(T, any)``. The clock is fixed when the case opens (``Case.acknowledge_due_at``,
``respond_due_at``): changing a policy never moves a running clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from palava.feedback.models import CaseType, SlaPolicy, Urgency

SlaMinutes = tuple[int, int, int]  # (acknowledge, respond, repeat) in minutes
SlaTable = Mapping[tuple[str, str], SlaMinutes]

HOUR = 60
DAY = 24 * HOUR

# Key: (case type, urgency); urgency "" = any urgency of that type.
DEFAULT_SLA: dict[tuple[str, str], SlaMinutes] = {
    (CaseType.ALERT, ""): (15, 2 * HOUR, 15),
    (CaseType.COMPLAINT, ""): (DAY, 7 * DAY, 4 * HOUR),
    (CaseType.COMPLAINT, Urgency.URGENT): (2 * HOUR, DAY, HOUR),
    (CaseType.COMPLAINT, Urgency.LIFE_THREATENING): (15, 2 * HOUR, 15),
    (CaseType.REQUEST, ""): (DAY, 3 * DAY, 4 * HOUR),
    (CaseType.REQUEST, Urgency.URGENT): (HOUR, 8 * HOUR, 30),
    (CaseType.REQUEST, Urgency.LIFE_THREATENING): (15, 2 * HOUR, 15),
    (CaseType.FEEDBACK, ""): (3 * DAY, 14 * DAY, DAY),
    (CaseType.FEEDBACK, Urgency.URGENT): (4 * HOUR, 2 * DAY, 2 * HOUR),
    (CaseType.FEEDBACK, Urgency.LIFE_THREATENING): (15, 2 * HOUR, 15),
    (CaseType.RUMOUR, ""): (4 * HOUR, DAY, 2 * HOUR),
    (CaseType.RUMOUR, Urgency.URGENT): (HOUR, 6 * HOUR, 30),
    (CaseType.RUMOUR, Urgency.LIFE_THREATENING): (15, 2 * HOUR, 15),
}
FALLBACK_SLA: SlaMinutes = (DAY, 7 * DAY, 4 * HOUR)


def sla_table(mission: Any) -> dict[tuple[str, str], SlaMinutes]:
    """The mission's own policies by (type, urgency) (one query; reuse it for a batch)."""
    mission_id = getattr(mission, "pk", mission)
    return {
        (p.case_type, p.urgency): (p.acknowledge_minutes, p.respond_minutes, p.repeat_minutes)
        for p in SlaPolicy.objects.filter(mission_id=mission_id)
    }


def sla_pick(table: SlaTable, case_type: str, urgency: str) -> SlaMinutes:
    """The minutes for one case from a mission's table (see the module's lookup order)."""
    for source, key in (
        (table, (case_type, urgency)),
        (table, (case_type, "")),
        (DEFAULT_SLA, (case_type, urgency)),
        (DEFAULT_SLA, (case_type, "")),
    ):
        found = source.get(key)
        if found is not None:
            return found
    return FALLBACK_SLA


def sla_for(mission: Any, case_type: str, urgency: str) -> SlaMinutes:
    """``(acknowledge, respond, repeat)`` minutes for a case of this type and urgency."""
    return sla_pick(sla_table(mission), case_type, urgency or "")
