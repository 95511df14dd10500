"""Web entry pages through the test client: filling, server-side validation with errors next
to the questions, repeats without JavaScript, languages, idempotent submission, closed forms,
who may fill, and hostile POSTs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from palava.assessments import form_services
from palava.assessments.models import Form, Submission
from palava.audit.models import AuditEvent
from palava.missions.models import Membership, Mission, Role
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db

FORM = """
| survey |
| | type | name | LABELS | relevant | constraint | constraint_message::English (en) | required |
| | select_one yn | consent | Consent? | موافقة؟ | | | | yes |
| | integer | age | Age | العمر | ${consent} = 'yes' | . >= 18 | Adults only | yes |
| | begin_repeat | person | People | الأشخاص | ${consent} = 'yes' | | | |
| | text | pname | Name | الاسم | | | | |
| | end_repeat | | | | | | | |
| | image | photo | Photo | صورة | | | | |
| choices |
| | list_name | name | label::English (en) | label::Arabic (ar) |
| | yn | yes | Yes | نعم |
| | yn | no | No | لا |
| settings |
| | form_id | form_title | version |
| | census | Census | 2 |
""".replace("LABELS", "label::English (en) | label::Arabic (ar)")

MakeClient = Callable[[object], Client]


@pytest.fixture
def form(mission: Mission) -> Form:
    return form_services.form_upload(
        actor=None, mission=mission, filename="census.md", content=FORM.encode()
    ).form


@pytest.fixture
def officer(mission: Mission, client_for: MakeClient) -> Client:
    member: Membership = MembershipFactory(mission=mission, role=Role.OFFICER)
    return client_for(member.user)


def url(form: Form, mission: Mission, name: str = "") -> str:
    base = f"/m/{mission.slug}/entry/{form.public_id}/"
    return f"{base}{name}/" if name else base


def good(instance: str, **extra: str) -> dict[str, str]:
    data = {
        "_instance": instance,
        "_action": "submit",
        "consent": "yes",
        "age": "40",
        "_n:person": "2",
        "person[0]/pname": "Amani",
        "person[1]/pname": "Baraka",
    }
    data.update(extra)
    return data


def test_the_page_renders_every_question_with_a_fresh_instance_id(
    officer: Client, form: Form, mission: Mission
) -> None:
    response = officer.get(url(form, mission))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_instance"' in html
    assert "js/webform.js" in html
    assert 'data-relevant="${consent} = &#x27;yes&#x27;"' in html
    assert "not available in web entry" in html  # the photo
    assert 'id="wf-schema"' in html
    first = response.context["instance_id"]
    assert officer.get(url(form, mission)).context["instance_id"] != first


def test_a_valid_submission_is_stored_once_and_redirects(
    officer: Client, form: Form, mission: Mission
) -> None:
    instance = str(uuid.uuid4())

    response = officer.post(url(form, mission), good(instance))
    again = officer.post(url(form, mission), good(instance))

    assert response.status_code == 302
    assert response["Location"] == url(form, mission, "received")
    assert again.status_code == 302
    submission = Submission.objects.get(form=form)
    assert submission.instance_id == f"uuid:{instance}"
    assert submission.source == "web"
    assert submission.data["person"] == [{"person/pname": "Amani"}, {"person/pname": "Baraka"}]
    assert submission.data["age"] == "40"
    assert submission.form_version == form.current_version
    assert AuditEvent.objects.filter(action="submission.receive").count() == 1
    received = officer.get(response["Location"])
    assert received.status_code == 200
    assert "Fill in another" in received.content.decode()


def test_errors_are_shown_next_to_the_questions_and_answers_kept(
    officer: Client, form: Form, mission: Mission
) -> None:
    response = officer.post(url(form, mission), good(str(uuid.uuid4()), age="12"))

    html = response.content.decode()
    assert response.status_code == 400
    assert Submission.objects.count() == 0
    assert "Adults only" in html
    assert 'aria-invalid="true"' in html
    assert 'value="12"' in html
    assert 'value="Baraka"' in html
    assert "One answer needs attention." in html


def test_required_answer_missing_is_refused(officer: Client, form: Form, mission: Mission) -> None:
    data = good(str(uuid.uuid4()))
    del data["consent"]
    response = officer.post(url(form, mission), data)
    assert response.status_code == 400
    assert "This question is required." in response.content.decode()
    assert Submission.objects.count() == 0


def test_non_relevant_answers_are_dropped(officer: Client, form: Form, mission: Mission) -> None:
    response = officer.post(url(form, mission), good(str(uuid.uuid4()), consent="no", age="3"))
    assert response.status_code == 302
    submission = Submission.objects.get(form=form)
    assert submission.data["consent"] == "no"
    assert "age" not in submission.data
    assert "person" not in submission.data


def test_repeat_instances_are_added_and_removed_without_javascript(
    officer: Client, form: Form, mission: Mission
) -> None:
    data = good(str(uuid.uuid4()), _action="add:person")
    added = officer.post(url(form, mission), data)
    assert added.status_code == 200
    html = added.content.decode()
    assert 'name="_n:person" value="3"' in html
    assert 'name="person[2]/pname"' in html
    assert 'aria-invalid="true"' not in html  # no errors shown while editing

    data = good(str(uuid.uuid4()), _action="remove:person[0]")
    removed = officer.post(url(form, mission), data).content.decode()
    assert 'name="_n:person" value="1"' in removed
    assert 'value="Baraka"' in removed
    assert 'value="Amani"' not in removed
    assert Submission.objects.count() == 0


def test_labels_follow_the_page_language_and_the_switcher(
    officer: Client, form: Form, mission: Mission
) -> None:
    arabic = officer.get(url(form, mission), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "موافقة؟" in arabic
    assert 'dir="rtl"' in arabic
    english = officer.get(url(form, mission)).content.decode()
    assert "Consent?" in english
    switched = officer.post(
        url(form, mission), good(str(uuid.uuid4()), _action="lang:Arabic (ar)")
    ).content.decode()
    assert "العمر" in switched
    assert 'value="40"' in switched


def test_a_closed_form_refuses_entry(officer: Client, form: Form, mission: Mission) -> None:
    form_services.form_set_accepting(actor=None, form=form, accepting=False)
    assert officer.get(url(form, mission)).status_code == 409
    response = officer.post(url(form, mission), good(str(uuid.uuid4())))
    assert response.status_code == 409
    assert "This form is closed" in response.content.decode()
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MANAGER, 200),
        (Role.LIAISON, 200),
        (Role.ANALYST, 403),
        (Role.VIEWER, 403),
        (Role.PARTNER, 403),
    ],
)
def test_who_may_fill(
    mission: Mission, form: Form, client_for: MakeClient, role: str, status: int
) -> None:
    member: Membership = MembershipFactory(mission=mission, role=role)
    assert client_for(member.user).get(url(form, mission)).status_code == status


def test_another_missions_form_is_not_found(officer: Client, mission: Mission) -> None:
    other = MissionFactory()
    foreign = form_services.form_upload(
        actor=None, mission=other, filename="census.md", content=FORM.encode()
    ).form
    assert officer.get(url(foreign, mission)).status_code == 404
    assert officer.get(f"/m/{other.slug}/entry/{foreign.public_id}/").status_code == 404


def test_the_form_list_links_to_web_entry_for_open_forms(
    officer: Client, form: Form, mission: Mission
) -> None:
    html = officer.get(f"/m/{mission.slug}/forms/").content.decode()
    assert url(form, mission) in html
    form_services.form_set_accepting(actor=None, form=form, accepting=False)
    html = officer.get(f"/m/{mission.slug}/forms/").content.decode()
    assert url(form, mission) not in html


@pytest.mark.parametrize(
    "extra",
    [
        {"_n:person": "201"},
        {"_n:person": "99999999999"},
        {"age": "9" * 20_000},
        {f"junk{i}": "x" for i in range(1950)},
    ],
)
def test_hostile_posts_are_refused_without_storing(
    officer: Client, form: Form, mission: Mission, extra: dict[str, Any]
) -> None:
    response = officer.post(url(form, mission), good(str(uuid.uuid4()), **extra))
    assert response.status_code in (400, 413)
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"_instance": "not-a-uuid"},
        {"_started": "garbage"},
        {"_started": "2999-01-01T00:00:00+00:00"},
        {"_action": "remove:../../x"},
        {"_action": "add:nope[5]/x"},
        {"consent": "<script>alert(1)</script>"},
    ],
)
def test_odd_fields_never_break_the_page(
    officer: Client, form: Form, mission: Mission, extra: dict[str, str]
) -> None:
    response = officer.post(url(form, mission), good(str(uuid.uuid4()), **extra))
    assert response.status_code in (200, 302, 400)
    assert b"<script>alert(1)</script>" not in response.content


def test_checking_valid_answers_says_so_without_storing(
    officer: Client, form: Form, mission: Mission
) -> None:
    response = officer.post(url(form, mission), good(str(uuid.uuid4()), _action="check"))
    assert response.status_code == 200
    assert "No problems found" in response.content.decode()
    assert Submission.objects.count() == 0


def test_roles_without_web_entry_see_no_link(
    mission: Mission, form: Form, client_for: MakeClient
) -> None:
    analyst: Membership = MembershipFactory(mission=mission, role=Role.ANALYST)
    client = client_for(analyst.user)
    assert url(form, mission) not in client.get(f"/m/{mission.slug}/forms/").content.decode()
    detail = client.get(f"/m/{mission.slug}/forms/{form.public_id}/").content.decode()
    assert url(form, mission) not in detail
