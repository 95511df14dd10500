"""Uploads checked by content, sanitised names, audited add/read/delete, and the download page."""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st

from palava.audit.models import AuditEvent
from palava.engagement import documents
from palava.engagement.document_forms import DocumentUploadForm
from palava.engagement.models import Document
from palava.missions.models import Role
from tests.engagement import helpers_plan as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(mission: Any) -> Any:
    places = h.tree(mission)
    return h.activity(mission, places["T11"], timezone.now() - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("minutes.pdf", h.PDF_BYTES, documents.PDF),
        ("photo.PNG", h.PNG_BYTES, documents.PNG),
        ("photo.jpg", h.JPEG_BYTES, documents.JPEG),
        ("photo.jpeg", h.JPEG_BYTES, documents.JPEG),
        ("photo.webp", h.WEBP_BYTES, documents.WEBP),
        ("report.docx", h.docx_bytes(), documents.DOCX),
        ("sheet.xlsx", h.xlsx_bytes(), documents.XLSX),
        ("report.odt", h.odf_bytes(documents.ODT), documents.ODT),
        ("sheet.ods", h.odf_bytes(documents.ODS), documents.ODS),
        ("notes.txt", "Réunion à Goma\n".encode(), documents.TEXT),
        ("list.csv", b"village,count\nA,3\n", documents.CSV),
    ],
)
def test_accepted_types_are_stored_with_the_detected_type(
    mission: Any, forum: Any, name: str, content: bytes, expected: str
) -> None:
    # The browser claims HTML: the stored type is what the content is.
    doc = documents.document_add(
        actor=None, mission=mission, upload=h.upload(name, content, "text/html"), activity=forum
    )
    doc.refresh_from_db()
    assert doc.content_type == expected
    assert bytes(doc.content) == content
    assert doc.size == len(content)
    assert AuditEvent.objects.filter(action="engagement.document.add", object_id=str(doc.public_id))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>", "type"),  # HTML renamed .pdf
        ("evil.txt", b"<!DOCTYPE html><html><body>x</body></html>", "type"),
        ("evil.txt", b"  <svg onload=alert(1)>", "type"),
        ("photo.png", h.PDF_BYTES, "mismatch"),  # PDF renamed .png
        ("report.docx", h.xlsx_bytes(), "mismatch"),
        ("report.pdf", h.PNG_BYTES + h.PDF_BYTES, "mismatch"),  # polyglot: PNG first
        ("report.docx", h.PNG_BYTES + h.docx_bytes(), "mismatch"),  # PNG with a zip appended
        ("archive.docx", h.zip_bytes({"a.txt": b"x"}), "type"),  # zip without word/document.xml
        ("report.odt", h.odf_bytes("text/html"), "type"),
        ("program.exe", b"MZ\x90\x00", "extension"),
        ("page.html", b"<p>hi</p>", "extension"),
        ("noextension", b"hello", "extension"),
        ("empty.txt", b"", "empty"),
        ("nul.txt", b"abc\x00def", "type"),
        ("latin1.csv", "café".encode("latin-1"), "type"),
        ("control.txt", b"abc\x1b[31mred", "type"),
    ],
)
def test_hostile_or_wrong_files_are_refused(
    mission: Any, forum: Any, name: str, content: bytes, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        documents.document_add(
            actor=None, mission=mission, upload=h.upload(name, content), activity=forum
        )
    assert caught.value.code == code
    assert caught.value.messages[0]
    assert not Document.objects.exists()


def test_oversize_file_is_refused(mission: Any, forum: Any) -> None:
    content = b"%PDF-" + b"a" * documents.MAX_DOCUMENT_BYTES
    with pytest.raises(ValidationError) as caught:
        documents.document_add(
            actor=None, mission=mission, upload=h.upload("big.pdf", content), activity=forum
        )
    assert caught.value.code == "too_big"


def test_exactly_the_limit_is_accepted(mission: Any, forum: Any) -> None:
    content = b"%PDF-" + b"a" * (documents.MAX_DOCUMENT_BYTES - 5)
    doc = documents.document_add(
        actor=None, mission=mission, upload=h.upload("big.pdf", content), activity=forum
    )
    assert doc.size == documents.MAX_DOCUMENT_BYTES


def test_zip_bomb_docx_is_refused_without_extracting(mission: Any, forum: Any) -> None:
    # 150 MiB of zeros compress to about 150 KiB.
    bomb = h.zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/zeros.bin": b"\x00" * (150 * 1024 * 1024),
        }
    )
    assert len(bomb) < documents.MAX_DOCUMENT_BYTES
    with pytest.raises(ValidationError) as caught:
        documents.document_add(
            actor=None, mission=mission, upload=h.upload("bomb.docx", bomb), activity=forum
        )
    assert caught.value.code == "zip_size"


