"""Parsing an untrusted XForm instance (ODK Collect submission) safely.

defusedxml refuses DTDs, entities and external references; the size is checked before parsing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import ParseError, fromstring  # type: ignore[import-untyped]
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from palava.assessments.models import MAX_SUBMISSION_XML_BYTES


class InstanceError(ValueError):
    """The instance cannot be accepted; ``str(error)`` is a message for the device."""


@dataclass(frozen=True)
class ParsedInstance:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    data: dict[str, Any] = field(default_factory=dict)
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def repeat_paths_of(definition: dict[str, Any]) -> frozenset[str]:
    """Paths below the root of every repeat in a pyxform JSON definition."""
    found: set[str] = set()

    def walk(children: Iterable[dict[str, Any]], prefix: str) -> None:
        for child in children:
            name = str(child.get("name", ""))
            path = f"{prefix}{name}"
            if child.get("type") == "repeat":
                found.add(path)
            if child.get("children") and child.get("type") in ("repeat", "group"):
                walk(child["children"], f"{path}/")

    walk(definition.get("children") or [], "")
    return frozenset(found)


def _collect(
    element: Element, prefix: str, repeat_paths: Collection[str], out: dict[str, Any]
) -> None:
    counts: dict[str, int] = {}
    for child in element:
        name = local_name(str(child.tag))
        counts[name] = counts.get(name, 0) + 1
    for child in element:
        name = local_name(str(child.tag))
        path = f"{prefix}{name}"
        has_children = len(child) > 0
        repeated = counts[name] > 1
        is_repeat = path in repeat_paths or (repeated and has_children and not repeat_paths)
        if repeated and not is_repeat:
            raise InstanceError(
                _("The field “%(path)s” appears more than once but is not a repeat.")
                % {"path": path}
            )
        if is_repeat:
            item: dict[str, Any] = {}
            _collect(child, f"{path}/", repeat_paths, item)
            out.setdefault(path, []).append(item)
        elif has_children:
            _collect(child, f"{path}/", repeat_paths, out)
        else:
            text = (child.text or "").strip()
            if text:
                out[path] = text


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def parse_instance(xml: bytes, *, repeat_paths: Collection[str] = ()) -> ParsedInstance:
    """Parse a submitted instance. ``repeat_paths`` (from :func:`repeat_paths_of`) tells which
    elements repeat; without it an element with children that occurs twice is taken as one."""
    if len(xml) > MAX_SUBMISSION_XML_BYTES:
        raise InstanceError(
            _("The submission is larger than the limit of %(limit)s bytes.")
            % {"limit": MAX_SUBMISSION_XML_BYTES}
        )
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InstanceError(
            _("The submission contains a DTD or entities, which are not allowed.")
        ) from None
    except (ParseError, ValueError):
        raise InstanceError(_("The submission is not well-formed XML.")) from None
    form_id = root.get("id") or ""
    if not form_id:
        raise InstanceError(_("The submission does not name its form (no id attribute)."))
    data: dict[str, Any] = {}
    _collect(root, "", repeat_paths, data)
    instance_id = str(data.get("meta/instanceID") or "")
    if not instance_id:
        raise InstanceError(_("The submission has no meta/instanceID."))
    return ParsedInstance(
        form_id=form_id,
        version=root.get("version") or "",
        instance_id=instance_id,
        deprecated_id=str(data.get("meta/deprecatedID") or ""),
        data=data,
        started_at=_when(data.get("start") or data.get("meta/start")),
        ended_at=_when(data.get("end") or data.get("meta/end")),
    )
