"""JSON shapes for missions and memberships."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from palava.missions.models import Membership


class MissionOut(Schema):
    slug: str
    name: str
    country: str = Field(..., description="ISO 3166 alpha-3.")
    languages: list[str]
    time_zone: str


class MemberOut(Schema):
    username: str
    role: str
    is_active: bool
    member_since: datetime

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_member_since(obj: Membership) -> datetime:
        return obj.created_at
