"""Where residents' questions land: how often a statute article, its law (编) and its
chapter answer laypeople's questions, learned from judged (question, article) pairs.

A question of a kind tends to be answered from the same places: half of STARD train's
judged articles are in the 民法典 (合同编 alone a quarter), 劳动合同法 第七条 answers
22 of its questions. This module holds that knowledge as counts over *places*, never
over questions: per article, how many judged questions it answered; per law (and
编) and per chapter, how many judged questions landed in it relative to its size. A
place fewer than two questions reached is left out (one question's answer is never
learned), and nothing in the data file says which question was asked.

The service (``SearchService._rank``) multiplies the reranked window's statute articles by

    (1 + ARTICLE_PRIOR_WEIGHT × ln(1 + answered))
    × (1 + LAW_PRIOR_WEIGHT × ln(1 + law rate))
    × (1 + CHAPTER_PRIOR_WEIGHT × ln(1 + chapter rate))

(rate = the group's share of judged questions ÷ its share of all articles; 0 for a place
no judged question reached, which leaves the multiplier at 1), and re-sorts the statute
articles among the places statute articles held, so the mix of types — and what
personalisation does with it — stays as the text scores left it.

Fitted on STARD train: ``fasou eval`` on that split is in-sample with it on; the figure
that predicts unseen questions is the k-fold one of ``bench/learned_terms_kfold.py``
(each fold ranked with priors learned on the other folds). ``scripts/learn_from_stard.py``
writes ``data/answer_priors.tsv``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzers.resources import Shipped, data_lines
from indexer.ranking import ARTICLE_PRIOR_WEIGHT, CHAPTER_PRIOR_WEIGHT, LAW_PRIOR_WEIGHT
from indexer.search.types import PerRecord

FILE = Path(__file__).resolve().parent / "data" / "answer_priors.tsv"

#: (law title, article no), e.g. ("中华人民共和国劳动合同法", "第七条").
ArticleKey = tuple[str, str]
#: (law title, 编 or "") — the 民法典's books are laws of their own size.
LawKey = tuple[str, str]
#: (law title, 编 or "", chapter or "").
ChapterKey = tuple[str, str, str]


@dataclass(frozen=True)
class Place:
    """Where an article sits: what a record says of it, what is counted."""

    law_title: str
    article_no: str
    part: str = ""
    chapter: str = ""

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Place | None:
        law, number = record.get("law_title"), record.get("article_no")
        if not law or not number:
            return None
        return cls(law, number, record.get("part") or "", record.get("chapter") or "")

    @property
    def article(self) -> ArticleKey:
        return (self.law_title, self.article_no)

    @property
    def law(self) -> LawKey:
        return (self.law_title, self.part)

    @property
    def chapter_key(self) -> ChapterKey:
        return (self.law_title, self.part, self.chapter)


@dataclass(frozen=True)
class AnswerPriors:
    #: Judged questions each article answered.
    articles: dict[ArticleKey, int] = field(default_factory=dict)
    #: Judged questions landing in each law (编) ÷ what its size alone would give.
    laws: dict[LawKey, float] = field(default_factory=dict)
    #: The same per chapter.
    chapters: dict[ChapterKey, float] = field(default_factory=dict)

    #: Multipliers by (document id, content hash) — not the id alone: another catalog
    #: may hold the same citation with other headings — since the same articles recur
    #: across queries' windows.
    _cached: PerRecord[float] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cached", PerRecord(self._multiplier))

    def multiplier(self, record: Mapping[str, Any]) -> float:
        """What this record's score is multiplied by (1 for anything that is no article
        of a place a judged question reached)."""
        return self._cached(record)

    def _multiplier(self, record: Mapping[str, Any]) -> float:
        place = Place.of(record)
        if place is None:
            return 1.0
        answered = self.articles.get(place.article, 0)
        law = self.laws.get(place.law, 0.0)
        chapter = self.chapters.get(place.chapter_key, 0.0)
        if not (answered or law or chapter):
            return 1.0
        return (
            (1.0 + ARTICLE_PRIOR_WEIGHT * math.log1p(answered))
            * (1.0 + LAW_PRIOR_WEIGHT * math.log1p(law))
            * (1.0 + CHAPTER_PRIOR_WEIGHT * math.log1p(chapter))
        )


def learn_priors(
    answers: Iterable[Iterable[Place]], corpus: Iterable[Place], min_questions: int = 2
) -> AnswerPriors:
    """``answers``: the places of each judged question's articles (one iterable a
    question); ``corpus``: the place of every statute article (the groups' sizes).

    Every level counts distinct questions, and a place reached by fewer than
    ``min_questions`` of them is left out: one question's answer is never learned.
    """
    law_size: Counter[LawKey] = Counter()
    chapter_size: Counter[ChapterKey] = Counter()
    n_articles = 0
    for place in corpus:
        law_size[place.law] += 1
        chapter_size[place.chapter_key] += 1
        n_articles += 1
    articles: Counter[ArticleKey] = Counter()
    laws: Counter[LawKey] = Counter()
    chapters: Counter[ChapterKey] = Counter()
    for places in answers:
        landed = set(places)
        articles.update({p.article for p in landed})
        laws.update({p.law for p in landed})
        chapters.update({p.chapter_key for p in landed})
    if not n_articles or not laws:
        return AnswerPriors()
    average = sum(laws.values()) / n_articles

    def rate(count: int, size: int) -> float:
        return round(count / max(size, 1) / average, 4)

    return AnswerPriors(
        articles={k: v for k, v in sorted(articles.items()) if v >= min_questions},
        laws={k: rate(v, law_size[k]) for k, v in sorted(laws.items()) if v >= min_questions},
        chapters={
            k: rate(v, chapter_size[k]) for k, v in sorted(chapters.items()) if v >= min_questions
        },
    )


def format_priors(priors: AnswerPriors) -> Iterator[str]:
    """The data file's lines: ``article|law|chapter``, the place's parts, its number."""
    for (law, number), count in priors.articles.items():
        yield f"article\t{law}\t{number}\t{count}"
    for (law, part), value in priors.laws.items():
        yield f"law\t{law}\t{part}\t{value:.4f}"
    for (law, part, chapter), value in priors.chapters.items():
        yield f"chapter\t{law}\t{part}\t{chapter}\t{value:.4f}"


def parse_priors(lines: Iterable[str]) -> AnswerPriors:
    priors = AnswerPriors()
    for line in lines:
        kind, *parts, value = line.split("\t")
        if kind == "article" and len(parts) == 2:
            priors.articles[(parts[0], parts[1])] = int(value)
        elif kind == "law" and len(parts) == 2:
            priors.laws[(parts[0], parts[1])] = float(value)
        elif kind == "chapter" and len(parts) == 3:
            priors.chapters[(parts[0], parts[1], parts[2])] = float(value)
        else:
            raise ValueError(f"{FILE.name}: unreadable line {line!r}")
    return priors


_PRIORS = Shipped(lambda: parse_priors(data_lines(FILE.name, FILE.parent)))
#: Rank with other priors instead of the shipped file (k-fold evaluation only).
using_priors = _PRIORS.using
answer_priors = _PRIORS.get
