"""Request bodies of the partners/projects API operations for the route matrix
(``tests/missions/test_matrix.py``): ``API_BODIES.update(PARTNER_API_BODIES)``.

Each callable takes the matrix ``World`` (anything with a ``mission``) and gives a body that
succeeds every time it is sent (fresh organisations and project codes; retries are no-ops).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from palava.actors.models import Actor, ActorKind, ActorType
from tests.assessments.matrix_samples import sample_unit
from tests.engagement.matrix_samples import sample_partner


def _fresh_organisation(world: Any) -> dict[str, Any]:
    actor = Actor.objects.create(
        mission=world.mission,
        kind=ActorKind.ORGANISATION,
        actor_type=ActorType.CIVIL_SOCIETY,
        name=f"Matrix Org {uuid.uuid4().hex[:8]}",
        admin_unit=sample_unit(world.mission),
    )
    return {"organisation": str(actor.public_id), "partner_type": "nngo", "acronym": "MXO"}


def _project(world: Any) -> dict[str, Any]:
    return {
        "code": f"MX-{uuid.uuid4().hex[:10]}",
        "title": "Matrix latrines",
        "project_type": "qip",
        "sector": "wash",
        "partner": str(sample_partner(world.mission).public_id),
        "admin_unit": sample_unit(world.mission).pcode,
        "budget": "1000.00",
        "currency": "USD",
        "starts_on": "2026-01-15",
    }


PARTNER_API_BODIES: dict[str, dict[str, Any] | Callable[[Any], dict[str, Any]]] = {
    "partners_create": _fresh_organisation,
    "partners_update": {"acronym": "MXP"},
    "partners_agreements_create": {
        "kind": "mou",
        "title": "Matrix MoU 2",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    },
    "partners_agreements_update": {"scope": "Water points in the matrix province"},
    "projects_create": _project,
    "projects_update": {"title": "Matrix well (phase 2)"},
    "projects_reach_set": {
        "cells": [{"sex": "f", "age_group": "adults", "targeted": 40, "reached": 12}]
    },
    "projects_deliverables_create": {"description": "Matrix pump delivered"},
    "projects_deliverables_set_status": {"status": "delivered"},
}
