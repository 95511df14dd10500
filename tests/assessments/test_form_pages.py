"""Form pages through the test client: list, upload (with the problem table), detail with
versions and preview, downloads, media, closing, and who may see them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from palava.assessments import form_services
from palava.assessments.models import MAX_XLSFORM_BYTES, Form, FormVersion
from palava.missions.models import Membership, Mission, Role
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db

FORM = """
| survey |
| | type | name | LABELS | hint::English (en) | required | relevant | constraint |
| | integer | age | Age? | العمر؟ | In years | yes | | . < 130 |
| | begin_group | home | Home | المنزل | |  | ${age} > 17 | |
| | select_one yes_no | owner | Owner? | مالك؟ | |  | |  |
| | begin_repeat | people | People | الأشخاص | |  | |  |
| | text | pname | Name | الاسم | |  | |  |
| | end_repeat | |  | |  | |  | |
| | end_group | |  | |  | |  | |
| choices |
| | list_name | name | label::English (en) | label::Arabic (ar) |
| | yes_no | yes | Yes | نعم |
| | yes_no | no | No | لا |
| settings |
| | form_id | form_title | version |
| | hh | Household | {v} |
"""


LABELS = "label::English (en) | label::Arabic (ar)"


def md(version: str = "1") -> bytes:
    return FORM.replace("LABELS", LABELS).replace("{v}", version).encode()


MakeClient = Callable[[object], Client]


@pytest.fixture
def manager(mission: Mission, client_for: MakeClient) -> Client:
    member: Membership = MembershipFactory(mission=mission, role=Role.MANAGER)
    return client_for(member.user)


@pytest.fixture
def form(mission: Mission) -> Form:
    return form_services.form_upload(
        actor=None, mission=mission, filename="hh.md", content=md()
    ).form


def base(mission: Mission) -> str:
    return f"/m/{mission.slug}/forms/"


def test_empty_list_offers_upload(mission: Mission, manager: Client) -> None:
    response = manager.get(base(mission))

    assert response.status_code == 200
    assert "No forms yet." in response.content.decode()
    assert f'href="{base(mission)}upload/"' in response.content.decode()


def test_list_shows_form(mission: Mission, manager: Client, form: Form) -> None:
    body = manager.get(base(mission)).content.decode()

    assert "Household" in body
    assert '<code dir="ltr">hh</code>' in body
    assert "English (en), Arabic (ar)" in body


def test_upload_creates_and_redirects(mission: Mission, manager: Client) -> None:
    response = manager.post(f"{base(mission)}upload/", {"file": SimpleUploadedFile("hh.md", md())})

    form = Form.objects.get(mission=mission)
    assert response.status_code == 302
    assert response["Location"] == f"{base(mission)}{form.public_id}/"


def test_bad_upload_shows_problem_table(mission: Mission, manager: Client) -> None:
    bad = b"| survey |\n| | type | name | label |\n| | text | a | A |\n| | bogus | b | B |\n"

    response = manager.post(f"{base(mission)}upload/", {"file": SimpleUploadedFile("x.md", bad)})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Unknown question type &#x27;bogus&#x27;." in body
    assert "<td>survey</td>" in body
    assert '<td class="num">3</td>' in body
    assert "<td>type</td>" in body
    assert not Form.objects.exists()


def test_oversize_upload_refused(mission: Mission, manager: Client) -> None:
    big = SimpleUploadedFile("big.csv", b"x" * (MAX_XLSFORM_BYTES + 1))

    response = manager.post(f"{base(mission)}upload/", {"file": big})

    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_upload_page_needs_csrf(mission: Mission) -> None:
    member = MembershipFactory(mission=mission, role=Role.MANAGER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)

    response = client.post(f"{base(mission)}upload/", {"file": SimpleUploadedFile("a.md", md())})

    assert response.status_code == 403


def test_detail_lists_versions_and_preview(mission: Mission, manager: Client, form: Form) -> None:
    form_services.form_upload(actor=None, mission=mission, filename="hh2.md", content=md("2"))

    body = manager.get(f"{base(mission)}{form.public_id}/").content.decode()

    assert "hh2.md" in body
    assert "hh.md" in body
    assert f"{form.public_id}/versions/1/source/" in body
    assert f"{form.public_id}/versions/2/xform.xml" in body
    assert "Age?" in body
    assert "In years" in body
    assert "required" in body
    assert "${age} &gt; 17" in body
    assert ". &lt; 130" in body
    assert "Yes" in body
    assert '<code dir="ltr">no</code>' in body
    assert body.index("People") < body.index("Name")
    assert "?lang=Arabic%20%28ar%29" in body


def test_preview_in_arabic(mission: Mission, manager: Client, form: Form) -> None:
    body = manager.get(f"{base(mission)}{form.public_id}/?lang=Arabic (ar)").content.decode()

    assert '<div class="label" dir="auto">العمر؟</div>' in body
    assert "نعم" in body


def test_downloads(mission: Mission, manager: Client, form: Form) -> None:
    source = manager.get(f"{base(mission)}{form.public_id}/versions/1/source/")
    xform = manager.get(f"{base(mission)}{form.public_id}/versions/1/xform.xml")
    missing = manager.get(f"{base(mission)}{form.public_id}/versions/9/xform.xml")

    assert source.status_code == 200
    assert source.content == md()
    assert 'filename="hh.md"' in source["Content-Disposition"]
    assert xform.status_code == 200
    assert xform.content.decode() == FormVersion.objects.get(form=form, number=1).xml
    assert missing.status_code == 404


def test_media_upload_and_close(mission: Mission, manager: Client, form: Form) -> None:
    url = f"{base(mission)}{form.public_id}/"

    manager.post(f"{url}media/", {"file": SimpleUploadedFile("logo.png", b"png")})
    response = manager.post(f"{url}accepting/", {"accepting": "0"})

    assert response.status_code == 302
    assert form.versions.get(number=1).media.get().filename == "logo.png"
    assert not Form.objects.get(pk=form.pk).accepting_submissions


def test_viewer_role_forbidden(mission: Mission, client_for: MakeClient, form: Form) -> None:
    viewer = client_for(MembershipFactory(mission=mission, role=Role.VIEWER).user)

    assert viewer.get(base(mission)).status_code == 403
    assert viewer.get(f"{base(mission)}{form.public_id}/").status_code == 403


def test_analyst_reads_but_cannot_upload(
    mission: Mission, client_for: MakeClient, form: Form
) -> None:
    analyst = client_for(MembershipFactory(mission=mission, role=Role.ANALYST).user)

    assert analyst.get(f"{base(mission)}{form.public_id}/").status_code == 200
    assert analyst.get(f"{base(mission)}upload/").status_code == 403
    assert analyst.post(f"{base(mission)}{form.public_id}/accepting/").status_code == 403


def test_non_member_gets_404(mission: Mission, client_for: MakeClient, form: Form) -> None:
    outsider = client_for(MembershipFactory(mission=MissionFactory(), role=Role.ADMIN).user)

    assert outsider.get(base(mission)).status_code == 404
    assert outsider.get(f"{base(mission)}{form.public_id}/versions/1/source/").status_code == 404


def test_other_missions_form_is_404(mission: Mission, client_for: MakeClient, form: Form) -> None:
    other = MissionFactory()
    member = client_for(MembershipFactory(mission=other, role=Role.ADMIN).user)

    assert member.get(f"/m/{other.slug}/forms/{form.public_id}/").status_code == 404


def test_list_query_count_does_not_grow(mission: Mission, manager: Client) -> None:
    form_services.form_upload(actor=None, mission=mission, filename="a.md", content=md("1"))
    with CaptureQueriesContext(connection) as one:
        manager.get(base(mission))
    for n in range(2, 5):
        body = md("1").replace(b"| hh |", f"| hh{n} |".encode())
        form_services.form_upload(actor=None, mission=mission, filename="b.md", content=body)

    with CaptureQueriesContext(connection) as many:
        manager.get(base(mission))

    assert len(many) == len(one)
