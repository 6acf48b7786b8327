"""Each query-understanding rule family, with the examples residents actually type."""

from __future__ import annotations

import pytest

from analyzers.article_lookup import find_article_refs
from analyzers.bigrams import char_bigrams
from analyzers.colloquial import colloquial_rules, expand_colloquial, parse_rule
from analyzers.intent import detect_intent
from analyzers.law_aliases import find_law_mentions, resolve_law_name
from analyzers.query import BIGRAM, EXPANSION, LAW_ALIAS, USER, PlanOptions, plan_query
from indexer.ranking import EXPANSION_WEIGHT


def expanded(text: str) -> dict[str, float]:
    return {e.term: e.weight for e in expand_colloquial(text)}


# -- colloquial → legal -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "legal_terms"),
    [
        ("朋友欠钱不还怎么办", {"民间借贷", "借款合同", "返还"}),
        ("老板把我开了，被开了给钱吗", {"解除劳动合同", "经济补偿"}),
        ("被辞退了有补偿吗", {"解除劳动合同", "经济补偿"}),
        ("厂里三个月不发工资", {"劳动报酬", "拖欠"}),
        ("离婚孩子归谁", {"子女抚养", "直接抚养"}),
        ("路口撞车了", {"交通事故"}),
        ("对方是老赖怎么办", {"失信被执行人"}),
        ("借了他五万块一直不还", {"民间借贷", "借款"}),
        ("快递公司把东西弄丢了", {"毁损灭失", "承运人"}),
    ],
)
def test_colloquial_expressions_map_to_legal_terms(query: str, legal_terms: set[str]) -> None:
    assert legal_terms <= set(expanded(query)), expanded(query)


def test_mapping_is_large_unique_and_weighted_below_one() -> None:
    rules = colloquial_rules()
    assert len(rules) >= 500
    expressions = [r.expression for r in rules]
    assert len(expressions) == len(set(expressions)), "an expression is listed twice"
    assert all(0 < w <= 1 for r in rules for _t, w in r.terms)


def test_rule_syntax_errors_are_reported() -> None:
    with pytest.raises(ValueError, match="without legal terms"):
        parse_rule("欠钱")
    with pytest.raises(ValueError, match="weight"):
        parse_rule("欠钱\t借款:1.5")
    assert parse_rule("借+不还\t返还:0.8").parts == ("借", "不还")


def test_expansions_rank_below_the_residents_own_words() -> None:
    plan = plan_query("欠钱不还")
    user = {t.text: t.weight for t in plan.terms if t.origin == USER}
    added = [t for t in plan.terms if t.origin == EXPANSION]
    assert added and all(t.weight <= EXPANSION_WEIGHT < 1 for t in added)
    assert all(w == 1.0 for w in user.values())
    assert all(t.rule for t in added), "every expansion names the expression that produced it"


def test_a_word_typed_by_the_resident_keeps_full_weight_even_if_also_expanded() -> None:
    plan = plan_query("借款 欠钱不还")
    weights = {(t.text, t.origin) for t in plan.terms if t.text == "借款" and t.origin != BIGRAM}
    assert ("借款", USER) in weights and all(o == USER for _t, o in weights)


# -- law aliases and succession ----------------------------------------------


def test_labour_law_is_not_the_labour_contract_law() -> None:
    assert resolve_law_name("劳动法").title == "中华人民共和国劳动法"
    assert resolve_law_name("劳动合同法").title == "中华人民共和国劳动合同法"
    mentions = find_law_mentions("劳动合同法 试用期")
    assert [m.title for m in mentions] == ["中华人民共和国劳动合同法"]


@pytest.mark.parametrize(
    ("old", "part"),
    [
        ("婚姻法", "婚姻家庭编"),
        ("继承法", "继承编"),
        ("合同法", "合同编"),
        ("物权法", "物权编"),
        ("侵权责任法", "侵权责任编"),
        ("民法通则", "总则"),
        ("民法总则", "总则"),
    ],
)
def test_repealed_laws_lead_to_the_civil_code_part(old: str, part: str) -> None:
    mention = resolve_law_name(old)
    assert mention.title == "中华人民共和国民法典" and mention.part == part
    assert mention.since == "2021-01-01" and "废止" in mention.note
    plan = plan_query(f"{old}怎么规定的")
    alias_terms = {t.text for t in plan.terms if t.origin == LAW_ALIAS}
    assert {"民法典", part} <= alias_terms
    assert all(t.fields == ("context",) for t in plan.terms if t.origin == LAW_ALIAS)


def test_law_names_count_only_on_word_boundaries() -> None:
    assert find_law_mentions("去人民法院起诉") == []


# -- direct article lookup ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title", "number", "suffix"),
    [
        ("民法典第1079条", "中华人民共和国民法典", 1079, None),
        ("劳动合同法82条", "中华人民共和国劳动合同法", 82, None),
        ("《刑法》第二百六十四条", "中华人民共和国刑法", 264, None),
        ("刑法第一百三十三条之一怎么理解", "中华人民共和国刑法", 133, 1),
        ("根据婚姻法第32条", "中华人民共和国民法典", 32, None),
        ("工伤保险条例第十四条", "工伤保险条例", 14, None),
    ],
)
def test_article_references_are_resolved(
    query: str, title: str, number: int, suffix: int | None
) -> None:
    refs = find_article_refs(query)
    assert [(r.title, r.article_num, r.article_suffix) for r in refs] == [(title, number, suffix)]


def test_numbers_without_a_law_are_no_lookup() -> None:
    assert find_article_refs("我工作了3条生产线") == []
    assert find_article_refs("第5条") == []


# -- intent → type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "types", "dropped"),
    [
        ("东阳哪里能找律师", ("service",), set()),
        ("法律援助中心电话号码", ("service",), set()),
        ("离婚的视频", ("video",), {"视频"}),
        ("借钱不还的案例", ("case",), {"案例"}),
    ],
)
def test_intent_cues_choose_document_types(query: str, types: tuple, dropped: set) -> None:
    intent = detect_intent(query)
    assert intent is not None and intent.types[: len(types)] == types
    plan = plan_query(query)
    assert plan.intent_types[: len(types)] == list(types)
    assert not dropped & {t.text for t in plan.terms if t.origin == USER}


def test_plain_question_has_no_intent() -> None:
    assert detect_intent("离婚孩子归谁") is None


# -- bigrams ------------------------------------------------------------------


def test_bigrams_skip_stopwords_and_punctuation() -> None:
    assert char_bigrams("搜身，侵权") == ["搜身", "侵权"]
    grams = {t.text for t in plan_query("个体工商户的诉讼主体是什么？").terms if t.origin == BIGRAM}
    assert {"个体", "工商", "诉讼", "主体"} <= grams
    assert not grams & {"的诉", "是什", "什么"}


def test_options_switch_rule_families_off() -> None:
    off = PlanOptions(
        bigrams=False, expansion=False, aliases=False, lookup=False, intent=False, learned=False
    )
    plan = plan_query("婚姻法第32条 欠钱不还 视频", off)
    assert {t.origin for t in plan.terms} == {USER}
    assert not plan.lookups and not plan.intent_types and not plan.laws
