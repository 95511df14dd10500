"""Test set-up for assessments: a Form + FormVersion from an XLSForm (pyxform directly)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from pyxform.xls2xform import convert  # type: ignore[import-untyped]

from palava.assessments.app_users import app_user_create
from palava.assessments.models import AppUser, Form, FormMedia, FormVersion

OPENROSA_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "openrosa"
KPI = OPENROSA_DATA / "kpi-fixtures"


def form_from_xlsform(
    *, mission: Any, source: str | Path, form_id: str | None = None, version: str = "1"
) -> Form:
    """``source``: a file path, or inline markdown XLSForm text."""
    if isinstance(source, Path):
        result = convert(xlsform=str(source))
        raw = source.read_bytes()
        name, fmt = source.name, source.suffix.lstrip(".")
    else:
        result = convert(xlsform=source, file_type=".md", form_name=form_id or "data")
        raw, name, fmt = source.encode(), "form.md", "md"
    definition = result._pyxform
    fid = form_id or str(definition.get("id_string"))
    xml = result.xform
    if form_id:
        xml = xml.replace(f'id="{definition.get("id_string")}"', f'id="{form_id}"')
    form = Form.objects.create(
        mission=mission, title=str(definition.get("title") or fid), form_id=fid
    )
    fv = FormVersion.objects.create(
        form=form,
        number=1,
        version=version,
        source_name=name,
        source_format=fmt,
        source=raw,
        xml=xml,
        md5=hashlib.md5(xml.encode(), usedforsecurity=False).hexdigest(),
        definition=definition,
    )
    form.current_version = fv
    form.save(update_fields=["current_version"])
    return form


def app_user(*, mission: Any, forms: tuple[Form, ...] = ()) -> tuple[AppUser, str]:
    return app_user_create(actor=None, mission=mission, name="Tablet 1", forms=forms)


def basic(user: AppUser, secret: str) -> dict[str, Any]:
    token = base64.b64encode(f"{user.username}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def form_media(
    *, form: Form, filename: str, content: bytes, content_type: str = "text/csv"
) -> None:
    assert form.current_version is not None
    FormMedia.objects.create(
        form_version=form.current_version,
        filename=filename,
        content_type=content_type,
        content=content,
        size=len(content),
        md5=hashlib.md5(content, usedforsecurity=False).hexdigest(),
    )


SAMPLE_MD = """
| survey |
|        | type    | name    | label          |
|        | text    | village | Village        |
|        | integer | age     | Age            |
| settings |
|          | form_id      | form_title     | version |
|          | sample_form  | Sample survey  | 1       |
"""


def sample_form(mission: Any) -> Form:
    """A one-version form of ``mission`` (the route-walking matrix test); made once."""
    existing = Form.objects.filter(mission=mission, form_id="sample_form").first()
    if existing is not None:
        return existing
    return form_from_xlsform(mission=mission, source=SAMPLE_MD, form_id="sample_form")
