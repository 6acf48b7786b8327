"""Retrieval evaluation: Recall@k, MRR@10, nDCG@10 for a query set with judged articles.

Input format is that of ``../shared/data/eval``: queries as JSONL
(``{"id", "text"}``) and qrels as TSV (``query_id, law_title, article_no,
source_path, relevance``). A judged article is found in the catalog by the
file it was imported from and its article number.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.tables import documents

CUTOFFS = (10, 100)


@dataclass
class EvalReport:
    queries: int
    judged_pairs: int
    unresolved_pairs: int
    recall: dict[int, float]
    mrr10: float
    ndcg10: float
    latency_ms_p50: float
    per_query: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "queries": self.queries,
            "judged_pairs": self.judged_pairs,
            "unresolved_pairs": self.unresolved_pairs,
            **{f"recall@{k}": round(v, 4) for k, v in self.recall.items()},
            "mrr@10": round(self.mrr10, 4),
            "ndcg@10": round(self.ndcg10, 4),
            "latency_ms_p50": round(self.latency_ms_p50, 3),
        }


def load_queries(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [(row["id"], row["text"]) for line in handle if (row := json.loads(line))]


def load_qrels(path: Path) -> dict[str, dict[tuple[str, str], int]]:
    """query id → (source_path, article_no) → relevance."""
    qrels: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            key = (row["source_path"], row["article_no"])
            qrels[row["query_id"]][key] = int(row.get("relevance") or 1)
    return qrels


def article_ids_by_source(catalog: Catalog) -> dict[tuple[str, str], str]:
    """(source_path, article_no) → document id, for statutes imported from Markdown."""
    out = {}
    with catalog.engine.connect() as conn:
        rows = conn.execute(
            sa.select(documents.c.id, documents.c.fields).where(
                documents.c.type == "statute_article", documents.c.deleted.is_(False)
            )
        )
        for doc_id, fields in rows:
            if fields.get("source_path"):
                out[(fields["source_path"], fields["article_no"])] = doc_id
    return out


def _dcg(gains: list[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate(
    search: Callable[[str, int], list[str]],
    queries: list[tuple[str, str]],
    qrels: dict[str, dict[tuple[str, str], int]],
    id_map: dict[tuple[str, str], str],
    depth: int = 100,
) -> EvalReport:
    """Run ``search(text, depth) -> ranked ids`` over every judged query and score it."""
    recall = {k: [] for k in CUTOFFS}
    mrr, ndcg, latencies, per_query = [], [], [], []
    judged = unresolved = 0
    for qid, text in queries:
        judgments = qrels.get(qid)
        if not judgments:
            continue
        relevant = {}
        for key, rel in judgments.items():
            judged += 1
            if key in id_map:
                relevant[id_map[key]] = rel
            else:
                unresolved += 1
        started = time.perf_counter()
        ranked = search(text, depth)
        latencies.append((time.perf_counter() - started) * 1000)
        n_relevant = len(judgments)
        for k in CUTOFFS:
            recall[k].append(sum(1 for d in ranked[:k] if d in relevant) / n_relevant)
        rank = next((i + 1 for i, d in enumerate(ranked[:10]) if d in relevant), None)
        mrr.append(1 / rank if rank else 0.0)
        ideal = _dcg(sorted(judgments.values(), reverse=True)[:10])
        ndcg.append(_dcg([relevant.get(d, 0) for d in ranked[:10]]) / ideal if ideal else 0.0)
        per_query.append({"id": qid, "text": text, "first_relevant_rank": rank})
    count = len(mrr)
    return EvalReport(
        queries=count,
        judged_pairs=judged,
        unresolved_pairs=unresolved,
        recall={k: sum(v) / count if count else 0.0 for k, v in recall.items()},
        mrr10=sum(mrr) / count if count else 0.0,
        ndcg10=sum(ndcg) / count if count else 0.0,
        latency_ms_p50=statistics.median(latencies) if latencies else 0.0,
        per_query=per_query,
    )


@dataclass
class OverlapReport:
    """How far two rankers agree on their top ``k`` (e.g. tantivy vs Elasticsearch)."""

    queries: int
    k: int
    mean_overlap: float
    identical: float
    worst: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "queries": self.queries,
            "k": self.k,
            f"mean_overlap@{self.k}": round(self.mean_overlap, 4),
            "identical_lists": round(self.identical, 4),
            "worst": self.worst,
        }


def ranking_overlap(
    first: Callable[[str, int], list[str]],
    second: Callable[[str, int], list[str]],
    queries: list[str],
    k: int = 10,
) -> OverlapReport:
    """Mean share of top-``k`` ids two rankers have in common (order ignored), per query.

    A query where both return fewer than ``k`` hits is scored against the longer
    list; two empty lists agree fully.
    """
    overlaps, identical, per_query = [], 0, []
    for text in queries:
        a, b = first(text, k)[:k], second(text, k)[:k]
        longest = max(len(a), len(b))
        overlap = len(set(a) & set(b)) / longest if longest else 1.0
        overlaps.append(overlap)
        identical += a == b
        per_query.append({"text": text, "overlap": round(overlap, 3)})
    count = len(overlaps)
    return OverlapReport(
        queries=count,
        k=k,
        mean_overlap=sum(overlaps) / count if count else 0.0,
        identical=identical / count if count else 0.0,
        worst=sorted(per_query, key=lambda q: q["overlap"])[:5],
    )
