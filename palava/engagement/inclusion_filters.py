"""The filters of the inclusion pages and API, read from query parameters (untrusted).

Pages show the errors and fall back to the defaults; the API answers 400 with them. Nothing a
query string holds can raise: bad dates, huge ranges, unknown places or levels are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from palava.engagement.inclusion_selectors import visible_levels
from palava.engagement.selectors import engagement_settings_get, mission_today
from palava.missions.models import Membership
from palava.places.models import AdminUnit
from palava.places.selectors import admin_unit_get

MAX_RANGE_DAYS = 3660  # ten years
MAX_COVERAGE_DAYS = 3650
GRAINS = ("month", "quarter")
MAX_PARAM = 64


@dataclass
class Filters:
    start: date
    end: date
    place: AdminUnit | None
    level: int | None
    grain: str
    days: int
    errors: list[str] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links between the pages)."""
        found = {"from": self.start.isoformat(), "to": self.end.isoformat(), "grain": self.grain}
        if self.place is not None:
            found["place"] = self.place.pcode
        if self.level is not None:
            found["level"] = str(self.level)
        return found


def _date(raw: str, label: str, errors: list[str]) -> date | None:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": label})
        return None
    if not 1990 <= value.year <= 2100:
        errors.append(_("%(field)s is out of range.") % {"field": label})
        return None
    return value


def _int(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 5:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def filters_from(params: Mapping[str, str], membership: Membership) -> Filters:
    """Read ``from``, ``to``, ``place`` (P-code), ``level``, ``grain`` and ``days``."""
    errors: list[str] = []
    raw = {key: (params.get(key) or "")[:MAX_PARAM].strip() for key in params}
    today = mission_today(membership)
    default_start = date(today.year - 1, today.month, 1) + timedelta(days=31)
    default_start = date(default_start.year, default_start.month, 1)
    start = _date(raw["from"], _("From"), errors) if raw.get("from") else None
    end = _date(raw["to"], _("To"), errors) if raw.get("to") else None
    start = start or default_start
    end = end or today
    if start > end:
        errors.append(_("The start date is after the end date."))
        start, end = default_start, today
    elif (end - start).days > MAX_RANGE_DAYS:
        errors.append(_("The period is longer than ten years."))
        start, end = default_start, today

    place = None
    if raw.get("place"):
        place = admin_unit_get(membership=membership, pcode=raw["place"])
        if place is None:
            errors.append(_("Unknown place."))

    level = None
    if raw.get("level"):
        level = _int(raw["level"], 0, 3)
        if level is None or level not in visible_levels(membership=membership):
            errors.append(_("Unknown admin level."))
            level = None
        elif place is not None and level <= place.level:
            errors.append(_("The level must be below the chosen place."))
            level = None

    grain = raw.get("grain") or "month"
    if grain not in GRAINS:
        errors.append(_("Unknown period grain."))
        grain = "month"

    days = engagement_settings_get(membership.mission).coverage_days
    if raw.get("days"):
        chosen = _int(raw["days"], 1, MAX_COVERAGE_DAYS)
        if chosen is None:
            errors.append(
                _("The number of days must be between 1 and %(max)s.") % {"max": MAX_COVERAGE_DAYS}
            )
        else:
            days = chosen
    return Filters(
        start=start, end=end, place=place, level=level, grain=grain, days=days, errors=errors
    )


def default_level(membership: Membership, place: AdminUnit | None, *, deep: bool) -> int | None:
    """The level listed when none is chosen: the children of ``place``; otherwise level 1
    (``deep``: level 2, for the coverage map) or the nearest level the member sees."""
    if place is not None:
        return None  # places_for lists the children
    levels = [level for level in visible_levels(membership=membership) if level >= 1]
    if not levels:
        return None
    wanted = 2 if deep else 1
    return wanted if wanted in levels else levels[0]
