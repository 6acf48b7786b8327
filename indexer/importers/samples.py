"""The hand-written starter set under ``samples/``: 普法 videos, legal services, articles,
typical cases.

Each YAML entry carries a stable ``key``; the document id derives from it so
that editing a sample's text updates the same document instead of adding one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from analyzers.citations import parse_citation
from indexer.models import (
    Article,
    BaseDocument,
    Case,
    CitedArticle,
    Service,
    Video,
    stable_key,
)
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


def _shared(entry: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Fields every sample type reads the same way: id from the key, place, tags, source."""
    return {
        "id": stable_key(prefix, SOURCE, entry["key"]),
        "url": entry.get("url"),
        "region": entry.get("region"),
        "audiences": entry.get("audiences", []),
        "topics": entry.get("topics", []),
        "source": SOURCE,
    }


def _video(entry: dict[str, Any]) -> Video:
    return Video(
        **_shared(entry, "video"),
        title=entry["title"],
        body=entry.get("description", ""),
        transcript=entry.get("transcript"),
        duration_seconds=entry.get("duration_seconds"),
        play_url=entry.get("play_url"),
        cover_url=entry.get("cover_url"),
        publisher=entry.get("publisher"),
        court=entry.get("court"),
        case_no=entry.get("case_no"),
        published_at=entry.get("published_at"),
        tags=_strings(entry.get("tags")),
        cites=_cites(entry.get("cites", [])),
    )


def _service(entry: dict[str, Any]) -> Service:
    return Service(
        **_shared(entry, "svc"),
        title=entry["name"],
        kind=entry["kind"],
        body=entry.get("description", ""),
        address=entry.get("address"),
        phone=str(entry["phone"]) if entry.get("phone") is not None else None,
        hours=entry.get("hours"),
        services=_strings(entry.get("services")),
        latitude=entry.get("latitude"),
        longitude=entry.get("longitude"),
    )


def _article(entry: dict[str, Any]) -> Article:
    return Article(
        **_shared(entry, "art"),
        title=entry["title"],
        body=entry.get("body", ""),
        author=entry.get("author"),
        published_at=entry.get("published_at"),
        cites=_cites(entry.get("cites", [])),
    )


def _sections_text(entry: dict[str, Any]) -> str:
    """A case without a summary reads as its sections (heading, then text)."""
    return "\n".join(f"{k}\n{str(v).strip()}" for k, v in (entry.get("sections") or {}).items())


def _case(entry: dict[str, Any]) -> Case:
    return Case(
        **_shared(entry, "case"),
        title=entry["title"],
        body=entry.get("summary") or _sections_text(entry),
        case_no=entry.get("case_no"),
        court=entry.get("court"),
        court_level=entry.get("court_level"),
        decided_at=entry.get("decided_at"),
        published_at=entry.get("decided_at"),
        cause=entry.get("cause"),
        case_type=entry.get("case_type"),
        category=entry.get("category"),
        sections={str(k): str(v) for k, v in (entry.get("sections") or {}).items()},
        cites=_cites(entry.get("cites", [])),
    )


_FILES = {
    "videos.yaml": _video,
    "services.yaml": _service,
    "articles.yaml": _article,
    "cases.yaml": _case,
}
SAMPLE_FILES = tuple(_FILES)


def iter_samples(
    directory: Path = DEFAULT_DIR, files: tuple[str, ...] = SAMPLE_FILES
) -> Iterator[BaseDocument]:
    """Documents from every sample file (of ``files``) present in ``directory``."""
    for name in files:
        build = _FILES[name]
        path = directory / name
        if not path.exists():
            continue
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for entry in entries:
            try:
                yield build(entry)
            except (KeyError, ValueError) as exc:
                raise SampleError(f"{path.name}: entry {entry.get('key')!r}: {exc}") from exc
