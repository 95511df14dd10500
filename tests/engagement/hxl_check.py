"""Shared checks for the engagement HXL exports: the file validates with libhxl, and every
hashtag and attribute is in the HXL core dictionary (``shared_data/hxl/hxl-core-schema``)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import hxl


def core_dictionary(shared_data: Path) -> tuple[set[str], set[str]]:
    """The core dictionary's hashtags (``#...``) and attributes (``+...``)."""
    folder = shared_data / "hxl" / "hxl-core-schema"
    with (folder / "hashtag.hxl.csv").open(encoding="utf-8") as handle:
        hashtags = {row[0].strip() for row in csv.reader(handle) if row and row[0].startswith("#")}
    with (folder / "attribute.hxl.csv").open(encoding="utf-8") as handle:
        attributes = {
            row[0].strip() for row in csv.reader(handle) if row and row[0].startswith("+")
        }
    return hashtags - {"#valid_tag"}, attributes


def hxl_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of an exported CSV, keyed by the HXL tag row (the file's second line)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    return [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]


def assert_valid_hxl(path: Path) -> None:
    """libhxl opens the file and its default schema finds no error."""
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    errors: list[Any] = []
    assert hxl.schema(callback=errors.append).validate(source), [str(e) for e in errors]


def assert_core_tags(path: Path, shared_data: Path, expected_columns: int) -> list[Any]:
    """Every column's hashtag and attributes are in the core dictionary; returns the columns."""
    hashtags, attributes = core_dictionary(shared_data)
    columns: list[Any] = hxl.data(str(path), hxl.InputOptions(allow_local=True)).columns
    assert len(columns) == expected_columns
    for column in columns:
        assert column.tag in hashtags, column.display_tag
        for attribute in column.attributes:
            assert f"+{attribute}" in attributes, column.display_tag
    return columns
