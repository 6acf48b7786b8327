"""Extract: cleaned text → model payloads (articles split, sections, resolved citations)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from crawler.extract import ExtractError, build
from crawler.pipelines import CrawlerAware, pending
from indexer.statutes import CitationResolver


class ExtractPipeline(CrawlerAware):
    def __init__(self) -> None:
        self.resolver = CitationResolver()

    def open_spider(self) -> None:
        # Titles of laws the catalog holds: better citation resolution (民法典 → 中华人民…).
        if self.context is not None:
            self.resolver = CitationResolver(self.context.known_titles)

    def process_item(self, item: Any) -> Any:
        if not pending(item):
            return item
        try:
            build(item, self.resolver)
        except ExtractError as exc:
            item.problem = str(exc)
        except ValidationError as exc:
            item.problem = "invalid: " + describe(exc)
        except (KeyError, ValueError) as exc:
            item.problem = f"missing or malformed field: {exc}"
        return item


def describe(exc: ValidationError) -> str:
    """ "title: String should have at least 1 character; kind: …" — names every field at fault."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ())) or "item"
        parts.append(f"{field}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)
