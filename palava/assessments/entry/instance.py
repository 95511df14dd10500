"""The XML instance of a web filling, built as ODK Collect builds it.

The root element is the form's instance root with ``id`` and ``version``; groups are nested
elements, each repeat instance a repeated element; unanswered and non-relevant questions are
empty elements (a non-relevant repeat has no instance); ``meta/instanceID`` is ``uuid:…``;
``start``/``end``/``today``/``deviceid``/``username`` metadata are filled when declared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from palava.assessments.entry.questions import Context, Item, instance_path
from palava.assessments.entry.schema import State

DEVICE_ID = "palava:web"
NAMESPACES = {
    "xmlns:jr": "http://openrosa.org/javarosa",
    "xmlns:orx": "http://openrosa.org/xforms",
}


@dataclass(frozen=True)
class Meta:
    instance_id: str  # "uuid:…"
    form_id: str
    version: str
    started: dt.datetime
    ended: dt.datetime
    username: str = ""


def iso(moment: dt.datetime) -> str:
    """ODK's timestamp form: 2026-11-24T21:05:03.123+01:00."""
    return moment.isoformat(timespec="milliseconds")


def odk_text(item: Item, value: str, moment: dt.datetime) -> str:
    """A typed answer as ODK Collect writes it (times with seconds and the UTC offset)."""
    offset = moment.isoformat()[-6:] if moment.utcoffset() is not None else ""
    if item.input_type == "time" and len(value) == 5:
        return f"{value}:00.000{offset}"
    if item.input_type == "datetime" and len(value) == 16:
        return f"{value.replace(' ', 'T')}:00.000{offset}"
    if item.input_type == "geopoint" and len(value.split()) == 2:
        return f"{' '.join(value.split())} 0 0"
    return value


def _meta_value(item: Item, meta: Meta) -> str:
    kind = item.kind
    if kind == "start":
        return iso(meta.started)
    if kind == "end":
        return iso(meta.ended)
    if kind == "today":
        return meta.ended.date().isoformat()
    if kind in ("deviceid", "uri:deviceid"):
        return DEVICE_ID
    if kind in ("username", "uri:username"):
        return meta.username
    return ""


def _fill_meta(state: State, meta: Meta) -> None:
    """Metadata questions and ``meta/instanceID`` go into the answers before the XML."""

    def level(items: Sequence[Item], node: dict[str, Any], context: Context) -> None:
        for item in items:
            ctx: Context = (*context, (item.name, None))
            if item.category == "repeat":
                for index, instance in enumerate(node.get(item.name) or []):
                    level(item.children, instance, (*context, (item.name, index)))
            elif item.category == "group":
                level(item.children, node.setdefault(item.name, {}), ctx)
            elif item.category == "meta":
                node[item.name] = _meta_value(item, meta)
            elif str(item.bind.get("jr:preload") or "") == "uid" or instance_path(ctx) == (
                "meta/instanceID"
            ):
                node[item.name] = meta.instance_id

    level(state.form.items, state.answers, ())
    group = state.answers.setdefault("meta", {})
    if isinstance(group, dict):
        group["instanceID"] = meta.instance_id


def build_xml(state: State, meta: Meta) -> bytes:
    """Compute metadata, then write the instance (UTF-8 bytes with an XML declaration)."""
    _fill_meta(state, meta)
    state.compute()
    root = Element(state.form.root, {**NAMESPACES, "id": meta.form_id, "version": meta.version})
    has_meta = any(i.name == "meta" and i.category == "group" for i in state.form.items)

    def level(
        items: Sequence[Item], node: dict[str, Any], parent: Element, context: Context
    ) -> None:
        for item in items:
            ctx: Context = (*context, (item.name, None))
            relevant = state.relevant.get(instance_path(ctx), True)
            if item.category == "repeat":
                if not relevant:
                    continue
                for index, instance in enumerate(node.get(item.name) or []):
                    element = SubElement(parent, item.name)
                    level(item.children, instance, element, (*context, (item.name, index)))
            elif item.category == "group":
                element = SubElement(parent, item.name)
                level(item.children, node.get(item.name) or {}, element, ctx)
            else:
                element = SubElement(parent, item.name)
                value = node.get(item.name)
                if relevant and isinstance(value, str) and value:
                    element.text = odk_text(item, value, meta.ended)

    level(state.form.items, state.answers, root, ())
    if not has_meta:
        group = SubElement(root, "meta")
        SubElement(group, "instanceID").text = meta.instance_id
    return b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(root, encoding="unicode").encode(
        "utf-8"
    )
