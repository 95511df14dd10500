"""Django admin for accounts: no secrets in lists, API tokens read-only, digests never shown."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from palava.accounts.admin import SECRET_FIELDS
from palava.accounts.models import ApiToken, User
from palava.accounts.tokens import token_authenticate, token_create
from palava.missions.models import Role
from tests.conftest import verify_second_factor
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    operator = UserFactory(username="operator")
    User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    verified = User.objects.get(pk=operator.pk)
    client.force_login(verified)
    verify_second_factor(client, verified)  # the admin requires a verified second factor
    return client


def test_lists_show_no_secret_fields() -> None:
    # then
    for model in (User, ApiToken):
        model_admin = admin.site._registry[model]
        shown = set(model_admin.list_display) | set(model_admin.search_fields)
        assert not shown & SECRET_FIELDS, model


def test_the_user_list_and_page_render_without_the_password_hash(operator_client: Client) -> None:
    # given
    user = UserFactory(username="amani", preferred_language="fr")

    # when
    listing = operator_client.get(reverse("admin:accounts_user_changelist"))
    page = operator_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    # then
    assert listing.status_code == 200
    assert "amani" in listing.content.decode()
    assert page.status_code == 200
    assert user.password not in page.content.decode()
    assert user.password not in listing.content.decode()


def test_tokens_are_read_only_and_never_show_the_digest(operator_client: Client) -> None:
    # given
    membership = MembershipFactory(role=Role.OFFICER)
    new = token_create(
        actor=None, user=membership.user, mission=membership.mission, name="export script"
    )

    # when
    listing = operator_client.get(reverse("admin:accounts_apitoken_changelist"))
    page = operator_client.get(reverse("admin:accounts_apitoken_change", args=[new.token.pk]))
    add = operator_client.get(reverse("admin:accounts_apitoken_add"))

    # then
    for response in (listing, page):
        assert response.status_code == 200
        body = response.content.decode()
        assert new.token.digest not in body
        assert new.raw not in body
    assert "export script" in listing.content.decode()
    assert add.status_code == 403


def test_the_admin_revoke_action_goes_through_the_service(operator_client: Client) -> None:
    # given
    membership = MembershipFactory(role=Role.OFFICER)
    new = token_create(actor=None, user=membership.user, mission=membership.mission, name="t")

    # when
    response = operator_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [new.token.pk]},
    )

    # then
    assert response.status_code == 302
    assert token_authenticate(new.raw) is None
