"""Read-only admin for actors. Contact details and their pseudonyms are never shown here
(reading them is audited: use the pages or ``actors_contact_get``)."""

from __future__ import annotations

from django.contrib import admin

from palava.actors.models import Actor, Consent, Relationship
from palava.missions.admin import ReadOnlyAdmin

CONTACT_FIELDS = ("phone", "phone_pseudonym", "email", "email_pseudonym", "contact_other")
_HISTORY = ("public_id", "created_at", "updated_at", "created_by", "updated_by")


@admin.register(Actor)
class ActorAdmin(ReadOnlyAdmin[Actor]):
    list_display = ("name", "actor_type", "kind", "mission", "sensitivity", "is_active")
    list_filter = ("mission", "actor_type", "kind", "sensitivity", "is_active")
    search_fields = ("search_text",)
    exclude = (*CONTACT_FIELDS, "notes", "search_text")
    readonly_fields = _HISTORY


@admin.register(Relationship)
class RelationshipAdmin(ReadOnlyAdmin[Relationship]):
    list_display = ("source", "kind", "target", "start_date", "end_date", "confidence")
    list_filter = ("mission", "kind", "confidence")
    exclude = ("notes", "information_source")
    readonly_fields = _HISTORY


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin[Consent]):
    list_display = ("actor", "method", "given_at", "withdrawn_at")
    list_filter = ("mission", "method")
    exclude = ("details", "withdrawal_reason")
    readonly_fields = _HISTORY
