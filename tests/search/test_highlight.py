"""Snippets: one segmentation gives the same word boundaries as two, whole words only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyzers.normalize import normalize
from analyzers.segment import tokenize_with_offsets
from indexer.search.highlight import (
    MARK_CLOSE,
    MARK_OPEN,
    _occurrences,
    _whole_words,
    _word_spans,
    snippet,
    word_bounds,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _sample_texts() -> list[str]:
    texts = []
    for name in ("articles.yaml", "cases.yaml", "videos.yaml"):
        for item in yaml.safe_load((SAMPLES / name).read_text(encoding="utf-8")):
            for value in item.values():
                if isinstance(value, str) and len(value) > 20:
                    texts.append(value)
    return texts


def test_word_bounds_equal_default_mode_segmentation() -> None:
    texts = _sample_texts()
    assert len(texts) > 40
    checked = 0
    for text in texts:
        folded = normalize(text)
        for start in range(0, len(folded), 136):
            segment = folded[start : start + 136]
            expected = {b for _w, s, e in tokenize_with_offsets(segment, "default") for b in (s, e)}
            assert word_bounds(tokenize_with_offsets(segment), len(segment)) == expected, segment
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("text", "terms", "marked", "unmarked"),
    [
        ("本案由人民法院依法审理。", ["民法"], [], ["民法"]),
        ("本案由人民法院依照民法典的规定审理。", ["民法典"], ["民法典"], []),
        ("用人单位应当依法支付经济补偿。", ["经济补偿", "用人单位"], ["经济补偿", "用人单位"], []),
        ("签订劳动合同时, 用人单位不得扣押证件。", ["劳动"], ["劳动"], []),
    ],
)
def test_snippet_marks_whole_words_only(
    text: str, terms: list[str], marked: list[str], unmarked: list[str]
) -> None:
    out = snippet(text, terms)
    for word in marked:
        assert f"{MARK_OPEN}{word}{MARK_CLOSE}" in out
    for word in unmarked:
        assert MARK_OPEN not in out and word in out


def test_snippet_window_goes_where_the_terms_are_and_escapes_html() -> None:
    filler = "本条其他内容与问题无关。" * 30
    text = filler + "劳动者<被>拖欠工资的, 可以向劳动行政部门投诉。" + filler
    out = snippet(text, ["拖欠", "工资", "投诉"])
    assert out.startswith("…") and out.endswith("…")
    assert f"{MARK_OPEN}拖欠{MARK_CLOSE}" in out and f"{MARK_OPEN}投诉{MARK_CLOSE}" in out
    assert "&lt;被&gt;" in out and "<被>" not in out


def test_a_marked_word_cut_by_the_window_edge_is_shown_whole() -> None:
    """The best window (拖欠, 工资, 投诉) starts inside 用人单位: it widens to take the word
    in whole rather than mark its tail (<em>单位</em>)."""
    text = ("本条其他内容与问题无关。" * 17)[:200] + "用人单位" + "。" * 28 + "拖欠"
    text += "。" * 66 + "工资" + "。" * 8 + "投诉" + "。" * 100
    out = snippet(text, ["用人单位", "拖欠", "工资", "投诉"])
    assert out.startswith("…<em>用人单位</em>。")
    for word in ("拖欠", "工资", "投诉"):
        assert f"{MARK_OPEN}{word}{MARK_CLOSE}" in out


def test_the_same_text_serves_different_queries() -> None:
    """The normalised text is cached per text: a second query sees its own terms only."""
    text = "醉酒驾驶機動車的, 處拘役, 並處罰金。"
    first = snippet(text, ["拘役"])
    second = snippet(text, ["罚金"])
    assert f"{MARK_OPEN}拘役{MARK_CLOSE}" in first and "罰金" in first
    assert f"{MARK_OPEN}罰金{MARK_CLOSE}" in second and MARK_OPEN + "拘役" not in second


def _reference_spans(folded: str, wanted: set[str]) -> list[tuple[int, int]]:
    """The reference: the search-mode tokens that are query terms and not strictly inside
    a longer word, longest first."""
    tokens = tokenize_with_offsets(folded)
    bounds = word_bounds(tokens, len(folded))
    matches = [(s, e) for w, s, e in tokens if w in wanted and (s in bounds or e in bounds)]
    kept: list[tuple[int, int]] = []
    for s, e in sorted(matches, key=lambda span: span[0] - span[1]):
        if all(e <= ks or ke <= s for ks, ke in kept):
            kept.append((s, e))
    return sorted(kept)


def test_looking_occurrences_up_in_the_texts_words_finds_the_query_tokens() -> None:
    """A query marks substring occurrences found in the text's cached word spans; that
    must be exactly the tokens a segmentation of the text yields for the query terms."""
    checked = 0
    for text in _sample_texts():
        folded = normalize(text)
        words = _whole_words(folded)
        tokens = [w for w, _s, _e in tokenize_with_offsets(folded)]
        # The text's own words and sub-words, single characters and words it lacks.
        for wanted in ({*tokens[::3]}, {*tokens[1::4], *folded[::11]}, {"人", "法", "不存在的词"}):
            spans = _occurrences(folded, wanted)
            assert _word_spans(spans, words, 0, len(folded)) == _reference_spans(folded, wanted)
            checked += 1
    assert checked > 100
