"""Production settings: refuse to start without a strong secret key and allowed hosts."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from palava.config.env import env_bool, env_list, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("PALAVA_SECRET_KEY")
ALLOWED_HOSTS = env_list("PALAVA_ALLOWED_HOSTS")
PALAVA_DATA_KEY = env_str("PALAVA_DATA_KEY")


def _check_secret_key(value: str) -> None:
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "PALAVA_SECRET_KEY is missing or weak: use at least 50 random characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )


_check_secret_key(SECRET_KEY)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PALAVA_ALLOWED_HOSTS must list the host names Palava serves.")
if not PALAVA_DATA_KEY:
    raise ImproperlyConfigured("PALAVA_DATA_KEY must hold the data encryption key ring.")

SECURE_SSL_REDIRECT = env_bool("PALAVA_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
