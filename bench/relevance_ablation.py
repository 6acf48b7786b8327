"""What each relevance component adds on STARD train: components switched on one by one.

Usage::

    python bench/relevance_ablation.py [--data-dir DIR] [--laws DIR] [--json]

Runs the product search path (``SearchService``, statute articles only) with a
``RelevanceProfile`` per row, cumulatively: words only → + character bigrams →
+ static prior (authority/status) → + colloquial expansion → + law aliases →
+ direct article lookup → + concept-coverage rerank → + phrase-overlap rerank →
+ the STARD-learned term table → + where questions land (answer priors; = the shipped
configuration). The last two rows are in-sample on STARD train (learned from its labels):
their held-out effect is what ``bench/learned_terms_kfold.py`` prints. The index is the
same for every row; only query-time switches change. Prints Recall@10, Recall@100, MRR@10, nDCG@10.
"""

from __future__ import annotations

import argparse
import json

from _common import add_stard_arguments, open_stard

from analyzers.query import PlanOptions
from fasou.evaluation import evaluate
from indexer.search.service import RelevanceProfile, SearchService
from indexer.search.types import Filters

_OFF = PlanOptions(
    bigrams=False, expansion=False, aliases=False, lookup=False, intent=False, learned=False
)


def profiles() -> list[tuple[str, RelevanceProfile]]:
    """Cumulative rows: each adds one component to the row above."""
    rows: list[tuple[str, RelevanceProfile]] = []
    plan = _OFF
    base = RelevanceProfile(
        plan=plan,
        prior=False,
        coverage_weight=0.0,
        phrase_weight=0.0,
        lookup_first=False,
        answer_priors=False,
    )
    rows.append(("words only (BM25, field boosts)", base))
    plan = PlanOptions(**{**vars(_OFF), "bigrams": True})
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
    rows.append(("+ phrase-overlap rerank", current))
    plan = PlanOptions(**{**vars(plan), "learned": True})
    current = RelevanceProfile(**{**vars(current), "plan": plan})
    rows.append(("+ learned terms (IN-SAMPLE)", current))
    current = RelevanceProfile(**{**vars(current), "answer_priors": True})
    rows.append(("+ answer priors (IN-SAMPLE; = shipped)", current))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stard_arguments(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    catalog, backend, id_map, queries, qrels = open_stard(args)
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
