"""A real loopback SMS gateway for tests, the browser test and the bench.

A ``ThreadingHTTPServer`` on ``127.0.0.1`` (random port) that speaks the three send APIs
Palava's outbound adapters call (``palava/feedback/outbound/gateways.py``), records every
request, deduplicates by idempotency key like a provider would, plays scripted faults, and can
send delivery-status callbacks back to Palava, signed like the real provider.

API (stable; other tests rely on it)::

    from tests.feedback.gateway import LoopbackGateway, Fault

    with LoopbackGateway() as gw:          # started; stopped on exit
        channel.outbound_url = gw.base_url # "http://127.0.0.1:<port>"
        gw.fail_next(Fault(status=503), Fault(status=500), Fault(delay=2.0), Fault(reset=True))
        ...                                # Palava sends
        gw.requests                        # list[Recorded]: every send request, faults included
        gw.messages                        # list[Sent]: distinct accepted messages (deduped)
        gw.requests_for(key) / gw.message_for(key)
        gw.down(); gw.up()                 # close / reopen the port: connection refused meanwhile
        gw.callback_secret = "..."         # the channel's inbound secret (generic: X-Palava-
                                           # Signature; Twilio signs with the Basic-auth token)
        gw.at_status_url = "http://.../hooks/<uuid>/status/?token=..."  # AT: set on the account
        cb = gw.status_callback(sent, "delivered")  # Callback(url, path, headers, body, ...)
        gw.send_status(sent, "delivered")  # POSTs cb over HTTP, returns the HTTP status
        gw.auto_status = "delivered"       # after each NEW message, post that status (thread)

Send APIs (``base_url`` + path):

- Twilio: ``POST /2010-04-01/Accounts/<sid>/Messages.json`` form ``To, From, Body,
  StatusCallback``, Basic auth ``<sid>:<token>``; answers 201 ``{"sid": "SM…", "status":
  "queued"}``. Callback: form ``MessageSid, MessageStatus`` to ``StatusCallback`` with
  ``X-Twilio-Signature`` (HMAC-SHA1 of URL + sorted params with the Basic-auth token).
- Africa's Talking: ``POST /version1/messaging`` form ``username, to, message, from``, header
  ``apiKey``; answers 201 ``{"SMSMessageData": {"Recipients": [{"statusCode": 101, "status":
  "Success", "messageId": "ATXid_…"}]}}``. Callback: form ``id, status, phoneNumber`` to
  ``at_status_url`` (AT configures it per account, not per message).
- Generic: ``POST /messages`` JSON ``{"to", "from", "text", "id", "status_url"}`` with
  ``Authorization: Bearer <key>``; answers 202 ``{"id": "gw-…", "status": "accepted"}``.
  Callback: JSON ``{"id", "status", "at"}`` to ``status_url`` signed with
  ``X-Palava-Timestamp`` / ``X-Palava-Signature`` (``callback_secret``).

Idempotency: the ``Idempotency-Key`` header (any API). A request with a key already accepted
is answered like the first one (same provider id) and adds no message. Faults are consumed one
per request, in order, before anything else; ``Fault(status=500, accept=True)`` records the
message and still answers 500 (the provider's worst case); ``Fault(delay=s)`` sleeps ``s``
seconds and then answers normally (so a client that timed out has in fact been accepted);
``Fault(reset=True)`` closes the connection without an answer. Nothing here is thread-unsafe:
every list is guarded by a lock.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

TWILIO_PREFIX = "/2010-04-01/Accounts/"
AT_PATH = "/version1/messaging"
GENERIC_PATH = "/messages"


@dataclass(frozen=True)
class Fault:
    """What to do with one incoming send request instead of (or before) answering normally."""

    status: int = 0  # answer this HTTP status (0: answer normally)
    delay: float = 0.0  # sleep this long first
    reset: bool = False  # close the connection without answering
    accept: bool = False  # with ``status``: record the message anyway


@dataclass
class Recorded:
    """One HTTP request the gateway received on a send API."""

    api: str  # "twilio" | "africastalking" | "generic" | "unknown"
    path: str
    headers: dict[str, str]
    body: bytes
    key: str  # Idempotency-Key ("" when none)
    answered: int = 0  # the HTTP status sent back (0: reset / none)
    at: float = field(default_factory=time.monotonic)


@dataclass
class Sent:
    """One distinct message the gateway accepted."""

    api: str
    provider_id: str
    key: str
    to: str
    sender: str
    text: str
    account: str = ""
    token: str = ""  # the credential used (Twilio auth token, AT apiKey, generic bearer)
    callback_url: str = ""
    statuses: list[tuple[str, int]] = field(default_factory=list)  # (status, HTTP answer)


@dataclass(frozen=True)
class Callback:
    """A delivery-status request, ready to send (over HTTP or through a Django test client)."""

    url: str
    path: str  # path + query, for ``django.test.Client.post``
    headers: dict[str, str]
    body: bytes
    content_type: str


def twilio_sign(token: str, url: str, params: Mapping[str, str]) -> str:
    text = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def generic_sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def closed_port_url() -> str:
    """A base URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class LoopbackGateway:
    """See the module docstring."""

    def __init__(self, *, port: int = 0) -> None:
        self._lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self.requests: list[Recorded] = []
        self.messages: list[Sent] = []
        self.faults: list[Fault] = []
        self.callback_secret = ""
        self.at_status_url = ""
        self.auto_status: str | None = None
        self.auto_status_delay = 0.0
        self.callback_errors: list[str] = []

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> LoopbackGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                gateway._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def down(self) -> None:
        """Stop listening: connections are refused until :meth:`up`."""
        self.stop()

    def up(self) -> None:
        """Listen again on the same port."""
        if self._server is None:
            self.start()

    def __enter__(self) -> LoopbackGateway:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- scripting and queries ----------------------------------------------------------------

    def fail_next(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def requests_for(self, key: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.key == key]

    def message_for(self, key: str) -> Sent | None:
        with self._lock:
            return next((m for m in self.messages if m.key == key), None)

    def message_by_id(self, provider_id: str) -> Sent | None:
        with self._lock:
            return next((m for m in self.messages if m.provider_id == provider_id), None)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.messages.clear()
            self.faults.clear()

    # --- request handling ---------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        path = req.path
        api = (
            "twilio"
            if path.startswith(TWILIO_PREFIX)
            else "africastalking"
            if path.split("?")[0] == AT_PATH
            else "generic"
            if path.split("?")[0] == GENERIC_PATH
            else "unknown"
        )
        headers = dict(req.headers.items())
        key = req.headers.get("Idempotency-Key", "") or ""
        record = Recorded(api=api, path=path, headers=headers, body=body, key=key)
        with self._lock:
            self.requests.append(record)
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.reset:
            req.close_connection = True
            with contextlib.suppress(OSError):
                req.connection.shutdown(socket.SHUT_RDWR)
            return
        if api == "unknown":
            self._answer(req, record, 404, {"error": "no such API"})
            return
        try:
            sent = self._parse(api, path, req, body, key)
        except ValueError as exc:
            self._answer(req, record, 400, {"error": str(exc)})
            return
        if fault is not None and fault.status and not fault.accept:
            self._answer(req, record, fault.status, {"error": "scripted failure"})
            return
        sent, created = self._accept(sent)
        if fault is not None and fault.status:
            self._answer(req, record, fault.status, {"error": "scripted failure"})
        else:
            status, payload = self._success(sent)
            self._answer(req, record, status, payload)
        if created and self.auto_status:
            threading.Thread(
                target=self._auto_callback, args=(sent, self.auto_status), daemon=True
            ).start()

    def _parse(
        self, api: str, path: str, req: BaseHTTPRequestHandler, body: bytes, key: str
    ) -> Sent:
        if api == "generic":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict) or not data.get("to") or not data.get("text"):
                raise ValueError("to and text are required")
            auth = req.headers.get("Authorization", "")
            return Sent(
                api=api,
                provider_id="",
                key=key or str(data.get("id") or ""),
                to=str(data["to"]),
                sender=str(data.get("from") or ""),
                text=str(data["text"]),
                token=auth.removeprefix("Bearer "),
                callback_url=str(data.get("status_url") or ""),
            )
        form = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
        if api == "twilio":
            account = path[len(TWILIO_PREFIX) :].split("/")[0]
            user, _sep, token = _basic(req.headers.get("Authorization", ""))
            if not form.get("To") or not form.get("Body"):
                raise ValueError("To and Body are required")
            return Sent(
                api=api,
                provider_id="",
                key=key,
                to=form["To"],
                sender=form.get("From", ""),
                text=form["Body"],
                account=user or account,
                token=token,
                callback_url=form.get("StatusCallback", ""),
            )
        if not form.get("to") or not form.get("message"):
            raise ValueError("to and message are required")
        return Sent(
            api=api,
            provider_id="",
            key=key,
            to=form["to"],
            sender=form.get("from", ""),
            text=form["message"],
            account=form.get("username", ""),
            token=req.headers.get("apiKey", ""),
            callback_url=self.at_status_url,
        )

    def _accept(self, sent: Sent) -> tuple[Sent, bool]:
        with self._lock:
            if sent.key:
                existing = next((m for m in self.messages if m.key == sent.key), None)
                if existing is not None:
                    return existing, False
            number = next(self._ids)
            sent.provider_id = {
                "twilio": f"SM{number:032x}",
                "africastalking": f"ATXid_{number:08d}",
            }.get(sent.api, f"gw-{number:06d}")
            self.messages.append(sent)
            return sent, True

    def _success(self, sent: Sent) -> tuple[int, dict[str, Any]]:
        if sent.api == "twilio":
            return 201, {"sid": sent.provider_id, "status": "queued", "to": sent.to}
        if sent.api == "africastalking":
            recipient = {
                "statusCode": 101,
                "number": sent.to,
                "status": "Success",
                "cost": "KES 0.8000",
                "messageId": sent.provider_id,
            }
            return 201, {"SMSMessageData": {"Message": "Sent to 1/1", "Recipients": [recipient]}}
        return 202, {"id": sent.provider_id, "status": "accepted"}

    def _answer(
        self, req: BaseHTTPRequestHandler, record: Recorded, status: int, payload: Any
    ) -> None:
        data = json.dumps(payload).encode()
        record.answered = status
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        except OSError:  # the client gave up (timed out) meanwhile
            pass

    # --- delivery callbacks -------------------------------------------------------------------

    def status_callback(self, sent: Sent, status: str, *, url: str = "") -> Callback:
        """The status request the provider would send for ``sent`` (``status`` in the
        provider's own words: Twilio ``delivered|undelivered|failed|sent``, AT ``Success|
        Failed|Rejected|Sent``, generic ``delivered|failed|undelivered|sent``)."""
        target = (
            url or sent.callback_url or (self.at_status_url if sent.api == "africastalking" else "")
        )
        if not target:
            raise ValueError("no status URL for this message")
        parts = urlsplit(target)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if sent.api == "twilio":
            params = {
                "MessageSid": sent.provider_id,
                "MessageStatus": status,
                "AccountSid": sent.account,
                "To": sent.to,
            }
            signature = twilio_sign(sent.token, target, params)
            return Callback(
                target,
                path,
                {"X-Twilio-Signature": signature},
                urlencode(params).encode(),
                "application/x-www-form-urlencoded",
            )
        if sent.api == "africastalking":
            params = {"id": sent.provider_id, "status": status, "phoneNumber": sent.to}
            return Callback(
                target, path, {}, urlencode(params).encode(), "application/x-www-form-urlencoded"
            )
        body = json.dumps(
            {"id": sent.provider_id, "status": status, "at": datetime.now(UTC).isoformat()}
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "X-Palava-Timestamp": timestamp,
            "X-Palava-Signature": generic_sign(self.callback_secret, timestamp, body),
        }
        return Callback(target, path, headers, body, "application/json")

    def send_status(self, sent: Sent, status: str, *, url: str = "") -> int:
        """POST the status callback over HTTP; the HTTP status Palava answered."""
        callback = self.status_callback(sent, status, url=url)
        request = urllib.request.Request(  # noqa: S310 (http only, our own URL)
            callback.url,
            data=callback.body,
            headers={**callback.headers, "Content-Type": callback.content_type},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                code = int(response.status)
        except urllib.error.HTTPError as exc:
            code = exc.code
        with self._lock:
            sent.statuses.append((status, code))
        return code

    def _auto_callback(self, sent: Sent, status: str) -> None:
        if self.auto_status_delay:
            time.sleep(self.auto_status_delay)
        try:
            self.send_status(sent, status)
        except Exception as exc:  # recorded for the test to look at, never raised in a thread
            with self._lock:
                self.callback_errors.append(repr(exc))


def _basic(header: str) -> tuple[str, str, str]:
    if not header.startswith("Basic "):
        return "", "", ""
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except ValueError:
        return "", "", ""
    return decoded.partition(":")
