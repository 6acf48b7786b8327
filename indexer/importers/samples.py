"""The hand-written starter set under ``samples/``: 普法 videos, legal services, articles.

Each YAML entry carries a stable ``key``; the document id derives from it so
that editing a sample's text updates the same document instead of adding one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from analyzers.citations import parse_citation
from indexer.models import Article, BaseDocument, CitedArticle, Service, Video, stable_key
from indexer.statutes import cited_article

SOURCE = "samples"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "samples"


class SampleError(ValueError):
    """A sample entry that does not validate, with file and key in the message."""


def _strings(values: list[Any] | None) -> list[str]:
    """YAML reads 12348 as a number; tags and services are text."""
    return [str(v) for v in values or []]


def _cites(values: list[str]) -> list[CitedArticle]:
    return [cited_article(parse_citation(text)) for text in values or []]


def _video(entry: dict[str, Any]) -> Video:
    return Video(
        id=stable_key("video", SOURCE, entry["key"]),
        title=entry["title"],
        body=entry.get("description", ""),
        transcript=entry.get("transcript"),
        duration_seconds=entry.get("duration_seconds"),
        url=entry.get("url"),
        play_url=entry.get("play_url"),
        cover_url=entry.get("cover_url"),
        publisher=entry.get("publisher"),
        court=entry.get("court"),
        case_no=entry.get("case_no"),
        published_at=entry.get("published_at"),
        region=entry.get("region"),
        tags=_strings(entry.get("tags")),
        audiences=entry.get("audiences", []),
        topics=entry.get("topics", []),
        cites=_cites(entry.get("cites", [])),
        source=SOURCE,
    )


def _service(entry: dict[str, Any]) -> Service:
    return Service(
        id=stable_key("svc", SOURCE, entry["key"]),
        title=entry["name"],
        kind=entry["kind"],
        body=entry.get("description", ""),
        address=entry.get("address"),
        region=entry.get("region"),
        phone=str(entry["phone"]) if entry.get("phone") is not None else None,
        hours=entry.get("hours"),
        services=_strings(entry.get("services")),
        latitude=entry.get("latitude"),
        longitude=entry.get("longitude"),
        url=entry.get("url"),
        audiences=entry.get("audiences", []),
        topics=entry.get("topics", []),
        source=SOURCE,
    )


def _article(entry: dict[str, Any]) -> Article:
    return Article(
        id=stable_key("art", SOURCE, entry["key"]),
        title=entry["title"],
        body=entry.get("body", ""),
        author=entry.get("author"),
        published_at=entry.get("published_at"),
        url=entry.get("url"),
        region=entry.get("region"),
        audiences=entry.get("audiences", []),
        topics=entry.get("topics", []),
        cites=_cites(entry.get("cites", [])),
        source=SOURCE,
    )


_FILES = {"videos.yaml": _video, "services.yaml": _service, "articles.yaml": _article}
SAMPLE_FILES = tuple(_FILES)


def iter_samples(directory: Path = DEFAULT_DIR) -> Iterator[BaseDocument]:
    """Documents from every sample file present in ``directory``."""
    for name, build in _FILES.items():
        path = directory / name
        if not path.exists():
            continue
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for entry in entries:
            try:
                yield build(entry)
            except (KeyError, ValueError) as exc:
                raise SampleError(f"{path.name}: entry {entry.get('key')!r}: {exc}") from exc
