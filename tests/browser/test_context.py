"""Cultural context, calendar and briefing dossiers, end to end in Chromium.

1. The acceptance test: a dossier generated through the real services opens from a local file in
   a browser context with the network disabled (every request that is not the file itself is
   recorded and refused), and shows its map: drawn shapes, place labels, the context entry. Once
   in English and once in Arabic (right to left).
2. A walk through the pages: a liaison writes an entry, an officer reviews it, the liaison
   installs the Islamic holidays, is warned when planning an activity on Eid al-Fitr 2027 and
   schedules it anyway, then generates a dossier and downloads it. No page logs a console error
   or a Content-Security-Policy violation.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from palava.context.dossier_services import dossier_job_run, dossier_request
from palava.context.knowledge_services import entry_create, entry_review
from palava.context.models import CalendarEvent, Dossier, EntryStatus, KnowledgeEntry, Topic
from palava.core.models import JobStatus
from palava.engagement.models import Activity, ActivityType
from palava.missions.models import Membership, Role
from palava.places.models import AccessLevel, Site
from palava.places.services import access_status_record
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.factories import PASSWORD, MembershipFactory, MissionFactory, UserFactory
from tests.places.geo import TwoProvinces, two_provinces

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("Africa/Lubumbashi")
SLUG = "kivu"
ENTRY_TITLE = "Greeting the mwami of Béni"
ENTRY_BODY = "Greet the **mwami** first, with both hands.\n\n- bring no gift to a first visit"
WALK_TITLE = "Market day etiquette in Béni"
WALK_BODY = "Ask the market committee before any meeting on **Thursday**, the market day."
ACTIVITY = "Dialogue with the Béni traders"
# A backend that keeps enqueued tasks without running them, like a busy worker would.
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
EID_2027 = dt.date(2027, 3, 9)  # 1 Shawwal 1448 (Umm al-Qura)
# Reports every CSP violation as a console error, which the tests collect with the rest.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""
PROBE_URL = "http://192.0.2.1/probe"
PROBE = f"() => {{ fetch({PROBE_URL!r}).catch(() => null); }}"


def _watch(page: Any, errors: list[str]) -> None:
    """Collect the page's console errors and uncaught exceptions into ``errors``."""

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


def _login(browser: Any, base: str, username: str, errors: list[str]) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    _watch(page, errors)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")
    return context, page


def _submit(page: Any, form: Any, button: str) -> None:
    """Click ``button`` of ``form`` and wait for the page that answers the POST."""
    with page.expect_navigation():
        form.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("load")


def _assert_ok(page: Any, what: str) -> None:
    """Fail with the page's own error messages when a form was refused."""
    errors = page.locator(".errorlist").all_inner_texts()
    assert not errors, f"{what} was refused at {page.url}: {errors}"


