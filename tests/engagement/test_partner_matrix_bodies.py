"""The matrix request bodies of the partners API succeed, again and again, for a manager."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client

from palava.accounts.tokens import token_create
from palava.api import api
from palava.missions.models import Mission, Role
from tests.engagement import matrix_samples
from tests.engagement.matrix_bodies_partners import PARTNER_API_BODIES
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@dataclass
class _World:
    mission: Mission


def test_every_body_succeeds_twice(mission: Mission) -> None:
    member = MembershipFactory(mission=mission, role=Role.MANAGER)
    raw = token_create(actor=member.user, user=member.user, mission=mission, name="t", days=1).raw
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    world = _World(mission)
    values = {
        "slug": mission.slug,
        "partner_id": str(matrix_samples.sample_partner(mission).public_id),
        "agreement_id": str(matrix_samples.sample_agreement(mission).public_id),
        "project_id": str(matrix_samples.sample_project(mission).public_id),
        "deliverable_id": str(matrix_samples.sample_deliverable(mission).public_id),
    }
    schema = api.get_openapi_schema()
    seen = set()
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            op_id = spec["operationId"]
            if op_id not in PARTNER_API_BODIES:
                continue
            seen.add(op_id)
            url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
            for _attempt in range(2):
                sample = PARTNER_API_BODIES[op_id]
                body = sample(world) if callable(sample) else sample
                response = client.generic(
                    method.upper(),
                    url,
                    data=json.dumps(body),
                    content_type="application/json",
                )
                assert 200 <= response.status_code < 300, (op_id, response.content)
    assert seen == set(PARTNER_API_BODIES)
