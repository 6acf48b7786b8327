"""Statutes in Markdown (the layout of ``../shared/data/laws``) → statute-article documents.

Layout: one file per law (or per 编 of the 民法典), ``# 标题`` first, metadata lines
until ``<!-- INFO END -->``, then headings for 编/章/节 at any ``#`` depth and
articles as paragraphs that begin with ``第X条``. The folder names the legal
department (宪法相关法, 民法商法 …) or the level (行政法规, 司法解释, 部门规章).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analyzers.article_numbers import ARTICLE_REF, cn_to_int
from indexer.models import Level, Status, StatuteArticle
from indexer.statutes import law_level_from_title, short_title

SOURCE = "statute_markdown"
INFO_END = "<!-- INFO END -->"
CASES_DIR = "案例"

#: Folders that name a legal department (法律部门); their laws are at the 法律 level.
DEPARTMENTS = frozenset(
    {
        "宪法相关法",
        "民法商法",
        "行政法",
        "经济法",
        "社会法",
        "刑法",
        "诉讼与非诉讼程序法",
        "民法典",
    }
)
FOLDER_LEVELS = {
    "宪法": Level.constitution,
    "行政法规": Level.administrative_regulation,
    "司法解释": Level.judicial_interpretation,
    "部门规章": Level.departmental_rule,
    "地方性法规": Level.local_regulation,
}

_VERSION_IN_NAME = re.compile(r"\((\d{4}-\d{2}-\d{2})\)\s*$")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ARTICLE_START = re.compile(r"^(" + ARTICLE_REF.pattern + r")[\s\u3000]+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_DIVISION = re.compile(r"^第[一二三四五六七八九十百零〇]+([编章节])")


@dataclass
class LawFile:
    """One statute file's header, read in a first pass to resolve versions."""

    path: Path
    rel_path: str
    title: str
    version_date: str | None
    meta_lines: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def read_header(path: Path, root: Path) -> LawFile | None:
    """Title, version date and metadata lines; None when the file has no ``#`` title."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# "):
        return None
    meta: list[str] = []
    for line in lines[1:]:
        if line.strip() == INFO_END:
            break
        if line.strip() and not line.startswith("#"):
            meta.append(line.strip())
    match = _VERSION_IN_NAME.search(path.stem)
    version = match.group(1) if match else None
    if version is None and meta:
        first = _parse_date(meta[-1]) or _parse_date(meta[0])
        version = first.isoformat() if first else None
    return LawFile(
        path=path,
        rel_path=path.relative_to(root).as_posix(),
        title=lines[0][2:].strip(),
        version_date=version,
        meta_lines=meta,
    )


def superseded_versions(files: list[LawFile]) -> set[str]:
    """rel_paths of files that an imported newer version of the same title replaces."""
    newest: dict[str, str] = {}
    for f in files:
        if f.version_date and f.version_date > newest.get(f.title, ""):
            newest[f.title] = f.version_date
    return {
        f.rel_path
        for f in files
        if f.version_date and newest.get(f.title) and f.version_date < newest[f.title]
    }


def level_and_department(rel_path: str, title: str) -> tuple[Level | None, str | None]:
    folder = rel_path.split("/", 1)[0]
    if folder in DEPARTMENTS:
        return Level.law, folder
    if folder in FOLDER_LEVELS:
        return FOLDER_LEVELS[folder], None
    return law_level_from_title(title), None


def header_dates(meta: list[str]) -> tuple[date | None, date | None]:
    promulgated = next((d for line in meta if (d := _parse_date(line))), None)
    effective = next((d for line in meta if "施行" in line and (d := _parse_date(line))), None)
    return promulgated, effective


@dataclass
class LawInfo:
    """What every article of one law version shares (from a file header or a site's metadata)."""

    title: str
    source: str
    level: Level | None = None
    department: str | None = None
    issuing_body: str | None = None
    promulgated: date | None = None
    effective: date | None = None
    status: Status = Status.current
    law_version: str | None = None
    source_path: str | None = None
    url: str | None = None


def parse_articles(law: LawFile, *, superseded: bool) -> Iterator[StatuteArticle]:
    """Yield one document per article of ``law``; continuation paragraphs join their article."""
    lines = law.path.read_text(encoding="utf-8").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == INFO_END) + 1
    except StopIteration:
        start = 1
    level, department = level_and_department(law.rel_path, law.title)
    promulgated, effective = header_dates(law.meta_lines)
    info = LawInfo(
        title=law.title,
        source=SOURCE,
        level=level,
        department=department,
        promulgated=promulgated,
        effective=effective,
        status=Status.amended if superseded else Status.current,
        law_version=law.version_date if superseded else None,
        source_path=law.rel_path,
    )
    # 民法典 files: "# 总则" under the law title, before the INFO marker, names the 编.
    part = next((ln[2:].strip() for ln in lines[1:start] if ln.startswith("# ")), None)
    yield from parse_statute_lines(lines[start:], info, part=part)


