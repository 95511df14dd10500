"""Django admin for accounts. Users: the usual admin without secrets in lists. API tokens:
read-only (revoking goes through the audited service), the digest never shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palava.accounts.models import ApiToken, User
from palava.accounts.tokens import token_revoke

# Fields a list, a filter or a search must never show: hashes, secrets, personal contacts.
SECRET_FIELDS = frozenset({"password", "digest", "phone", "phone_encrypted", "phone_hash"})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = (
        "username",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "preferred_language",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "preferred_language")
    search_fields = ("username", "first_name", "last_name")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Palava"), {"fields": ("preferred_language",)}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = (
        "name",
        "prefix",
        "user",
        "mission",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("mission", "revoked_at")
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user", "mission")
    fields = (
        "public_id",
        "name",
        "prefix",
        "user",
        "mission",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_by",
        "updated_by",
    )
    readonly_fields = fields
    exclude = ("digest",)
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.select_related("mission").filter(revoked_at__isnull=True):
            token_revoke(actor=request.user, token=token)
            count += 1
        self.message_user(
            request, _("%(count)d token(s) revoked.") % {"count": count}, messages.SUCCESS
        )
