"""Search as the product sees it: understand the query, ask the backend, shape the hits.

Used by the HTTP API and by ``fasou eval`` so that what is measured is what
residents get. Everything here is backend-neutral: the backend scores
(weighted terms × field boosts × BM25 × static prior, under filters); this
layer adds what no single engine query expresses — named articles first,
intended document types first, concept-coverage reranking, a relaxed
fallback so a plain-language question never gets an empty page, and the
explanation of every score.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from analyzers.query import (
    BIGRAM,
    EXPANSION,
    LAW_ALIAS,
    LEARNED,
    PlanOptions,
    QueryPlan,
    plan_query,
)
from indexer.backends.base import SearchBackend
from indexer.models import statute_article_id
from indexer.ranking import (
    AUDIENCE_CANDIDATES,
    PERSONAL_INTENT_CANDIDATES,
    RERANK_WINDOW,
    RESCORE_WINDOW,
    SCORE_DECIMALS,
)
from indexer.search.answer_priors import answer_priors
from indexer.search.cache import SearchCache, request_key
from indexer.search.explain import explain_hit
from indexer.search.highlight import snippet
from indexer.search.personalize import Personalization, rescore
from indexer.search.rerank import COVERAGE_WEIGHT, PHRASE_WEIGHT, question_core, rerank
from indexer.search.types import FACET_FIELDS, BackendHit, BackendResult, Filters, SearchRequest

#: Record keys that are bookkeeping or too large for a result list.
_HIDDEN_IN_HITS = frozenset(
    {
        "body",
        "transcript",
        "sections",
        "content_hash",
        "rev",
        "editor_audiences",
        "editor_topics",
        "suggested_audiences",
        "suggested_topics",
    }
)
#: Hits of an intended type (找律师 → services) shown ahead of the rest.
INTENT_SLOTS = 3
#: Statuses that get a visible label on a hit (demoted, never hidden).
STATUS_LABELS = {"已修改": "已被修改，非现行文本", "已废止": "已废止", "尚未生效": "尚未生效"}
#: Notice shown when the answer came from relaxed matching.
RELAXED_NOTICE = "没有找到与全部词语匹配的结果，已放宽条件（按字词部分匹配），以下结果仅供参考。"
FALLBACK_NOTICE = (
    "没有找到相关内容。可以换个说法，或拨打 12348 公共法律服务热线、联系当地法律援助中心咨询。"
)
#: Types offered when nothing matches at all: a resident still gets somewhere to turn.
FALLBACK_TYPES = ("service",)


@dataclass(frozen=True)
class RelevanceProfile:
    """Which relevance components run (all by default; ``bench/relevance_ablation.py``
    switches them off one by one)."""

    plan: PlanOptions = field(default_factory=PlanOptions)
    prior: bool = True
    coverage_weight: float = COVERAGE_WEIGHT
    phrase_weight: float = PHRASE_WEIGHT
    rerank_window: int = RERANK_WINDOW
    #: Where residents' questions land (``answer_priors.py``, learned from STARD train).
    answer_priors: bool = True
    lookup_first: bool = True
    intent_first: bool = True
    fallback: bool = True


@dataclass
class SearchPage:
    query: str
    plan: QueryPlan
    total: int
    page: int
    size: int
    hits: list[dict[str, Any]]
    offset: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0
    #: How the query was understood and what the service did (shown to the resident).
    understanding: dict[str, Any] = field(default_factory=dict)
    relaxed: bool = False
    notice: str | None = None
    did_you_mean: str | None = None
    #: Served from the result cache (for metrics; not part of the response).
    cached: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "offset": self.offset,
            "size": self.size,
            "hits": self.hits,
            "facets": self.facets,
            "took_ms": round(self.took_ms, 3),
            "understanding": self.understanding,
            "relaxed": self.relaxed,
            "notice": self.notice,
            "did_you_mean": self.did_you_mean,
        }


def _snippet_source(record: dict[str, Any]) -> str:
    parts = [record.get("body") or ""]
    if record.get("transcript"):
        parts.append(record["transcript"])
    for text in (record.get("sections") or {}).values():
        parts.append(text)
    return "\n".join(p for p in parts if p)


def shape_hit(
    hit: BackendHit,
    terms: list[str],
    *,
    explanation: dict[str, Any] | None = None,
    snippets: bool = True,
    score: float | None = None,
    pinned: str | None = None,
    personalization: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A search hit: id, type, title, snippet, score, labels, then the type's own fields."""
    record = hit.record
    shaped: dict[str, Any] = {
        "id": hit.id,
        "type": record["type"],
        "title": record["title"],
        "snippet": snippet(_snippet_source(record), terms) if snippets else "",
        "score": round(hit.score if score is None else score, 4),
    }
    label = STATUS_LABELS.get(record.get("status") or "")
    if label:
        shaped["status_label"] = label
    if pinned:
        shaped["pinned"] = pinned
    for key, value in record.items():
        if key not in shaped and key not in _HIDDEN_IN_HITS:
            shaped[key] = value
    if explanation is not None:
        shaped["explanation"] = explanation
    if personalization is not None:
        shaped["personalization"] = personalization
    return shaped


