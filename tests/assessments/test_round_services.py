"""Round services and selectors: classifying submissions (round by date, place by P-code, sex,
age band, group, enumerator), quality flags on receipt and on refresh, quotas (CSV included,
hostile input), progress against quotas within geographic scope, and the receive hook through
OpenRosa."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from palava.assessments import quality, round_selectors, round_services
from palava.assessments.models import (
    Form,
    Round,
    RoundQuota,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from palava.assessments.round_services import (
    QuotaCSVError,
    age_band_for,
    normalise_band,
    parse_quota_csv,
    round_create,
    round_set_quotas,
    round_set_status,
    round_update,
    sex_code,
)
from palava.assessments.submission_services import submission_receive
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from palava.places.models import AdminUnit
from palava.places.services import admin_unit_create, membership_scope_set, population_set
from tests.assessments.helpers_forms import app_user, basic, form_from_xlsform
from tests.factories import MembershipFactory, MissionFactory, UserFactory

pytestmark = pytest.mark.django_db

PERCEPTION_MD = """
| survey |
| | type | name | label |
| | start | start | |
| | end | end | |
| | text | place | Place |
| | begin_group | respondent | Respondent |
| | select_one sex | sex | Sex |
| | integer | age | Age |
| | select_one grp | group | Group |
| | end_group | | |
| | begin_group | perception | Perception |
| | select_one agree5 | q1 | Q1 |
| | select_one agree5 | q2 | Q2 |
| | select_one agree5 | q3 | Q3 |
| | select_one agree5 | q4 | Q4 |
| | select_one agree5 | q5 | Q5 |
| | text | comment | Comment |
| | end_group | | |
| choices |
| | list_name | name | label |
| | sex | femme | Femme |
| | sex | homme | Homme |
| | grp | resident | Resident |
| | grp | displaced | Displaced |
| | agree5 | sd | Strongly disagree |
| | agree5 | d | Disagree |
| | agree5 | n | Neutral |
| | agree5 | a | Agree |
| | agree5 | sa | Strongly agree |
"""

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


class World:
    def __init__(self) -> None:
        self.mission: Mission = MissionFactory()
        self.form: Form = form_from_xlsform(
            mission=self.mission, source=PERCEPTION_MD, form_id="percep"
        )
        self.country = admin_unit_create(
            actor=None, mission=self.mission, pcode="XC", level=0, name="Country"
        )
        self.north = admin_unit_create(
            actor=None,
            mission=self.mission,
            pcode="XC01",
            level=1,
            name="North",
            parent=self.country,
        )
        self.south = admin_unit_create(
            actor=None,
            mission=self.mission,
            pcode="XC02",
            level=1,
            name="South",
            parent=self.country,
        )
        self.village = admin_unit_create(
            actor=None,
            mission=self.mission,
            pcode="XC0101",
            level=2,
            name="Village",
            parent=self.north,
        )
        self.serial = 0

    def round(self, period: tuple[dt.date, dt.date] = MARCH, **kwargs: Any) -> Round:
        number = kwargs.pop("number", Round.objects.filter(mission=self.mission).count() + 1)
        return round_create(
            actor=None,
            mission=self.mission,
            form=self.form,
            series="perception",
            number=number,
            name=f"Round {number}",
            starts_on=period[0],
            ends_on=period[1],
            **kwargs,
        )

    def xml(
        self,
        *,
        day: dt.date = dt.date(2026, 3, 10),
        minutes: float = 20,
        place: str = "XC01",
        sex: str = "femme",
        age: str = "34",
        group: str = "resident",
        answers: tuple[str, ...] = ("a", "d", "n", "sa", "a"),
        comment: str | None = None,
        instance: str | None = None,
    ) -> bytes:
        """One interview; answers differ between calls (the comment) unless ``comment`` is
        given."""
        self.serial += 1
        comment = f"interview {self.serial}" if comment is None else comment
        start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
        end = start + dt.timedelta(minutes=minutes)
        perception = "".join(f"<q{i + 1}>{a}</q{i + 1}>" for i, a in enumerate(answers))
        return (
            f'<data id="percep"><start>{start.isoformat()}</start><end>{end.isoformat()}</end>'
            f"<place>{place}</place><respondent><sex>{sex}</sex><age>{age}</age>"
            f"<group>{group}</group></respondent><perception>{perception}"
            f"<comment>{comment}</comment></perception>"
            f"<meta><instanceID>{instance or f'uuid:{self.serial}'}</instanceID></meta></data>"
        ).encode()

    def receive(self, actor: Any = None, **kwargs: Any) -> Submission:
        submission, created = submission_receive(
            mission=self.mission,
            xml=self.xml(**kwargs),
            attachments=[],
            source=SubmissionSource.WEB if actor else SubmissionSource.IMPORT,
            actor=actor,
        )
        assert created
        submission.refresh_from_db()
        return submission


@pytest.fixture
def world() -> World:
    return World()


# --- Pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "bands", "band"),
    [
        (3, ("0-4", "5-17", "18-59", "60+"), "0-4"),
        (18, ("0-17", "18-59", "60+"), "18-59"),
        (59, ("0-17", "18-59", "60+"), "18-59"),
        (60, ("0-17", "18-59", "60+"), "60+"),
        (104, ("0-17", "18-59", "60+"), "60+"),
        (70, ("0-17", "18-59"), ""),
        (30, ("junk", "18-59"), "18-59"),
    ],
)
def test_age_band_for(age: int, bands: tuple[str, ...], band: str) -> None:
    assert age_band_for(age, bands) == band


@pytest.mark.parametrize(
    ("value", "band"),
    [("18-59", "18-59"), ("18_59", "18-59"), ("60+", "60+"), ("60 plus", "60+"), ("old", "")],
)
def test_normalise_band(value: str, band: str) -> None:
    assert normalise_band(value) == band


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("female", "f"),
        ("F", "f"),
        ("woman", "f"),
        ("femme", "f"),
        ("male", "m"),
        ("m", "m"),
        ("Man", "m"),
        ("homme", "m"),
        ("other", ""),
        ("", ""),
    ],
)
def test_sex_code(value: str, code: str) -> None:
    assert sex_code(value) == code


# --- Creating rounds ------------------------------------------------------------------------


def test_create_fills_standard_paths_and_audits(world: World) -> None:
    round = world.round()

    assert round.place_field == "place"
    assert round.sex_field == "respondent/sex"
    assert round.age_field == "respondent/age"
    assert round.group_field == "respondent/group"
    assert isinstance(round.indicator_map, dict)
    event = AuditEvent.objects.get(action="round.create")
    assert event.changes["series"] == "perception"


def test_create_refuses_unknown_question_and_reversed_dates(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        world.round(place_field="nowhere")
    assert "place_field" in error.value.message_dict

    with pytest.raises(ValidationError) as error:
        world.round((dt.date(2026, 3, 31), dt.date(2026, 3, 1)))
    assert "ends_on" in error.value.message_dict


def test_create_refuses_another_missions_form(world: World) -> None:
    with pytest.raises(ValidationError):
        round_create(
            actor=None,
            mission=MissionFactory(),
            form=world.form,
            series="s",
            number=1,
            name="x",
            starts_on=MARCH[0],
            ends_on=MARCH[1],
        )


def test_same_series_number_twice_is_refused(world: World) -> None:
    world.round(number=1)

    with pytest.raises(ValidationError):
        world.round(APRIL, number=1)


# --- Classification -------------------------------------------------------------------------


def test_round_by_interview_date(world: World) -> None:
    march, april = world.round(MARCH), world.round(APRIL)

    in_march = world.receive(day=dt.date(2026, 3, 31))
    in_april = world.receive(day=dt.date(2026, 4, 1))
    outside = world.receive(day=dt.date(2026, 5, 2))

    assert in_march.round == march
    assert in_april.round == april
    assert outside.round is None


def test_overlapping_rounds_take_the_highest_number(world: World) -> None:
    world.round((dt.date(2026, 3, 1), dt.date(2026, 4, 15)), number=1)
    second = world.round(APRIL, number=2)

    assert world.receive(day=dt.date(2026, 4, 10)).round == second


def test_round_uses_the_mission_time_zone(world: World) -> None:
    world.mission.time_zone = "Asia/Tokyo"
    world.mission.save()
    april = world.round(APRIL)

    # 09:00 UTC on 31 March is 18:00 in Tokyo, still March; 20:00 UTC is 1 April in Tokyo.
    late = world.xml(day=dt.date(2026, 3, 31)).replace(b"T09:00:00", b"T20:00:00")
    submission, _created = submission_receive(
        mission=world.mission, xml=late, attachments=[], source=SubmissionSource.IMPORT
    )

    assert submission.round == april


def test_place_by_pcode_and_respondent_cells(world: World) -> None:
    world.round()

    known = world.receive(place="XC0101", sex="femme", age="34", group="displaced")
    lower = world.receive(place="xc02", sex="homme", age="70")
    unknown = world.receive(place="ZZ99", sex="other", age="")

    assert known.admin_unit == world.village
    assert (known.respondent_sex, known.respondent_age_band) == ("f", "18-59")
    assert known.respondent_group == "displaced"
    assert lower.admin_unit == world.south
    assert (lower.respondent_sex, lower.respondent_age_band) == ("m", "60+")
    assert unknown.admin_unit is None
    assert (unknown.respondent_sex, unknown.respondent_age_band) == ("", "")


def test_age_band_from_population_figures_of_the_round_year(world: World) -> None:
    for band in ("18-24", "25-49", "50+"):
        population_set(actor=None, unit=world.north, year=2025, sex="f", age_band=band, count=10)
    population_set(actor=None, unit=world.north, year=2020, sex="f", age_band="0-99", count=1)
    world.round(population_year=2025)

    assert world.receive(age="22").respondent_age_band == "18-24"
    assert world.receive(age="50").respondent_age_band == "50+"
    assert world.receive(age="25-49").respondent_age_band == "25-49"  # a band answer as is


def test_without_a_round_place_comes_from_a_question_named_place(world: World) -> None:
    submission = world.receive(day=dt.date(2026, 6, 1), place="XC02")

    assert submission.round is None
    assert submission.admin_unit == world.south
    assert submission.respondent_sex == "f"


def test_enumerator_is_the_web_user(world: World) -> None:
    world.round()
    user = UserFactory(username="enum_amina")

    assert world.receive(actor=user).enumerator == "enum_amina"


def test_enumerator_of_an_import_is_the_one_recorded(world: World) -> None:
    world.round()
    importer = UserFactory(username="office_importer")
    xml = world.xml().replace(b"<meta>", b"<username>enum_kobo</username><meta>")

    submission, _created = submission_receive(
        mission=world.mission,
        xml=xml,
        attachments=[],
        source=SubmissionSource.IMPORT,
        actor=importer,
    )

    assert submission.enumerator == "enum_kobo"
    assert world.receive(actor=importer).enumerator == "office_importer"  # web entry


def test_receive_hook_through_openrosa_names_the_device(world: World) -> None:
    round = world.round()
    device, secret = app_user(mission=world.mission)
    upload = SimpleUploadedFile("s.xml", world.xml(minutes=1), "text/xml")

    response = Client().post(
        f"/openrosa/{world.mission.slug}/submission",
        {"xml_submission_file": upload},
        **basic(device, secret),
    )

    assert response.status_code == 201
    submission = Submission.objects.get(form=world.form)
    assert submission.round == round
    assert submission.admin_unit == world.north
    assert submission.enumerator == "Tablet 1"
    assert submission.quality_flags == ["short"]


# --- Quality flags on receipt and refresh ---------------------------------------------------------


def test_short_and_speeding_on_receipt(world: World) -> None:
    world.round(min_duration_seconds=300)

    quick = world.receive(minutes=0.25)  # 15 s for 10 answers
    slow = world.receive(minutes=20)

    assert quick.quality_flags == ["short", "speeding"]
    assert slow.quality_flags == []


def test_straight_lining_on_receipt(world: World) -> None:
    world.round()

    assert world.receive(answers=("a",) * 5).quality_flags == ["straight_lining"]
    assert world.receive(answers=("a", "a", "a", "a", "d")).quality_flags == []


def test_duplicate_on_receipt_marks_both(world: World) -> None:
    world.round()
    first = world.receive(comment="same")

    second = world.receive(comment="same")
    third = world.receive(comment="different")

    first.refresh_from_db()
    assert second.quality_flags == ["duplicate"]
    assert first.quality_flags == ["duplicate"]
    assert third.quality_flags == []
    reasons = quality.submission_flag_reasons(second)
    assert reasons[0].code == "duplicate"
    assert first.instance_id in reasons[0].reason


def test_refresh_recomputes_and_counts(world: World) -> None:
    round = world.round()
    first = world.receive(comment="same")
    world.receive(comment="same")
    world.receive(minutes=1)
    # The duplicate's twin is edited away: after a refresh neither is a duplicate any more.
    Submission.objects.filter(pk=first.pk).update(status=SubmissionStatus.SUPERSEDED)

    counts = quality.round_quality_refresh(round=round)

    assert counts == {"short": 1, "speeding": 0, "straight_lining": 0, "duplicate": 0}
    assert not any(
        "duplicate" in s.quality_flags
        for s in Submission.objects.filter(status=SubmissionStatus.CURRENT)
    )


def test_quality_recompute_service_audits(world: World) -> None:
    round = world.round()
    world.receive(minutes=1)

    counts = round_services.round_quality_recompute(actor=None, round=round)

    assert counts["short"] == 1
    assert AuditEvent.objects.filter(action="round.quality_recompute").count() == 1


# --- Reclassification ------------------------------------------------------------------------


def test_creating_a_round_takes_earlier_submissions(world: World) -> None:
    early = world.receive(minutes=1)
    assert early.round is None

    round = world.round()

    early.refresh_from_db()
    assert early.round == round
    assert early.quality_flags == ["short"]


def test_changing_dates_releases_submissions(world: World) -> None:
    round = world.round()
    submission = world.receive(day=dt.date(2026, 3, 20))

    round_update(
        actor=None,
        round=round,
        changes={"starts_on": dt.date(2026, 3, 1), "ends_on": dt.date(2026, 3, 15)},
    )

    submission.refresh_from_db()
    assert submission.round is None
    assert AuditEvent.objects.filter(action="round.update").count() == 1


def test_changing_the_place_question_reclassifies(world: World) -> None:
    round = world.round()
    submission = world.receive(place="XC02")

    round_update(actor=None, round=round, changes={"place_field": "respondent/group"})

    submission.refresh_from_db()
    assert submission.admin_unit == world.south  # an unknown answer keeps the known place
    with pytest.raises(ValidationError):
        round_update(actor=None, round=round, changes={"sex_field": "not/a/question"})


def test_update_without_changes_writes_nothing(world: World) -> None:
    round = world.round()

    round_update(actor=None, round=round, changes={"name": round.name})

    assert not AuditEvent.objects.filter(action="round.update").exists()
    with pytest.raises(ValueError, match="not editable"):
        round_update(actor=None, round=round, changes={"mission": None})


def test_status(world: World) -> None:
    round = world.round()

    round_set_status(actor=None, round=round, status="open")

    assert Round.objects.get(pk=round.pk).status == "open"
    assert AuditEvent.objects.filter(action="round.status").count() == 1
    with pytest.raises(ValidationError):
        round_set_status(actor=None, round=round, status="finished")


# --- Quotas and progress -----------------------------------------------------------------------


def test_set_quotas_replaces_and_validates(world: World) -> None:
    round = world.round()
    round_set_quotas(actor=None, round=round, quotas=[(world.north, "", "", 10)])

    round_set_quotas(
        actor=None, round=round, quotas=[(world.south, "f", "18-59", 5), (world.south, "m", "", 4)]
    )

    assert RoundQuota.objects.filter(round=round).count() == 2
    for bad in (
        [(world.south, "x", "", 1)],
        [(world.south, "f", "young", 1)],
        [(world.south, "", "", 1), (world.south, "", "", 2)],
        [(world.south, "", "", 2_000_000)],
    ):
        with pytest.raises(ValidationError):
            round_set_quotas(actor=None, round=round, quotas=bad)
    foreign = admin_unit_create(
        actor=None, mission=MissionFactory(), pcode="YY", level=0, name="Elsewhere"
    )
    with pytest.raises(ValidationError):
        round_set_quotas(actor=None, round=round, quotas=[(foreign, "", "", 1)])


def _scoped(world: World, unit: AdminUnit, role: str = Role.OFFICER) -> Membership:
    member: Membership = MembershipFactory(mission=world.mission, role=role)
    membership_scope_set(actor=None, membership=member, units=[unit])
    return member


def test_progress_counts_cells_places_inside_and_scope(world: World) -> None:
    round = world.round()
    round_set_quotas(
        actor=None,
        round=round,
        quotas=[
            (world.north, "", "", 4),
            (world.north, "f", "", 2),
            (world.north, "m", "60+", 1),
            (world.south, "", "", 3),
        ],
    )
    world.receive(place="XC01", sex="femme")
    world.receive(place="XC0101", sex="femme")  # a village of North counts for North
    world.receive(place="XC0101", sex="femme")
    world.receive(place="XC02", sex="homme", age="70")
    world.receive(place="ZZ", sex="homme")  # no place: counts nowhere

    whole = {
        (p.place.pcode, p.sex, p.age_band): (p.done, p.target)
        for p in round_selectors.round_progress(round=round, membership=None)
    }
    member = _scoped(world, world.north)
    scoped = round_selectors.round_progress(round=round, membership=member)

    assert whole == {
        ("XC01", "", ""): (3, 4),
        ("XC01", "f", ""): (3, 2),
        ("XC01", "m", "60+"): (0, 1),
        ("XC02", "", ""): (1, 3),
    }
    assert round_selectors.overall(
        round_selectors.round_progress(round=round, membership=None)
    ) == (
        3 + 2 + 0 + 1,
        10,
        60,
    )
    assert {p.place.pcode for p in scoped} == {"XC01"}
    assert round_selectors.round_submissions(round=round, membership=member).count() == 3
    dashboard = round_selectors.round_dashboard(round=round, membership=member)
    assert dashboard.interviews == 3
    assert round_selectors.round_dashboard(round=round, membership=None).unplaced == 1


def test_dashboard_enumerators_days_and_flags(world: World) -> None:
    round = world.round()
    amina, bola = UserFactory(username="amina"), UserFactory(username="bola")
    world.receive(actor=amina, minutes=10, day=dt.date(2026, 3, 2))
    world.receive(actor=amina, minutes=30, day=dt.date(2026, 3, 2))
    world.receive(actor=bola, minutes=1, day=dt.date(2026, 3, 4))

    dashboard = round_selectors.round_dashboard(round=round, membership=None)

    rows = {r.name: r for r in dashboard.enumerators}
    assert rows["amina"].interviews == 2
    assert rows["amina"].median_duration == 20 * 60
    assert rows["amina"].median_text == "20 min 0 s"
    assert rows["bola"].share("short") == 100
    assert rows["amina"].flagged_share == 0
    assert dashboard.flag_counts["short"] == 1
    days = dict(dashboard.daily)
    assert days[dt.date(2026, 3, 2)] == 2
    assert days[dt.date(2026, 3, 3)] == 0
    assert days[dt.date(2026, 3, 4)] == 1
    assert dashboard.daily[0][0] == MARCH[0]


def test_rounds_overview_in_few_queries(world: World) -> None:
    first = world.round()
    second = world.round(APRIL)
    round_set_quotas(actor=None, round=first, quotas=[(world.north, "", "", 2)])
    world.receive(place="XC01")
    world.receive(place="XC01", day=dt.date(2026, 4, 3))
    member = _scoped(world, world.south)

    with CaptureQueriesContext(connection) as queries:
        rows = round_selectors.rounds_overview(mission=world.mission, membership=None)
    scoped = round_selectors.rounds_overview(mission=world.mission, membership=member)

    assert len(queries) <= 3
    by_round = {r.round: r for r in rows}
    assert (by_round[first].interviews, by_round[first].percent) == (1, 50)
    assert (by_round[second].interviews, by_round[second].percent) == (1, None)
    assert all(r.interviews == 0 for r in scoped)


# --- Quota CSV ----------------------------------------------------------------------------------


def test_quota_csv_reads_rows(world: World) -> None:
    content = (
        "\ufeffpcode;sex;age_band;target\r\nXC01;female;18-59;40\r\nxc02;;;12\r\n\r\nXC0101;m;60+;3\r\n"
    ).encode()

    rows = parse_quota_csv(content, mission=world.mission)

    assert [(u.pcode, s, b, t) for u, s, b, t in rows] == [
        ("XC01", "f", "18-59", 40),
        ("XC02", "", "", 12),
        ("XC0101", "m", "60+", 3),
    ]


HEADER = b"pcode,sex,age_band,target\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (round_services.MAX_QUOTA_CSV_BYTES + 1), "too large"),
        (HEADER + b"XC01,f,,\xff\xfe\n", "not UTF-8"),
        (HEADER + b"XC01,f,,1\x00\n", "not a CSV text file"),
        (b"place,count\nXC01,3\n", "must be the header"),
        (b"", "must be the header"),
        (HEADER, "no quota rows"),
        (HEADER + b"ZZ99,,,1\n", "Unknown P-code"),
        (HEADER + b"=cmd|' /C calc'!A0,,,1\n", "Unknown P-code"),
        (HEADER + b"XC01,x,,1\n", "Unknown sex"),
        (HEADER + b"XC01,f,teen,1\n", "Unknown age band"),
        (HEADER + b"XC01,f,,-1\n", "not a whole number"),
        (HEADER + b"XC01,f,,99999999999\n", "not a whole number"),
        (HEADER + b"XC01,f,,1.5\n", "not a whole number"),
        (HEADER + b"XC01\n", "Four columns"),
        (HEADER + b"XC01,f,,1\nXC01,female,,2\n", "already on line 2"),
        (HEADER + b'XC01,"f,,1\n', "not valid CSV"),
        (HEADER + b"XC01,,,1\n" * (round_services.MAX_QUOTA_ROWS + 1), "Too many rows"),
    ],
)
def test_quota_csv_hostile_input(world: World, content: bytes, message: str) -> None:
    with pytest.raises(QuotaCSVError) as error:
        parse_quota_csv(content, mission=world.mission)

    assert message in str(error.value)
    assert len(error.value.problems) <= round_services.MAX_PROBLEMS


def test_quota_csv_lists_problems_with_line_numbers(world: World) -> None:
    content = HEADER + b"XC01,,,1\nZZ1,,,1\nXC02,q,,1\n"

    with pytest.raises(QuotaCSVError) as error:
        parse_quota_csv(content, mission=world.mission)

    assert [p.line for p in error.value.problems] == [3, 4]


def test_quota_csv_of_another_mission_is_unknown(world: World) -> None:
    other = MissionFactory()
    admin_unit_create(actor=None, mission=other, pcode="OT01", level=0, name="Other")

    with pytest.raises(QuotaCSVError, match="Unknown P-code"):
        parse_quota_csv(HEADER + b"OT01,,,1\n", mission=world.mission)
