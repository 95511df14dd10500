"""``palava export <kind> --mission SLUG [--format csv|xlsx|geojson] [--output FILE]``.

Runs an export now, as a job like the pages' exports (audited). The export is filtered like the
pages: ``--user NAME`` exports what that member sees (their geographic scope and clearance);
without it, the whole mission with the clearance of ``--role`` (default: viewer, so nothing
confidential leaves by default). Contact details and notes are never exported.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palava.core.exporters import (
    FORMATS,
    export_job_create,
    export_kind_get,
    export_kinds,
    export_run,
    reader_for_role,
)
from palava.core.models import JobStatus
from palava.missions.models import Membership, Mission, Role

CLI_ACTOR = "system:cli"


class Command(BaseCommand):
    help = "Export a kind of records of a mission as CSV or XLSX (with HXL hashtags) or GeoJSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What to export (e.g. places, sites, actors).")
        parser.add_argument("--mission", required=True, help="The mission's slug.")
        parser.add_argument("--format", default="csv", choices=FORMATS, dest="fmt")
        parser.add_argument(
            "--output", type=Path, help="File to write (default: standard output, not for xlsx)."
        )
        parser.add_argument("--user", help="Export what this member sees (scope and clearance).")
        parser.add_argument(
            "--role",
            default=Role.VIEWER,
            choices=Role.values,
            help="Without --user: export the whole mission with this role's clearance.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = export_kind_get(options["kind"])
        if kind is None:
            known = ", ".join(export_kinds()) or "-"
            raise CommandError(f"unknown kind {options['kind']!r} (known: {known})")
        fmt: str = options["fmt"]
        if fmt not in kind.formats:
            raise CommandError(
                f"{kind.name} cannot be exported as {fmt} (known: {', '.join(kind.formats)})"
            )
        mission = Mission.objects.filter(slug=options["mission"]).first()
        if mission is None:
            raise CommandError(f"no mission with slug {options['mission']!r}")
        if options["user"]:
            reader = (
                Membership.objects.select_related("mission", "user")
                .filter(mission=mission, user__username=options["user"], is_active=True)
                .first()
            )
            if reader is None:
                raise CommandError(f"{options['user']!r} is not an active member of the mission")
            role = ""
        else:
            reader = reader_for_role(mission=mission, role=options["role"])
            role = options["role"]
        output: Path | None = options["output"]
        if output is None and fmt == "xlsx":
            raise CommandError("xlsx needs --output FILE")
        job = export_job_create(
            actor=CLI_ACTOR, mission=mission, kind=kind.name, fmt=fmt, role=role
        )
        if output is not None:
            job.output_file = str(output.expanduser().resolve())[:300]
            with output.expanduser().open("wb") as handle:
                job = export_run(job=job, reader=reader, out=handle, actor=CLI_ACTOR)
        else:
            buffer = io.BytesIO()
            job = export_run(job=job, reader=reader, out=buffer, actor=CLI_ACTOR)
            # Text formats only (xlsx needs --output); the BOM is for files, not a terminal.
            self.stdout.write(buffer.getvalue().decode("utf-8-sig"), ending="")
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.message or "export failed")
        if output is not None:
            self.stderr.write(f"{kind.name}: {job.result.get('rows', 0)} rows written to {output}")