@dataclass
class _Ranked:
    hit: BackendHit
    score: float
    coverage: float = 0.0
    coverage_multiplier: float = 1.0
    #: What ``answer_priors`` multiplied a statute article by before the statute articles
    #: were re-sorted among their places (1 when it did not run).
    answer_prior: float = 1.0
    pinned: str | None = None
    #: The personalisation stage's explanation (boosts, cap, final), when it ran.
    personal: dict[str, Any] | None = None


class SearchService:
    def __init__(
        self,
        backend: SearchBackend,
        relevance: RelevanceProfile | None = None,
        cache_size: int = 0,
    ) -> None:
        self.backend = backend
        self.relevance = relevance or RelevanceProfile()
        #: Anonymous pages by request and index version (``cache.py``); 0: no cache.
        self.cache = SearchCache(cache_size) if cache_size > 0 else None

    # -- the pieces --------------------------------------------------------

    def _lookups(self, plan: QueryPlan, filters: Filters) -> list[BackendHit]:
        """Articles the query names (民法典第1079条), fetched by their citation-derived id."""
        if not (self.relevance.lookup_first and plan.lookups):
            return []
        if filters.types and "statute_article" not in filters.types:
            return []
        ids = [
            statute_article_id(ref.title, ref.article_num, ref.article_suffix)
            for ref in plan.lookups
        ]
        return self.backend.fetch(ids)

    def _intended(
        self,
        plan: QueryPlan,
        filters: Filters,
        who: Personalization | None = None,
        explain: bool = False,
    ) -> list[_Ranked]:
        """The best few hits of the type the wording asks for (找律师 → services).

        With a profile they are chosen like the rest of the page: the best
        ``PERSONAL_INTENT_CANDIDATES`` of the type, plus the best for the profile's
        audiences, rescored with the same bounded boosts (an elderly resident asking
        for 法律援助 is shown the legal-aid offices that serve the elderly first)."""
        if not (self.relevance.intent_first and plan.intent_types) or filters.types:
            return []
        wanted = replace(filters, types=list(plan.intent_types))

        def best(where: Filters, limit: int) -> list[BackendHit]:
            request = SearchRequest(
                plan=plan, filters=where, limit=limit, facets=(), use_prior=self.relevance.prior
            )
            return self.backend.search(request).hits

        if who is None:
            return [_Ranked(hit, hit.score, pinned="intent") for hit in best(wanted, INTENT_SLOTS)]
        hits = best(wanted, PERSONAL_INTENT_CANDIDATES)
        extra: list[BackendHit] = []
        if who.audiences and not filters.audiences and len(hits) == PERSONAL_INTENT_CANDIDATES:
            extra = best(replace(wanted, audiences=sorted(who.audiences)), AUDIENCE_CANDIDATES)
        return [
            _Ranked(r.hit, r.score, pinned="intent", personal=r.explanation)
            for r in rescore(hits, who, explain=explain, extra=extra)[:INTENT_SLOTS]
        ]

    def _backend_search(
        self, plan: QueryPlan, filters: Filters, depth: int, facets: tuple[str, ...], explain: bool
    ) -> BackendResult:
        request = SearchRequest(
            plan=plan,
            filters=filters,
            offset=0,
            limit=depth,
            facets=facets,
            explain=explain,
            use_prior=self.relevance.prior,
        )
        return self.backend.search(request)

    def _rank(self, result: BackendResult, plan: QueryPlan) -> list[_Ranked]:
        window = self.relevance.rerank_window
        head, tail = result.hits[:window], result.hits[window:]
        ranked = []
        if self.relevance.coverage_weight > 0 and plan.concepts:
            reranked = rerank(
                head,
                plan.concepts,
                self.relevance.coverage_weight,
                question_core(plan.raw),
                self.relevance.phrase_weight,
            )
            for hit, cov, mult in reranked:
                ranked.append(_Ranked(hit, hit.score * mult, cov, mult))
        else:
            ranked = [_Ranked(h, h.score) for h in head]
        if self.relevance.answer_priors:
            ranked = _by_answer_priors(ranked)
        if tail:
            # Below the window the backend's order stands; keep scores monotone.
            floor = min((r.score for r in ranked), default=0.0)
            ranked += [_Ranked(h, min(h.score, floor)) for h in tail]
        return ranked

    @staticmethod
    def _relaxed_plan(plan: QueryPlan) -> QueryPlan:
        """Every term over every word field, bigrams included, as plain user-weight terms.

        Used when the strict plan found nothing: any character pair of the question
        may now match titles, context and body alike.
        """
        from analyzers.query import QueryTerm
        from indexer.ranking import WORD_FIELDS

        terms = list(plan.terms)
        for term in plan.terms:
            if term.origin == BIGRAM:
                terms.append(QueryTerm(term.text, 0.5, BIGRAM, WORD_FIELDS, rule="relaxed"))
        return replace(plan, terms=terms)

    # -- the search --------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        filters: Filters | None = None,
        page: int = 1,
        size: int = 10,
        offset: int | None = None,
        facets: tuple[str, ...] = FACET_FIELDS,
        explain: bool = False,
        snippets: bool = True,
        personalization: Personalization | None = None,
        cache: bool = True,
    ) -> SearchPage:
        """One page of the ranked list: ``offset`` (a cursor's) or ``(page − 1) × size``.

        Every page is a slice of the same ordering — pinned hits, then the reranked
        window, then the backend's order — so pages (and infinite scroll) never
        repeat or skip a hit. ``cache=False``: neither read nor store the result cache
        (the API does so when it keeps the encoded answer instead).
        """
        started = time.perf_counter()
        filters = filters or Filters()
        if offset is None:
            offset = (page - 1) * size
        key = None
        if cache and personalization is None and not explain:
            key, hit = self._cached(query, filters, offset, size, facets, snippets, started)
            if hit is not None:
                return hit
        page_result = self._search(
            query, filters, offset, size, facets, explain, snippets, personalization, started
        )
        if key is not None:
            self.cache.put(key, replace(page_result, hits=[dict(h) for h in page_result.hits]))
        return page_result

    def cached(
        self, query: str, *, filters: Filters | None = None, offset: int = 0, size: int = 10
    ) -> SearchPage | None:
        """The anonymous page for this request if the cache holds it for the live index:
        cheap enough for the event loop, so a hit never waits for a worker thread."""
        started = time.perf_counter()
        filters = filters or Filters()
        return self._cached(query, filters, offset, size, FACET_FIELDS, True, started)[1]

    def _cached(
        self,
        query: str,
        filters: Filters,
        offset: int,
        size: int,
        facets: tuple[str, ...],
        snippets: bool,
        started: float,
    ) -> tuple[Any, SearchPage | None]:
        if self.cache is None:
            return None, None
        version = getattr(self.backend, "index_version", lambda: None)()
        if version is None:
            return None, None
        key = (version, request_key(query, filters, offset, size, facets, snippets))
        cached = self.cache.get(key)
        if cached is None:
            return key, None
        # Fresh hit dicts: callers may annotate them (``related``).
        return key, replace(
            cached,
            hits=[dict(hit) for hit in cached.hits],
            took_ms=(time.perf_counter() - started) * 1000,
            cached=True,
        )

    def _search(
        self,
        query: str,
        filters: Filters,
        offset: int,
        size: int,
        facets: tuple[str, ...],
        explain: bool,
        snippets: bool,
        personalization: Personalization | None,
        started: float,
    ) -> SearchPage:
        plan = plan_query(query, self.relevance.plan)
        first = offset == 0
        window = self.relevance.rerank_window
        if personalization is not None:
            window = max(window, RESCORE_WINDOW)
        depth = max(offset + size, window)
        result = self._backend_search(plan, filters, depth, facets, explain)
        relaxed = False
        notice = None
        if result.total == 0 and self.relevance.fallback and not plan.is_empty:
            relaxed_plan = self._relaxed_plan(plan)
            result = self._backend_search(relaxed_plan, filters, depth, facets, explain)
            relaxed = result.total > 0
            notice = RELAXED_NOTICE if relaxed else None
            if relaxed:
                plan = relaxed_plan

        ranked = self._rank(result, plan)
        if personalization is not None:
            ranked = self._personalize(ranked, plan, filters, result, personalization, explain)
        pinned: list[_Ranked] = []
        for hit in self._lookups(plan, filters):
            pinned.append(_Ranked(hit, 0.0, pinned="lookup"))
        pinned.extend(self._intended(plan, filters, personalization, explain))
        pinned_ids: set[str] = set()
        unique_pinned = []
        for item in pinned:
            if item.hit.id not in pinned_ids:
                pinned_ids.add(item.hit.id)
                unique_pinned.append(item)
        ranked_ids = {r.hit.id for r in ranked}
        ordered = unique_pinned + [r for r in ranked if r.hit.id not in pinned_ids]
        page_items = ordered[offset : offset + size]
        # Pinned hits the text query did not match add to the count.
        total = result.total + sum(1 for item in unique_pinned if item.hit.id not in ranked_ids)

        did_you_mean = None
        if total == 0 and self.relevance.fallback:
            did_you_mean, page_items, notice = (
                self._zero_result_help(query, filters, size) if first else (None, [], None)
            )
        elif self.relevance.fallback and first:
            from indexer.search.suggest import did_you_mean as correct

            did_you_mean = correct(query)

        terms = plan.highlight_terms()
        hits = [
            shape_hit(
                item.hit,
                terms,
                explanation=explain_hit(item, plan, self.relevance) if explain else None,
                snippets=snippets,
                score=item.score,
                pinned=item.pinned,
                personalization=item.personal if explain else None,
            )
            for item in page_items
        ]
        return SearchPage(
            query=query,
            plan=plan,
            total=total,
            page=offset // size + 1,
            offset=offset,
            size=size,
            hits=hits,
            facets=result.facets,
            took_ms=(time.perf_counter() - started) * 1000,
            understanding=understanding(plan),
            relaxed=relaxed or bool(did_you_mean) or (total == 0 and bool(page_items)),
            notice=notice,
            did_you_mean=did_you_mean,
        )

    # -- personalisation: a separate stage, anonymous search never enters it --------

    def _personalize(
        self,
        ranked: list[_Ranked],
        plan: QueryPlan,
        filters: Filters,
        result: BackendResult,
        who: Personalization,
        explain: bool,
    ) -> list[_Ranked]:
        """Rescore the relevance-ranked window for ``who`` (bounded boosts, same for every
        backend). Candidates written for the profile's audiences come from the same query
        restricted to those audiences, ranked by the same relevance stage, so their scores
        are comparable and the boost cap still bounds every boost."""
        extra: list[_Ranked] = []
        # Whether more hits exist beyond the reranked window — not beyond this page's
        # depth — so that every page sees the same candidates.
        beyond = result.total > min(len(result.hits), self.relevance.rerank_window)
        if who.audiences and not filters.audiences and beyond:
            for_them = replace(filters, audiences=sorted(who.audiences))
            extra = self._rank(
                self._backend_search(plan, for_them, AUDIENCE_CANDIDATES, (), False), plan
            )
        by_id = {item.hit.id: item for item in extra} | {item.hit.id: item for item in ranked}
        out = []
        for rescored in rescore(_scored(ranked), who, explain=explain, extra=_scored(extra)):
            item = by_id[rescored.hit.id]
            if rescored.score != item.score or rescored.explanation is not None:
                item = replace(item, score=rescored.score, personal=rescored.explanation)
            out.append(item)
        return out

    def _zero_result_help(
        self, query: str, filters: Filters, size: int
    ) -> tuple[str | None, list[_Ranked], str]:
        """Nothing matched even relaxed: offer a corrected query, or places to ask."""
        from indexer.search.suggest import did_you_mean

        corrected = did_you_mean(query)
        if corrected and corrected != query:
            retry = self._backend_search(
                plan_query(corrected, self.relevance.plan), filters, size, (), False
            )
            if retry.hits:
                notice = f"没有找到“{query}”的结果，已为您搜索“{corrected}”。"
                return corrected, [_Ranked(h, h.score) for h in retry.hits], notice
        help_plan = plan_query("法律援助 法律咨询 12348", self.relevance.plan)
        helpers = self._backend_search(
            help_plan, Filters(types=list(FALLBACK_TYPES), regions=filters.regions), size, (), False
        )
        if not helpers.hits and filters.regions:
            helpers = self._backend_search(
                help_plan, Filters(types=list(FALLBACK_TYPES)), size, (), False
            )
        return (
            corrected,
            [_Ranked(h, h.score, pinned="help") for h in helpers.hits],
            (FALLBACK_NOTICE),
        )

    def matching_ids(
        self, query: str, *, filters: Filters | None = None, limit: int
    ) -> tuple[int, list[str]]:
        """How many documents match, and the ids of up to ``limit`` of them (best first).

        For editors' bulk operations: "everything this search finds".
        """
        request = SearchRequest(
            plan=plan_query(query), filters=filters or Filters(), limit=limit, facets=()
        )
        result = self.backend.search(request)
        return result.total, [hit.id for hit in result.hits]


