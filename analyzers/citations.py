"""Statute citations in free text: 《中华人民共和国劳动法》第四十四条 → (title, article).

Cases, videos and 普法 articles cite statutes this way; parsing the citations
is what links a case to the articles it applies.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from analyzers.article_numbers import ARTICLE_REF, article_label, cn_to_int

#: 《title》 followed by one or more 第X条 joined by 、/和/及/，/ 第X款 etc.
_CITED_LAW = re.compile(r"《([^《》]{2,80})》")
_TRAILING_REFS = re.compile(
    r"(?:\s*(?:" + ARTICLE_REF.pattern + r")(?:第[一二三四五六七八九十]+款)?"
    r"(?:第[（(]?[一二三四五六七八九十]+[）)]?项)?\s*[、，,和及与以]*\s*)+"
)
_MAX_NAME = 40
_CJK_RUN_BEFORE = re.compile(r"[\u4e00-\u9fff（）()]+$")
#: "<title> 第X条" as written in curated data (space-separated).
_PLAIN = re.compile(r"^\s*(\S+?)\s*(" + ARTICLE_REF.pattern + r")\s*$")


@dataclass(frozen=True)
class Citation:
    law_title: str
    article_num: int
    article_suffix: int | None = None

    @property
    def article_no(self) -> str:
        return article_label(self.article_num, self.article_suffix)


def find_citations(text: str, law_names: Collection[str] = ()) -> list[Citation]:
    """All 《law》第X条 citations in ``text``, in order, without duplicates.

    ``law_names`` (titles and short titles the caller knows, e.g. from the
    catalog) also finds citations written without brackets, as judges and
    journalists often do: 依照民法典第1176条第1款 → (民法典, 1176).
    """
    found: list[Citation] = []
    anchors: list[tuple[str, int]] = [
        (m.group(1).strip(), m.end()) for m in _CITED_LAW.finditer(text)
    ]
    if law_names:
        anchors += _bare_anchors(text, law_names)
        anchors.sort(key=lambda anchor: anchor[1])
    covered_until = -1
    for law, end in anchors:
        if end <= covered_until:
            continue
        tail = _TRAILING_REFS.match(text, end)
        if not tail:
            continue
        covered_until = tail.end()
        for ref in ARTICLE_REF.finditer(tail.group(0)):
            suffix = cn_to_int(ref.group(2)) if ref.group(2) else None
            cite = Citation(law, cn_to_int(ref.group(1)), suffix)
            if cite not in found:
                found.append(cite)
    return found


def _bare_anchors(text: str, law_names: Collection[str]) -> list[tuple[str, int]]:
    """(name, end) for each known law name written right before a 第X条, without 《》."""
    anchors = []
    for ref in ARTICLE_REF.finditer(text):
        start = ref.start()
        if start and text[start - 1] == "》":
            continue
        run = _CJK_RUN_BEFORE.search(text, max(0, start - _MAX_NAME), start)
        if not run:
            continue
        words = run.group(0)
        # Longest known suffix: "根据劳动合同法" names 劳动合同法, not 合同法.
        for offset in range(len(words) - 1):
            if words[offset:] in law_names:
                anchors.append((words[offset:], start))
                break
    return anchors


def parse_citation(text: str) -> Citation:
    """One citation written as ``<title> 第X条`` or ``《title》第X条``; ValueError otherwise."""
    found = find_citations(text)
    if found:
        return found[0]
    match = _PLAIN.match(text)
    if not match:
        raise ValueError(f"not a statute citation: {text!r}")
    suffix = cn_to_int(match.group(4)) if match.group(4) else None
    return Citation(match.group(1), cn_to_int(match.group(3)), suffix)
