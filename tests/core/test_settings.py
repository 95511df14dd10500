"""Settings: environment-driven, SQLite in WAL mode, production refuses weak configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from palava.config.settings.base import database_from_url

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "Zq8v-4nT_" * 8
DATA_KEY = "prod1:" + "A" * 43 + "="


def _run_with(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PALAVA_")
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "palava", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_foreign_keys() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_database_url_parsing() -> None:
    sqlite = database_from_url("sqlite:////tmp/x/palava.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/tmp/x/palava.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    pg = database_from_url("postgres://u:p@db.example:5433/palava")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == ("db.example", 5433, "palava", "u")


def test_production_check_deploy_is_clean(tmp_path: Path) -> None:
    result = _run_with(
        {
            "DJANGO_SETTINGS_MODULE": "palava.config.settings.prod",
            "PALAVA_SECRET_KEY": STRONG_KEY,
            "PALAVA_ALLOWED_HOSTS": "palava.example.org",
            "PALAVA_DATA_KEY": DATA_KEY,
            "PALAVA_DATA_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PALAVA_SECRET_KEY": ""}, "PALAVA_SECRET_KEY"),
        ({"PALAVA_SECRET_KEY": "short"}, "PALAVA_SECRET_KEY"),
        ({"PALAVA_SECRET_KEY": "a" * 60}, "PALAVA_SECRET_KEY"),
        ({"PALAVA_SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "PALAVA_SECRET_KEY"),
        ({"PALAVA_ALLOWED_HOSTS": ""}, "PALAVA_ALLOWED_HOSTS"),
        ({"PALAVA_DATA_KEY": ""}, "PALAVA_DATA_KEY"),
    ],
)
def test_production_refuses_to_start_with_weak_configuration(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "palava.config.settings.prod",
        "PALAVA_SECRET_KEY": STRONG_KEY,
        "PALAVA_ALLOWED_HOSTS": "palava.example.org",
        "PALAVA_DATA_KEY": DATA_KEY,
        "PALAVA_DATA_DIR": str(tmp_path),
    }
    env.update(overrides)
    result = _run_with(env, "check")
    assert result.returncode != 0
    assert message in result.stderr
    # the refused secret is never echoed back
    if overrides.get("PALAVA_SECRET_KEY"):
        assert overrides["PALAVA_SECRET_KEY"] not in result.stderr
