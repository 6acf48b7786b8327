"""What is learned from STARD train adds to questions it never saw: k-fold on STARD train.

Usage::

    python bench/learned_terms_kfold.py [--data-dir DIR] [--laws DIR] [--folds 5] [--json]

Two parts are fitted on STARD train's labels: the term table
(``analyzers/data/learned_terms.tsv``, query word → statute words) and where questions
land (``indexer/search/data/answer_priors.tsv``, per article, law and chapter), so
``fasou eval`` on that split is in-sample once they are on. Here the questions are split
into folds (a fixed shuffle); each fold is searched through the product path
(``SearchService``, statute articles only) with both parts learned on the *other* folds
(``Material.learned_from``). Prints, over all questions: the product without them, each
alone and both held out (the honest figures), and the shipped files (in-sample, for
comparison).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from functools import partial

from _common import add_stard_arguments, open_stard

from analyzers.query import PlanOptions
from fasou.evaluation import evaluate
from fasou.stard_learning import Material, gather
from indexer.search.service import RelevanceProfile, SearchService
from indexer.search.types import Filters

SEED = 0


def folds_of(query_ids: list[str], k: int) -> list[set[str]]:
    shuffled = sorted(query_ids)
    random.Random(SEED).shuffle(shuffled)
    return [set(shuffled[i::k]) for i in range(k)]


def held_out(
    run: Callable[[list[tuple[str, str]]], dict[str, list[str]]],
    material: Material,
    queries: list[tuple[str, str]],
    judged: list[str],
    k: int,
) -> dict[str, list[str]]:
    """``run(subset)`` for each fold's questions of ``queries``, with every learned part
    fitted on the judged questions of the other folds."""
    lists: dict[str, list[str]] = {}
    for fold in folds_of(judged, k):
        with material.learned_from({qid for qid in judged if qid not in fold}):
            lists.update(run([q for q in queries if q[0] in fold]))
    return lists


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stard_arguments(parser)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    catalog, backend, id_map, queries, qrels = open_stard(args)
    material = gather(args.laws, args.queries, args.qrels)
    statutes = Filters(types=["statute_article"])

    def run(profile: RelevanceProfile, subset: list[tuple[str, str]]) -> dict[str, list[str]]:
        """Ranked ids per question text, through the product path."""
        service = SearchService(backend, profile)
        lists: dict[str, list[str]] = {}
        for _qid, text in subset:
            page = service.search(text, filters=statutes, size=100, facets=(), snippets=False)
            lists[text] = [hit["id"] for hit in page.hits]
        return lists

    def scored(lists: dict[str, list[str]]) -> dict:
        return evaluate(lambda text, depth: lists[text][:depth], queries, qrels, id_map).as_dict()

    no_table = PlanOptions(learned=False)
    shipped = RelevanceProfile()
    profiles = {
        "term table only": RelevanceProfile(answer_priors=False),
        "answer priors only": RelevanceProfile(plan=no_table),
        "both (= shipped)": shipped,
    }
    unlearned = RelevanceProfile(plan=no_table, answer_priors=False)
    rows = {"without learned parts": scored(run(unlearned, queries))}
    judged = [qid for qid, _ in queries if qid in qrels]
    for label, profile in profiles.items():
        held = held_out(partial(run, profile), material, queries, judged, args.folds)
        rows[f"{label}, held out ({args.folds}-fold)"] = scored(held)
    rows["shipped files (IN-SAMPLE)"] = scored(run(shipped, queries))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for label, m in rows.items():
            print(
                f"{label:<40} R@10 {m['recall@10']:.4f}  R@100 {m['recall@100']:.4f}"
                f"  MRR@10 {m['mrr@10']:.4f}  nDCG@10 {m['ndcg@10']:.4f}"
            )
    backend.close()
    catalog.close()


if __name__ == "__main__":
    main()
