"""The engagement acceptance test, end to end in Chromium, through the pages only.

A community liaison records a dialogue forum (held, minutes in Markdown with a hostile
``<script>``), adds two named participants and the anonymous attendance grid, records the
commitment the mission made there, follows it through the ledger (in progress, then done),
attaches a PDF and links the later handover as evidence, and reads the history. Only the
mission, the member, the places and the actors are set up directly; everything else is typed
into the pages. No page may log a console error or a Content-Security-Policy violation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from palava.actors.models import ActorKind, ActorType
from palava.audit.models import AuditEvent
from palava.engagement.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    AttendanceCount,
    Commitment,
    CommitmentEventKind,
    CommitmentStatus,
    EvidenceKind,
    Participant,
)
from palava.missions.models import Role
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, ActorFactory, MembershipFactory, MissionFactory, UserFactory
from tests.places.geo import two_provinces

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("Africa/Lubumbashi")
FORUM = "Market security forum in Béni"
HANDOVER = "Handover of the Béni market lights"
MINUTES = (
    "The chief **agreed** to reopen the market on Saturdays.\n\n"
    "- women traders asked for lighting\n"
    "- youth asked for a night patrol\n\n"
    "<script>window.__pwned = 1</script>"
)
PROMISE = "Install solar street lights around the Béni market"
PDF_NAME = "lights-handover.pdf"
PDF_BYTES = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)
# Reports every CSP violation as a console error, which the test collects with the rest.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""
PROBE = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__probe = 1";
  document.body.append(script);
}"""


def _local(day: dt.date, hour: int) -> str:
    """A ``datetime-local`` input value in the mission's time zone."""
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZONE).strftime("%Y-%m-%dT%H:%M")


def _submit(page: Any, form: Any, button: str) -> None:
    """Click ``button`` of ``form`` and wait for the page that answers the POST."""
    with page.expect_navigation():
        form.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("load")


def _assert_ok(page: Any, what: str) -> None:
    """Fail with the page's own error messages when a form was refused."""
    errors = page.locator(".errorlist").all_inner_texts()
    assert not errors, f"{what} was refused at {page.url}: {errors}"


def _record_activity(page: Any, **values: str) -> None:
    form = page.locator("form.activity-form")
    form.get_by_label("Type", exact=True).select_option(values["type"])
    form.get_by_label("Title", exact=True).fill(values["title"])
    form.get_by_label("Status", exact=True).select_option("held")
    form.get_by_label("Place", exact=True).fill("CD1001")
    form.get_by_label("Venue", exact=True).fill(values["venue"])
    form.get_by_label("Starts at", exact=True).fill(values["starts_at"])
    if "minutes" in values:
        form.get_by_label("Minutes", exact=True).fill(values["minutes"])
    _submit(page, form, "Record the activity")
    _assert_ok(page, f"Recording “{values['title']}”")
    assert re.search(r"/m/kivu/activities/[0-9a-f-]{36}/$", page.url), page.url


