"""Repeated anonymous searches are replayed from stored bytes — only when that is right."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from indexer.search.cache import SearchCache
from search_api.core.response_cache import ResponseCacheMiddleware
from tests.api.conftest import EditorServer, fresh_copy
from tests.api.test_operations import sample

Q = {"q": "拖欠工资 仲裁", "type": "statute_article"}


@pytest.fixture(scope="module")
def server(editor_corpus: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data_dir = fresh_copy(editor_corpus, tmp_path_factory.mktemp("replay") / "data")
    with EditorServer(data_dir, rate_limits={"search": "6/minute"}) as live:
        yield live


def test_a_repeated_search_is_replayed_with_its_own_time_and_headers(server: EditorServer) -> None:
    client = server.client
    before = client.get("/metrics").text
    first = client.get("/api/v1/search", params=Q)
    again = client.get("/api/v1/search", params=Q)
    assert first.status_code == again.status_code == 200
    one, two = first.json(), again.json()
    assert one["total"] > 0
    one.pop("took_ms"), two.pop("took_ms")
    assert one == two
    # Per-response headers are the replay's own; gzip and security headers still apply.
    assert first.headers["x-request-id"] != again.headers["x-request-id"]
    assert again.headers["content-encoding"] == "gzip"
    assert again.headers["x-content-type-options"] == "nosniff"
    after = client.get("/metrics").text
    assert (
        sample(after, "fasou_search_cache_total", result="hit")
        - sample(before, "fasou_search_cache_total", result="hit")
        >= 1
    )
    search = {"route": "/api/v1/search", "method": "GET", "status": "200"}
    assert (
        sample(after, "fasou_http_requests_total", **search)
        - sample(before, "fasou_http_requests_total", **search)
        == 2
    )


def test_the_rate_limit_holds_for_replayed_answers(server: EditorServer) -> None:
    # 6 searches a minute per client (here: its IP), repeated: replayable after the first.
    statuses = [
        server.client.get("/api/v1/search", params={"q": "加班费"}).status_code for _ in range(8)
    ]
    assert statuses.count(429) >= 2 and statuses[0] == 200
    limited = server.client.get("/api/v1/search", params={"q": "加班费"})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"


# -- the middleware on its own: which requests it answers, and from what ----------------


class Inner:
    """The app behind the middleware: counts calls, answers a search-shaped body."""

    def __init__(self, pad: str = "") -> None:
        self.calls = 0
        self.status = 200
        self.pad = pad

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        self.calls += 1
        answer = {"query": "q", "total": self.calls, "took_ms": 5.0, "relaxed": False}
        body = orjson.dumps(answer | {"hits": self.pad} if self.pad else answer)
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": body})


async def ask(
    app: ResponseCacheMiddleware,
    runtime: Any,
    query: bytes,
    headers: list | None = None,
    path: str = "/api/v1/search",
) -> tuple[int, dict]:
    """One GET through the middleware: the status and the decoded body."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": headers or [],
        "client": ("127.0.0.1", 1),
        "app": SimpleNamespace(state=SimpleNamespace(runtime=runtime)),
    }
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, None, send)
    return sent[0]["status"], orjson.loads(sent[1]["body"])


def call(
    app: ResponseCacheMiddleware, runtime: Any, query: bytes, headers: list | None = None
) -> tuple[int, dict]:
    return asyncio.run(ask(app, runtime, query, headers))


def fake_runtime() -> SimpleNamespace:
    """The parts of the runtime the middleware reads; limits high enough not to matter."""
    from fasou.config import Settings
    from search_api.core.rate_limit import TokenBucketLimiter

    backend = SimpleNamespace(version=1)
    backend.index_version = lambda: backend.version
    return SimpleNamespace(
        search=SimpleNamespace(cache=SearchCache(16), backend=backend),
        settings=Settings(rate_limits={"search": "1000/minute"}),
        rate_limiter=TokenBucketLimiter(),
    )


