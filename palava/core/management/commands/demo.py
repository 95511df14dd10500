"""``palava demo``: a complete local Palava in one command.

Creates the data directory, migrates its SQLite database, loads the fictional demo mission
(every app's ``demo.py`` loaders; idempotent, so a second run reuses the data), prints the URL
and the demo log-ins, then runs the web server and a worker as child processes in one process
group. Ctrl-C or SIGTERM is forwarded to both; if either dies, the other is stopped and the
command exits non-zero.

``--data-dir`` must be in effect before the settings load, so ``palava`` (``palava/__main__.py``)
reads it from the command line and sets ``PALAVA_DATA_DIR``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from palava.core.demo import DemoSet, demo_load

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 12.0


def _port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in {errno.EADDRINUSE, errno.EACCES}:
                return False
            raise
    return True


class Children:
    """The web server and the worker, in one new process group, stopped together."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]) -> None:
        self.commands = commands
        self.env = env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.pgid: int | None = None
        self.stop_signal: int | None = None

    def start(self) -> None:
        for name, command in self.commands.items():
            if self.stop_signal is not None:
                return
            # The first child leads a new process group; the others join it.
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, env=self.env, process_group=0 if self.pgid is None else self.pgid
            )
            if self.pgid is None:
                self.pgid = proc.pid
            self.procs[name] = proc

    def signal_group(self, signum: int) -> None:
        if self.pgid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signum)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        self.signal_group(signum)

    def exited(self) -> dict[str, int]:
        return {name: rc for name, proc in self.procs.items() if (rc := proc.poll()) is not None}

    def wait_all(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                break
        if len(self.exited()) < len(self.procs):
            self.signal_group(signal.SIGKILL)
            for proc in self.procs.values():
                proc.wait()
        # Gunicorn's own workers share the group: make sure none outlives the demo.
        self.signal_group(signal.SIGKILL)


class Command(BaseCommand):
    help = (
        "Run a local demo: migrate the SQLite database in the data directory, load the "
        "fictional demo mission and users, print the log-ins, then serve the web application "
        "and run a worker until Ctrl-C."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="(default: %(default)s)")
        parser.add_argument("--port", type=int, default=8000, help="(default: %(default)s)")
        parser.add_argument(
            "--data-dir",
            default=None,
            help="directory for the database, generated keys and uploads "
            "(default: $PALAVA_DATA_DIR or ./var)",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="prepare the database and demo data, print the log-ins, then exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.DATA_DIR)
        wanted = options["data_dir"]
        if wanted and Path(wanted).resolve() != data_dir.resolve():
            raise CommandError(
                "--data-dir must take effect before the settings load: run it as "
                "`palava demo --data-dir DIR` or set PALAVA_DATA_DIR."
            )
        host: str = options["host"]
        port: int = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"invalid port {port}")
        if not options["no_serve"] and not _port_is_free(host, port):
            raise CommandError(
                f"port {port} on {host} is already in use: choose another with --port."
            )
        data_dir.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"data directory: {data_dir}")
        self.stdout.write(f"database: {self._describe_database()}")
        call_command("migrate", interactive=False, verbosity=0)
        demo = demo_load(stdout=self.stdout)
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}/accounts/login/"
        self._print_logins(demo, url)
        if options["no_serve"]:
            return
        connections.close_all()
        self._run_children(host=host, port=port, data_dir=data_dir)

    def _describe_database(self) -> str:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            return f"SQLite {db['NAME']}"
        return f"{db['ENGINE'].rsplit('.', 1)[-1]} database {db.get('NAME', '')!s}"

    def _print_logins(self, demo: DemoSet, url: str) -> None:
        width = max(len(name) for name in demo.roles) + 2
        lines = [
            "",
            f"Palava demo — mission {demo.mission.name!r} (all data is fictional)",
            f"Open {url}",
            "",
            f"{'user':<{width}}{'role':<32}password",
            f"{'-' * (width - 2):<{width}}{'-' * 30:<32}{'-' * len(demo.password)}",
        ]
        lines += [
            f"{username:<{width}}{role:<32}{demo.password}" for username, role in demo.roles.items()
        ]
        lines.append("")
        self.stdout.write("\n".join(lines))

    def _run_children(self, *, host: str, port: int, data_dir: Path) -> None:
        env = dict(os.environ)
        env["PALAVA_DATA_DIR"] = str(data_dir)
        env["DJANGO_SETTINGS_MODULE"] = os.environ.get(
            "DJANGO_SETTINGS_MODULE", "palava.config.settings.dev"
        )
        python = [sys.executable, "-m", "palava"]
        children = Children(
            {
                "web server": [*python, "serve", "--host", host, "--port", str(port)],
                "worker": [*python, "worker"],
            },
            env,
        )
        previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        for sig in STOP_SIGNALS:
            signal.signal(sig, children.on_signal)
        try:
            sys.stdout.flush()
            children.start()
            pids = ", ".join(f"{name} pid {proc.pid}" for name, proc in children.procs.items())
            self.stdout.write(f"started {pids} (process group {children.pgid}); Ctrl-C stops")
            self.stdout.flush()
            self._supervise(children)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _supervise(self, children: Children) -> None:
        while True:
            if children.stop_signal is not None:
                children.wait_all(GRACE_SECONDS)
                self.stdout.write(
                    f"stopped ({signal.Signals(children.stop_signal).name}); the data is kept"
                )
                return
            exited = children.exited()
            if exited:
                name, code = next(iter(exited.items()))
                children.signal_group(signal.SIGTERM)
                children.wait_all(GRACE_SECONDS)
                others = [n for n in children.procs if n != name]
                raise CommandError(
                    f"the {name} stopped unexpectedly (exit code {code}); "
                    f"stopped the {', '.join(others) or 'other process'} too."
                )
            time.sleep(0.2)
