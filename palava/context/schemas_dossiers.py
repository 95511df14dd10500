"""JSON shapes for briefing dossiers.

A dossier is its reader's own: the answers say what it covers, how far its job has got and
where its files are; the files themselves come from the download operations.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from palava.context.dossier_services import MAX_CODE_LENGTH, ROUTE_MAX_STOPS

JobStatusName = Literal["pending", "running", "succeeded", "failed"]
PlaceCode = Annotated[str, Field(max_length=MAX_CODE_LENGTH)]


class DossierIn(Schema):
    kind: Literal["place", "route"] = Field(
        ..., description="place: one place; route: 2 to 25 stops in travel order."
    )
    places: list[PlaceCode] = Field(
        ...,
        min_length=1,
        max_length=ROUTE_MAX_STOPS,
        description="P-codes or site codes of places in your area, in order.",
    )
    language: str = Field(
        "",
        max_length=10,
        description="en, fr or ar; empty: the language of the request (Accept-Language).",
    )


class DossierLinks(Schema):
    html: str | None = Field(None, description="The offline HTML file, once ready.")
    pdf: str | None = Field(None, description="The PDF file, once ready.")


class DossierOut(Schema):
    id: uuid.UUID
    kind: Literal["place", "route"]
    title: str
    places: list[str] = Field(..., description="P-codes and site codes, in order.")
    language: str
    clearance: int = Field(
        ..., description="The clearance the dossier was filtered for (1 internal .. 3)."
    )
    status: JobStatusName
    progress: int = Field(..., ge=0, le=100, description="Percent done.")
    message: str = Field(..., description="What the job is doing, or why it failed.")
    created_at: datetime
    expires_at: datetime = Field(..., description="The dossier is deleted after this time.")
    html_bytes: int
    pdf_bytes: int
    pdf_pages: int
    links: DossierLinks
