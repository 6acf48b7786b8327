"""The STARD-learned term table: what is learned, what is refused, how a plan uses it."""

from __future__ import annotations

from collections import Counter

from analyzers.colloquial import parse_rule
from analyzers.learned_terms import (
    LearnParams,
    expand_learned,
    format_table,
    is_learnable_term,
    learn_table,
    learned_table,
    using_table,
)
from analyzers.query import LEARNED, USER, PlanOptions, plan_query
from indexer.ranking import (
    EXPANSION_WEIGHT,
    LEARNED_BUDGET,
    LEARNED_EXPANSION_WEIGHT,
    LEARNED_WEIGHT_CAP,
)

#: Statute word counts over 1,000 articles: 合同 and 约定 are everywhere, 租赁物 is not.
DOC_FREQ = Counter({"合同": 600, "约定": 400, "租赁物": 10, "承租人": 12, "维修": 15})
N_DOCS = 1000


def test_a_word_pair_shared_by_several_questions_is_learned() -> None:
    questions = [
        (["出租人", "义务"], [["租赁物", "合同"], ["维修"]]),
        (["出租人", "维修"], [["租赁物", "承租人", "合同"]]),
        (["出租人", "押金"], [["承租人", "约定"]]),
    ]
    table = learn_table(questions, DOC_FREQ, N_DOCS)
    learned = dict(table["出租人"])
    assert learned["租赁物"] == 2 / 3 and learned["承租人"] == 2 / 3
    # Common in statutes at large (low lift): never learned, however often it co-occurs.
    assert "合同" not in learned
    # Seen with a query word in one question only: chance, not a pattern.
    assert "押金" not in table and "义务" not in table


def test_one_questions_answer_is_never_learned_however_many_articles_it_has() -> None:
    one_question = [(["出租人"], [["租赁物"], ["租赁物", "承租人"], ["租赁物"]])]
    assert learn_table(one_question, DOC_FREQ, N_DOCS) == {}


def test_a_word_already_in_the_question_is_not_learned_for_it() -> None:
    questions = [(["维修", "出租人"], [["维修", "租赁物"]])] * 2
    assert "维修" not in dict(learn_table(questions, DOC_FREQ, N_DOCS)["出租人"])


def test_positions_numbers_and_single_characters_are_never_learned() -> None:
    assert not is_learnable_term("第四章")
    assert not is_learnable_term("四章")
    assert not is_learnable_term("2020")
    assert not is_learnable_term("房")
    assert is_learnable_term("租赁物")
    questions = [(["2020", "出租人"], [["第四章", "租赁物"]])] * 3
    table = learn_table(questions, DOC_FREQ, N_DOCS, LearnParams(min_questions=2))
    assert "2020" not in table
    assert dict(table["出租人"]) == {"租赁物": 1.0}


def test_the_file_round_trips_and_is_the_shipped_syntax() -> None:
    table = {"出租人": (("租赁物", 0.667), ("承租人", 0.5))}
    lines = list(format_table(table))
    assert lines == ["出租人\t租赁物:0.667 承租人:0.500"]
    assert parse_rule(lines[0]).terms == (("租赁物", 0.667), ("承租人", 0.5))


def test_shipped_table_is_present_and_weighted_in_range() -> None:
    table = learned_table()
    assert len(table) > 500
    assert all(
        0 < share <= 1 and is_learnable_term(term) for t in table.values() for term, share in t
    )


def test_plan_adds_learned_words_below_the_residents_words_and_labels_them() -> None:
    with using_table({"出租人": (("租赁物", 1.0), ("承租人", 0.5))}):
        plan = plan_query("出租人不修房子怎么办")
        off = plan_query("出租人不修房子怎么办", PlanOptions(learned=False))
        strongest = expand_learned(["出租人"], limit=1)
    learned = {t.text: t for t in plan.terms if t.origin == LEARNED}
    assert learned["租赁物"].weight == min(LEARNED_EXPANSION_WEIGHT, LEARNED_WEIGHT_CAP) < 1
    assert learned["承租人"].weight == round(
        min(LEARNED_EXPANSION_WEIGHT * 0.5, LEARNED_WEIGHT_CAP), 4
    )
    assert learned["租赁物"].rule == "出租人(learned)"
    assert {t.text for t in plan.terms if t.origin == USER} >= {"出租人"}
    assert not any(t.origin == LEARNED for t in off.terms)
    assert strongest == [("出租人", "租赁物", 1.0)]


def test_learned_words_stay_below_curated_ones() -> None:
    assert LEARNED_WEIGHT_CAP < EXPANSION_WEIGHT


def test_a_word_a_curated_expression_covers_gets_no_learned_words() -> None:
    """孩子归谁 is curated (→ 子女抚养): the statistics of 孩子 (→ 侵权) are not asked;
    a word no curated rule covers still is."""
    table = {"孩子": (("侵权", 1.0),), "出租人": (("租赁物", 1.0),)}
    with using_table(table):
        covered = plan_query("离婚孩子归谁")
        uncovered = plan_query("出租人不修房子怎么办")
    assert not any(t.origin == LEARNED for t in covered.terms)
    assert any(t.text == "子女抚养" for t in covered.terms)
    assert [t.text for t in uncovered.terms if t.origin == LEARNED] == ["租赁物"]


def test_learned_words_never_outweigh_the_residents_words_together() -> None:
    """保险 alone must not be answered by the many statute words learned for it."""
    many = tuple((f"保险词{i}", 1.0) for i in range(10))
    with using_table({"保险": many, "出租人": (("租赁物", 1.0),)}):
        short = plan_query("保险")
        longer = plan_query("出租人不修房子怎么办")
    user = [t for t in short.terms if t.origin == USER]
    learned = [t for t in short.terms if t.origin == LEARNED]
    assert len(learned) == 10
    assert sum(t.weight for t in learned) <= LEARNED_BUDGET * len(user) + 1e-6
    assert len({t.weight for t in learned}) == 1  # scaled together, order kept
    # Few learned words for several own words: under budget, not scaled.
    assert [t.weight for t in longer.terms if t.origin == LEARNED] == [LEARNED_WEIGHT_CAP]
