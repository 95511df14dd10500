"""End to end in Chromium: a manager uploads an XLSForm with skip logic and a repeat, fills it
in the browser (questions appear and disappear as answers change, a constraint message shows
at once, two children are added), submits, and the form list counts the submission."""

from __future__ import annotations

from typing import Any

import pytest

from palava.assessments.models import Submission, SubmissionStatus
from palava.missions.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, MissionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY_MD = """
| survey |
| | type | name | label | relevant | constraint | constraint_message | required |
| | select_one yn | has_kids | Do you have children? | | | | yes |
| | integer | age | Your age | | . >= 18 and . <= 110 | Age must be between 18 and 110 | yes |
| | text | why_not | Anything to add? | ${has_kids} = 'no' | | | |
| | begin_repeat | kid | Child | ${has_kids} = 'yes' | | | |
| | text | kid_name | Child's name | | | | yes |
| | integer | kid_age | Child's age | | . < 18 | A child is under 18 | |
| | end_repeat | | | | | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_id | form_title | version |
| | family | Family survey | 1 |
"""


def test_a_form_filled_in_the_browser_is_counted_like_an_odk_submission(
    live_server: Any, browser: Any
) -> None:
    # given a manager of a mission
    mission = MissionFactory(slug="kivu", require_two_factor=False, languages=["en", "fr"])
    MembershipFactory(user=UserFactory(username="neema"), mission=mission, role=Role.MANAGER)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "neema")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")

    # when the manager uploads the XLSForm and opens web entry from the form list
    page.goto(f"{live_server.url}/m/kivu/forms/upload/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "family.md", "mimeType": "text/markdown", "buffer": FAMILY_MD.encode()}],
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/m/kivu/forms/")
    page.get_by_role("link", name="Fill in the browser").click()
    page.wait_for_load_state("load")
    assert "/m/kivu/entry/" in page.url

    why_not = page.locator(".wf-q[data-path='why_not']")
    children = page.locator("section.wf-repeat[data-path='kid']")
    # then the questions that depend on an answer are hidden until it is given
    assert why_not.is_hidden()
    assert children.is_hidden()

    # when "No" is chosen, the follow-up shows at once; with "Yes" the children's part instead
    page.check("input[name='has_kids'][value='no']")
    assert why_not.is_visible()
    assert children.is_hidden()
    page.check("input[name='has_kids'][value='yes']")
    assert why_not.is_hidden()
    assert children.is_visible()

    # when an age outside the constraint is typed, its message shows next to the field
    page.fill("input[name='age']", "12")
    page.locator("input[name='age']").blur()
    age_error = page.locator(".wf-q[data-path='age'] .wf-error")
    assert age_error.is_visible()
    assert age_error.inner_text() == "Age must be between 18 and 110"
    assert page.get_attribute("input[name='age']", "aria-invalid") == "true"
    page.fill("input[name='age']", "34")
    page.locator("input[name='age']").blur()
    assert age_error.is_hidden()

    # when two children are entered (the second added with the button), answers are kept
    page.fill("input[name='kid[0]/kid_name']", "Amani")
    page.fill("input[name='kid[0]/kid_age']", "7")
    page.get_by_role("button", name="Add an entry").click()
    page.wait_for_load_state("load")
    assert page.input_value("input[name='age']") == "34"
    assert page.input_value("input[name='kid[0]/kid_name']") == "Amani"
    page.fill("input[name='kid[1]/kid_name']", "Baraka")
    page.fill("input[name='kid[1]/kid_age']", "4")
    screenshot(page, "web-entry-filled")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_load_state("load")

    # then the received page offers another one, and the list counts one submission
    assert "/received/" in page.url
    assert page.get_by_role("link", name="Fill in another").count() == 1
    page.goto(f"{live_server.url}/m/kivu/forms/")
    row = page.locator("tbody tr", has_text="Family survey")
    assert row.locator("td.num").inner_text().strip() == "1"
    assert errors == []
    context.close()

    # and the stored answers hold both children as a repeat, as from ODK Collect
    submission = Submission.objects.get(form__form_id="family")
    assert submission.status == SubmissionStatus.CURRENT
    assert submission.source == "web"
    assert submission.data["has_kids"] == "yes"
    assert submission.data["age"] == "34"
    assert "why_not" not in submission.data
    assert submission.data["kid"] == [
        {"kid/kid_name": "Amani", "kid/kid_age": "7"},
        {"kid/kid_name": "Baraka", "kid/kid_age": "4"},
    ]
    assert submission.data["meta/instanceID"].startswith("uuid:")


BILINGUAL_MD = """
| survey |
| | type | name | LABELS | hint::English (en) | required | relevant |
| | begin_group | place | Place | المكان | | | |
| | text | village | Village | القرية | As people call it | yes | |
| | end_group | | | | | | |
| | begin_repeat | hh | Household | الأسرة | | | |
| | integer | size | Size | الحجم | | yes | |
| | begin_repeat | visit | Visit | الزيارة | | | ${size} > 0 |
| | date | when | Date | التاريخ | | | |
| | end_repeat | | | | | | |
| | end_repeat | | | | | | |
| | note | thanks | Thank you | شكرًا | | | |
| | image | photo | Photo | صورة | | | |
| settings |
| | form_id | form_title | version | default_language |
| | visits | Visits | 1 | English (en) |
""".replace("LABELS", "label::English (en) | label::Arabic (ar)")


def test_without_javascript_in_arabic_the_server_decides(live_server: Any, browser: Any) -> None:
    # given an officer whose page language is Arabic and a bilingual form with nested repeats
    from palava.assessments.form_services import form_upload

    mission = MissionFactory(slug="kivu", require_two_factor=False, languages=["en", "ar"])
    MembershipFactory(user=UserFactory(username="amani"), mission=mission, role=Role.OFFICER)
    form = form_upload(
        actor=None, mission=mission, filename="visits.md", content=BILINGUAL_MD.encode()
    ).form
    context = browser.new_context(
        viewport={"width": 1000, "height": 900}, locale="ar", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "amani")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")

    # when the form is opened, labels are in Arabic, right to left
    page.goto(f"{live_server.url}/m/kivu/entry/{form.public_id}/")
    assert page.get_by_text("القرية").count() == 1
    assert page.get_attribute("#webform", "dir") == "rtl"

    # when it is sent without the required answers, the server shows the problems
    page.fill("input[name='hh[0]/size']", "2")
    page.locator("button[name=_action][value=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".wf-summary").count() == 1
    assert page.get_attribute("input[name='place/village']", "aria-invalid") == "true"
    assert page.input_value("input[name='hh[0]/size']") == "2"

    # when a second visit is added with the button and the village given, it is stored
    page.locator("button[value='add:hh[0]/visit']").click()
    page.wait_for_load_state("load")
    page.fill("input[name='place/village']", "Mutwanga")
    page.fill("input[name='hh[0]/visit[0]/when']", "2026-03-01")
    page.fill("input[name='hh[0]/visit[1]/when']", "2026-03-02")
    screenshot(page, "web-entry-arabic")
    page.locator("button[name=_action][value=submit]").click()
    page.wait_for_load_state("load")
    assert "/received/" in page.url
    context.close()

    data = Submission.objects.get(form=form).data
    assert data["place/village"] == "Mutwanga"
    assert data["hh"] == [
        {
            "hh/size": "2",
            "hh/visit": [{"hh/visit/when": "2026-03-01"}, {"hh/visit/when": "2026-03-02"}],
        }
    ]


CASCADE_MD = """
| survey |
| | type | name | label | choice_filter |
| | select_one states | state | State | |
| | select_one counties | county | County | state=${state} |
| choices |
| | list_name | name | label | state |
| | states | tx | Texas | |
| | states | wa | Washington | |
| | counties | king | King | wa |
| | counties | pierce | Pierce | wa |
| | counties | cameron | Cameron | tx |
| settings |
| | form_id | form_title |
| | places | Places |
"""


def test_cascading_choices_follow_the_earlier_answer(live_server: Any, browser: Any) -> None:
    from palava.assessments.form_services import form_upload

    mission = MissionFactory(slug="kivu", require_two_factor=False)
    MembershipFactory(user=UserFactory(username="amani"), mission=mission, role=Role.LIAISON)
    form = form_upload(
        actor=None, mission=mission, filename="places.md", content=CASCADE_MD.encode()
    ).form
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "amani")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/m/kivu/entry/{form.public_id}/")

    def shown() -> list[str]:
        boxes = page.locator(".wf-q[data-path='county'] input[type=radio]")
        return [
            boxes.nth(i).get_attribute("value") or ""
            for i in range(boxes.count())
            if boxes.nth(i).is_visible()
        ]

    assert shown() == []
    page.check("input[name='state'][value='wa']")
    assert shown() == ["king", "pierce"]
    page.check("input[name='county'][value='pierce']")
    page.check("input[name='state'][value='tx']")
    assert shown() == ["cameron"]
    assert not page.is_checked("input[name='county'][value='pierce']")
    assert errors == []
    context.close()


def test_every_corpus_form_runs_in_the_browser_without_script_errors(
    live_server: Any, browser: Any
) -> None:
    from pathlib import Path

    from palava.assessments.xlsform import XLSFormError, convert
    from tests.assessments.helpers_forms import form_from_xlsform

    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "xlsforms"
    if not corpus.is_dir():
        pytest.skip("shared XLSForm corpus not found")
    mission = MissionFactory(slug="kivu", require_two_factor=False)
    MembershipFactory(user=UserFactory(username="amani"), mission=mission, role=Role.OFFICER)
    forms = []
    for index, path in enumerate(sorted(corpus.rglob("*"))):
        if path.suffix.lower() not in (".xls", ".xlsx", ".csv", ".md"):
            continue
        try:
            convert(filename=path.name, content=path.read_bytes())
        except XLSFormError:
            continue
        forms.append(form_from_xlsform(mission=mission, source=path, form_id=f"corpus{index}"))
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "amani")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    for form in forms:
        page.goto(f"{live_server.url}/m/kivu/entry/{form.public_id}/")
        first = page.locator(".wf-q:not([hidden]) input[type=text]").first
        if first.count():
            first.fill("1")
            first.blur()
        radio = page.locator(".wf-q:not([hidden]) input[type=radio]").first
        if radio.count():
            radio.check()
        assert errors == [], form.form_id
    assert len(forms) >= 25
    context.close()
