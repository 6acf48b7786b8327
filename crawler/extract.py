"""Building model payloads from cleaned page text: the structure a page's text holds.

Statutes split into articles (the one article parser in
``indexer.importers.statute_markdown``), cases into sections, and every text that
cites statutes gets its citations resolved to article ids. Spiders have already
mapped site vocabulary (status codes, 机构类型 …) onto the model's values.
"""

from __future__ import annotations

from typing import Any

from crawler.items import PageItem
from indexer.importers.statute_markdown import LawInfo, is_division_heading, parse_statute_lines
from indexer.models import Level, Status, StatuteArticle
from indexer.statutes import CitationResolver


class ExtractError(ValueError):
    """The page's text does not hold what its type needs (e.g. a law body without articles)."""


def statute_lines(text: str, title: str = "") -> list[str]:
    """Cleaned body text → the Markdown-style lines the article parser reads.

    The law's own title (a Word file's Title paragraph) is no chapter heading.
    """
    lines = []
    for line in text.split("\n"):
        if line.removeprefix("## ").strip() == title:
            continue
        if line.startswith("## ") or not is_division_heading(line):
            lines.append(line)
        else:
            lines.append(f"## {line}")
    return lines


def statutes(item: PageItem) -> list[StatuteArticle]:
    fields = item.fields
    info = LawInfo(
        title=fields["title"],
        source=item.source,
        level=Level(fields["level"]) if fields.get("level") else None,
        issuing_body=fields.get("issuing_body"),
        promulgated=fields.get("promulgated_at"),
        effective=fields.get("effective_at"),
        status=Status(fields.get("status") or Status.current),
        law_version=fields.get("law_version"),
        url=item.url,
    )
    # The article parser builds (and so validates) the documents itself.
    articles = list(parse_statute_lines(statute_lines(item.text.get("body", ""), info.title), info))
    if not articles:
        raise ExtractError("body: no 第X条 articles found in the law's text")
    return articles


def cases(item: PageItem, resolver: CitationResolver) -> list[dict[str, Any]]:
    sections = {
        name.removeprefix("section:"): text
        for name, text in item.text.items()
        if name.startswith("section:") and text
    }
    body = "\n".join(f"{heading}\n{text}" for heading, text in sections.items())
    return [_document(item, body, sections=sections, cites=_cited(resolver, body))]


def _document(item: PageItem, body: str, **extra: Any) -> dict[str, Any]:
    return {**item.fields, "url": item.url, "source": item.source, "body": body, **extra}


def _cited(resolver: CitationResolver, *texts: str | None) -> list[dict[str, Any]]:
    return [c.model_dump() for c in resolver.resolve("\n".join(t for t in texts if t))]


def videos(item: PageItem, resolver: CitationResolver) -> list[dict[str, Any]]:
    body, transcript = item.text.get("body", ""), item.text.get("transcript")
    return [_document(item, body, transcript=transcript, cites=_cited(resolver, body, transcript))]


def services(item: PageItem, _resolver: CitationResolver) -> list[dict[str, Any]]:
    return [_document(item, item.text.get("body", ""))]


def articles(item: PageItem, resolver: CitationResolver) -> list[dict[str, Any]]:
    body = item.text.get("body", "")
    return [_document(item, body, cites=_cited(resolver, body))]


BUILDERS = {
    "case": cases,
    "video": videos,
    "service": services,
    "article": articles,
}


def build(item: PageItem, resolver: CitationResolver) -> None:
    """Fill ``item.payloads`` (validated next) or, for statutes, ``item.documents``."""
    if item.doc_type == "statute_article":
        item.documents = statutes(item)
    else:
        item.payloads = BUILDERS[item.doc_type](item, resolver)
