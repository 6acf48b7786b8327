"""Where residents' questions land (article, law/编, chapter priors): what is learned, what
is refused, and the service reordering a real tantivy index by it (and explaining it)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.ranking import ARTICLE_PRIOR_WEIGHT, CHAPTER_PRIOR_WEIGHT, LAW_PRIOR_WEIGHT
from indexer.search.answer_priors import (
    AnswerPriors,
    Place,
    answer_priors,
    format_priors,
    learn_priors,
    parse_priors,
    using_priors,
)
from indexer.search.service import RelevanceProfile, SearchService, _by_answer_priors, _Ranked
from indexer.search.types import BackendHit, Filters
from indexer.sync import ensure_index
from tests.conftest import make_settings
from tests.search.test_relevance import synthetic_article

CIVIL = "中华人民共和国民法典"
LOAN_577 = Place(CIVIL, "第五百七十七条", "合同编", "第八章 违约责任")
LOAN_578 = Place(CIVIL, "第五百七十八条", "合同编", "第八章 违约责任")
LEASE = Place(CIVIL, "第七百零三条", "合同编", "第十四章 租赁合同")
TRADEMARK = Place("中华人民共和国商标法", "第三条", "", "第一章 总则")
#: 10 articles of 合同编 (two chapters), 10 of 商标法: equal sizes.
CORPUS = (
    [Place(CIVIL, f"第{n}条", "合同编", "第八章 违约责任") for n in range(5)]
    + [Place(CIVIL, f"第{n}条", "合同编", "第十四章 租赁合同") for n in range(5, 10)]
    + [Place("中华人民共和国商标法", f"第{n}条", "", "第一章 总则") for n in range(10)]
)


def test_places_several_questions_reached_are_learned_one_questions_are_not() -> None:
    answers = [
        [LOAN_577, LOAN_578],
        [LOAN_577],
        [LEASE, LEASE],  # one question judging an article twice still counts once
        [TRADEMARK],
    ]
    priors = learn_priors(answers, CORPUS)
    assert priors.articles == {LOAN_577.article: 2}  # 578, the lease and 商标法 第三条: one each
    # 合同编: three questions of the four landings (3 + 1) over 20 articles, 10 of them its own.
    assert priors.laws == {(CIVIL, "合同编"): round(3 / 10 / (4 / 20), 4)}
    # 违约责任: two questions over its 5 articles, against the same average; the lease
    # chapter had one: left out.
    assert priors.chapters == {LOAN_577.chapter_key: round(2 / 5 / (4 / 20), 4)}


def test_the_multiplier_grows_with_where_questions_landed_and_is_one_elsewhere() -> None:
    priors = AnswerPriors(
        articles={LOAN_577.article: 3},
        laws={LOAN_577.law: 2.0},
        chapters={LOAN_577.chapter_key: 1.5},
    )

    def record(place: Place) -> dict:
        return {
            "type": "statute_article",
            "law_title": place.law_title,
            "article_no": place.article_no,
            "part": place.part or None,
            "chapter": place.chapter,
        }

    expected = (
        (1 + ARTICLE_PRIOR_WEIGHT * math.log1p(3))
        * (1 + LAW_PRIOR_WEIGHT * math.log1p(2.0))
        * (1 + CHAPTER_PRIOR_WEIGHT * math.log1p(1.5))
    )
    assert priors.multiplier(record(LOAN_577)) == pytest.approx(expected)
    same_law = priors.multiplier(record(LEASE))
    assert 1 < same_law < priors.multiplier(record(LOAN_577))
    assert priors.multiplier(record(TRADEMARK)) == 1.0
    assert priors.multiplier({"type": "video", "title": "违约怎么办"}) == 1.0


def test_the_same_id_with_other_content_is_not_served_from_the_cache() -> None:
    """Another catalog may hold the same citation (same id) under other headings."""
    priors = AnswerPriors(laws={LOAN_577.law: 5.0})
    record = {"id": "sa-x", "content_hash": "a", "law_title": CIVIL, "article_no": "第一条"}
    assert priors.multiplier(record | {"part": "合同编"}) > 1.0
    assert priors.multiplier(record | {"part": "合同编"}) > 1.0  # from the cache
    assert priors.multiplier(record | {"part": None, "content_hash": "b"}) == 1.0


def test_the_file_round_trips_and_the_shipped_one_loads() -> None:
    priors = learn_priors([[LOAN_577, TRADEMARK], [LOAN_577, TRADEMARK]], CORPUS)
    assert parse_priors(format_priors(priors)) == priors
    with pytest.raises(ValueError, match="unreadable"):
        parse_priors(["article\t只有标题"])
    shipped = answer_priors()
    assert len(shipped.articles) > 100 and all(n >= 2 for n in shipped.articles.values())
    assert any(law == CIVIL for law, _part in shipped.laws)


def test_priors_reorder_statute_articles_among_their_own_places_only() -> None:
    """A video between two articles keeps its place and score: the priors say where
    questions of a kind are answered, not whether an article or a video suits better."""

    def hit(doc_id: str, kind: str, score: float, place: Place | None = None) -> _Ranked:
        record = {"id": doc_id, "type": kind}
        if place:
            record |= {"law_title": place.law_title, "article_no": place.article_no}
            record |= {"part": place.part, "chapter": place.chapter}
        return _Ranked(BackendHit(doc_id, score, record), score)

    ranked = [
        hit("sa-1", "statute_article", 10.0, TRADEMARK),
        hit("v-1", "video", 9.0),
        hit("sa-2", "statute_article", 8.0, LOAN_577),
        hit("v-2", "video", 7.0),
    ]
    with using_priors(AnswerPriors(articles={LOAN_577.article: 20})):
        out = _by_answer_priors(ranked)
    assert [r.hit.id for r in out] == ["sa-2", "v-1", "sa-1", "v-2"]
    assert [r.score for r in out] == [10.0, 9.0, 8.0, 7.0]
    assert out[0].answer_prior > 1.0 and out[2].answer_prior == 1.0


# -- in the service, over a real index ------------------------------------------------

BODY = "当事人一方不履行合同义务或者履行合同义务不符合约定的，应当承担违约责任。"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchService, list]]:
    data_dir: Path = tmp_path_factory.mktemp("answer_priors")
    settings = make_settings(data_dir)
    catalog = Catalog.open(settings.catalog_url)
    docs = [
        synthetic_article("中华人民共和国甲法", "法律", body=BODY + "违约责任，违约。"),
        synthetic_article("中华人民共和国乙法", "法律", body=BODY),
    ]
    catalog.upsert(docs)
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    yield SearchService(backend), [d.finalize() for d in docs]
    backend.close()
    catalog.close()


def test_an_article_from_where_questions_land_moves_up_and_says_why(service) -> None:
    search, (repeats, usual) = service
    query = "对方违约了怎么办"
    statutes = Filters(types=["statute_article"])
    priors = AnswerPriors(laws={("中华人民共和国乙法", ""): 30.0})
    with using_priors(priors):
        off = SearchService(search.backend, RelevanceProfile(answer_priors=False))
        before = [h["id"] for h in off.search(query, filters=statutes, cache=False).hits]
        page = search.search(query, filters=statutes, explain=True, cache=False)
    assert before == [repeats.id, usual.id]
    assert [h["id"] for h in page.hits] == [usual.id, repeats.id]
    explained = page.hits[0]["explanation"]
    assert explained["answer_prior"]["multiplier"] == pytest.approx(
        1 + LAW_PRIOR_WEIGHT * math.log1p(30.0), abs=1e-4
    )
    assert "常见问法落点" in explained["summary"]
    assert page.hits[1]["explanation"]["answer_prior"]["multiplier"] == 1.0
    assert page.hits[0]["score"] >= page.hits[1]["score"]
