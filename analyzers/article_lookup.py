"""Direct article lookup: 民法典第1079条, 劳动合同法82条, 《刑法》第二百六十四条.

A resident who names an article wants that article first. The reference is
resolved to the law title documents carry (through ``law_aliases``), and the
article's id follows from the citation (``indexer.models.statute_article_id``),
so the search service fetches it by id — no guessing by text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzers.article_numbers import cn_to_int
from analyzers.law_aliases import LawMention, resolve_law_suffix
from analyzers.normalize import normalize

_NUM = r"[0-9]+|[〇零一二三四五六七八九十百千两]+"
#: <law name, optionally in 《》> [第] <number> 条 [之<n>]
_REF = re.compile(
    r"(《[^《》]{2,60}》|[\u4e00-\u9fff]{1,40}?(?:法典|法|条例|规定|办法|解释|细则|规则))"
    r"\s*第?\s*(" + _NUM + r")\s*条(?:\s*之\s*(" + _NUM + r"))?"
)


@dataclass(frozen=True)
class ArticleRef:
    law_name: str
    law: LawMention
    article_num: int
    article_suffix: int | None = None

    @property
    def title(self) -> str:
        return self.law.title


def find_article_refs(text: str) -> list[ArticleRef]:
    """Article references in a query, resolved to law titles; unresolvable names are skipped."""
    refs: list[ArticleRef] = []
    for match in _REF.finditer(normalize(text)):
        name = match.group(1).strip("《》")
        law = resolve_law_suffix(name)
        if law is None:
            continue
        try:
            number = cn_to_int(match.group(2))
            suffix = cn_to_int(match.group(3)) if match.group(3) else None
        except ValueError:
            continue
        ref = ArticleRef(law.alias, law, number, suffix)
        if ref not in refs:
            refs.append(ref)
    return refs
