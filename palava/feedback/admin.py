"""Django admin for the feedback app: configuration only, read-only.

Messages, reporters and clusters are deliberately **not** registered. The admin is outside the
mission's rules: it sees every mission, ignores geographic scope and the restricted queue, and
its reads are not audited. A message's body and its sender's number belong to people who may be
at risk (reports of sexual exploitation and abuse, of armed groups); they are read only in the
pages and the API, through the selectors that enforce scope and the restricted queue and the
services that audit each read. Operators who need to look at a message use the pages with a
membership of the mission, like everyone else.

Channels (without their secrets) and categories are configuration, shown read-only here; they
are changed through the pages, the API or ``palava channel``, whose services audit the change.
"""

from __future__ import annotations

from django.contrib import admin

from palava.feedback.models import Category, Channel
from palava.missions.admin import ReadOnlyAdmin

SECRET_FIELDS = ("secret", "previous_secret")
_HISTORY = ("public_id", "created_at", "updated_at", "created_by", "updated_by")


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin[Channel]):
    list_display = ("name", "channel_type", "mission", "is_active")
    list_filter = ("mission", "channel_type", "is_active")
    exclude = SECRET_FIELDS
    readonly_fields = _HISTORY


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin[Category]):
    list_display = ("code", "name", "mission", "parent", "is_restricted", "is_active")
    list_filter = ("mission", "is_restricted", "is_active")
    readonly_fields = _HISTORY
