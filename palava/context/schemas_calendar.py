"""JSON shapes of the cultural calendar API: events, occurrences, clashes, standard holidays.

Everything here is internal (event names, recurrences, planning notes). Sizes are bounded:
titles 200 characters, notes 2000, at most 10 recurrence parameters and 10 titles.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from palava.context.calendar_services import MAX_NOTE_CHARS, MAX_TITLE_CHARS
from palava.context.models import EventCategory

MAX_MAPPING_ITEMS = 10


def _small_mapping(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None and len(value) > MAX_MAPPING_ITEMS:
        raise ValueError(f"at most {MAX_MAPPING_ITEMS} items")
    return value


class EventOut(Schema):
    id: uuid.UUID
    key: str
    category: EventCategory
    title: str
    titles: dict[str, str] = Field(..., description="The title by language code.")
    label: str = Field(..., description="The title in the language of the request.")
    rule_kind: str = Field(..., description="weekly, hijri_annual, season, once, ...")
    rule: dict[str, Any] = Field(..., description="The recurrence parameters of rule_kind.")
    note: str
    warn: bool = Field(..., description="Whether activities on its dates are warned about.")
    is_active: bool
    pcode: str | None = Field(..., description="Its admin unit; null with site_code: mission-wide.")
    site_code: str | None


class EventIn(Schema):
    category: EventCategory
    title: str = Field(..., min_length=1, max_length=MAX_TITLE_CHARS)
    rule_kind: str = Field(..., min_length=1, max_length=24)
    rule: dict[str, Any] = Field(..., description="Parameters of rule_kind (see the docs).")
    titles: dict[str, str] | None = Field(None, description="Titles by language (en, fr, ar).")
    note: str = Field("", max_length=MAX_NOTE_CHARS)
    warn: bool = True
    pcode: str | None = Field(None, max_length=64, description="Admin unit; none: mission-wide.")
    site_code: str | None = Field(None, max_length=64, description="Or a site.")
    key: str = Field("", max_length=60, description="Stable key; default: from the title.")

    @field_validator("rule", "titles")
    @classmethod
    def _bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _small_mapping(value)


class EventPatch(Schema):
    category: EventCategory | None = None
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE_CHARS)
    rule_kind: str | None = Field(None, min_length=1, max_length=24)
    rule: dict[str, Any] | None = None
    titles: dict[str, str] | None = None
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)
    warn: bool | None = None
    is_active: bool | None = None
    pcode: str | None = Field(
        None, max_length=64, description="Move to this admin unit (with site_code null)."
    )
    site_code: str | None = Field(None, max_length=64, description="Move to this site.")
    key: str | None = Field(None, max_length=60)

    @field_validator("rule", "titles")
    @classmethod
    def _bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _small_mapping(value)


class EventFilterQuery(Schema):
    category: EventCategory | None = None
    place: str | None = Field(
        None, max_length=64, description="P-code or site code: events observed there or below."
    )
    include_retired: bool = False


class OccurrenceQuery(Schema):
    start: date | None = Field(None, description="First day (default: today in the mission).")
    end: date | None = Field(None, description="Last day (default: 60 days on); <= 366 days.")
    pcode: str | None = Field(None, max_length=64, description="Events observed at this unit.")
    language: str | None = Field(None, max_length=10, description="Titles in this language.")
    category: EventCategory | None = None


class OccurrenceOut(Schema):
    event: uuid.UUID
    category: EventCategory
    label: str
    start: date
    end: date
    hijri: str = Field(..., description="Hijri date of the first day (Islamic events), or ''.")
    warn: bool


class ClashQuery(Schema):
    starts_at: datetime = Field(
        ..., description="Start (ISO 8601; without a zone: the mission's local time)."
    )
    ends_at: datetime | None = None
    pcode: str | None = Field(
        None, max_length=64, description="The activity's admin unit; none: mission-wide events."
    )
    language: str | None = Field(None, max_length=10)


class ClashOut(Schema):
    event: uuid.UUID
    category: EventCategory
    label: str
    start: date
    end: date
    reason: str = Field(..., description="e.g. 'Eid al-Fitr (20-22 March 2026)'.")
    note: str


class ClashesOut(Schema):
    clashes: list[ClashOut]


class HolidaysIn(Schema):
    which: Literal["islamic", "christian"]
    offset_days: int = Field(0, ge=-2, le=2, description="Local moon sighting (Islamic only).")
    pcode: str | None = Field(None, max_length=64, description="Install for this unit only.")


class HolidaysOut(Schema):
    created: int