def _scored(ranked: list[_Ranked]) -> list[BackendHit]:
    """The hits with the relevance stage's scores (the personalisation stage's input);
    built directly: ``dataclasses.replace`` costs several times more, 60 times a search."""
    return [BackendHit(r.hit.id, r.score, r.hit.record, r.hit.explanation) for r in ranked]


def _by_answer_priors(ranked: list[_Ranked]) -> list[_Ranked]:
    """Statute articles of the window re-sorted by score × where residents' questions land
    (``answer_priors.py``), into the places statute articles held: each takes its new
    place's score, so scores stay monotone and every other type keeps its place and score.

    The priors say which article questions of a kind are answered from, not whether an
    article or a video suits a resident better: the type mix (and personalisation's
    work on it) stays as the text scores left it.
    """
    priors = answer_priors()
    if not (priors.articles or priors.laws or priors.chapters):
        return ranked
    multiplier = priors.multiplier
    slots: list[int] = []
    changed = False
    for i, item in enumerate(ranked):
        if item.hit.record.get("type") == "statute_article":
            slots.append(i)
            item.answer_prior = multiplier(item.hit.record)
            changed = changed or item.answer_prior != 1.0
    if not changed:
        return ranked
    moved = sorted(
        (ranked[i] for i in slots),
        key=lambda r: (-round(r.score * r.answer_prior, SCORE_DECIMALS), r.hit.id),
    )
    scores = [ranked[i].score for i in slots]
    for slot, score, item in zip(slots, scores, moved, strict=True):
        item.score = score
        ranked[slot] = item
    return ranked


def understanding(plan: QueryPlan) -> dict[str, Any]:
    """What the resident's words were understood as, for the page and for ``explain``."""
    return {
        "terms": [t.text for t in plan.terms if t.origin == "user"],
        "expansions": sorted({f"{t.rule}→{t.text}" for t in plan.terms if t.origin == EXPANSION}),
        # Statute words learned from STARD train (analyzers/learned_terms.py), shown apart.
        "learned": sorted({f"{t.rule}→{t.text}" for t in plan.terms if t.origin == LEARNED}),
        "laws": [
            {"name": m.alias, "title": m.title, "part": m.part, "replaced_since": m.since}
            for m in plan.laws
        ],
        "lookups": [
            {"law": r.title, "article_num": r.article_num, "article_suffix": r.article_suffix}
            for r in plan.lookups
        ],
        "intent": plan.intent_types,
        "notes": plan.notes,
        "alias_terms": sorted({t.text for t in plan.terms if t.origin == LAW_ALIAS}),
    }
