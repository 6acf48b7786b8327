"""Snippets: one segmentation gives the same word boundaries as two, whole words only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyzers.normalize import normalize
from analyzers.segment import tokenize_with_offsets
from indexer.search.highlight import MARK_CLOSE, MARK_OPEN, _word_spans, snippet, word_bounds

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


def test_the_same_text_serves_different_queries() -> None:
    """The normalised text is cached per text: a second query sees its own terms only."""
    text = "醉酒驾驶機動車的, 處拘役, 並處罰金。"
    first = snippet(text, ["拘役"])
    second = snippet(text, ["罚金"])
    assert f"{MARK_OPEN}拘役{MARK_CLOSE}" in first and "罰金" in first
    assert f"{MARK_OPEN}罰金{MARK_CLOSE}" in second and MARK_OPEN + "拘役" not in second


def _whole_window_spans(folded: str, wanted: set[str]) -> list[tuple[int, int]]:
    """The reference: segment the whole window at once, keep matches longest first."""
    tokens = tokenize_with_offsets(folded)
    bounds = word_bounds(tokens, len(folded))
    matches = [(s, e) for w, s, e in tokens if w in wanted and (s in bounds or e in bounds)]
    kept: list[tuple[int, int]] = []
    for s, e in sorted(matches, key=lambda span: span[0] - span[1]):
        if all(e <= ks or ke <= s for ks, ke in kept):
            kept.append((s, e))
    return sorted(kept)


def test_segmenting_only_the_clauses_with_terms_finds_what_the_whole_window_does() -> None:
    """Segmentation is clause-local (jieba cuts at punctuation first), so ``_word_spans``
    segments only the clauses holding a term; the matches must not change."""
    checked = 0
    for text in _sample_texts():
        folded = normalize(text)
        for lo in range(0, len(folded), 97):
            hi = min(len(folded), lo + 136)
            window = folded[lo:hi]
            # The window's own words and sub-words (and single characters) as query terms.
            words = [w for w, _s, _e in tokenize_with_offsets(window)]
            for wanted in ({*words[::3]}, {*words[1::4], *window[::11]}, {"人", "法"}):
                expected = [(s + lo, e + lo) for s, e in _whole_window_spans(window, wanted)]
                assert _word_spans(folded, lo, hi, wanted) == expected, window
                checked += 1
    assert checked > 300
