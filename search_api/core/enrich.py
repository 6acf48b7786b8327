"""What this deployment adds to a hit or document before it leaves the API.

Two things depend on where 法搜 runs and who asks, not on the catalog:

- ``media`` on videos: the source's ``play_url`` points at the publisher's
  site. A deployment that cannot reach those sites (an offline demo, a test
  run) sets ``FASOU_MEDIA_FALLBACK`` to a local file; the player then gets that
  file, marked ``sample: true`` with a note saying so — the page never claims
  the remote video is playing. With the setting empty, ``src`` is the
  ``play_url`` itself.
- ``distance_km`` on services with coordinates, when the request says where the
  resident is (``near=`` a place from ``/api/v1/places`` or ``lat,lon``).

Search, feed and document routes all go through ``enrich`` so every client sees
the same fields.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fasou.config import Settings
from fasou.places import Point, UnknownPlace, distance_km, places
from search_api.api.errors import ApiError

SAMPLE_NOTE = "原视频在本站无法播放（来源网站不可达），此处播放的是本地示例片段，仅作演示。"
_MEDIA_TYPES = {".webm": "video/webm", ".mp4": "video/mp4", ".m3u8": "application/x-mpegURL"}


def media_type(url: str) -> str | None:
    return _MEDIA_TYPES.get(PurePosixPath(url.split("?", 1)[0]).suffix.lower())


def media(record: dict[str, Any], fallback: str | None) -> dict[str, Any] | None:
    """What a video player should load for this record."""
    play_url = record.get("play_url")
    local = bool(play_url and play_url.startswith("/"))
    if fallback and not local:
        return {"src": fallback, "type": media_type(fallback), "sample": True, "note": SAMPLE_NOTE}
    if not play_url:
        return None
    return {"src": play_url, "type": media_type(play_url), "sample": False, "note": None}


def resolve_near(near: str | None) -> Point | None:
    """The ``near`` parameter as a point; 422 naming ``near`` when unknown."""
    if near is None:
        return None
    try:
        return places().resolve(near)
    except UnknownPlace as exc:
        raise ApiError(422, "validation_error", str(exc), field="near") from exc


def enrich(item: dict[str, Any], settings: Settings, near: Point | None = None) -> dict[str, Any]:
    """Add ``media`` (videos) and ``distance_km`` (services, when ``near`` is known)."""
    if item.get("type") == "video":
        item["media"] = media(item, settings.media_fallback or None)
    if near is not None and item.get("latitude") is not None and item.get("longitude") is not None:
        item["distance_km"] = distance_km(near, item["latitude"], item["longitude"])
    return item


def near_body(point: Point | None) -> dict[str, Any] | None:
    """The resolved ``near`` echoed in a response, so a client can show "距 横店镇"."""
    if point is None:
        return None
    return {"label": point.label, "lat": point.lat, "lon": point.lon}
