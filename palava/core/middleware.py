"""Security headers and per-request context."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from palava.core.request_context import current_ip

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Headers Django does not set itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. A proxy's X-Forwarded-For is not trusted unless the operator says so."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than ``PALAVA_MAX_REQUEST_BYTES`` with 413,
    before Django streams any of it to disk. Per-feature limits (imports, webhooks) are lower and
    checked where the body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        limit = int(getattr(settings, "PALAVA_MAX_REQUEST_BYTES", 64 * 1024 * 1024))
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = -1
        if declared < 0 or declared > limit:
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            message = _("The request body is larger than the limit of %(limit)s bytes.")
            return JsonResponse({"detail": message % {"limit": limit}}, status=413)
        return self.get_response(request)
