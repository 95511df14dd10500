"""Support shared by the context JSON APIs (``api_calendar``, ``api_dossiers``,
``api_knowledge``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from ninja.errors import HttpError


class LazyList:
    """A sliceable view of a queryset that shapes only the page that is sent."""

    def __init__(self, queryset: Any, shape: Any) -> None:
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.shape(obj) for obj in self.queryset[key]]


def invalid(exc: ValidationError) -> HttpError:
    """A service's validation error as a 422 answer: ``field: message`` parts in one line."""
    if hasattr(exc, "error_dict"):
        parts = [f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items()]
        return HttpError(422, " ".join(parts))
    return HttpError(422, " ".join(str(m) for m in exc.messages))
