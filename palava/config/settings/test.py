"""Test settings: fast hashing, fixed keys, database from DATABASE_URL (SQLite by default)."""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_from_url

_TEST_DIR = tempfile.mkdtemp(prefix="palava-test-")
SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 32
PALAVA_DATA_KEY = "test1:" + base64.urlsafe_b64encode(b"\x01" * 32).decode()
PALAVA_PSEUDONYM_KEY = base64.urlsafe_b64encode(b"\x02" * 32).decode()
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{_TEST_DIR}/palava-test.sqlite3")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so the test database runs in WAL mode as in production.
    DATABASES["default"]["TEST"] = {"NAME": f"{_TEST_DIR}/test-db.sqlite3"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = Path(_TEST_DIR) / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PALAVA_TRIAGE_LINGER_SECONDS = 0.0  # tasks run inline in tests: never sleep in a request
