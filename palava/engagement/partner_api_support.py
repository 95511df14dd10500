"""Shaping and resolving for the partners API (``api_partners``): records to JSON-ready dicts,
ids and P-codes to records, always through the partner and project selectors."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from palava.actors.selectors import admin_unit_visible
from palava.engagement import partner_selectors, project_selectors
from palava.engagement.models import Agreement, Partner, Project
from palava.missions.models import Membership
from palava.missions.permissions import Perm, role_has
from palava.places.models import AdminUnit

# --- Shaping output --------------------------------------------------------------------------


def agreement_out(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.public_id,
        "partner": agreement.partner.public_id,
        "kind": agreement.kind,
        "title": agreement.title,
        "reference": agreement.reference,
        "signed_on": agreement.signed_on,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "scope": agreement.scope,
        "data_sharing": agreement.data_sharing,
        "data_sharing_terms": agreement.data_sharing_terms,
        "state": partner_selectors.agreement_state(agreement),
    }


def partner_out(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.public_id,
        "organisation": {"id": partner.actor.public_id, "name": partner.actor.name},
        "acronym": partner.acronym,
        "partner_type": partner.partner_type,
        "is_active": partner.is_active,
        "agreement_state": partner_selectors.partner_agreement_state(
            list(partner.agreements.all())
        ),
    }


def partner_detail_out(partner: Partner, membership: Membership) -> dict[str, Any]:
    agreements = list(partner_selectors.partner_agreements(partner=partner))
    projects = partner_selectors.partner_projects(membership=membership, partner=partner)
    return {
        **partner_out(partner),
        "notes": partner.notes if role_has(membership.role, Perm.PARTNER_MANAGE) else None,
        "agreements": [agreement_out(a) for a in agreements],
        "projects": [p.public_id for p in projects],
    }


def partner_ref(partner: Partner | None) -> dict[str, Any] | None:
    if partner is None:
        return None
    return {"id": partner.public_id, "name": partner.actor.name, "acronym": partner.acronym}


def project_out(project: Project, membership: Membership) -> dict[str, Any]:
    places = project_selectors.project_places(project=project)
    shown = project_selectors.partner_shown
    return {
        "id": project.public_id,
        "code": project.code,
        "title": project.title,
        "project_type": project.project_type,
        "sector": project.sector,
        "partner": partner_ref(shown(membership=membership, partner=project.partner)),
        "funder": partner_ref(shown(membership=membership, partner=project.funder)),
        "admin_unit": project.admin_unit.pcode,
        "places": [u.pcode for u in places[1:]],
        "budget": project.budget,
        "currency": project.currency,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "status": project.status,
    }


def reach_out(project: Project) -> dict[str, Any]:
    table = project_selectors.project_reach_table(project=project)

    def shape(c: project_selectors.ReachCell) -> dict[str, Any]:
        return {
            "sex": c.sex,
            "age_group": c.age_group,
            "targeted": c.targeted,
            "reached": c.reached,
        }

    stored = [c for row in table.rows for c in row.cells if c.targeted or c.reached]
    return {
        "cells": [shape(c) for c in stored],
        "targeted": table.targeted,
        "reached": table.reached,
        "over_target": [shape(c) for c in stored if c.over_target],
    }


def deliverable_out(item: Any) -> dict[str, Any]:
    return {
        "id": item.public_id,
        "description": item.description,
        "due_on": item.due_on,
        "status": item.status,
        "delivered_on": item.delivered_on,
    }


def project_detail_out(project: Project, membership: Membership) -> dict[str, Any]:
    return {
        **project_out(project, membership),
        "description": project.description,
        "agreement": project.agreement.public_id if project.agreement else None,
        "reach": reach_out(project),
        "deliverables": [
            deliverable_out(d) for d in project_selectors.project_deliverables(project=project)
        ],
    }


# --- Resolving input -------------------------------------------------------------------------


def partner_or_404(membership: Membership, partner_id: Any) -> Partner:
    found = partner_selectors.partner_get(membership=membership, public_id=partner_id)
    if found is None:
        raise Http404
    return found


def project_or_404(membership: Membership, project_id: Any) -> Project:
    found = project_selectors.project_get(membership=membership, public_id=project_id)
    if found is None:
        raise Http404
    return found


def agreement_or_404(membership: Membership, agreement_id: Any) -> Agreement:
    found = partner_selectors.agreement_get(membership=membership, public_id=agreement_id)
    if found is None:
        raise Http404
    return found


def ref_partner(membership: Membership, value: Any) -> Partner | None:
    if value is None:
        return None
    found = partner_selectors.partner_get(membership=membership, public_id=value)
    if found is None:
        raise HttpError(422, _("Unknown partner."))
    return found


def ref_agreement(membership: Membership, value: Any) -> Agreement | None:
    if value is None:
        return None
    found = partner_selectors.agreement_get(membership=membership, public_id=value)
    if found is None:
        raise HttpError(422, _("Unknown agreement."))
    return found


def unit(membership: Membership, pcode: str) -> AdminUnit:
    unit = admin_unit_visible(membership=membership, pcode=pcode)
    if unit is None:
        raise HttpError(422, _("Unknown place, or a place outside your area."))
    return unit


def units(membership: Membership, pcodes: list[str]) -> list[AdminUnit]:
    return [unit(membership, code) for code in dict.fromkeys(p.strip() for p in pcodes)]
