"""Development and demo settings: generated secrets kept in the data directory."""

from __future__ import annotations

from palava.config.env import env_bool, env_str, read_or_create_secret

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = env_bool("PALAVA_DEBUG", default=False)
SECRET_KEY = env_str("PALAVA_SECRET_KEY") or read_or_create_secret(DATA_DIR / "keys" / "secret-key")
PALAVA_DATA_KEY = env_str("PALAVA_DATA_KEY") or (
    "dev1:" + read_or_create_secret(DATA_DIR / "keys" / "data-key-dev1", factory_bytes=32)
)
PALAVA_PSEUDONYM_KEY = env_str("PALAVA_PSEUDONYM_KEY") or read_or_create_secret(
    DATA_DIR / "keys" / "pseudonym-key", factory_bytes=32
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
