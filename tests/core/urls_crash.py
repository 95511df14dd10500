"""A URL map for tests: the real one plus a view that crashes, to reach the 500 handler."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from palava.config.urls import handler400, handler403, handler404, handler500
from palava.config.urls import urlpatterns as real_urlpatterns
from palava.missions.permissions import public_view


@public_view
def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns: list[URLPattern | URLResolver] = [*real_urlpatterns, path("crash/", crash)]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
