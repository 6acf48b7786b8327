"""Citations written with and without 《》, resolved to statute-article ids."""

from __future__ import annotations

from analyzers.citations import Citation, find_citations
from indexer.models import statute_article_id
from indexer.statutes import CitationResolver

TEXT = (
    "依照民法典第1176条第1款规定，驳回诉讼请求。根据劳动合同法第三十八条、第四十六条，"
    "《中华人民共和国劳动法》第四十四条规定……本法第十条另有规定。"
)


def test_bracketed_citations_need_no_known_titles() -> None:
    assert find_citations(TEXT) == [Citation("中华人民共和国劳动法", 44)]


def test_bare_citations_use_the_longest_known_name() -> None:
    names = {"民法典", "劳动合同法", "合同法", "中华人民共和国劳动法"}
    assert find_citations(TEXT, names) == [
        Citation("民法典", 1176),
        Citation("劳动合同法", 38),
        Citation("劳动合同法", 46),
        Citation("中华人民共和国劳动法", 44),
    ]


def test_resolver_maps_short_titles_to_catalog_titles_and_ids() -> None:
    resolver = CitationResolver(
        ["中华人民共和国民法典", "中华人民共和国劳动合同法", "中华人民共和国劳动法"]
    )
    cited = resolver.resolve(TEXT)
    assert [(c.law_title, c.article_no) for c in cited] == [
        ("中华人民共和国民法典", "第一千一百七十六条"),
        ("中华人民共和国劳动合同法", "第三十八条"),
        ("中华人民共和国劳动合同法", "第四十六条"),
        ("中华人民共和国劳动法", "第四十四条"),
    ]
    assert cited[0].article_id == statute_article_id("中华人民共和国民法典", 1176)
