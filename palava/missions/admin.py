from __future__ import annotations

from typing import TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from palava.missions.models import Membership, Mission

M = TypeVar("M", bound=models.Model)


class ReadOnlyAdmin(admin.ModelAdmin[M]):
    """Writes go through services (with audit rows): use the pages, the API or the commands."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Mission)
class MissionAdmin(ReadOnlyAdmin[Mission]):
    list_display = ("name", "slug", "country", "require_two_factor", "is_demo")
    search_fields = ("name", "slug")
    readonly_fields = ("public_id", "created_at", "updated_at", "created_by", "updated_by")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin[Membership]):
    list_display = ("user", "mission", "role", "is_active")
    list_filter = ("mission", "role", "is_active")
    readonly_fields = ("public_id", "created_at", "updated_at", "created_by", "updated_by")
