"""Knowledge about statute titles shared by importers, spiders and citation parsing."""

from __future__ import annotations

from collections.abc import Iterable

from analyzers.citations import Citation, find_citations
from indexer.models import CitedArticle, Level, statute_article_id

_PREFIX = "中华人民共和国"


def short_title(title: str) -> str | None:
    """中华人民共和国劳动合同法 → 劳动合同法; None when the title has no shorter common form."""
    title = title.strip()
    if title.startswith(_PREFIX) and len(title) > len(_PREFIX) + 1:
        return title[len(_PREFIX) :]
    return None


def canonical_law_title(name: str, known: frozenset[str] | set[str] = frozenset()) -> str:
    """The full title a citation means: 《劳动法》 → 中华人民共和国劳动法.

    National laws drop the 中华人民共和国 prefix when cited; ``known`` (titles in
    the catalog) wins when given, else the prefix is restored for names that
    are national-law short titles (ending in 法 or 法典).
    """
    name = name.strip()
    if name in known:
        return name
    prefixed = _PREFIX + name
    if prefixed in known:
        return prefixed
    if not name.startswith(_PREFIX) and name.endswith(("法", "法典")) and "条例" not in name:
        return prefixed
    return name


def law_level_from_title(title: str) -> Level | None:
    """Best-effort level for a title whose folder/source does not say (e.g. 其他)."""
    if title.endswith("宪法") or "宪法修正案" in title:
        return Level.constitution
    if title.startswith("最高人民法院") or title.startswith("最高人民检察院"):
        return Level.judicial_interpretation
    if title.startswith(_PREFIX) and title.endswith("法"):
        return Level.law
    if title.endswith("条例") and not any(p in title for p in ("省", "市", "自治区")):
        return Level.administrative_regulation
    if any(p in title for p in ("省", "市", "自治区")) and title.endswith(("条例", "规定", "办法")):
        return Level.local_regulation
    if title.endswith(("办法", "规定", "规则", "细则")):
        return Level.departmental_rule
    return None


def cited_article(
    citation: Citation, known: frozenset[str] | set[str] = frozenset()
) -> CitedArticle:
    """A parsed citation as the model stores it, with the id of the article it means.

    The id is computed from the citation (ids are deterministic), so a case can
    link to an article crawled later; ``known`` titles pick the full title.
    """
    title = canonical_law_title(citation.law_title, known)
    return CitedArticle(
        law_title=title,
        article_no=citation.article_no,
        article_id=statute_article_id(title, citation.article_num, citation.article_suffix),
    )


class CitationResolver:
    """Finds statute citations in free text and resolves them against the catalog's laws.

    Knowing the titles (and their short forms without 中华人民共和国) also finds
    citations written without 《》, as in 依照民法典第1176条.
    """

    def __init__(self, known_titles: Iterable[str] = ()) -> None:
        self.known = frozenset(known_titles)
        shorts = {s for t in self.known if (s := short_title(t))}
        self.names = self.known | shorts

    def resolve(self, text: str) -> list[CitedArticle]:
        cited: list[CitedArticle] = []
        for citation in find_citations(text, self.names):
            item = cited_article(citation, self.known)
            if all(c.article_id != item.article_id for c in cited):
                cited.append(item)
        return cited
