"""Knowledge about statute titles shared by importers, spiders and citation parsing."""

from __future__ import annotations

from indexer.models import Level

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
