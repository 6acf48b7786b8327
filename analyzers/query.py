"""Query understanding: a resident's words → a weighted plan every backend executes.

The plan is backend-neutral (terms with weights, the fields they target and
where they came from; article lookups; intended document types), so the
embedded engine and Elasticsearch score the same understanding of a query.
Each rule family lives in its own module with its own versioned data file:

* ``analyzers.colloquial`` — everyday expressions → legal terms (weights < 1);
* ``analyzers.law_aliases`` — law short/old names and succession (婚姻法 → 民法典 婚姻家庭编);
* ``analyzers.article_lookup`` — 民法典第1079条 → that article;
* ``analyzers.intent`` — 找律师 → services, 视频 → videos, 案例 → cases;
* ``analyzers.bigrams`` — character bigrams, the recall net under segmentation;
* ``analyzers.learned_terms`` — query words → statute words learned from STARD train
  (the one family fitted on evaluation labels; see its docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from analyzers.analysis import analyze
from analyzers.article_lookup import ArticleRef, find_article_refs
from analyzers.bigrams import char_bigrams
from analyzers.colloquial import expand_colloquial
from analyzers.intent import detect_intent
from analyzers.law_aliases import LawMention, find_law_mentions
from analyzers.learned_terms import expand_learned
from analyzers.normalize import normalize
from analyzers.resources import stopwords
from analyzers.segment import tokenize_with_offsets
from indexer.ranking import (
    BIGRAM_FIELDS,
    BIGRAM_WEIGHT,
    EXPANSION_WEIGHT,
    LAW_ALIAS_WEIGHT,
    LEARNED_BUDGET,
    LEARNED_EXPANSION_WEIGHT,
    LEARNED_MAX_TERMS,
    LEARNED_WEIGHT_CAP,
    WORD_FIELDS,
)

#: Where a term came from (shown by ``explain``).
USER, BIGRAM, EXPANSION, LAW_ALIAS = "user", "bigram", "expansion", "law_alias"
LEARNED = "learned"


@dataclass(frozen=True)
class QueryTerm:
    """One search token with its weight, the fields it targets and its provenance.

    ``origin`` is ``user`` for the resident's own words; ``rule`` names what
    produced an added term (the colloquial expression, the alias).
    """

    text: str
    weight: float = 1.0
    origin: str = USER
    fields: tuple[str, ...] = WORD_FIELDS
    rule: str = ""


@dataclass(frozen=True)
class PlanOptions:
    """Which understanding steps run (all by default; the ablation switches them off)."""

    bigrams: bool = True
    expansion: bool = True
    aliases: bool = True
    lookup: bool = True
    intent: bool = True
    learned: bool = True


@dataclass
class QueryPlan:
    raw: str
    terms: list[QueryTerm] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Articles named in the query (民法典第1079条): shown first.
    lookups: list[ArticleRef] = field(default_factory=list)
    #: Laws named in the query, resolved through aliases and succession.
    laws: list[LawMention] = field(default_factory=list)
    #: Document types the wording asks for (找律师 → service), strongest first.
    intent_types: list[str] = field(default_factory=list)
    #: The resident's concepts (their own words, stopwords dropped): coverage is measured on these.
    concepts: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def highlight_terms(self) -> list[str]:
        return [t.text for t in self.terms if t.origin != BIGRAM]

    def user_terms(self) -> list[QueryTerm]:
        return [t for t in self.terms if t.origin == USER]

    def without(self, *origins: str) -> QueryPlan:
        """A copy without the terms of the given origins (for ablation and fallbacks)."""
        return replace(self, terms=[t for t in self.terms if t.origin not in origins])


def _add(terms: dict[tuple[str, tuple[str, ...]], QueryTerm], term: QueryTerm) -> None:
    """Keep one term per (text, fields), with the highest weight; user words win ties."""
    key = (term.text, term.fields)
    known = terms.get(key)
    if known is None or term.weight > known.weight:
        terms[key] = term


def _content_words(text: str) -> list[list[str]]:
    """The query's content words (default-mode segmentation, stopwords dropped), grouped
    into runs of adjacent words.

    Bigrams are taken inside runs only, so 的诉 / 是什 / 什么 never become terms;
    the words themselves are the concepts whose coverage the service measures.
    """
    stop = stopwords()
    runs: list[list[str]] = [[]]
    for word, _start, _end in tokenize_with_offsets(normalize(text), mode="default"):
        word = word.strip()
        if not word or word in stop or not (word[0].isalnum() or word[-1].isalnum()):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(word)
    return [run for run in runs if run]


def plan_query(text: str, options: PlanOptions | None = None) -> QueryPlan:
    """Understand ``text``: user words, bigrams, expansions, law aliases, lookups, intent."""
    options = options or PlanOptions()
    plan = QueryPlan(raw=text)
    terms: dict[tuple[str, tuple[str, ...]], QueryTerm] = {}

    intent = detect_intent(text) if options.intent else None
    cue_words: set[str] = set()
    if intent:
        plan.intent_types = list(intent.types)
        cue_words = set(intent.cue_tokens)
        plan.notes.append(f"intent: {intent.cue} → {'/'.join(intent.types)}")

    analysed = analyze(text)
    user_tokens = [t for t in dict.fromkeys(analysed) if t not in cue_words]
    for token in user_tokens:
        _add(terms, QueryTerm(token))
    runs = [[w for w in run if w not in cue_words] for run in _content_words(text)]
    plan.concepts = list(dict.fromkeys(w for run in runs for w in run))

    if options.lookup:
        plan.lookups = find_article_refs(text)
        for ref in plan.lookups:
            plan.notes.append(f"lookup: {ref.law_name} 第{ref.article_num}条")

    if options.aliases:
        plan.laws = find_law_mentions(text)
        for mention in plan.laws:
            for context_term in mention.context_terms():
                _add(
                    terms,
                    QueryTerm(
                        context_term,
                        LAW_ALIAS_WEIGHT,
                        LAW_ALIAS,
                        ("context",),
                        rule=mention.alias,
                    ),
                )
            if mention.note:
                plan.notes.append(mention.note)

    curated: list[str] = []
    if options.expansion:
        for expansion in expand_colloquial(text):
            curated.extend(expansion.expression.split("+"))
            for token in analyze(expansion.term):
                _add(
                    terms,
                    QueryTerm(
                        token,
                        round(EXPANSION_WEIGHT * expansion.weight, 4),
                        EXPANSION,
                        rule=expansion.expression,
                    ),
                )

    if options.learned and LEARNED_EXPANSION_WEIGHT > 0:
        # Only words the plan does not hold yet (a learned word never reweights a rule's),
        # and only from query words no curated expression covers: where legal knowledge
        # says what 孩子 means here (孩子归谁 → 子女抚养), co-occurrence statistics
        # (孩子 → 侵权) are not asked. Capped below the curated weights.
        known = {term.text for term in terms.values()}
        sources = [t for t in analysed if not any(t in part for part in curated)]
        learned = [
            (source, term, min(LEARNED_EXPANSION_WEIGHT * share, LEARNED_WEIGHT_CAP))
            for source, term, share in expand_learned(sources, LEARNED_MAX_TERMS)
            if term not in known
        ]
        # Together they never outweigh the resident's own words: a one-word query
        # (保险) would otherwise be answered by the fifteen statute words learned for it.
        budget = LEARNED_BUDGET * len(user_tokens)
        total = sum(weight for _, _, weight in learned)
        scale = min(1.0, budget / total) if total else 1.0
        for source, term, weight in learned:
            _add(
                terms, QueryTerm(term, round(weight * scale, 4), LEARNED, rule=f"{source}(learned)")
            )

    if options.bigrams:
        for run in runs:
            for gram in dict.fromkeys(char_bigrams("".join(run))):
                _add(terms, QueryTerm(gram, BIGRAM_WEIGHT, BIGRAM, BIGRAM_FIELDS))

    # The resident's own words keep weight 1 even when a rule also produced them.
    for token in user_tokens:
        terms[(token, WORD_FIELDS)] = QueryTerm(token)
    plan.terms = list(terms.values())
    return plan
