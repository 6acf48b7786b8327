"""Structured access logs and request ids (pure ASGI middleware).

One JSON line per request on the ``fasou.access`` logger: request id, method,
the *route template* (``/api/v1/documents/{doc_id}``, never the concrete path
or the query string), status, duration, and the caller's role. No IP address,
no query text, no profile id, no username: nothing that identifies a resident.
The request id comes from a well-formed ``X-Request-ID`` header or is made
here; it is echoed in the response and in error logs, so a resident's report
can be matched to a log line without logging who they are.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search_api.core.metrics import observe_request

ACCESS_LOGGER = "fasou.access"
REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

log = logging.getLogger(ACCESS_LOGGER)
#: Which worker process answered (random per process, also in its log lines): lets an
#: operator match a response to a worker's logs without exposing host or pid.
INSTANCE_ID = uuid.uuid4().hex[:12]
INSTANCE_HEADER = "x-fasou-instance"
_INSTANCE = (INSTANCE_HEADER.encode(), INSTANCE_ID.encode())


def route_template(scope: Scope) -> str:
    """The matched route's template with its router prefix, e.g. ``/api/v1/search``.

    Routes of included routers know only their own part (``/search``); the
    prefix is what precedes the part the route's pattern matched in the path.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not template:
        return "<unmatched>"
    regex = getattr(route, "path_regex", None)
    path = scope.get("path", "")
    if regex is None or regex.match(path):
        return template
    tail = re.compile(regex.pattern.lstrip("^")).search(path)
    return path[: tail.start()] + template if tail else template


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"")
        text = incoming.decode("latin-1")
        request_id = text if _VALID_ID.match(text) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                headers.append(_INSTANCE)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_template(scope), scope.get("method") or ""
            observe_request(route, method, status, seconds)
            if log.isEnabledFor(logging.INFO) and not log.disabled:
                entry: dict[str, Any] = {
                    "event": "http_request",
                    "request_id": request_id,
                    "instance": INSTANCE_ID,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "role": scope.get("state", {}).get("role", "anonymous"),
                }
                log.info(json.dumps(entry, ensure_ascii=False))


class JsonLogFormatter(logging.Formatter):
    """Every log line as one JSON object (access lines are JSON already: merged in)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
        }
        message = record.getMessage()
        if record.name == ACCESS_LOGGER and message.startswith("{"):
            entry |= json.loads(message)
        else:
            entry["message"] = message
        if record.exc_info:  # to the log only, never to a response
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
