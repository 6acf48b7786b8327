"""Training material for what is learned from judged questions: the term table
(``analyzers.learned_terms``).

Shared by ``scripts/learn_terms.py`` (writes the shipped files from all of STARD
train) and ``bench/learned_terms_kfold.py`` (learns them once per fold, so every
question is searched with material that never saw it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analyzers import analyze
from analyzers.learned_terms import LearnedTable, LearnParams, learn_table
from fasou.evaluation import load_qrels, load_queries
from indexer.importers import statute_markdown


@dataclass
class Material:
    #: (query id, analysed question tokens)
    questions: list[tuple[str, list[str]]]
    #: query id → analysed tokens of each judged article (headings + body)
    judged: dict[str, list[list[str]]]
    doc_freq: Counter[str]
    n_docs: int
    #: query id → ids of its judged articles (as the catalog stores them)
    answers: dict[str, list[str]]

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


def gather(laws: Path, queries: Path, qrels: Path) -> Material:
    """Analyse every statute article once (word counts) and the judged ones' tokens."""
    judgments = load_qrels(qrels)
    wanted = {key for judged in judgments.values() for key in judged}
    doc_freq: Counter[str] = Counter()
    n_docs = 0
    tokens_of: dict[tuple[str, str], list[str]] = {}
    id_of: dict[tuple[str, str], str] = {}
    for article in statute_markdown.iter_statute_articles(laws):
        body_tokens = analyze(article.body)
        doc_freq.update(set(body_tokens))
        n_docs += 1
        key = (article.source_path or "", article.article_no)
        if key in wanted:
            headings = " ".join(p for p in (article.chapter, article.section) if p)
            tokens_of[key] = analyze(headings) + body_tokens
            id_of[key] = article.id or article.stable_id()
    questions = [(qid, analyze(text)) for qid, text in load_queries(queries)]
    judged = {
        qid: [tokens_of[key] for key in keys if key in tokens_of] for qid, keys in judgments.items()
    }
    answers = {qid: [id_of[key] for key in keys if key in id_of] for qid, keys in judgments.items()}
    return Material(questions, judged, doc_freq, n_docs, answers)
