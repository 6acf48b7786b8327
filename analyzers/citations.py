"""Statute citations in free text: 《中华人民共和国劳动法》第四十四条 → (title, article).

Cases, videos and 普法 articles cite statutes this way; parsing the citations
is what links a case to the articles it applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzers.article_numbers import ARTICLE_REF, article_label, cn_to_int

#: 《title》 followed by one or more 第X条 joined by 、/和/及/，/ 第X款 etc.
_CITED_LAW = re.compile(r"《([^《》]{2,80})》")
_TRAILING_REFS = re.compile(
    r"(?:\s*(?:" + ARTICLE_REF.pattern + r")(?:第[一二三四五六七八九十]+款)?"
    r"(?:第[（(]?[一二三四五六七八九十]+[）)]?项)?\s*[、，,和及与以]*\s*)+"
)
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


def find_citations(text: str) -> list[Citation]:
    """All 《law》第X条 citations in ``text``, in order, without duplicates."""
    found: list[Citation] = []
    for law in _CITED_LAW.finditer(text):
        tail = _TRAILING_REFS.match(text, law.end())
        if not tail:
            continue
        for ref in ARTICLE_REF.finditer(tail.group(0)):
            suffix = cn_to_int(ref.group(2)) if ref.group(2) else None
            cite = Citation(law.group(1).strip(), cn_to_int(ref.group(1)), suffix)
            if cite not in found:
                found.append(cite)
    return found


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
