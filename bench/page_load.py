"""The resident page in headless Chromium: first-load bytes and query-to-results time.

Usage: ``python bench/page_load.py [--url URL] [--data-dir DIR] [--rounds N] [--queries N]``.

- First load of ``/`` in a fresh browser context (empty cache), 360×740: the sum of
  ``transferSize`` over the navigation and every resource it pulled (scripts, CSS,
  icon, the API calls the home screen makes), compressed as sent. Target ≤ 200 KB.
- Query to results: in an open page, type a benchmark question, press Enter, and
  read the page's own measure ``fasou:query-to-results`` (``performance.mark`` on
  submit → after the cards are in the DOM). Also the same span seen from the test
  driver. Target ≤ 300 ms on localhost.

Needs ``playwright`` (dev extra) and Debian's ``chromium`` (``FASOU_CHROMIUM``).
Medians across rounds are printed; the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import layperson_queries, running_server, summary

from fasou.headless import PHONE_VIEWPORT as VIEWPORT
from fasou.headless import launch

BUDGET_BYTES = 200 * 1024
TARGET_MS = 300.0


def kind_of(name: str) -> str:
    if "/api/v1/" in name:
        return "api"
    for suffix, kind in ((".js", "js"), (".css", "css"), (".svg", "image")):
        if name.split("?")[0].endswith(suffix):
            return kind
    return "html"


ONBOARDED_CLIENT = "bench-page-load-01"


def onboard(context: Any, base: str) -> None:
    """A returning resident: a stored profile, so the home screen also loads the feed."""
    response = context.request.put(
        f"{base}/api/v1/profiles/{ONBOARDED_CLIENT}",
        data={"age_band": "60_plus", "region": "浙江省/金华市/东阳市"},
    )
    assert response.ok, response.text()
    context.add_init_script(
        f"localStorage.setItem('fasou.client', '{ONBOARDED_CLIENT}');"
        "localStorage.setItem('fasou.persona', 'elderly');"
        "localStorage.setItem('fasou.region', '浙江省/金华市/东阳市');"
    )


def first_load(browser: Any, base: str, onboarded: bool = False) -> dict[str, Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    if onboarded:
        onboard(context, base)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(base + "/")
    page.wait_for_selector("#view:not([aria-busy]) h1")
    page.wait_for_load_state("networkidle")
    wall_ms = (time.perf_counter() - started) * 1000
    entries = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map(e => ({name: e.name, bytes: e.transferSize, body: e.decodedBodySize}))"""
    )
    timing = page.evaluate(
        """() => { const n = performance.getEntriesByType('navigation')[0];
                   return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"""
    )
    context.close()
    by_kind: dict[str, int] = defaultdict(int)
    for entry in entries:
        by_kind[kind_of(entry["name"])] += entry["bytes"]
    return {
        "bytes": sum(e["bytes"] for e in entries),
        "uncompressed": sum(e["body"] for e in entries),
        "requests": len(entries),
        "by_kind": dict(by_kind),
        "dom_content_loaded_ms": timing["dcl"],
        "load_ms": timing["load"],
        "ready_wall_ms": wall_ms,
    }


def query_to_results(browser: Any, base: str, queries: list[str]) -> dict[str, list[float]]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_selector("#view:not([aria-busy]) h1")
    in_page, driver = [], []
    for query in queries:
        count = page.evaluate("performance.getEntriesByName('fasou:query-to-results').length")
        page.fill("#q", query)
        started = time.perf_counter()
        page.press("#q", "Enter")
        deadline = time.monotonic() + 30
        while True:
            done = page.evaluate(
                "n => performance.getEntriesByName('fasou:query-to-results').length > n", count
            )
            if done:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no results rendered for {query!r}")
            time.sleep(0.005)
        driver.append((time.perf_counter() - started) * 1000)
        in_page.append(
            page.evaluate("performance.getEntriesByName('fasou:query-to-results').pop().duration")
        )
    context.close()
    return {"in_page": in_page, "driver": driver}


def measure(base: str, rounds: int, n_queries: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    queries = layperson_queries()[:n_queries]
    loads, returning, page_p50, page_p95, driver_p50 = [], [], [], [], []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        query_to_results(browser, base, queries[:3])  # warm the server's caches
        for _ in range(rounds):
            loads.append(first_load(browser, base))
            returning.append(first_load(browser, base, onboarded=True))
            times = query_to_results(browser, base, queries)
            page_p50.append(summary(times["in_page"])["p50"])
            page_p95.append(summary(times["in_page"])["p95"])
            driver_p50.append(summary(times["driver"])["p50"])
        browser.close()
    median = statistics.median
    return {
        "first_load_bytes": median(x["bytes"] for x in loads),
        "first_load_uncompressed": median(x["uncompressed"] for x in loads),
        "first_load_requests": median(x["requests"] for x in loads),
        "first_load_by_kind": loads[-1]["by_kind"],
        "returning_first_load_bytes": median(x["bytes"] for x in returning),
        "returning_first_load_requests": median(x["requests"] for x in returning),
        "returning_first_load_by_kind": returning[-1]["by_kind"],
        "dom_content_loaded_ms": median(x["dom_content_loaded_ms"] for x in loads),
        "ready_wall_ms": median(x["ready_wall_ms"] for x in loads),
        "query_to_results_p50_ms": median(page_p50),
        "query_to_results_p95_ms": median(page_p95),
        "query_to_results_driver_p50_ms": median(driver_p50),
        "queries": len(queries),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("FASOU_DATA_DIR", "data"))
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.url:
        result = measure(args.url.rstrip("/"), args.rounds, args.queries)
    else:
        with running_server(args.data_dir) as base:
            result = measure(base, args.rounds, args.queries)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    kb = result["first_load_bytes"] / 1024
    print(f"resident page, headless Chromium 360x740, medians of {result['rounds']} rounds:")
    print(
        f"  first load of /      : {kb:6.1f} KB transferred (budget {BUDGET_BYTES // 1024} KB), "
        f"{result['first_load_requests']:.0f} requests, "
        f"{result['first_load_uncompressed'] / 1024:.1f} KB uncompressed"
    )
    parts = ", ".join(
        f"{k} {v / 1024:.1f} KB" for k, v in sorted(result["first_load_by_kind"].items())
    )
    print(f"    by kind            : {parts}")
    print(
        f"  … onboarded resident : {result['returning_first_load_bytes'] / 1024:6.1f} KB "
        f"transferred, {result['returning_first_load_requests']:.0f} requests (home with feed)"
    )
    parts = ", ".join(
        f"{k} {v / 1024:.1f} KB" for k, v in sorted(result["returning_first_load_by_kind"].items())
    )
    print(f"    by kind            : {parts}")
    print(f"    DOMContentLoaded   : {result['dom_content_loaded_ms']:6.1f} ms")
    print(f"    home ready (driver): {result['ready_wall_ms']:6.1f} ms")
    print(
        f"  query → results      : p50 {result['query_to_results_p50_ms']:6.1f} ms, "
        f"p95 {result['query_to_results_p95_ms']:6.1f} ms "
        f"(target ≤ {TARGET_MS:.0f} ms; {result['queries']} queries, in-page measure)"
    )
    print(f"    seen by the driver : p50 {result['query_to_results_driver_p50_ms']:6.1f} ms")


if __name__ == "__main__":
    main()
