"""The ``palava`` console script: the same commands as ``manage.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _data_dir_option(args: list[str]) -> str | None:
    """The value of ``--data-dir`` in ``palava demo`` arguments, if given."""
    for index, arg in enumerate(args):
        if arg == "--":
            return None
        if arg == "--data-dir" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--data-dir="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        # ``palava rotate-key`` runs the ``rotate_key`` management command.
        args[0] = args[0].replace("-", "_")
    if args and args[0] == "demo":
        # The data directory decides where the settings find the database and keys, so it
        # must be in the environment before Django reads the settings.
        value = _data_dir_option(args[1:])
        if value:
            os.environ["PALAVA_DATA_DIR"] = str(Path(value).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palava.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["palava", *args])


if __name__ == "__main__":
    main()