def screenshot_path(name: str) -> Path:
    """Where :func:`screenshot` puts ``name`` (for element screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def _open(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, (url, response.status)


# --- 1. The offline dossier ------------------------------------------------------------------


def _world() -> tuple[TwoProvinces, Membership]:
    """Places with boundaries, a reviewed entry, an access status, and the officer reader."""
    mission = MissionFactory(slug=SLUG, require_two_factor=False, languages=["en", "fr", "ar"])
    geo = two_provinces(mission)
    # the village in the north of Béni, so that its label and the territory's both find room
    Site.objects.filter(pk=geo.north_village.pk).update(latitude=8.5, longitude=1.5)
    liaison = MembershipFactory(
        user=UserFactory(username="neema"), mission=mission, role=Role.LIAISON
    )
    officer = MembershipFactory(
        user=UserFactory(username="amani"), mission=mission, role=Role.OFFICER
    )
    entry = entry_create(
        actor=liaison.user,
        membership=liaison,
        topic=Topic.CUSTOMS,
        title=ENTRY_TITLE,
        body=ENTRY_BODY,
        language="en",
        sensitivity=1,
        source="liaison notes, March",
        admin_unit=geo.north,
        submit=True,
    )
    entry_review(actor=officer.user, membership=officer, entry=entry, approve=True)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVIEWED
    access_status_record(
        actor=officer.user,
        place=geo.north_territory,
        level=AccessLevel.RESTRICTED,
        effective_from=timezone.localdate() - dt.timedelta(days=10),
    )
    return geo, officer


def _generate(member: Membership, pcode: str, language: str) -> Dossier:
    dossier = dossier_request(
        actor=member.user, membership=member, kind="place", places=[pcode], language=language
    )
    dossier.refresh_from_db()
    job = dossier.job
    assert job is not None
    # the test settings run tasks immediately: the job ran when the request committed
    if job.finished_at is None:  # pragma: no cover (a queued backend)
        dossier_job_run(job=job)
        dossier.refresh_from_db()
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert dossier.html_bytes > 0
    return dossier


def _open_offline(
    browser: Any, path: Path, errors: list[str], outside: list[str]
) -> tuple[Any, Any]:
    """A new context with the network off: only the file itself may load."""
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="en-GB", offline=True
    )
    context.add_init_script(CSP_WATCH)
    document = path.as_uri()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url == document:
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    # every request the page attempts, also any the router does not see (e.g. data: or file:)
    context.on(
        "request", lambda request: None if request.url == document else outside.append(request.url)
    )
    page = context.new_page()
    _watch(page, errors)
    response = page.goto(document)
    assert response is None or response.ok
    page.wait_for_load_state("load")
    return context, page


def _check_map(page: Any, *, names: list[str]) -> None:
    svg = page.locator("svg.pv-map-svg")
    assert svg.count() == 1
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] > 300, box
    assert box["height"] > 100, box
    # the province, its territory (restricted: dashed) and the village are drawn
    areas = svg.locator("path.pv-area")
    assert areas.count() >= 2, areas.count()
    assert svg.locator("path.pv-area.pv-restricted").count() == 1
    assert svg.locator("path.pv-site").count() >= 1
    for index in range(areas.count()):
        shape = areas.nth(index).bounding_box()
        assert shape is not None
        assert shape["width"] > 10, shape
        assert shape["height"] > 10, shape
    for name in names:
        label = page.locator(".pv-map .pv-map-label", has_text=name)
        assert label.count() >= 1, f"no map label {name!r}"
        assert label.first.is_visible()
        # the label sits on the map
        spot = label.first.bounding_box()
        assert spot is not None
        assert box["x"] <= spot["x"] <= box["x"] + box["width"], (name, spot, box)
        assert box["y"] <= spot["y"] <= box["y"] + box["height"], (name, spot, box)
    legend = page.locator("ul.pv-legend li")
    assert legend.count() >= 2


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_offline_dossier_opens_without_network_and_shows_the_map(
    browser: Any, tmp_path: Path, language: str
) -> None:
    # given a dossier on Nord-Kivu generated for an officer through the real services
    geo, officer = _world()
    dossier = _generate(officer, geo.north.pcode, language)
    path = tmp_path / "dossier.html"
    path.write_bytes(bytes(dossier.html))

    # when the file is opened in a browser with the network disabled
    errors: list[str] = []
    outside: list[str] = []
    context, page = _open_offline(browser, path, errors, outside)
    try:
        # then the page is the dossier, in the reader's language and direction
        html = page.locator("html")
        assert html.get_attribute("lang") == language
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        assert "Nord-Kivu" in page.locator("h1").inner_text()
        # and the map shows the drawn places with their labels
        _check_map(page, names=["Nord-Kivu", "Béni", "Mutwanga"])
        # and the reviewed entry is there
        assert page.get_by_text(ENTRY_TITLE, exact=True).is_visible()
        assert page.locator(".pv-text strong", has_text="mwami").count() >= 1
        page.locator("svg.pv-map-svg").scroll_into_view_if_needed()
        screenshot(page, f"dossier-offline-{language}")
        page.locator(".pv-figure").screenshot(
            path=str(screenshot_path(f"dossier-offline-{language}-map"))
        )
        # and nothing was fetched, nothing was refused by the policy, nothing failed
        assert outside == [], outside
        assert errors == [], errors

        # (the watches work: the file's own policy refuses a fetch, and the test hears it;
        # a page of the same context that goes to the network is recorded and refused)
        page.evaluate(PROBE)
        page.wait_for_timeout(200)
        assert any("CSP violation: connect-src" in error for error in errors), errors
        other = context.new_page()
        with pytest.raises(PlaywrightError):
            other.goto(PROBE_URL)
        assert PROBE_URL in outside, outside
    finally:
        context.close()


# --- 2. A walk through the pages -------------------------------------------------------------


def test_write_review_calendar_warning_and_dossier_through_the_pages(
    live_server: Any, browser: Any
) -> None:
    # given a mission with places, a liaison who writes and an officer who reviews
    mission = MissionFactory(slug=SLUG, require_two_factor=False, languages=["en", "fr"])
    geo = two_provinces(mission)
    liaison = UserFactory(username="neema")
    MembershipFactory(user=liaison, mission=mission, role=Role.LIAISON)
    officer = UserFactory(username="amani")
    MembershipFactory(user=officer, mission=mission, role=Role.OFFICER)
    base = live_server.url
    errors: list[str] = []
    context, page = _login(browser, base, "neema", errors)

    # 1. the knowledge base: home, then the territory's page, then "Add an entry here"
    _open(page, f"{base}/m/{SLUG}/context/")
    assert page.get_by_role("heading", name="Knowledge base", level=1).is_visible()
    screenshot(page, "context-home")
    _open(page, f"{base}/m/{SLUG}/context/unit/{geo.north_territory.pcode}/")
    assert "Béni" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Add an entry here").first.click()
    page.wait_for_load_state("load")
    assert "/context/entries/new/" in page.url, page.url
    form = page.locator("form[method=post]", has=page.locator("textarea[name=body]"))
    assert form.locator("input[name=place]").input_value() == geo.north_territory.pcode
    form.locator("select[name=topic]").select_option(Topic.CUSTOMS)
    form.locator("input[name=title]").fill(WALK_TITLE)
    form.locator("textarea[name=body]").fill(WALK_BODY)
    form.locator("input[name=language]").fill("en")
    form.locator("select[name=sensitivity]").select_option("1")
    form.locator("input[name=source]").fill("market committee, meeting of 3 May")
    form.locator("input[name=submit]").check()
    _submit(page, form, "Save")
    _assert_ok(page, "Writing the entry")
    assert re.search(rf"/m/{SLUG}/context/entries/[0-9a-f-]{{36}}/$", page.url), page.url
    entry_url = page.url
    assert page.locator("h1").inner_text().strip() == WALK_TITLE
    entry = KnowledgeEntry.objects.get(mission=mission, title=WALK_TITLE)
    assert entry.status == EntryStatus.IN_REVIEW
    assert entry.author == liaison
    assert entry.admin_unit == geo.north_territory

    # 2. the officer finds it in the review queue and approves it
    reviewer_context, reviewer = _login(browser, base, "amani", errors)
    _open(reviewer, f"{base}/m/{SLUG}/context/review/")
    reviewer.get_by_role("link", name=WALK_TITLE).first.click()
    reviewer.wait_for_load_state("load")
    if "/review/" not in reviewer.url:  # the queue links to the entry: open its review form
        reviewer.get_by_role("link", name="Review", exact=True).click()
        reviewer.wait_for_load_state("load")
    assert reviewer.url.endswith("/review/"), reviewer.url
    review = reviewer.locator("form[method=post]", has=reviewer.locator("input[name=decision]"))
    review.locator("input[name=decision][value=approve]").check()
    _submit(reviewer, review, "Record the review")
    _assert_ok(reviewer, "Approving the entry")
    screenshot(reviewer, "context-entry-reviewed")
    reviewer_context.close()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVIEWED
    assert entry.reviewer == officer
    # and the liaison sees it, reviewed, on the territory's page
    _open(page, f"{base}/m/{SLUG}/context/unit/{geo.north_territory.pcode}/")
    assert page.get_by_role("link", name=WALK_TITLE).count() == 1
    _open(page, entry_url)

    # 3. the cultural calendar, and the Islamic holidays installed for the whole mission
    _open(page, f"{base}/m/{SLUG}/cultural-calendar/")
    _open(page, f"{base}/m/{SLUG}/cultural-calendar/holidays/")
    install = page.locator("form[method=post]", has=page.locator("input[name=which]"))
    install.locator("input[name=which][value=islamic]").check()
    _submit(page, install, "Install")
    _assert_ok(page, "Installing the Islamic holidays")
    assert f"/m/{SLUG}/cultural-calendar/" in page.url, page.url
    screenshot(page, "cultural-calendar")
    eid = CalendarEvent.objects.filter(mission=mission, key="eid_al_fitr", is_active=True)
    assert eid.count() == 1

    # 4. an activity planned on Eid al-Fitr 2027 is not saved: the warning says why
    _open(page, f"{base}/m/{SLUG}/activities/new/")
    form = page.locator("form.activity-form")
    form.get_by_label("Type", exact=True).select_option(ActivityType.DIALOGUE_FORUM)
    form.get_by_label("Title", exact=True).fill(ACTIVITY)
    form.get_by_label("Status", exact=True).select_option("planned")
    form.get_by_label("Place", exact=True).fill(geo.north_territory.pcode)
    form.get_by_label("Starts at", exact=True).fill(f"{EID_2027.isoformat()}T10:00")
    _submit(page, form, "Record the activity")
    warning = page.locator(".calendar-clash")
    assert warning.is_visible()
    assert "Eid al-Fitr" in warning.inner_text(), warning.inner_text()
    assert "/activities/new/" in page.url, page.url
    assert not Activity.objects.filter(mission=mission).exists()
    # (a refused form answers 400, which Chromium logs: that one console line is expected)
    refused = [e for e in errors if "/activities/new/" in e and "status of 400" in e]
    assert len(refused) == 1, errors
    errors.remove(refused[0])
    screenshot(page, "activity-eid-warning")
    # and ticking "Schedule anyway" saves it
    form = page.locator("form.activity-form")
    form.get_by_label("Schedule anyway").check()
    _submit(page, form, "Record the activity")
    _assert_ok(page, "Scheduling the activity anyway")
    assert re.search(rf"/m/{SLUG}/activities/[0-9a-f-]{{36}}/$", page.url), page.url
    activity = Activity.objects.get(mission=mission)
    assert activity.title == ACTIVITY
    assert activity.starts_at == dt.datetime.combine(EID_2027, dt.time(10), tzinfo=ZONE)

    # 5. a dossier on the territory, queued (not run at once) so that the page shows progress
    _open(page, f"{base}/m/{SLUG}/dossiers/")
    form = page.locator("form#dossier-form")
    form.locator("input[name=kind][value=place]").check()
    form.locator("input[name=place]").fill(geo.north_territory.pcode)
    form.locator("select[name=language]").select_option("en")
    # (the page's polls are held in the browser while this thread reads the database or runs
    # the job: the live server shares its database connection, so the two must not overlap)
    polls: list[str] = []

    def hold(request_route: Any) -> None:
        polls.append(request_route.request.url)
        request_route.continue_()

    page.route("**/progress/", hold)
    with override_settings(TASKS=QUEUED_TASKS):
        _submit(page, form, "Generate the dossier")
    _assert_ok(page, "Asking for the dossier")
    assert re.search(rf"/m/{SLUG}/dossiers/[0-9a-f-]{{36}}/$", page.url), page.url
    progress = page.locator("#dossier-progress")
    assert progress.locator("progress").is_visible()
    assert "/progress/" in (progress.get_attribute("hx-get") or "")
    screenshot(page, "dossier-waiting")
    # when the worker runs the job, the page (polling with htmx) shows the downloads
    dossier = Dossier.objects.select_related("job").get(mission=mission)
    assert dossier.job is not None
    assert dossier.job.finished_at is None
    job = dossier_job_run(job=dossier.job)
    assert job.status == JobStatus.SUCCEEDED, job.message
    html_link = progress.get_by_role("link", name="Download the offline HTML file")
    html_link.wait_for(state="visible", timeout=15_000)
    page.unroute("**/progress/")
    assert polls, "the page did not poll"
    pdf_link = progress.get_by_role("link", name="Download the PDF")
    assert pdf_link.is_visible()
    assert progress.locator("progress").count() == 0
    assert progress.get_attribute("hx-get") is None  # and it stops polling
    screenshot(page, "dossier-ready")
    for link, kind, start in ((html_link, "text/html", b"<!DOCTYPE"), (pdf_link, "pdf", b"%PDF")):
        href = link.get_attribute("href") or ""
        assert re.fullmatch(rf"/m/{SLUG}/dossiers/[0-9a-f-]{{36}}/dossier\.(html|pdf)", href), href
        assert link.get_attribute("download") is not None
        response = page.request.get(f"{base}{href}")
        assert response.status == 200, href
        assert kind in response.headers["content-type"]
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.headers["x-content-type-options"] == "nosniff"
        body = response.body()
        assert body[:20].upper().startswith(start.upper()), body[:20]
        if kind == "text/html":
            text = body.decode()
            assert WALK_TITLE in text
            assert "pv-map-svg" in text
    # and the list shows it ready with both links
    _open(page, f"{base}/m/{SLUG}/dossiers/")
    row = page.locator("table tbody tr", has_text="Béni")
    assert row.count() == 1
    assert row.get_by_role("link", name="HTML", exact=True).is_visible()
    assert row.get_by_role("link", name="PDF", exact=True).is_visible()
    context.close()

    assert errors == [], errors