def test_high_ratio_member_is_refused(mission: Any, forum: Any) -> None:
    bomb = h.zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"\x00" * (20 * 1024 * 1024),
        }
    )
    with pytest.raises(ValidationError) as caught:
        documents.document_check(h.upload("ratio.docx", bomb))
    assert caught.value.code == "zip_size"


def test_too_many_members_is_refused() -> None:
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    members.update({f"word/part{i}.xml": b"" for i in range(documents.ZIP_MAX_MEMBERS)})
    data = h.zip_bytes(members, compression=zipfile.ZIP_STORED)
    with pytest.raises(ValidationError) as caught:
        documents.document_check(h.upload("many.docx", data))
    assert caught.value.code == "zip_members"


def test_truncated_zip_is_refused() -> None:
    data = h.docx_bytes()[:40]
    with pytest.raises(ValidationError) as caught:
        documents.document_check(h.upload("cut.docx", data))
    assert caught.value.code == "type"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system32\\notes.txt", "notes.txt"),
        ("/abs/path/minutes.pdf", "minutes.pdf"),
        ("bad\x00name\x07.txt", "badname.txt"),
        ("report\u202etxt.pdf", "reporttxt.pdf"),
        ("  ..hidden.txt ", "hidden.txt"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_filenames_are_sanitised(raw: str, clean: str) -> None:
    assert documents.sanitise_filename(raw) == clean
    assert len(documents.sanitise_filename(raw)) <= documents.MAX_FILENAME_CHARS


def test_path_traversal_name_is_stored_as_basename(mission: Any, forum: Any) -> None:
    upload = h.upload("x.txt", b"hello")
    upload.name = "../../../etc/cron.d/job.txt"
    doc = documents.document_add(actor=None, mission=mission, upload=upload, activity=forum)
    assert doc.filename == "job.txt"


def test_exactly_one_owner_in_the_mission(mission: Any, forum: Any) -> None:
    with pytest.raises(ValidationError):
        documents.document_add(actor=None, mission=mission, upload=h.upload("a.txt", b"a"))
    places = h.tree(h_other := _other_mission())
    elsewhere = h.activity(h_other, places["T11"], timezone.now())
    with pytest.raises(ValidationError):
        documents.document_add(
            actor=None, mission=mission, upload=h.upload("a.txt", b"a"), activity=elsewhere
        )


def _other_mission() -> Any:
    from tests.factories import MissionFactory

    return MissionFactory()


def test_delete_is_audited(mission: Any, forum: Any) -> None:
    doc = documents.document_add(
        actor=None, mission=mission, upload=h.upload("a.txt", b"a"), activity=forum
    )
    public_id = str(doc.public_id)
    documents.document_delete(actor=None, document=doc)
    assert not Document.objects.exists()
    event = AuditEvent.objects.get(action="engagement.document.delete")
    assert event.object_id == public_id


def test_upload_form_reports_errors_and_accepts_good_files() -> None:
    bad = DocumentUploadForm(
        data={}, files=MultiValueDict({"file": [h.upload("evil.pdf", b"<html></html>")]})
    )
    assert not bad.is_valid()
    assert "file" in bad.errors
    good = DocumentUploadForm(
        data={"description": "Minutes"},
        files=MultiValueDict({"file": [h.upload("m.pdf", h.PDF_BYTES)]}),
    )
    assert good.is_valid(), good.errors
    assert good.checked.content_type == documents.PDF


# --- Download --------------------------------------------------------------------------------


def _url(mission: Any, doc: Document) -> str:
    return reverse(
        "engagement:document", kwargs={"mission_slug": mission.slug, "document_id": doc.public_id}
    )


def test_download_is_an_audited_sandboxed_attachment(
    mission: Any, forum: Any, member_of: Any, client_for: Any
) -> None:
    doc = documents.document_add(
        actor=None,
        mission=mission,
        upload=h.upload("Minutes é.pdf", h.PDF_BYTES),
        activity=forum,
    )
    member = member_of(Role.ANALYST)
    response = client_for(member.user).get(_url(mission, doc))
    assert response.status_code == 200
    assert response.content == h.PDF_BYTES
    assert response["Content-Type"] == documents.PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Minutes%20%C3%A9.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    event = AuditEvent.objects.get(action="engagement.document.read")
    assert event.actor == member.user
    assert event.object_id == str(doc.public_id)


def test_download_outside_scope_is_404(
    mission: Any, forum: Any, member_of: Any, client_for: Any
) -> None:
    doc = documents.document_add(
        actor=None, mission=mission, upload=h.upload("a.txt", b"a"), activity=forum
    )
    south = forum.admin_unit.parent.parent.children.get(pcode="P2")
    member = h.scope(member_of(Role.OFFICER), south)
    assert client_for(member.user).get(_url(mission, doc)).status_code == 404
    assert not AuditEvent.objects.filter(action="engagement.document.read").exists()


def test_download_of_confidential_commitment_file_needs_its_clearance(
    mission: Any, member_of: Any, client_for: Any
) -> None:
    places = h.tree(mission)
    secret = h.commitment(mission, places["T11"], None, sensitivity=3)
    doc = documents.document_add(
        actor=None, mission=mission, upload=h.upload("a.txt", b"a"), commitment=secret
    )
    officer = member_of(Role.OFFICER)  # clearance confidential < strictly confidential
    assert client_for(officer.user).get(_url(mission, doc)).status_code == 404
    manager = member_of(Role.MANAGER)
    assert client_for(manager.user).get(_url(mission, doc)).status_code == 200


def test_roles_without_confidential_clearance_cannot_read(
    mission: Any, forum: Any, member_of: Any, client_for: Any
) -> None:
    doc = documents.document_add(
        actor=None, mission=mission, upload=h.upload("a.txt", b"a"), activity=forum
    )
    for role in (Role.PARTNER, Role.VIEWER):
        response = client_for(member_of(role).user).get(_url(mission, doc))
        assert response.status_code == 403
    assert documents.may_read_content(member_of(Role.LIAISON))


def test_unknown_document_is_404(mission: Any, member_of: Any, client_for: Any) -> None:
    url = reverse(
        "engagement:document",
        kwargs={
            "mission_slug": mission.slug,
            "document_id": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert client_for(member_of(Role.ADMIN).user).get(url).status_code == 404


def test_partial_lists_documents_and_upload_form(mission: Any, forum: Any, rf: Any) -> None:
    from django.template.loader import render_to_string

    doc = documents.document_add(
        actor=None,
        mission=mission,
        upload=h.upload("sheet.csv", b"a,b\n"),
        activity=forum,
        description="Attendance",
    )
    request = rf.get("/")
    html = render_to_string(
        "engagement/_documents.html",
        {
            "documents": [doc],
            "upload_url": "/upload/",
            "can_upload": True,
            "current_mission": mission,
        },
        request=request,
    )
    assert "sheet.csv" in html
    assert "Attendance" in html
    assert 'enctype="multipart/form-data"' in html
    assert str(doc.public_id) in html
    empty = render_to_string(
        "engagement/_documents.html",
        {"documents": [], "upload_url": "/u/", "can_upload": False, "current_mission": mission},
    )
    assert "No document attached yet." in empty
    assert "<form" not in empty


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=2048),
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-", b"RIFF\x00\x00\x00\x00WEBP"]),
    ext=st.sampled_from([*documents.EXTENSIONS, "exe", ""]),
)
def test_checking_arbitrary_bytes_never_crashes(data: bytes, prefix: bytes, ext: str) -> None:
    messages: list[str] = []
    try:
        checked = documents.document_check(h.upload(f"f.{ext}", prefix + data))
    except ValidationError as error:
        messages = error.messages
        assert messages
    else:
        assert checked.content_type == documents.EXTENSIONS[ext]
