"""``fasou eval``: retrieval quality of the configured index on a judged query set."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from fasou.cli.common import opened_backend, opened_catalog, update_index
from fasou.evaluation import article_ids_by_source, evaluate, load_qrels, load_queries
from indexer.importers import statute_markdown
from indexer.search.service import SearchService
from indexer.search.types import Filters


def eval_command(
    queries: Path = typer.Option(..., "--queries", exists=True, dir_okay=False),
    qrels: Path = typer.Option(..., "--qrels", exists=True, dir_okay=False),
    laws: Path = typer.Option(
        None,
        "--laws",
        exists=True,
        file_okay=False,
        help="import this statute folder first (idempotent)",
    ),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Recall@10, Recall@100, MRR@10, nDCG@10 (statute articles only)."""
    with opened_catalog() as catalog:
        if laws:
            catalog.upsert(statute_markdown.iter_statute_articles(laws))
        update_index(catalog)
        id_map = article_ids_by_source(catalog)
    if not id_map:
        raise typer.BadParameter("the catalog holds no Markdown statutes: pass --laws DIR")
    with opened_backend() as backend:
        service = SearchService(backend)
        statutes = Filters(types=["statute_article"])

        def ranked(text: str, depth: int) -> list[str]:
            page = service.search(text, filters=statutes, size=depth, facets=(), snippets=False)
            return [hit["id"] for hit in page.hits]

        report = evaluate(ranked, load_queries(queries), load_qrels(qrels), id_map)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    for key, value in report.as_dict().items():
        typer.echo(f"{key:>18}: {value}")
