"""Do the two backends return the same top 10? STARD train queries over ../shared/data/laws.

Usage: ``python bench/backend_parity.py [--laws DIR] [--queries FILE] [--es-url URL]
[--k 10] [--json]``. Imports the statutes into a fresh catalog, analyses them
once, builds a tantivy index and an Elasticsearch index from the same analysed
documents (a local node from ``scripts/es-test-node`` unless ``--es-url``),
then searches every query on both, statutes only, as ``fasou eval`` does.
Prints the mean share of top-k ids the two lists have in common.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import (
    SHARED_DATA,
    analysed_snapshot,
    backend_settings,
    drop_es_indices,
    elasticsearch_url,
)

from fasou.evaluation import load_queries, ranking_overlap
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.importers import statute_markdown
from indexer.search.service import SearchService
from indexer.search.types import Filters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=Path, default=SHARED_DATA / "laws")
    parser.add_argument(
        "--queries", type=Path, default=SHARED_DATA / "eval" / "stard_train_queries.jsonl"
    )
    parser.add_argument("--es-url", help="an Elasticsearch to use instead of a local node")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.laws.is_dir() or not args.queries.is_file():
        sys.exit(f"shared data not found ({args.laws}, {args.queries}): nothing to compare")

    prefix = f"parity-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="fasou-parity-") as tmp:
        catalog = Catalog.open(f"sqlite:///{tmp}/catalog.db")
        catalog.upsert(statute_markdown.iter_statute_articles(args.laws))
        rev, analysed, _ = analysed_snapshot(catalog)
        with elasticsearch_url(args.es_url) as url:
            backends = {
                kind: open_backend(backend_settings(kind, Path(tmp), url, prefix))
                for kind in ("tantivy", "elasticsearch")
            }
            try:
                for backend in backends.values():
                    backend.rebuild(rev, analysed)
                statutes = Filters(types=["statute_article"])

                def ranker(kind: str):  # type: ignore[no-untyped-def]
                    service = SearchService(backends[kind])

                    def ranked(text: str, k: int) -> list[str]:
                        page = service.search(
                            text, filters=statutes, size=k, facets=(), snippets=False
                        )
                        return [hit["id"] for hit in page.hits]

                    return ranked

                queries = [text for _, text in load_queries(args.queries)]
                started = time.perf_counter()
                report = ranking_overlap(
                    ranker("tantivy"), ranker("elasticsearch"), queries, k=args.k
                )
                seconds = time.perf_counter() - started
            finally:
                for backend in backends.values():
                    backend.close()
                drop_es_indices(url, prefix)
        catalog.close()

    result = report.as_dict() | {"documents": sum(map(len, analysed)), "seconds": seconds}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"backend parity: {report.queries} STARD queries, {result['documents']} statutes")
    print(f"  mean top-{args.k} overlap (tantivy vs elasticsearch): {report.mean_overlap:.4f}")
    print(f"  identical top-{args.k} lists (same order):           {report.identical:.4f}")
    for worst in report.worst:
        print(f"  lowest: {worst['overlap']:.2f}  {worst['text']}")


if __name__ == "__main__":
    main()
