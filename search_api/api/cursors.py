"""Opaque cursors for ``/search`` and ``/feed``: where the next page starts, and for what.

A cursor is base64url JSON that clients pass back untouched. It carries the
offset of the next page and a short key of the request it belongs to (query,
filters, profile), so a cursor replayed against a different search fails with
a clear error instead of silently returning the wrong page. The feed's cursor
also fixes the moment of its first page (items seen while paging do not shift
later pages).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from search_api.api.errors import ApiError


def request_key(*parts: Any) -> str:
    """A short fingerprint of what a cursor was issued for."""
    raw = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:10]


def encode_cursor(offset: int, *, key: str | None = None, asof: datetime | None = None) -> str:
    payload: dict[str, Any] = {"o": offset}
    if key is not None:
        payload["k"] = key
    if asof is not None:
        payload["t"] = asof.isoformat(timespec="microseconds")
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str, *, limit: int, key: str | None = None
) -> tuple[int, datetime | None]:
    """``(offset, asof)``; 422 naming ``cursor`` when it is malformed, foreign or too deep."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(data["o"])
        asof = datetime.fromisoformat(data["t"]) if "t" in data else None
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(422, "validation_error", "invalid cursor", field="cursor") from exc
    if key is not None and data.get("k") != key:
        raise ApiError(
            422,
            "validation_error",
            "cursor belongs to another query; start again without it",
            field="cursor",
        )
    if not 0 <= offset < limit:
        raise ApiError(422, "validation_error", "cursor is out of range", field="cursor")
    return offset, asof
