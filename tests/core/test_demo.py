"""``palava demo``: demo data loads once and is reused; the demo serves and stops on Ctrl-C."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from palava.accounts.models import User
from palava.audit.models import AuditEvent
from palava.core import demo as demo_registry
from palava.core.demo import demo_load, demo_loader, loaders
from palava.missions.demo import DEMO_PASSWORD
from palava.missions.models import Membership, Mission, Role
from tests.core.test_worker import palava_env, run_palava, start_palava, wait_for

ROLES = {"admin", "manager", "officer", "liaison", "analyst", "partner", "viewer"}


def _counts(database: Path) -> tuple[int, int, int]:
    with sqlite3.connect(database, timeout=10) as db:
        users = db.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
        missions = db.execute("SELECT count(*) FROM missions_mission WHERE slug='demo'").fetchone()[
            0
        ]
        members = db.execute("SELECT count(*) FROM missions_membership").fetchone()[0]
    return users, missions, members


@pytest.mark.django_db
def test_demo_load_creates_the_mission_and_one_user_per_role_then_reuses_them() -> None:
    # when the demo data is loaded twice
    first = demo_load(stdout=io.StringIO())
    audit_rows = AuditEvent.objects.count()
    second = demo_load(stdout=io.StringIO())
    # then one fictional mission and seven users exist, each holding the role of its name
    mission = Mission.objects.get(slug="demo")
    assert (mission.is_demo, mission.require_two_factor) == (True, False)
    assert mission.time_zone == "Africa/Lubumbashi"
    assert "fictional" in mission.name.lower()
    assert set(User.objects.values_list("username", flat=True)) == ROLES
    memberships = Membership.objects.filter(mission=mission, is_active=True)
    assert {(m.user.username, m.role) for m in memberships} == {(r, r) for r in ROLES}
    assert set(first.users) == set(Role.values)
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
    # and the second run reused everything: same objects, no new writes
    assert second.mission.pk == first.mission.pk
    assert {r: u.pk for r, u in second.users.items()} == {r: u.pk for r, u in first.users.items()}
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.django_db
def test_loaders_run_in_order_with_the_mission_and_users(monkeypatch: pytest.MonkeyPatch) -> None:
    # given two loaders registered out of order
    monkeypatch.setattr(demo_registry, "_LOADERS", dict(demo_registry._LOADERS))
    calls: list[tuple[str, str, str]] = []

    @demo_loader(order=20)
    def second(mission: Mission, users: dict[str, User], stdout: Any) -> None:
        calls.append(("second", mission.slug, users["officer"].username))

    @demo_loader(order=10)
    def first(mission: Mission, users: dict[str, User], stdout: Any) -> None:
        calls.append(("first", mission.slug, users["analyst"].username))

    # when the demo loads
    demo_load(stdout=io.StringIO())
    # then both ran, by order, with the demo mission and its users by role
    assert calls == [("first", "demo", "analyst"), ("second", "demo", "officer")]
    assert [order for order, _name in loaders()] == sorted(order for order, _name in loaders())


def test_demo_no_serve_twice_creates_then_reuses_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo data"
    env = palava_env(tmp_path / "elsewhere")
    # when the demo is prepared on an empty data directory
    first = run_palava("demo", "--no-serve", "--data-dir", str(data_dir), env=env)
    # then it migrated a database there and printed every log-in with the shared password
    assert first.returncode == 0, first.stderr
    assert _counts(data_dir / "palava.sqlite3") == (7, 1, 7)
    for role in ROLES:
        assert re.search(rf"^{role}\s+.+\s+{re.escape(DEMO_PASSWORD)}$", first.stdout, re.M)
    assert "http://127.0.0.1:8000/accounts/login/" in first.stdout
    assert not (tmp_path / "elsewhere").exists()
    # when it runs again on the same directory
    second = run_palava("demo", "--no-serve", f"--data-dir={data_dir}", env=env)
    # then the data is reused, not duplicated
    assert second.returncode == 0, second.stderr
    assert "reusing mission 'demo'" in second.stdout
    assert _counts(data_dir / "palava.sqlite3") == (7, 1, 7)


def test_demo_help_works() -> None:
    result = run_palava("demo", "--help", env=palava_env(Path("/nonexistent-palava")), timeout=60)
    assert result.returncode == 0
    assert "--data-dir" in result.stdout
    assert "--no-serve" in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local http URL
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_demo_serves_then_stops_its_whole_process_group_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "demo.log"
    env = palava_env(tmp_path)
    # given a demo started in its own process group, as a terminal would
    demo = start_palava(
        "demo",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path / "data"),
        env=env,
        log=log,
        start_new_session=True,
    )
    children_pgid = 0
    try:
        # then it answers on the port
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}/healthz"), timeout=90, what="/healthz")
        found = re.search(r"process group (\d+)", log.read_text())
        assert found, log.read_text()
        children_pgid = int(found.group(1))
        assert _group_alive(children_pgid)
        # when Ctrl-C reaches the demo's process group
        os.killpg(demo.pid, signal.SIGINT)
        # then the demo exits 0 within 15 s, its children and their workers with it
        assert demo.wait(timeout=15) == 0, log.read_text()
        assert not _group_alive(demo.pid)
        assert not _group_alive(children_pgid)
        assert not _healthy(f"http://127.0.0.1:{port}/healthz")
    finally:
        for pgid in (demo.pid, children_pgid):
            if pgid and _group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
        demo.wait(timeout=10)


def test_demo_exits_non_zero_when_a_child_dies(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "demo.log"
    demo = start_palava(
        "demo",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path / "data"),
        env=palava_env(tmp_path),
        log=log,
        start_new_session=True,
    )
    children_pgid = 0
    try:
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}/healthz"), timeout=90, what="/healthz")
        found = re.search(r"worker pid (\d+) \(process group (\d+)\)", log.read_text())
        assert found, log.read_text()
        worker_pid, children_pgid = int(found.group(1)), int(found.group(2))
        # when the worker is killed
        os.kill(worker_pid, signal.SIGKILL)
        # then the demo stops the web server and exits non-zero, saying why
        assert demo.wait(timeout=30) != 0
        assert "the worker stopped unexpectedly" in log.read_text()
        assert not _group_alive(children_pgid)
    finally:
        for pgid in (demo.pid, children_pgid):
            if pgid and _group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
        demo.wait(timeout=10)
