"""``palava openapi``: print, write or check the committed OpenAPI document."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import palava

DEFAULT_PATH = Path(palava.__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"
MAX_DIFF_LINES = 40


def render_openapi() -> str:
    """The API's OpenAPI document as committed: sorted keys, indent 2, trailing newline."""
    from palava.api import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document, write it to docs/api/openapi.json, or check for drift."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--write", action="store_true", help="Write the committed file.")
        mode.add_argument(
            "--check", action="store_true", help="Exit non-zero when the committed file differs."
        )
        parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="The file to use.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        current = render_openapi()
        if options["write"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(current, encoding="utf-8")
            self.stdout.write(f"wrote {path}")
        elif options["check"]:
            committed = path.read_text(encoding="utf-8") if path.exists() else ""
            if committed != current:
                diff = list(
                    difflib.unified_diff(
                        committed.splitlines(),
                        current.splitlines(),
                        fromfile=f"{path} (committed)",
                        tofile="generated from palava.api",
                        lineterm="",
                    )
                )
                shown = "\n".join(diff[:MAX_DIFF_LINES])
                more = len(diff) - MAX_DIFF_LINES
                if more > 0:
                    shown += f"\n... {more} more diff lines"
                raise CommandError(
                    f"the OpenAPI document is out of date: run `make openapi` "
                    f"(palava openapi --write) and commit {path}.\n{shown}"
                )
            self.stdout.write(f"{path} is up to date")
        else:
            self.stdout.write(current, ending="")
