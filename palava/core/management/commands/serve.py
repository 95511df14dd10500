"""``palava serve``: the web application under gunicorn, in this process.

Static files are served by WhiteNoise (in MIDDLEWARE): in development and demo settings straight
from the app directories, in production from ``collectstatic``'s output.
SIGINT and SIGTERM stop the server (gunicorn exits 0).
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand
from django.db import connections
from gunicorn.app.base import BaseApplication

logger = logging.getLogger("palava.serve")


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ArgumentTypeError("must be greater than zero")
    return number


class PalavaServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn configured from code, loading Palava's WSGI application in each worker."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # some settings exist only in newer gunicorn releases
                self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        from palava.config.wsgi import application

        handler: WSGIHandler = application
        return handler


def gunicorn_options(*, host: str, port: int, workers: int, timeout: int) -> dict[str, Any]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "sync",
        "timeout": timeout,
        "graceful_timeout": 10,
        "proc_name": "palava-web",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        # Uploads and form posts are size-limited by Django; keep request lines sane too.
        "limit_request_line": 8190,
        # gunicorn >= 24 opens a control socket under $HOME by default: nothing outside the
        # data directory, and several servers on one machine must not collide.
        "control_socket_disable": True,
    }


class Command(BaseCommand):
    help = "Serve Palava over HTTP with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
        )
        parser.add_argument(
            "--port", type=positive_int, default=8000, help="(default: %(default)s)"
        )
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=2,
            help="worker processes (default: %(default)s)",
        )
        parser.add_argument(
            "--timeout",
            type=positive_int,
            default=60,
            help="seconds before a stuck request's worker is restarted",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # WhiteNoise warns at start-up when STATIC_ROOT is missing (dev settings use finders).
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # Workers are forked from this process: never hand them an open database connection.
        connections.close_all()
        server = PalavaServer(
            gunicorn_options(
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                timeout=options["timeout"],
            )
        )
        server.run()