def test_a_forum_with_participants_and_a_commitment_marked_done_with_evidence(
    live_server: Any, browser: Any
) -> None:
    # given a mission with places, a community liaison and three actors of Béni
    mission = MissionFactory(slug="kivu", require_two_factor=False, languages=["en", "fr"])
    geo = two_provinces(mission)
    liaison = UserFactory(username="neema")
    MembershipFactory(user=liaison, mission=mission, role=Role.LIAISON)
    for name, kind, actor_type in (
        ("Mwami Kabare", ActorKind.PERSON, ActorType.TRADITIONAL_AUTHORITY),
        ("Femmes commerçantes de Béni", ActorKind.GROUP, ActorType.WOMENS_GROUP),
        ("Jeunesse de Mutwanga", ActorKind.GROUP, ActorType.YOUTH_GROUP),
    ):
        ActorFactory(
            mission=mission,
            name=name,
            kind=kind,
            actor_type=actor_type,
            admin_unit=geo.north_territory,
        )
    today = dt.datetime.now(ZONE).date()
    forum_day = today - dt.timedelta(days=3)
    due = today + dt.timedelta(days=30)
    base = live_server.url

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", on_console)
    page.on("dialog", on_dialog)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "neema")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("load")

    # 1. when the liaison opens the activities and records the forum
    page.goto(f"{base}/m/kivu/activities/")
    # (the watch works: the page's policy refuses an inline script, and the test hears it)
    page.evaluate(PROBE)
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__probe") == "undefined"
    assert any("CSP violation: script-src" in error for error in errors), errors
    errors.clear()
    page.get_by_role("link", name="Record an activity").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/m/kivu/activities/new/"), page.url
    _record_activity(
        page,
        type=ActivityType.DIALOGUE_FORUM,
        title=FORUM,
        venue="Chief's compound",
        starts_at=_local(forum_day, 10),
        minutes=MINUTES,
    )
    forum_url = page.url

    # then the activity page shows the minutes as Markdown and the script as plain text
    assert page.get_by_role("heading", name=FORUM, level=1).is_visible()
    minutes = page.locator("section[aria-labelledby=agenda-heading] .markdown")
    assert minutes.locator("strong", has_text="agreed").count() == 1
    assert minutes.locator("li").count() == 2
    assert minutes.locator("script").count() == 0
    assert "<script>window.__pwned = 1</script>" in minutes.inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"

    # 2. when two named participants are added from the actor list
    participants = page.locator("#participants")
    for name, role in (("Mwami Kabare", "chair"), ("Femmes commerçantes de Béni", "participant")):
        form = participants.locator("form[method=post]", has=page.locator("select[name=actor]"))
        form.get_by_label("Actor", exact=True).select_option(label=name)
        form.get_by_label("Role", exact=True).select_option(role)
        _submit(page, form, "Add")
        _assert_ok(page, f"Adding {name}")
    # and the attendance grid is filled with anonymous counts
    grid = page.locator("#attendance form")
    grid.locator("input[name=c_host_f_18_35]").fill("12")  # women 18-35, host community
    grid.locator("input[name=c_idp_m_36_59]").fill("9")  # men 36-59, displaced
    _submit(page, grid, "Save attendance")
    _assert_ok(page, "Saving the attendance")

    # then the page lists both participants (not the third actor) and counts 21 people
    rows = page.locator("#participants tbody tr")
    assert rows.count() == 2
    assert rows.filter(has_text="Mwami Kabare").filter(has_text="Chair or moderator").count() == 1
    assert rows.filter(has_text="Femmes commerçantes de Béni").count() == 1
    assert page.locator("#participants tbody", has_text="Jeunesse de Mutwanga").count() == 0
    totals = page.locator("#attendance dl.attendance-totals")
    assert totals.locator("dt:text-is('People present') + dd").inner_text().strip() == "21"
    assert totals.locator("dt:text-is('Women') + dd").inner_text().strip() == "57.1%"
    assert page.locator("#attendance input[name=c_host_f_18_35]").input_value() == "12"
    screenshot(page, "engagement-forum")

    # 3. when the commitment made there is recorded from the activity page
    page.locator("#commitments").get_by_role("link", name="Record a commitment made here").click()
    page.wait_for_load_state("load")
    assert "/m/kivu/commitments/new/" in page.url, page.url
    form = page.locator("form.commitment-form")
    # the activity, its place and its day are already filled in
    assert (
        FORUM
        in form.get_by_label("Made at (activity, optional)").locator("option:checked").inner_text()
    )
    assert "CD1001" in form.get_by_label("Place", exact=True).locator("option:checked").inner_text()
    assert form.get_by_label("Made on").input_value() == forum_day.isoformat()
    form.get_by_label("Made by (kind of party)").select_option("mission")
    form.get_by_label("Made by (name)").fill("Civil Affairs Section, Béni office")
    form.get_by_label("Made to (kind of party)").select_option("community")
    form.get_by_label("Made to (name)").fill("Traders of the Béni market")
    form.get_by_label("What was promised").fill(PROMISE)
    form.get_by_label("Due date").fill(due.isoformat())
    _submit(page, form, "Record the commitment")
    _assert_ok(page, "Recording the commitment")
    assert re.search(r"/m/kivu/commitments/[0-9a-f-]{36}/$", page.url), page.url
    commitment_url = page.url
    reference = page.get_by_role("heading", level=1).inner_text().strip()
    assert re.fullmatch(r"C-\d{4}", reference), reference

    # then the ledger lists it as pending, and so does the activity page
    page.goto(f"{base}/m/kivu/commitments/")
    row = page.locator("table.commitment-ledger tbody tr", has_text=reference)
    assert row.count() == 1
    assert PROMISE in row.inner_text()
    assert row.locator(".badge").inner_text().strip() == "Pending"
    page.goto(forum_url)
    made_here = page.locator("#commitments li", has_text=PROMISE)
    assert made_here.count() == 1
    assert made_here.locator(".badge").inner_text().strip() == "Pending"

    # 4. when the later handover is recorded as a follow-up of the forum
    page.get_by_role("link", name="Record a follow-up").click()
    page.wait_for_load_state("load")
    _record_activity(
        page,
        type=ActivityType.PROJECT_HANDOVER,
        title=HANDOVER,
        venue="Béni market",
        starts_at=_local(today - dt.timedelta(days=1), 9),
    )

    # and the commitment is moved to in progress, then done, on its page
    page.goto(commitment_url)
    for status, label in (("in_progress", "In progress"), ("done", "Done")):
        form = page.locator("form.commitment-status-form")
        form.get_by_label("New status").select_option(status)
        _submit(page, form, "Update status")
        _assert_ok(page, f"Moving the commitment to {label}")
        badge = page.locator("section[aria-labelledby=status-heading] .badge").first
        assert badge.inner_text().strip() == label
    assert page.locator(".page-head .badge").first.inner_text().strip() == "Done"

    # and a PDF is attached as evidence, and the handover linked
    upload = page.locator("form.document-upload")
    upload.locator("input[name=file]").set_input_files(
        files=[{"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    upload.get_by_label("Description").fill("Photos and signed handover note")
    _submit(page, upload, "Attach the file")
    _assert_ok(page, "Attaching the PDF")
    link = page.locator("form", has=page.locator("select[name=activity]"))
    option = link.locator("select[name=activity] option", has_text=HANDOVER)
    assert option.count() == 1, "the handover is not offered as evidence"
    link.locator("select[name=activity]").select_option(option.get_attribute("value"))
    _submit(page, link, "Link the activity")
    _assert_ok(page, "Linking the handover")

    # then the page shows Done, the evidence with a download link, and the whole history
    assert page.locator(".page-head .badge").first.inner_text().strip() == "Done"
    evidence = page.locator("ul.commitment-evidence > li")
    assert evidence.count() == 2
    download = evidence.filter(has_text="File").get_by_role("link", name=PDF_NAME)
    assert download.get_attribute("download") is not None
    href = download.get_attribute("href")
    assert re.fullmatch(r"/m/kivu/engagement/documents/[0-9a-f-]{36}/", href or ""), href
    assert evidence.filter(has_text="Later activity").get_by_role("link", name=HANDOVER).count()
    history = page.locator("ol.commitment-history > li")
    kinds = [text.strip() for text in history.locator("strong").all_inner_texts()]
    assert kinds == [
        "Recorded",
        "Status changed",
        "Status changed",
        "Evidence added",
        "Evidence added",
    ]
    assert "Pending → In progress" in " ".join(history.nth(1).inner_text().split())
    assert "In progress → Done" in " ".join(history.nth(2).inner_text().split())
    screenshot(page, "engagement-commitment")
    # and the file downloads as it was uploaded, as an attachment that cannot be sniffed
    response = page.request.get(f"{base}{href}")
    assert response.status == 200
    assert response.body() == PDF_BYTES
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment")
    # and the ledger's "Done" tab holds it
    page.goto(f"{base}/m/kivu/commitments/?status=done")
    assert page.locator("table.commitment-ledger tbody tr", has_text=reference).count() == 1
    context.close()

    assert errors == [], errors
    assert dialogs == [], dialogs

    # 5. and the database holds what was typed, every write audited
    forum = Activity.objects.get(mission=mission, title=FORUM)
    assert forum.activity_type == ActivityType.DIALOGUE_FORUM
    assert forum.status == ActivityStatus.HELD
    assert forum.admin_unit == geo.north_territory
    assert forum.starts_at == dt.datetime.combine(forum_day, dt.time(10), tzinfo=ZONE)
    assert forum.minutes.replace("\r\n", "\n") == MINUTES
    assert sorted(
        Participant.objects.filter(activity=forum).values_list("actor__name", flat=True)
    ) == [
        "Femmes commerçantes de Béni",
        "Mwami Kabare",
    ]
    cells = {
        (c.sex, c.age_band, c.group): c.count
        for c in AttendanceCount.objects.filter(activity=forum)
    }
    assert cells == {("f", "18-35", "host"): 12, ("m", "36-59", "idp"): 9}
    handover = Activity.objects.get(mission=mission, title=HANDOVER)
    assert handover.follow_up_of == forum

    commitment = Commitment.objects.get(mission=mission)
    assert commitment.reference == reference
    assert commitment.status == CommitmentStatus.DONE
    assert commitment.activity == forum
    assert commitment.admin_unit == geo.north_territory
    assert commitment.made_by_kind == "mission"
    assert commitment.made_to_kind == "community"
    assert commitment.made_on == forum_day
    assert commitment.due_date == due
    assert commitment.description == PROMISE
    assert commitment.created_by == liaison
    files = commitment.evidence.filter(kind=EvidenceKind.FILE)
    assert files.count() == 1
    document = files.get().document
    assert document is not None
    assert document.filename == PDF_NAME
    assert document.content_type == "application/pdf"
    assert bytes(document.content) == PDF_BYTES
    assert commitment.evidence.get(kind=EvidenceKind.ACTIVITY).activity == handover
    events = list(commitment.events.values_list("kind", "from_status", "to_status"))
    assert events == [
        (CommitmentEventKind.CREATED, "", CommitmentStatus.PENDING),
        (CommitmentEventKind.STATUS, CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS),
        (CommitmentEventKind.STATUS, CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE),
        (CommitmentEventKind.EVIDENCE, "", ""),
        (CommitmentEventKind.EVIDENCE, "", ""),
    ], events

    audited = list(
        AuditEvent.objects.filter(mission=mission, actor=liaison, action__startswith="engagement.")
        .order_by("occurred_at", "id")
        .values_list("action", flat=True)
    )
    for action, times in (
        ("engagement.activity.create", 2),
        ("engagement.activity.participant.add", 2),
        ("engagement.activity.attendance.set", 1),
        ("engagement.commitment.create", 1),
        ("engagement.commitment.status", 2),
        ("engagement.commitment.evidence", 2),
        ("engagement.document.add", 1),
        ("engagement.document.read", 1),
    ):
        assert audited.count(action) == times, (action, audited)
