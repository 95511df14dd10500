"""Registers the ``actors`` kind of ``palava import`` (the import registry discovers modules
named ``importers``); the import itself lives in :mod:`palava.actors.exchange`."""

from __future__ import annotations

from palava.actors.exchange import register_import_kind

register_import_kind()
