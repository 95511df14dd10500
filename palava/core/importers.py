"""The registry behind ``palava import <kind> <file>``: apps register the kinds they can import.

An app registers its kinds in a module named ``importers`` (a module or a package) inside the
app; the registry imports those modules on first use (``autodiscover_modules``), so no app
config has to know about the others. A kind runs an import for a :class:`~palava.core.models.Job`
synchronously (the command) and knows how to enqueue its task (the upload pages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

from palava.core.models import Job


class ImportFileError(Exception):
    """An uploaded or given file cannot be imported as a whole (too big, undecodable, wrong
    columns). Importers raise only this (or a subclass) for bad input, never anything else."""


@dataclass(frozen=True)
class ImportKind:
    """One importable kind: ``run(job=..., actor=...)`` imports ``job.input_file`` and finishes
    the job; ``enqueue(job)`` hands the job to the task queue."""

    name: str
    help: str
    run: Callable[..., Job]
    enqueue: Callable[[Job], None]
    formats: Sequence[str] = field(default_factory=tuple)


_KINDS: dict[str, ImportKind] = {}
_discovered = False


def import_kind_register(kind: ImportKind) -> None:
    """Register (or re-register, e.g. on module reload) an importable kind."""
    _KINDS[kind.name] = kind


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True


def import_kinds() -> dict[str, ImportKind]:
    """Every registered kind, by name."""
    _discover()
    return dict(sorted(_KINDS.items()))


def import_kind_get(name: str) -> ImportKind | None:
    _discover()
    return _KINDS.get(name)


def job_params(job: Job) -> dict[str, Any]:
    """The job's options (a copy)."""
    return dict(job.params or {})
