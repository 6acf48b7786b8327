"""HTTP server for the local source site (aiohttp), in the foreground or in a thread.

Why aiohttp: one event loop serves hundreds of requests per second on one core
and can hold a deliberately slow response open without tying up a thread.
Conditional requests are honoured (If-None-Match, then If-Modified-Since → 304).
A small control API (``/_site/…``, loopback only) lets tests change one page
and read hit counts.
"""

from __future__ import annotations

import asyncio
import json
import threading
from email.utils import parsedate_to_datetime

from aiohttp import web

from crawler.localsite.site import Page, Redirect, Slow, SourceSite


def _not_modified(request: web.Request, page: Page) -> bool:
    if page.status != 200:
        return False
    tags = request.headers.get("If-None-Match")
    if tags is not None:
        wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return page.etag in wanted or "*" in wanted
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return page.modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def make_app(site: SourceSite) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        answer = site.respond(request.method, request.path, params)
        if isinstance(answer, Redirect):
            raise web.HTTPFound(answer.location)
        if isinstance(answer, Slow):
            await asyncio.sleep(answer.seconds)
            answer = answer.page
        headers = {"ETag": answer.etag, "Last-Modified": answer.last_modified}
        if _not_modified(request, answer):
            return web.Response(status=304, headers=headers)
        if answer.status != 200:
            headers = {}
        return web.Response(
            body=answer.body,
            status=answer.status,
            headers={**headers, "Content-Type": answer.content_type},
        )

    async def control_revise(request: web.Request) -> web.Response:
        path = request.query.get("path", "")
        try:
            revision = site.revise(path)
        except KeyError:
            return web.json_response({"detail": f"no page {path!r}"}, status=404)
        return web.json_response({"path": path, "revision": revision})

    async def control_stats(_request: web.Request) -> web.Response:
        return web.json_response(site.stats(), dumps=lambda o: json.dumps(o, ensure_ascii=False))

    app = web.Application(client_max_size=1 << 20)
    app.router.add_post("/_site/revise", control_revise)
    app.router.add_get("/_site/stats", control_stats)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def serve_forever(site: SourceSite, host: str = "127.0.0.1", port: int = 8800) -> None:
    web.run_app(make_app(site), host=host, port=port, access_log=None, print=None)


class SiteServer:
    """The site on a free loopback port in a background thread (tests, benchmarks)."""

    def __init__(self, site: SourceSite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host = host
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> SiteServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(make_app(self.site), access_log=None)
        await self._runner.setup()
        tcp = web.TCPSite(self._runner, self.host, self.port)
        await tcp.start()
        self.port = self._runner.addresses[0][1]

    def __exit__(self, *_exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
