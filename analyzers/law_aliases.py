"""Law names as residents say them: short names, abbreviations and laws that were replaced.

劳动法 and 劳动合同法 are different laws and stay apart; 婚姻法, 继承法, 合同法,
物权法, 侵权责任法, 民法通则, 民法总则 (and 担保法, 收养法) were repealed on
2021-01-01 when the 民法典 took effect — their questions are answered by a 编
of the 民法典 now. The table is ``data/law_aliases.tsv`` (versioned, hand-written
from the statutes' own texts); see ``data/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from analyzers.analysis import analyze
from analyzers.normalize import normalize
from analyzers.resources import data_lines, legal_terms
from analyzers.segment import tokenize_with_offsets

NATIONAL_PREFIX = "中华人民共和国"
_LAW_SUFFIXES = ("法典", "法", "条例", "规定", "办法", "解释", "细则", "决定", "规则")


@dataclass(frozen=True)
class LawMention:
    """A law name (as typed, or as listed in the alias table) resolved to the title
    documents carry; ``part``/``since`` are set when a 民法典 编 succeeded it."""

    alias: str
    title: str
    part: str | None = None
    since: str | None = None

    @property
    def replaced(self) -> bool:
        return self.since is not None

    @property
    def note(self) -> str:
        if not self.replaced:
            return ""
        where = f"{short_title(self.title)}{self.part or ''}"
        return f"《{self.alias}》自{self.since}起废止，现行规定见{where}"

    def context_terms(self) -> list[str]:
        """Whole-name tokens to look for in the ``context`` field (law title, 编)."""
        out = [_whole_token(short_title(self.title))]
        if self.part:
            out.append(_whole_token(self.part))
        return [t for t in out if t]


def _whole_token(name: str) -> str:
    """The longest analysed token of a name (劳动合同法 → 劳动合同法, not 合同)."""
    tokens = analyze(name)
    return max(tokens, key=len) if tokens else ""


def short_title(title: str) -> str:
    if title.startswith(NATIONAL_PREFIX) and len(title) > len(NATIONAL_PREFIX) + 1:
        return title[len(NATIONAL_PREFIX) :]
    return title


@cache
def alias_table() -> dict[str, LawMention]:
    """alias → its entry, from ``data/law_aliases.tsv``."""
    table: dict[str, LawMention] = {}
    for line in data_lines("law_aliases.tsv"):
        cols = [c.strip() for c in line.split("\t")]
        alias, title = cols[0], cols[1]
        part = cols[2] if len(cols) > 2 and cols[2] not in ("", "-") else None
        since = cols[3] if len(cols) > 3 and cols[3] not in ("", "-") else None
        table[normalize(alias)] = LawMention(alias, title, part, since)
    return table


@cache
def known_short_titles() -> frozenset[str]:
    """Statute short titles from the legal dictionary (section a) and the alias table."""
    titles = {t for t, _f in legal_terms() if t.endswith(_LAW_SUFFIXES)}
    titles.update(alias_table())
    return frozenset(titles)


def resolve_law_name(name: str) -> LawMention | None:
    """A law name as typed (劳动合同法, 《刑法》, 婚姻法, 民诉法) → the title documents carry.

    A name is accepted when it is an alias, a known statute title, or ends like
    a national law (…法); otherwise None.
    """
    name = normalize(name.strip("《》 \t"))
    if not name:
        return None
    entry = alias_table().get(name)
    if entry:
        return entry
    if name.startswith(NATIONAL_PREFIX):
        return LawMention(name, name)
    if name.endswith(("法", "法典")) and name in known_short_titles():
        return LawMention(name, NATIONAL_PREFIX + name)
    if name in known_short_titles():
        return LawMention(name, name)
    return None


def resolve_law_suffix(text: str) -> LawMention | None:
    """The longest law name that ends ``text`` (根据劳动合同法 → 劳动合同法)."""
    for start in range(len(text)):
        mention = resolve_law_name(text[start:])
        if mention:
            return mention
    return None


@cache
def _mention_pattern() -> re.Pattern[str]:
    names = sorted(known_short_titles(), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names if len(n) >= 2))


def find_law_mentions(text: str) -> list[LawMention]:
    """Every law the query names (longest match first: 劳动合同法 is not 劳动法), once each."""
    folded = normalize(text)
    found: dict[str, LawMention] = {}
    for quoted in re.findall(r"《([^《》]{2,60})》", folded):
        mention = resolve_law_name(quoted) or resolve_law_suffix(quoted)
        if mention:
            found.setdefault(mention.title + (mention.part or ""), mention)
    # A name counts only on word boundaries: 民法 inside 人民法院 is no mention.
    bounds = {b for _w, s, e in tokenize_with_offsets(folded, mode="default") for b in (s, e)}
    for match in _mention_pattern().finditer(folded):
        if match.start() not in bounds or match.end() not in bounds:
            continue
        mention = resolve_law_name(match.group(0))
        if mention:
            found.setdefault(mention.title + (mention.part or ""), mention)
    return list(found.values())
