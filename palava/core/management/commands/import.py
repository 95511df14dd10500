"""``palava import <kind> <file> --mission SLUG``: run an import now, with the same service and
job record as the upload pages (the job's report is printed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palava.core.importers import import_kind_get, import_kinds
from palava.core.models import JobStatus
from palava.core.services import job_create

CLI_ACTOR = "system:cli"
ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = "Import a file into a mission: palava import <kind> <file> --mission SLUG."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What to import (e.g. places, actors).")
        parser.add_argument("file", type=Path, help="The file to import.")
        parser.add_argument("--mission", required=True, help="The mission's slug.")
        parser.add_argument(
            "--format", default="auto", help="The file's format within the kind (default: detect)."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Treat P-code convention warnings as errors."
        )
        parser.add_argument("--year", type=int, help="Reference year (population files).")
        parser.add_argument("--json", action="store_true", help="Print the job's report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        from palava.missions.models import Mission

        kind = import_kind_get(options["kind"])
        if kind is None:
            known = ", ".join(import_kinds()) or "-"
            raise CommandError(f"unknown kind {options['kind']!r} (known: {known})")
        if kind.formats and options["format"] not in ("auto", *kind.formats):
            raise CommandError(
                f"unknown format {options['format']!r} for {kind.name} "
                f"(known: auto, {', '.join(kind.formats)})"
            )
        path: Path = options["file"].expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        mission = Mission.objects.filter(slug=options["mission"]).first()
        if mission is None:
            raise CommandError(f"no mission with slug {options['mission']!r}")
        params: dict[str, Any] = {
            "format": options["format"],
            "strict": options["strict"],
            "source": path.name,
        }
        if options.get("year"):
            params["year"] = options["year"]
        job = job_create(
            actor=CLI_ACTOR,
            mission=mission,
            kind=f"{kind.name}.import",
            params=params,
            input_file=str(path),
        )
        job = kind.run(job=job, actor=CLI_ACTOR)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"status": job.status, "result": job.result, "errors": job.errors},
                    indent=2,
                    default=str,
                )
            )
        else:
            self.stdout.write(f"{kind.name}: {job.status} - {job.message}")
            counts = job.result.get("counts")
            if counts:
                self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
            for error in job.errors[:ERRORS_SHOWN]:
                self.stdout.write(f"  line {error.get('line')}: {error.get('reason')}")
            if len(job.errors) > ERRORS_SHOWN:
                self.stdout.write(f"  ... {job.result.get('errors_total', len(job.errors))} in all")
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.message or "import failed")
