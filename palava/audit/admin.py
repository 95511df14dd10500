"""Read-only Django admin for the audit trail: browse and filter, never change."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from palava.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("id", "occurred_at", "actor_label", "mission", "action", "object_type")
    list_filter = ("action", "object_type", "mission", "occurred_at")
    search_fields = ("actor_label", "action", "object_id")
    date_hierarchy = "occurred_at"
    list_select_related = ("mission",)
    ordering = ("-id",)

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEvent | None = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
