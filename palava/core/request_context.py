"""Per-request context (client IP) that services read without being handed the request."""

from __future__ import annotations

import contextvars

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "palava_current_ip", default=None
)
