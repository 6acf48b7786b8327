"""Query words → statute words, learned from judged (question, article) pairs.

Unlike ``colloquial.tsv`` (written by hand from legal knowledge), this table is
*learned from evaluation labels*: ``scripts/learn_from_stard.py`` builds
``data/learned_terms.tsv`` from the STARD train split. A pair (query word ``t``,
statute word ``w``) is kept when ``w`` occurs in the judged articles of at least
``min_questions`` distinct questions containing ``t`` (one question's answer is never
learned), in at least ``min_share`` of them, and ``min_lift`` times more often than in
statutes at large. It captures how questions of a kind are worded against the articles
that answer them (燃气 / 计量 → 供用电 … 合同; 出租人 → 租赁物).

Because it is fitted on STARD train, ``fasou eval`` on that split is *in-sample*
with this table on; the figure that predicts unseen questions is the k-fold one of
``bench/learned_terms_kfold.py`` (each fold searched with a table learned on the
other folds). ``LEARNED_EXPANSION_WEIGHT = 0`` in ``indexer/ranking.py`` (or
``PlanOptions(learned=False)``) switches the table off.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from analyzers.colloquial import parse_rule
from analyzers.resources import Shipped, data_lines, stopwords

FILE = "learned_terms.tsv"
#: Chapter/section markers and bare numbers (第四章, 四章, 十三): position, not meaning.
_POSITIONAL = re.compile(r"^第|[章节编条]$|^[一二三四五六七八九十百千零0-9]+$")

LearnedTable = dict[str, tuple[tuple[str, float], ...]]


@dataclass(frozen=True)
class LearnParams:
    #: Distinct questions (not judged pairs) that must share the association: one
    #: question's answer, however many articles it has, is never learned.
    min_questions: int = 2
    min_share: float = 0.2
    min_lift: float = 50.0
    max_terms: int = 10


def is_learnable_term(word: str) -> bool:
    """A word worth learning from or adding to a query: two characters or more, not a
    stopword, not a number or chapter/article position (2020, 第四章)."""
    return len(word) >= 2 and not _POSITIONAL.search(word) and word not in stopwords()


def learn_table(
    questions: Iterable[tuple[Iterable[str], Iterable[Iterable[str]]]],
    doc_freq: Counter[str],
    n_docs: int,
    params: LearnParams | None = None,
) -> LearnedTable:
    """(question tokens, [tokens of each judged article]) → query word → ((statute word,
    share), …), where share = the share of questions holding the query word whose judged
    articles hold the statute word.

    ``doc_freq``/``n_docs``: how many statute articles contain each word (the lift's base).
    """
    params = params or LearnParams()
    per_word: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for query_tokens, articles in questions:
        query_set = {t for t in query_tokens if is_learnable_term(t)}
        answer = {w for article in articles for w in article}
        answer = {w for w in answer if w not in query_set and is_learnable_term(w)}
        if not answer:
            continue
        for t in query_set:
            per_word[t] += 1
            for w in answer:
                together[(t, w)] += 1
    table: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (t, w), count in together.items():
        if count < params.min_questions:
            continue
        share = count / per_word[t]
        lift = share / ((doc_freq.get(w, 0) + 1) / (n_docs + 1))
        if share >= params.min_share and lift >= params.min_lift:
            table[t].append((w, share))
    return {
        t: tuple(sorted(terms, key=lambda item: (-item[1], item[0]))[: params.max_terms])
        for t, terms in sorted(table.items())
    }


def format_table(table: LearnedTable) -> Iterator[str]:
    """The data file's lines (same syntax as ``colloquial.tsv``: word, then term:share …)."""
    for word, terms in table.items():
        yield word + "\t" + " ".join(f"{term}:{share:.3f}" for term, share in terms)


def _file_table() -> LearnedTable:
    table: LearnedTable = {}
    for line in data_lines(FILE):
        rule = parse_rule(line)
        table[rule.expression] = rule.terms
    return table


_TABLE = Shipped(_file_table)
#: Search with another table instead of the shipped file (k-fold evaluation only).
using_table = _TABLE.using
learned_table = _TABLE.get


def expand_learned(tokens: Iterable[str], limit: int) -> list[tuple[str, str, float]]:
    """(query word, statute word, share) for the query's tokens: the ``limit`` strongest
    statute words, each with its best share."""
    table = learned_table()
    best: dict[str, tuple[str, float]] = {}
    query = set(tokens)
    for token in query:
        for term, share in table.get(token, ()):
            if term not in query and share > best.get(term, ("", 0.0))[1]:
                best[term] = (token, share)
    strongest = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))[:limit]
    return [(source, term, share) for term, (source, share) in strongest]
