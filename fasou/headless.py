"""Headless Chromium as the browser tests and ``bench/page_load.py`` launch it.

Debian's ``chromium`` is launched by path: Playwright's own browser downloads
cannot work without internet. ``FASOU_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("FASOU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: The phone the resident page is designed for first.
PHONE_VIEWPORT = {"width": 360, "height": 740}


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
