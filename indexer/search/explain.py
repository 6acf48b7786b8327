"""Why a hit scored what it did, in a form a person can read (``explain=true``).

Built from backend-neutral pieces — the backend's text score, the static
prior (recomputed from the record with the same function the index used),
the coverage rerank, where residents' questions land (``answer_priors``) and any
pinning — so both engines explain alike. The
engine's own raw explanation is attached under ``engine`` when it gives one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analyzers.query import QueryPlan
from indexer.ranking import prior_multiplier
from indexer.search.rerank import searchable_text

if TYPE_CHECKING:
    from indexer.search.service import RelevanceProfile, _Ranked

_PIN_REASONS = {
    "lookup": "查询中点名了这一条文，直接置顶",
    "intent": "查询表明想找此类内容（如律师、视频、案例），置于前列",
    "help": "没有找到相关内容，提供可以求助的服务",
}


def explain_hit(item: _Ranked, plan: QueryPlan, relevance: RelevanceProfile) -> dict[str, Any]:
    record = item.hit.record
    prior = prior_multiplier(record) if relevance.prior else 1.0
    backend_score = item.hit.score
    text_score = backend_score / prior if prior else backend_score
    text = searchable_text(record)
    matched = [
        {
            "term": t.text,
            "origin": t.origin,
            "rule": t.rule or None,
            "weight": t.weight,
            "fields": list(t.fields),
        }
        for t in plan.terms
        if t.text in text
    ]
    found = [c for c in plan.concepts if c in text]
    missing = [c for c in plan.concepts if c not in text]
    explanation: dict[str, Any] = {
        "score": round(item.score, 4),
        "text_score": round(text_score, 4),
        "prior": {
            "multiplier": round(prior, 4),
            "type": record.get("type"),
            "level": record.get("level"),
            "status": record.get("status"),
            "category": record.get("category"),
        },
        "coverage": {
            "share": round(item.coverage, 4),
            "multiplier": round(item.coverage_multiplier, 4),
            "found": found,
            "missing": missing,
        },
        # Statute articles are ordered by this among their places and take the place's
        # score (``service._by_answer_priors``), so ``score`` may differ from it.
        "answer_prior": {
            "multiplier": round(item.answer_prior, 4),
            "ranked_by": round(
                text_score * prior * item.coverage_multiplier * item.answer_prior, 4
            ),
        },
        "matched_terms": matched,
    }
    ranked_by = explanation["answer_prior"]["ranked_by"]
    if item.pinned:
        explanation["pinned"] = {"reason": item.pinned, "why": _PIN_REASONS[item.pinned]}
        explanation["summary"] = _PIN_REASONS[item.pinned]
    else:
        explanation["summary"] = (
            f"文本相关性 {text_score:.3f} × 权威/时效 {prior:.2f}"
            f" × 概念覆盖 {item.coverage_multiplier:.2f}"
            + (f" × 常见问法落点 {item.answer_prior:.2f}" if item.answer_prior != 1.0 else "")
            + f" = {ranked_by:.3f}（命中 {len(found)}/{len(plan.concepts)} 个查询概念）"
        )
    if item.hit.explanation is not None:
        explanation["engine"] = item.hit.explanation
    return explanation
