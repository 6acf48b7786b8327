"""Canonical URLs and ledger keys: the same page under cosmetic URL variants is one page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import Request
from w3lib.url import canonicalize_url

#: Query parameters that say where a link was clicked, not what it points to.
TRACKING_PARAMS = frozenset(
    {
        "from",
        "spm",
        "share",
        "share_token",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "isappinstalled",
        "scene",
        "_",
    }
)


def canonical_url(url: str) -> str:
    """Sorted query without tracking parameters, no fragment, normalised escaping."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in TRACKING_PARAMS
    ]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return canonicalize_url(cleaned)


def request_key(request: Request) -> str:
    """The ledger key of a request: its canonical URL, plus method and body for API calls."""
    url = canonical_url(request.url)
    if request.method == "GET":
        return url
    body = request.body.decode("utf-8", "replace")
    return f"{request.method} {url} {body}"