def parse_statute_lines(
    lines: Iterable[str], info: LawInfo, *, part: str | None = None
) -> Iterator[StatuteArticle]:
    """The one article parser: Markdown-style lines (``#`` headings, paragraphs) → articles.

    Other formats (a site's HTML body, a .docx) are turned into such lines by
    their readers, so every source splits statutes the same way.
    """
    chapter = section = None
    current: dict[str, object] | None = None
    paragraphs: list[str] = []

    def flush() -> Iterator[StatuteArticle]:
        if current is None:
            return
        yield StatuteArticle(
            title=f"{info.title} {current['label']}",
            body="\n".join(paragraphs),
            url=info.url,
            source=info.source,
            published_at=info.promulgated,
            law_title=info.title,
            law_short_title=short_title(info.title),
            law_version=info.law_version,
            article_no=str(current["label"]),
            article_num=int(current["num"]),  # type: ignore[call-overload]
            article_suffix=current["suffix"],  # type: ignore[arg-type]
            part=current["part"],  # type: ignore[arg-type]
            chapter=current["chapter"],  # type: ignore[arg-type]
            section=current["section"],  # type: ignore[arg-type]
            level=info.level,
            department=info.department,
            issuing_body=info.issuing_body,
            promulgated_at=info.promulgated,
            effective_at=info.effective,
            status=info.status,
            source_path=info.source_path,
        )

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            text = re.sub(r"\s+", " ", heading.group(2)).strip()
            kind = _DIVISION.match(text)
            if kind and kind.group(1) == "编":
                part, chapter, section = text, None, None
            elif kind and kind.group(1) == "节":
                section = text
            else:
                chapter, section = text, None
            continue
        match = _ARTICLE_START.match(line)
        if match:
            yield from flush()
            label = re.sub(r"\s+", "", match.group(1))
            suffix_text = match.group(3)
            current = {
                "label": label,
                "num": cn_to_int(match.group(2)),
                "suffix": cn_to_int(suffix_text) if suffix_text else None,
                "part": part,
                "chapter": chapter,
                "section": section,
            }
            paragraphs = [line[match.end() :].strip()]
        elif current is not None:
            paragraphs.append(line)
    yield from flush()


def is_division_heading(text: str) -> bool:
    """第一编 / 第二章 总则 / 第三节 …: a heading even where a format does not mark it as one."""
    text = text.strip()
    return len(text) <= 40 and _DIVISION.match(text) is not None and not _ARTICLE_START.match(text)


def statute_files(root: Path) -> list[LawFile]:
    """Headers of every statute file under ``root`` (the 案例 folder holds cases, not statutes)."""
    files = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(CASES_DIR + "/") or path.name.lower() == "readme.md":
            continue
        header = read_header(path, root)
        if header:
            files.append(header)
    return files


def iter_statute_articles(root: Path) -> Iterator[StatuteArticle]:
    """Every article of every statute file under ``root``, older versions marked 已修改."""
    files = statute_files(root)
    old = superseded_versions(files)
    for law in files:
        yield from parse_articles(law, superseded=law.rel_path in old)