def test_only_anonymous_200_answers_of_the_live_index_are_replayed() -> None:
    inner, runtime = Inner(), fake_runtime()
    app = ResponseCacheMiddleware(inner, path="/api/v1/search")
    assert call(app, runtime, b"q=a")[1]["total"] == 1
    status, body = call(app, runtime, b"q=a")
    assert (status, body["total"], inner.calls) == (200, 1, 1)  # replayed
    assert body["took_ms"] != 5.0  # the replay's own time
    # A new index version: computed again, not served from the old bytes.
    runtime.search.backend.version = 2
    assert call(app, runtime, b"q=a")[1]["total"] == 2
    # Personal requests always reach the app.
    for query, headers in (
        (b"q=a&profile=abc12345", []),
        (b"q=a&explain=true", []),
        (b"q=a&related=1", []),
        (b"q=a", [(b"authorization", b"Bearer x")]),
        (b"q=a", [(b"x-fasou-profile", b"abc12345")]),
    ):
        calls = inner.calls
        call(app, runtime, query, headers)
        call(app, runtime, query, headers)
        assert inner.calls == calls + 2, (query, headers)
    # Errors are never stored.
    inner.status = 400
    call(app, runtime, b"q=b")
    call(app, runtime, b"q=b")
    assert inner.calls == 14


def test_replays_come_gzipped_to_clients_that_accept_it() -> None:
    inner, runtime = Inner(pad="劳动合同" * 300), fake_runtime()
    app = ResponseCacheMiddleware(inner, path="/api/v1/search")
    gzip_ok = [(b"accept-encoding", b"gzip, deflate")]

    async def raw(headers: list) -> tuple[dict, bytes]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/v1/search",
            "query_string": b"q=a",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "app": SimpleNamespace(state=SimpleNamespace(runtime=runtime)),
        }
        await app(scope, None, send)
        return dict(sent[0]["headers"]), sent[1]["body"]

    asyncio.run(raw(gzip_ok))  # computed (the app's own answer; gzip is the middleware's)
    headers, body = asyncio.run(raw(gzip_ok))
    assert inner.calls == 1
    assert headers[b"content-encoding"] == b"gzip" and headers[b"vary"] == b"Accept-Encoding"
    assert headers[b"content-length"] == str(len(body)).encode()
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)  # as httpx and aiohttp read it
    replayed = orjson.loads(inflate.decompress(body) + inflate.flush())
    assert inflate.eof and not inflate.unused_data
    plain_headers, plain = asyncio.run(raw([]))
    assert b"content-encoding" not in plain_headers
    expected = orjson.loads(plain)
    assert replayed.pop("took_ms") != 5.0 and expected.pop("took_ms") != 5.0
    assert replayed == expected and expected["hits"] == inner.pad


def test_without_a_result_cache_nothing_is_stored() -> None:
    inner, runtime = Inner(), fake_runtime()
    runtime.search.cache = None
    app = ResponseCacheMiddleware(inner, path="/api/v1/search")
    call(app, runtime, b"q=a")
    call(app, runtime, b"q=a")
    assert inner.calls == 2


def test_other_routes_pass_through() -> None:
    inner, runtime = Inner(), fake_runtime()
    app = ResponseCacheMiddleware(inner, path="/api/v1/search")
    for _ in range(2):
        asyncio.run(ask(app, runtime, b"q=a", path="/api/v1/suggest"))
    assert inner.calls == 2


def test_identical_requests_arriving_together_are_computed_once() -> None:
    class Slow(Inner):
        async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
            await asyncio.sleep(0.05)  # still computing when the others arrive
            await super().__call__(scope, receive, send)

    inner, runtime = Slow(), fake_runtime()
    app = ResponseCacheMiddleware(inner, path="/api/v1/search")

    async def one(query: bytes) -> tuple[int, int]:
        status, body = await ask(app, runtime, query)
        return status, body["total"]

    async def burst() -> list[tuple[int, int]]:
        return await asyncio.gather(*(one(b"q=same") for _ in range(4)), one(b"q=other"))

    answers = asyncio.run(burst())
    assert inner.calls == 2  # once for "same", once for "other"
    assert answers[:4] == [answers[0]] * 4 and answers[0][0] == 200
    # A failed first answer is not shared: the others compute their own.
    runtime.search.backend.version = 2  # a new index: nothing cached for it yet
    inner.status = 500
    statuses = [status for status, _ in asyncio.run(burst())]
    assert statuses == [500] * 5 and inner.calls == 2 + 5
