"""Cleaning fetched content into plain text: HTML (BeautifulSoup) and Word files.

Government pages wrap the text in navigation, share bars and scripts, and mix
full-width digits, ideographic spaces and &nbsp; into it. What leaves here is
one paragraph per line, CJK punctuation kept, ASCII letters and digits narrowed.
"""

from __future__ import annotations

import io
import re

from bs4 import BeautifulSoup, NavigableString

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe")
_DROP_MARKERS = re.compile(r"(^|[-_ ])(nav|menu|breadcrumb|footer|header|share|toolbar)([-_ ]|$)")
_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "section",
    "article",
    "table",
    "blockquote",
    "pre",
)
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u3000]+")


def _narrow(code: int) -> int:
    """Full-width digits and Latin letters → ASCII; CJK punctuation stays as written."""
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return code - 0xFEE0
    return code


_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_WIDTH = {c: _narrow(c) for c in range(0xFF10, 0xFF5B) if _narrow(c) != c}


def normalize_text(text: str) -> str:
    """One paragraph per line: narrow width, collapse spaces, drop empty lines.

    Runs over every law's whole text, so each step is one C-level pass (a regex finds
    the rare full-width runs; ``str.translate`` over all of a CJK text is a dict
    lookup per character).
    """
    text = _WIDE.sub(lambda run: run.group().translate(_WIDTH), text)
    text = _SPACES.sub(" ", text.replace("\r", "\n"))
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def clean_html(fragment: str) -> str:
    """Visible text of an HTML fragment without navigation, scripts and share bars."""
    soup = BeautifulSoup(fragment, "lxml")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:
            continue
        marker = " ".join([*(tag.get("class") or []), tag.get("id") or ""]).lower()
        if marker and _DROP_MARKERS.search(marker):
            tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.append(NavigableString("\n"))
    return normalize_text(soup.get_text(""))


def docx_lines(data: bytes) -> list[str]:
    """The paragraphs of a Word file's main document, one per line.

    python-docx's package reader opens the file and follows the package's
    officeDocument relationship to the main document part; only that part's XML
    is parsed (python-docx's oxml parser) and its paragraphs' text read from the
    ``w:t`` runs. ``docx.Document()`` would also parse every other part — a
    typical government .docx carries ~800 KB of styles, ten times the law's own
    XML — and ``Paragraph.text`` walks Python objects per run. Headings are
    recognised by their text (第一章 …) where it matters.
    """
    from docx.opc.constants import RELATIONSHIP_TARGET_MODE, RELATIONSHIP_TYPE
    from docx.opc.oxml import parse_xml as parse_rels
    from docx.opc.packuri import PACKAGE_URI, PackURI
    from docx.opc.phys_pkg import PhysPkgReader
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml

    package = PhysPkgReader(io.BytesIO(data))
    try:
        rels_xml = package.rels_xml_for(PACKAGE_URI)
        if rels_xml is None:
            raise ValueError("not a Word package: no package relationships")
        rels = parse_rels(rels_xml)
        main = next(
            (
                PackURI.from_rel_ref(PACKAGE_URI.baseURI, rel.get("Target"))
                for rel in rels
                if rel.get("Type") == RELATIONSHIP_TYPE.OFFICE_DOCUMENT
                and rel.get("TargetMode") != RELATIONSHIP_TARGET_MODE.EXTERNAL
            ),
            None,
        )
        if main is None:
            raise ValueError("no main document part (officeDocument relationship)")
        document = parse_xml(package.blob_for(main))
    finally:
        package.close()
    body = document.find(qn("w:body"))
    text_tag = qn("w:t")
    lines = []
    for paragraph in (body if body is not None else document).iter(qn("w:p")):
        text = normalize_text("".join(t.text or "" for t in paragraph.iter(text_tag)))
        if text:
            lines.append(text)
    return lines
