"""Partner and agreement services: the records' rules, audit rows, hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from palava.actors.models import ActorKind
from palava.audit.models import AuditEvent
from palava.engagement.models import AgreementKind, DataSharing, PartnerType
from palava.engagement.partner_services import (
    agreement_create,
    agreement_update,
    partner_create,
    partner_deactivate,
    partner_update,
)
from palava.missions.models import Mission
from tests.engagement.helpers_partners import organisation_make, partner_make
from tests.factories import ActorFactory, MissionFactory

pytestmark = pytest.mark.django_db


def test_partner_create_makes_an_organisation_a_partner_and_audits(mission: Mission) -> None:
    org = organisation_make(mission, "Amani")

    partner = partner_create(
        actor=None, mission=mission, actor_record=org, partner_type=PartnerType.NNGO, acronym=" AM "
    )

    assert partner.actor == org
    assert partner.acronym == "AM"
    assert partner.is_active
    event = AuditEvent.objects.get(action="engagement.partner.create")
    assert event.changes["acronym"] == "AM"


def test_a_person_cannot_be_a_partner(mission: Mission) -> None:
    person = ActorFactory(mission=mission, kind=ActorKind.PERSON)

    with pytest.raises(ValidationError, match="organisation"):
        partner_create(
            actor=None, mission=mission, actor_record=person, partner_type=PartnerType.NNGO
        )


def test_an_organisation_of_another_mission_cannot_be_a_partner(mission: Mission) -> None:
    foreign = organisation_make(MissionFactory())

    with pytest.raises(ValidationError, match="another mission"):
        partner_create(
            actor=None, mission=mission, actor_record=foreign, partner_type=PartnerType.NNGO
        )


def test_one_partner_per_organisation(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")

    with pytest.raises(ValidationError, match="already a partner"):
        partner_create(
            actor=None, mission=mission, actor_record=partner.actor, partner_type=PartnerType.CSO
        )


def test_over_long_acronym_is_refused(mission: Mission) -> None:
    with pytest.raises(ValidationError):
        partner_make(mission, "Amani", acronym="A" * 41)


def test_update_and_deactivate_are_audited_without_the_notes_text(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")

    partner_update(
        actor=None, partner=partner, data={"notes": "secret remark", "partner_type": "cso"}
    )
    partner = partner_deactivate(actor=None, partner=partner)

    assert not partner.is_active
    assert partner.partner_type == "cso"
    updates = list(AuditEvent.objects.filter(action="engagement.partner.update").order_by("id"))
    assert updates[0].changes["notes"] == "(changed)"
    assert "secret remark" not in str(updates[0].changes)
    assert updates[1].changes == {"is_active": False}


def test_update_refuses_unknown_fields(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")
    with pytest.raises(ValueError, match="cannot change"):
        partner_update(actor=None, partner=partner, data={"mission": None})


def test_agreement_dates_must_be_in_order(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")

    with pytest.raises(ValidationError) as caught:
        agreement_create(
            actor=None,
            partner=partner,
            kind=AgreementKind.MOU,
            title="MoU",
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 4, 1),
        )
    assert "ends_on" in caught.value.message_dict


def test_agreement_cannot_be_signed_after_it_ends(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")
    with pytest.raises(ValidationError, match="signed after"):
        agreement_create(
            actor=None,
            partner=partner,
            kind=AgreementKind.MOU,
            title="MoU",
            signed_on=dt.date(2026, 9, 1),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 6, 1),
        )


def test_data_sharing_needs_terms(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")
    with pytest.raises(ValidationError, match="terms"):
        agreement_create(
            actor=None,
            partner=partner,
            kind=AgreementKind.DATA_SHARING,
            title="DSA",
            starts_on=dt.date(2026, 1, 1),
            data_sharing=DataSharing.AGGREGATE,
        )


def test_agreement_create_and_update_are_audited(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")
    agreement = agreement_create(
        actor=None,
        partner=partner,
        kind=AgreementKind.MOU,
        title="MoU",
        starts_on=dt.date(2026, 1, 1),
        data_sharing=DataSharing.AGGREGATE,
        data_sharing_terms="Monthly totals only.",
    )

    agreement_update(actor=None, agreement=agreement, data={"ends_on": dt.date(2026, 12, 31)})

    assert AuditEvent.objects.filter(action="engagement.agreement.create").count() == 1
    update = AuditEvent.objects.get(action="engagement.agreement.update")
    assert update.changes == {"ends_on": "2026-12-31"}


def test_agreement_over_long_title_is_refused(mission: Mission) -> None:
    partner = partner_make(mission, "Amani")
    with pytest.raises(ValidationError):
        agreement_create(
            actor=None,
            partner=partner,
            kind=AgreementKind.MOU,
            title="T" * 201,
            starts_on=dt.date(2026, 1, 1),
        )
