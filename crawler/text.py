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


_WIDTH = {c: _narrow(c) for c in range(0xFF10, 0xFF5B) if _narrow(c) != c}


def normalize_text(text: str) -> str:
    """One paragraph per line: narrow width, collapse spaces, drop empty lines."""
    text = text.translate(_WIDTH).replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
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
    """The paragraphs of a Word file, one per line.

    python-docx opens the file; the paragraphs' text is read from its XML tree
    directly (``w:t`` runs), because ``Paragraph.text`` and ``Paragraph.style`` walk
    Python objects per run and scan the style table per paragraph — seconds for a long
    law. Headings are recognised by their text (第一章 …) where it matters.
    """
    from docx import Document
    from docx.oxml.ns import qn

    body = Document(io.BytesIO(data)).element.body
    text_tag = qn("w:t")
    lines = []
    for paragraph in body.iter(qn("w:p")):
        text = normalize_text("".join(t.text or "" for t in paragraph.iter(text_tag)))
        if text:
            lines.append(text)
    return lines
