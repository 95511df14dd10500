"""The places admin: lists and pages render, nothing can be changed there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from palava.accounts.models import User
from palava.places.services import access_status_record, population_set
from tests.conftest import verify_second_factor
from tests.factories import UserFactory
from tests.places.geo import two_provinces

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    operator = UserFactory(username="operator")
    User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    verified = User.objects.get(pk=operator.pk)
    client.force_login(verified)
    verify_second_factor(client, verified)
    return client


@pytest.mark.parametrize("model", ["adminunit", "site", "accessstatus", "populationfigure"])
def test_places_admin_lists_and_pages_are_read_only(operator_client: Client, model: str) -> None:
    # given a gazetteer with an access status and a population figure
    world = two_provinces()
    access_status_record(
        actor=None, place=world.north, level="no_go", effective_from=dt.date(2026, 1, 1)
    )
    population_set(actor=None, unit=world.north, year=2024, sex="f", age_band="0-4", count=3)
    # when the operator opens the list and the add page
    listing = operator_client.get(reverse(f"admin:places_{model}_changelist"))
    adding = operator_client.get(reverse(f"admin:places_{model}_add"))
    # then the list renders and nothing can be added
    assert listing.status_code == 200
    assert adding.status_code == 403


def test_admin_unit_page_leaves_the_boundary_out(operator_client: Client) -> None:
    world = two_provinces()
    page = operator_client.get(reverse("admin:places_adminunit_change", args=[world.north.pk]))
    assert page.status_code == 200
    assert "Nord-Kivu" in page.content.decode()
    assert "coordinates" not in page.content.decode()
