"""JSON shapes for the caller and their API tokens. A token's digest never leaves the server."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema

from palava.accounts.tokens import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS


class MeOut(Schema):
    username: str
    name: str = Field(..., description="Full name, empty when not set.")
    preferred_language: str
    mission: str = Field(..., description="Slug of the one mission the token reaches.")
    role: str = Field(..., description="The caller's role in that mission.")


class TokenOut(Schema):
    public_id: UUID
    name: str
    prefix: str = Field(..., description="Recognise a token without its secret: pvk_<prefix>_…")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="What the token is for.")
    days: int = Field(
        DEFAULT_TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS, description="Days until the token expires."
    )


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The raw token. Shown this once; it is stored hashed.")
