"""What the STARD-learned parts cost a search: CPU per query with them on and off.

Usage::

    python bench/learned_parts_cost.py [--data-dir DIR] [--laws DIR] [--rounds 5] [--limit N]
        [--layperson]

In process, over the STARD statute corpus (``open_stard``), result cache off, no
snippets — the service's own work, without HTTP. Questions: STARD's (long, many
words), or with ``--layperson`` the hand-written queries ``bench/search_latency.py``
times. Prints medians over rounds (rounds interleave the configurations, so machine load
hits them alike) of:

* ``plan_query`` with and without the learned term table (query understanding);
* the answer-priors step alone on the real reranked windows (``_by_answer_priors``);
* a whole ``SearchService.search`` (top 10) without learned parts, with the term table,
  and with both — the term table also lengthens the backend query.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from _common import add_stard_arguments, layperson_queries, open_stard

from analyzers.query import PlanOptions, plan_query
from indexer.search.service import RelevanceProfile, SearchService, _by_answer_priors, _Ranked
from indexer.search.types import Filters


def per_query_us(texts: list[str], work: Callable[[str], object]) -> float:
    """Median microseconds of ``work`` over ``texts``."""
    times = []
    for text in texts:
        started = time.perf_counter()
        work(text)
        times.append((time.perf_counter() - started) * 1e6)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stard_arguments(parser)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=300, help="questions (spread over the set)")
    parser.add_argument("--layperson", action="store_true", help="bench/queries/layperson.txt")
    args = parser.parse_args()
    catalog, backend, _id_map, queries, _qrels = open_stard(args)
    step = max(1, len(queries) // args.limit)
    texts = [text for _qid, text in queries[::step]][: args.limit]
    if args.layperson:
        texts = layperson_queries()[: args.limit]
    statutes = Filters(types=["statute_article"])
    unlearned = RelevanceProfile(plan=PlanOptions(learned=False), answer_priors=False)
    services = {
        "search, no learned parts": SearchService(backend, unlearned),
        "search, + term table": SearchService(backend, RelevanceProfile(answer_priors=False)),
        "search, + term table + answer priors": SearchService(backend),
    }
    # The windows the priors step reorders, as the shipped search ranks them.
    shipped = services["search, + term table"]
    windows: dict[str, list[_Ranked]] = {}
    for text in texts:
        plan = plan_query(text)
        windows[text] = shipped._rank(shipped._backend_search(plan, statutes, 50, (), False), plan)

    def reorder(text: str) -> object:
        return _by_answer_priors([_Ranked(r.hit, r.score) for r in windows[text]])

    def copy_only(text: str) -> object:
        return [_Ranked(r.hit, r.score) for r in windows[text]]

    work: dict[str, Callable[[str], object]] = {
        "plan_query, no term table": lambda t: plan_query(t, PlanOptions(learned=False)),
        "plan_query, term table": plan_query,
        "window copy (baseline of the next row)": copy_only,
        "window copy + answer priors": reorder,
    }
    for label, service in services.items():
        work[label] = lambda t, s=service: s.search(
            t, filters=statutes, size=10, facets=(), snippets=False, cache=False
        )
    for function in work.values():  # warm caches (normalised texts, segmenter)
        per_query_us(texts[:50], function)
    rounds: dict[str, list[float]] = {label: [] for label in work}
    for _ in range(args.rounds):
        for label, function in work.items():
            rounds[label].append(per_query_us(texts, function))
    kind = "layperson queries" if args.layperson else "STARD questions"
    print(f"{len(texts)} {kind}, {args.rounds} rounds; median µs a query (machine shared)")
    for label, values in rounds.items():
        print(f"{label:<42} {statistics.median(values):>9.1f}")
    backend.close()
    catalog.close()


if __name__ == "__main__":
    main()
