"""formList manifestUrl, manifest and media download; method and header edge cases."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]
from django.test import Client

from palava.assessments.openrosa.instance import parse_instance
from tests.assessments.helpers_forms import app_user, basic, form_from_xlsform, form_media
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db

FORM_MD = """
| survey |
| | type | name | label |
| | select_one_from_file villages.csv | v | Village |
"""
CSV = b"name,label\nk1,Kalemie\nk2,Kongolo\n"
NS = "{http://openrosa.org/xforms/xformsManifest}"


def test_manifest_lists_media_and_media_downloads() -> None:
    mission = MissionFactory()
    form = form_from_xlsform(mission=mission, source=FORM_MD, form_id="withcsv")
    form_media(form=form, filename="villages.csv", content=CSV)
    user, secret = app_user(mission=mission)
    client, auth = Client(), basic(user, secret)
    listing = client.get(f"/openrosa/{mission.slug}/formList?formID=withcsv", **auth)
    assert b"<manifestUrl>http://testserver/openrosa/" in listing.content
    assert (
        client.get(f"/openrosa/{mission.slug}/formList?formID=other", **auth).content.count(
            b"<xform>"
        )
        == 0
    )
    manifest = client.get(f"/openrosa/{mission.slug}/forms/withcsv/manifest", **auth)
    assert manifest.status_code == 200
    media = fromstring(manifest.content).find(f"{NS}mediaFile")
    assert media.findtext(f"{NS}filename") == "villages.csv"
    assert media.findtext(f"{NS}hash") == "md5:" + hashlib.md5(CSV).hexdigest()  # noqa: S324
    download = client.get(media.findtext(f"{NS}downloadUrl"), **auth)
    assert download.status_code == 200
    assert download.content == CSV
    missing = client.get(f"/openrosa/{mission.slug}/forms/withcsv/media/nope.csv", **auth)
    assert missing.status_code == 404
    nothing = client.get(f"/openrosa/{mission.slug}/forms/nope/manifest", **auth)
    assert nothing.status_code == 404


def test_methods_and_malformed_authorization() -> None:
    mission = MissionFactory()
    user, secret = app_user(mission=mission)
    client, auth = Client(), basic(user, secret)
    assert client.post(f"/openrosa/{mission.slug}/formList", **auth).status_code == 405
    assert client.get(f"/openrosa/{mission.slug}/submission", **auth).status_code == 405
    bad: dict[str, Any] = {"HTTP_AUTHORIZATION": "Basic !!!notbase64"}
    assert client.get(f"/openrosa/{mission.slug}/formList", **bad).status_code == 401
    no_colon: dict[str, Any] = {
        "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"nocolon").decode()
    }
    assert client.get(f"/openrosa/{mission.slug}/formList", **no_colon).status_code == 401
    bearer: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer " + secret}
    assert client.get(f"/openrosa/{mission.slug}/formList", **bearer).status_code == 401


@pytest.mark.parametrize(
    ("start", "expected"),
    [("not a date", None), ("2026-13-45T99:00:00", None), ("2026-03-02T09:00:00", "2026-03-02")],
)
def test_start_times_tolerate_bad_values(start: str, expected: str | None) -> None:
    body = f'<f id="f"><start>{start}</start><meta><instanceID>u</instanceID></meta></f>'
    parsed = parse_instance(body.encode())
    got = parsed.started_at.date().isoformat() if parsed.started_at else None
    assert got == expected
