"""Headless Chromium (Debian's ``chromium``) driven by Playwright against the live server.

Playwright's own browser downloads cannot work offline, so the system browser is
launched by path (``fasou.headless``). Without it (or without the ``playwright``
package) the browser tests skip with the reason — unless
``FASOU_REQUIRE_BROWSER=1`` (set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fasou.headless import CHROMIUM, PHONE_VIEWPORT, launch
from tests.conftest import REPO, LiveServer

SCREENSHOTS = REPO / "tests" / "_artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def _unavailable(reason: str) -> None:
    if os.environ.get("FASOU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"FASOU_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium; or set FASOU_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class AppPage:
    """A fresh phone-sized browser context on the app, failing on any script error."""

    def __init__(self, browser: Any, server: LiveServer, **context: Any) -> None:
        self.server = server
        self.context = browser.new_context(
            viewport=PHONE_VIEWPORT, locale="zh-CN", service_workers="block", **context
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self, route: str = "") -> Any:
        self.page.goto(self.server.base_url + "/" + route)
        return self.ready()

    def ready(self) -> Any:
        """Wait until the current view has rendered (the app clears ``aria-busy``)."""
        self.page.wait_for_selector("#view:not([aria-busy]) h1")
        return self.page

    def wait_until(self, predicate: str, arg: Any = None, timeout: float = 15.0) -> Any:
        """Poll a JS function until it returns something truthy.

        Playwright's ``wait_for_function`` evaluates its predicate with ``eval`` inside
        the page, which the page's CSP (rightly) forbids; ``evaluate`` goes through the
        DevTools protocol instead.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(predicate, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {predicate}")
            time.sleep(0.05)

    def client_id(self) -> str:
        return self.page.evaluate("localStorage.getItem('fasou.client')")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def axe(self) -> list[dict[str, Any]]:
        """axe-core violations for WCAG 2.1 A/AA plus heading and landmark best practices."""
        if not self.page.evaluate("typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol: the page's CSP (script-src 'self')
            # stays in force for the page itself.
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        return self.page.evaluate(
            """async () => {
              const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'best-practice']},
              });
              return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
              }));
            }"""
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def app(browser: Any, live_server: LiveServer) -> Iterator[AppPage]:
    page = AppPage(browser, live_server)
    yield page
    errors = [e for e in page.errors if "Failed to load resource" not in e]
    page.close()
    assert not errors, f"script errors on the page: {errors}"
