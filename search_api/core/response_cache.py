"""Repeated anonymous searches answered with the bytes of the first answer (pure ASGI).

Popular questions repeat (a Zipf-like distribution): most searches under load are
ones the result cache (``indexer/search/cache.py``) already holds. Served through
FastAPI, such a hit still pays for routing, about fifteen query parameters parsed
and validated, the response model and JSON encoding — more than half a cached
search's CPU, and what kept two workers below the load target (``bench/load.py``).
This middleware keeps the encoded response of an anonymous ``GET /api/v1/search``
in the same LRU, keyed by the index version and the raw query string, and answers
the next identical request from it.

Why the bytes are right: the key's index version is read *before* the request is
handed on (as the result cache does), so a stored answer never predates the
version it is stored under, and an index change (an editor's tag, a crawl) is a
new version. A request is only answered from here when the answer cannot depend on
who asks: no ``profile`` (parameter or header), no ``explain`` / ``related``, no
``Authorization``. Only 200 answers are stored, so a query string that once
validated is the only kind replayed. An identical request that arrives while the
first is being computed waits for it and is then replayed (when the first failed,
it goes through the app itself). The per-client rate limit is still spent; over
it, the request goes through the app, which answers 429 as usual. ``took_ms`` is
rewritten to this answer's own time. Sitting inside the access log, metrics,
security headers, CORS and gzip, a replayed answer gets all of those like any other;
it comes already gzipped (``core/gzip_pieces.py``) when the client accepts that.
"""

from __future__ import annotations

import asyncio
import re
import time
from contextlib import suppress
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search_api.api.deps import check_rate
from search_api.api.errors import ApiError
from search_api.core.gzip_pieces import (
    GZIP_MIN_BYTES,
    Pieces,
    gzip_between,
    inflate_head,
    pieces,
)
from search_api.core.metrics import observe_search

if TYPE_CHECKING:
    from search_api.core.shared_answers import SharedAnswers

#: Parameters whose answer depends on the resident or adds per-request material.
PERSONAL_PARAMS = frozenset({"profile", "explain", "related"})
#: Request headers that make an answer someone's own.
PERSONAL_HEADERS = (b"authorization", b"x-fasou-profile")
#: Request state flag: this answer will be kept here, so the route skips the page cache.
REPLAYABLE = "replayable"
_TOOK = re.compile(rb'"took_ms":[-+0-9.eE]+')


class ResponseCacheMiddleware:
    def __init__(self, app: ASGIApp, path: str, shared: SharedAnswers | None = None) -> None:
        self.app = app
        self.path = path
        #: Answers of the other workers of this server (``shared_answers.py``), if any.
        self.shared = shared
        #: What the access log and metrics label a replayed answer with (the route's
        #: template; the router, which would set it, is not entered).
        self._route = SimpleNamespace(path=path, path_regex=None)
        #: Answers being computed now: an identical request arriving meanwhile waits for
        #: the first instead of computing it again (popular questions arrive in bursts;
        #: under load that was ~4 % of searches, each a full search's CPU).
        self._computing: dict[tuple[Any, ...], asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] != self.path
            or not _anonymous(scope)
        ):
            await self.app(scope, receive, send)
            return
        runtime = getattr(scope["app"].state, "runtime", None)
        cache = runtime.search.cache if runtime is not None else None
        version = runtime.search.backend.index_version() if cache is not None else None
        if version is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        key = ("response", version, scope["query_string"])
        entry = cache.get(key)
        if entry is None and key in self._computing:
            await self._computing[key].wait()  # the same question, already being answered
            entry = cache.get(key)
        if entry is None and self.shared is not None:
            entry = self.shared.get(key)
            if entry is not None:
                cache.put(key, entry)
        if entry is not None and _within_rate(scope, runtime):
            await _replay(entry, scope, send, self._route, started)
            return
        scope.setdefault("state", {})[REPLAYABLE] = True
        done = self._computing.setdefault(key, asyncio.Event())
        try:
            await self.app(scope, receive, _Recorder(send, cache, key, self.shared))
        finally:
            if self._computing.get(key) is done:
                del self._computing[key]
                done.set()


def _anonymous(scope: Scope) -> bool:
    headers = scope["headers"]
    if any(name in PERSONAL_HEADERS for name, _ in headers):
        return False
    query = scope["query_string"]
    if not query:
        return True
    names = {name for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
    return not names & PERSONAL_PARAMS


def _within_rate(scope: Scope, runtime: Any) -> bool:
    """Spend one search request for this client; False when over the limit."""
    try:
        check_rate(Request(scope), runtime, "search", None)
    except ApiError:
        return False
    return True


async def _replay(
    entry: Answer, scope: Scope, send: Send, route: SimpleNamespace, started: float
) -> None:
    scope["route"] = route
    took = b'"took_ms":' + f"{(time.perf_counter() - started) * 1000:.3f}".encode()
    observe_search(entry.total, entry.relaxed, True)
    if entry.gzip.length + len(took) >= GZIP_MIN_BYTES and _accepts_gzip(scope):
        # Already encoded, so the gzip middleware passes it on as it is.
        body = gzip_between(entry.gzip, took, entry.after)
        headers = [*entry.headers, *_GZIP_HEADERS]
    else:
        body = entry.before() + took + entry.after
        headers = list(entry.headers)
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _accepts_gzip(scope: Scope) -> bool:
    """The gzip middleware's own test (``gzip`` anywhere in Accept-Encoding)."""
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"])


_GZIP_HEADERS = ((b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"))


class Answer(NamedTuple):
    """An answer split around its ``took_ms``, with what metrics need to count it.

    What precedes ``took_ms`` (nearly all of it: the field comes last) is kept gzipped
    only (``core/gzip_pieces.py``): clients accept gzip, and the cache then holds a
    quarter of the bytes. A client that does not gets it inflated again."""

    gzip: Pieces
    after: bytes
    headers: list[tuple[bytes, bytes]]
    total: int
    relaxed: bool

    @classmethod
    def of(
        cls,
        before: bytes,
        after: bytes,
        headers: list[tuple[bytes, bytes]],
        total: int,
        relaxed: bool,
    ) -> Answer:
        return cls(pieces(before, after), after, headers, total, relaxed)

    def before(self) -> bytes:
        return inflate_head(self.gzip)

    @classmethod
    def split(cls, headers: list[tuple[bytes, bytes]], body: bytes) -> Answer:
        match = _TOOK.search(body)
        if match is None:
            raise ValueError("no took_ms in a search answer")
        parsed = orjson.loads(body)
        return cls.of(
            body[: match.start()],
            body[match.end() :],
            [(k, v) for k, v in headers if k.lower() != b"content-length"],
            parsed["total"],
            parsed["relaxed"],
        )


class _Recorder:
    """Passes the app's answer on, keeping a copy of a complete 200 for the cache."""

    def __init__(
        self, send: Send, cache: Any, key: tuple[Any, ...], shared: SharedAnswers | None
    ) -> None:
        self.send, self.cache, self.key, self.shared = send, cache, key, shared
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body" and self.status == 200:
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                # Not a search answer after all (no took_ms, total …): simply not cached.
                with suppress(ValueError, KeyError, orjson.JSONDecodeError):
                    answer = Answer.split(self.headers, b"".join(self.chunks))
                    self.cache.put(self.key, answer)
                    if self.shared is not None:
                        self.shared.put(self.key, answer)
        await self.send(message)
