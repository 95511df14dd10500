"""JSON shapes for knowledge entries.

An entry's ``source`` is confidential (it may point to a person): it is ``null`` for callers
cleared below confidential, in entries and in revisions alike. Linked actors are listed only when
the caller may see them (their own mission, scope and clearance rules).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from palava.context.knowledge_selectors import MAX_QUERY_CHARS
from palava.context.knowledge_services import (
    MAX_ACTORS,
    MAX_NOTE_CHARS,
    MAX_REVIEW_NOTE_CHARS,
    MAX_SOURCE_CHARS,
    MAX_TITLE_CHARS,
)
from palava.context.models import MAX_BODY_CHARS, EntryStatus, Topic

CODE_MAX = 32
LANGUAGE_MAX = 10
SOURCE_NOTE = "Null below confidential clearance."


class PlaceRef(Schema):
    kind: Literal["admin_unit", "site"]
    code: str = Field(..., description="P-code of the admin unit, or the site code.")
    name: str


class ActorRef(Schema):
    id: uuid.UUID
    name: str


class TranslationSummary(Schema):
    language: str
    title: str
    source_version: int
    is_stale: bool = Field(..., description="Translated from an older version of the entry.")


class EntryOut(Schema):
    id: uuid.UUID
    topic: Topic
    title: str
    body: str = Field(..., description="Markdown.")
    language: str
    sensitivity: int = Field(..., description="0 public, 1 internal, 2 confidential, 3 strictly.")
    source: str | None = Field(None, description=SOURCE_NOTE)
    place: PlaceRef
    status: EntryStatus
    author: str | None = Field(None, description="Username of the author.")
    reviewer: str | None = Field(None, description="Username of the last reviewer.")
    reviewed_at: datetime | None
    review_note: str
    valid_until: date | None
    version: int
    is_stale: bool = Field(
        ..., description="Validity passed, not reviewed for a year, or never reviewed."
    )
    updated_at: datetime


class EntryDetailOut(EntryOut):
    actors: list[ActorRef] = Field(..., description="Linked actors the caller may see.")
    translations: list[TranslationSummary]


class RevisionOut(Schema):
    version: int
    topic: Topic
    title: str
    body: str
    sensitivity: int
    source: str | None = Field(None, description=SOURCE_NOTE)
    valid_until: date | None
    note: str
    created_at: datetime
    created_by: str | None = Field(None, description="Username of who made this version.")


class LocalisedEntryOut(Schema):
    id: uuid.UUID
    title: str
    body: str
    language: str = Field(..., description="The language title and body are in.")
    is_translation: bool
    translation_stale: bool
    inherited_from: str = Field(..., description="Name of the place above it is about, or ''.")
    is_stale: bool
    status: EntryStatus
    sensitivity: int
    source: str | None = Field(None, description=SOURCE_NOTE)
    place: PlaceRef


class TopicEntriesOut(Schema):
    topic: Topic
    label: str
    entries: list[LocalisedEntryOut]


class PlaceEntriesOut(Schema):
    place: PlaceRef
    language: str
    topics: list[TopicEntriesOut]


class EntryFilterQuery(Schema):
    place: str | None = Field(
        None, max_length=CODE_MAX, description="P-code or site code: that place and below."
    )
    topic: Topic | None = None
    status: EntryStatus | None = Field(None, description="Retired entries only when asked for.")
    stale: bool = False
    q: str | None = Field(None, max_length=MAX_QUERY_CHARS)


class PlaceEntriesQuery(Schema):
    language: str | None = Field(
        None, max_length=LANGUAGE_MAX, description="Default: the request's language."
    )


class EntryIn(Schema):
    topic: Topic
    title: str = Field(..., min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(..., min_length=1, max_length=MAX_BODY_CHARS)
    language: str = Field(..., min_length=2, max_length=LANGUAGE_MAX, examples=["fr", "en-GB"])
    sensitivity: int = Field(1, ge=0, le=3)
    source: str = Field(..., min_length=1, max_length=MAX_SOURCE_CHARS)
    admin_unit: str | None = Field(None, max_length=CODE_MAX, description="P-code; or site.")
    site: str | None = Field(None, max_length=CODE_MAX, description="Site code; or admin_unit.")
    valid_until: date | None = None
    actors: list[uuid.UUID] = Field([], max_length=MAX_ACTORS)
    submit: bool = Field(False, description="Ask for review at once (else a draft).")


class EntryPatch(Schema):
    topic: Topic | None = None
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE_CHARS)
    body: str | None = Field(None, min_length=1, max_length=MAX_BODY_CHARS)
    language: str | None = Field(None, min_length=2, max_length=LANGUAGE_MAX)
    sensitivity: int | None = Field(None, ge=0, le=3)
    source: str | None = Field(None, min_length=1, max_length=MAX_SOURCE_CHARS)
    admin_unit: str | None = Field(None, max_length=CODE_MAX, description="Move to this unit.")
    site: str | None = Field(None, max_length=CODE_MAX, description="Move to this site.")
    valid_until: date | None = Field(None, description="null clears it.")
    actors: list[uuid.UUID] | None = Field(None, max_length=MAX_ACTORS)
    note: str = Field("", max_length=MAX_NOTE_CHARS, description="What changed (kept).")


class ReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=MAX_REVIEW_NOTE_CHARS, description="Needed to return.")
    valid_until: date | None = None


class RetireIn(Schema):
    note: str = Field(..., min_length=1, max_length=MAX_REVIEW_NOTE_CHARS)


class TranslationIn(Schema):
    language: str = Field(..., min_length=2, max_length=LANGUAGE_MAX)
    title: str = Field(..., min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(..., min_length=1, max_length=MAX_BODY_CHARS)


class TranslationOut(Schema):
    entry: uuid.UUID
    language: str
    title: str
    body: str
    source_version: int
    is_stale: bool
