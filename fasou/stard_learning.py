"""Training material for what is learned from judged questions (STARD train): the term
table (``analyzers.learned_terms``) and where questions land (``indexer.search.answer_priors``).

Shared by ``scripts/learn_from_stard.py`` (writes the shipped files from all of STARD
train) and ``bench/learned_terms_kfold.py`` (learns them once per fold, so every
question is searched with material that never saw it). Both are knowledge about kinds
of questions — word associations shared by several questions, counts per article, law
and chapter — never a record of which question was asked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from analyzers import analyze
from analyzers.learned_terms import LearnedTable, LearnParams, learn_table, using_table
from fasou.evaluation import load_qrels, load_queries
from indexer.importers import statute_markdown
from indexer.search.answer_priors import AnswerPriors, Place, learn_priors, using_priors


@dataclass
class Material:
    #: (query id, analysed question tokens)
    questions: list[tuple[str, list[str]]]
    #: query id → analysed tokens of each judged article (headings + body)
    judged: dict[str, list[list[str]]]
    doc_freq: Counter[str]
    n_docs: int
    #: query id → where its judged articles sit
    answers: dict[str, list[Place]]
    #: where every statute article sits (the sizes of laws and chapters)
    corpus: list[Place]

    def table(
        self, query_ids: set[str] | None = None, params: LearnParams | None = None
    ) -> LearnedTable:
        """The table learned from the given questions (all when None)."""
        questions = [
            (tokens, self.judged.get(qid, []))
            for qid, tokens in self.questions
            if query_ids is None or qid in query_ids
        ]
        return learn_table(questions, self.doc_freq, self.n_docs, params)

    def priors(self, query_ids: set[str] | None = None) -> AnswerPriors:
        """Where the given questions (all when None) landed."""
        answers = (
            places for qid, places in self.answers.items() if query_ids is None or qid in query_ids
        )
        return learn_priors(answers, self.corpus)

    @contextmanager
    def learned_from(self, query_ids: set[str]) -> Iterator[None]:
        """Search with every learned part fitted on ``query_ids`` only (a k-fold's
        training folds) instead of the shipped files."""
        with ExitStack() as stack:
            stack.enter_context(using_table(self.table(query_ids)))
            stack.enter_context(using_priors(self.priors(query_ids)))
            yield


def gather(laws: Path, queries: Path, qrels: Path) -> Material:
    """Analyse every statute article once (word counts, places) and the judged ones' tokens."""
    judgments = load_qrels(qrels)
    wanted = {key for judged in judgments.values() for key in judged}
    doc_freq: Counter[str] = Counter()
    n_docs = 0
    tokens_of: dict[tuple[str, str], list[str]] = {}
    place_of: dict[tuple[str, str], Place] = {}
    corpus: list[Place] = []
    for article in statute_markdown.iter_statute_articles(laws):
        body_tokens = analyze(article.body)
        doc_freq.update(set(body_tokens))
        n_docs += 1
        place = Place(
            article.law_title, article.article_no, article.part or "", article.chapter or ""
        )
        corpus.append(place)
        key = (article.source_path or "", article.article_no)
        if key in wanted:
            headings = " ".join(p for p in (article.chapter, article.section) if p)
            tokens_of[key] = analyze(headings) + body_tokens
            place_of[key] = place
    questions = [(qid, analyze(text)) for qid, text in load_queries(queries)]
    judged = {
        qid: [tokens_of[key] for key in keys if key in tokens_of] for qid, keys in judgments.items()
    }
    answers = {
        qid: [place_of[key] for key in keys if key in place_of] for qid, keys in judgments.items()
    }
    return Material(questions, judged, doc_freq, n_docs, answers, corpus)
