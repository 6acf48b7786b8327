"""What each relevance component adds on STARD train: components switched on one by one.

Usage::

    python bench/relevance_ablation.py [--data-dir DIR] [--laws DIR] [--json]

Runs the product search path (``SearchService``, statute articles only) with a
``RelevanceProfile`` per row, cumulatively: words only → + character bigrams →
+ static prior (authority/status) → + colloquial expansion → + law aliases →
+ direct article lookup → + concept-coverage rerank → + phrase-overlap rerank
(= the shipped configuration). The index is the same for every row; only
query-time switches change. Prints Recall@10, Recall@100, MRR@10, nDCG@10.
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import add_stard_arguments

from analyzers.query import PlanOptions
from fasou.config import Settings
from fasou.evaluation import article_ids_by_source, evaluate, load_qrels, load_queries
from indexer.backends.factory import open_backend
from indexer.catalog import Catalog
from indexer.importers import statute_markdown
from indexer.search.service import RelevanceProfile, SearchService
from indexer.search.types import Filters
from indexer.sync import ensure_index

_OFF = PlanOptions(bigrams=False, expansion=False, aliases=False, lookup=False, intent=False)


def profiles() -> list[tuple[str, RelevanceProfile]]:
    """Cumulative rows: each adds one component to the row above."""
    rows: list[tuple[str, RelevanceProfile]] = []
    plan = _OFF
    base = RelevanceProfile(
        plan=plan, prior=False, coverage_weight=0.0, phrase_weight=0.0, lookup_first=False
    )
    rows.append(("words only (BM25, field boosts)", base))
    plan = PlanOptions(bigrams=True, expansion=False, aliases=False, lookup=False, intent=False)
    rows.append(("+ character bigrams", RelevanceProfile(**{**vars(base), "plan": plan})))
    current = RelevanceProfile(**{**vars(rows[-1][1]), "prior": True})
    rows.append(("+ static prior (level, status)", current))
    for label, switch in (
        ("+ colloquial expansion", "expansion"),
        ("+ law aliases / succession", "aliases"),
    ):
        plan = PlanOptions(**{**vars(plan), switch: True})
        current = RelevanceProfile(**{**vars(current), "plan": plan})
        rows.append((label, current))
    plan = PlanOptions(**{**vars(plan), "lookup": True, "intent": True})
    current = RelevanceProfile(**{**vars(current), "plan": plan, "lookup_first": True})
    rows.append(("+ direct article lookup", current))
    current = RelevanceProfile(
        **{**vars(current), "coverage_weight": RelevanceProfile().coverage_weight}
    )
    rows.append(("+ concept-coverage rerank", current))
    current = RelevanceProfile(
        **{**vars(current), "phrase_weight": RelevanceProfile().phrase_weight}
    )
    rows.append(("+ phrase-overlap rerank (= shipped)", current))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stard_arguments(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.laws.is_dir():
        sys.exit(f"statute corpus not found at {args.laws} (../shared/data is not in git)")
    settings = Settings(data_dir=args.data_dir)
    catalog = Catalog.open(settings.catalog_url)
    catalog.upsert(statute_markdown.iter_statute_articles(args.laws))
    backend = open_backend(settings)
    ensure_index(catalog, backend)
    id_map = article_ids_by_source(catalog)
    queries, qrels = load_queries(args.queries), load_qrels(args.qrels)
    statutes = Filters(types=["statute_article"])
    results = []
    for label, profile in profiles():
        service = SearchService(backend, profile)

        def ranked(text: str, depth: int, service: SearchService = service) -> list[str]:
            page = service.search(text, filters=statutes, size=depth, facets=(), snippets=False)
            return [hit["id"] for hit in page.hits]

        report = evaluate(ranked, queries, qrels, id_map).as_dict()
        results.append({"component": label, **report})
        if not args.json:
            print(
                f"{label:<40} R@10 {report['recall@10']:.4f}  R@100 {report['recall@100']:.4f}"
                f"  MRR@10 {report['mrr@10']:.4f}  nDCG@10 {report['ndcg@10']:.4f}",
                flush=True,
            )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    backend.close()
    catalog.close()


if __name__ == "__main__":
    main()
