"""Clean: raw HTML fragments and Word attachments → normalised plain text."""

from __future__ import annotations

from typing import Any

from crawler.pipelines import CrawlerAware, pending
from crawler.text import clean_html, docx_lines, normalize_text


class CleanPipeline(CrawlerAware):
    def process_item(self, item: Any) -> Any:
        if not pending(item):
            return item
        for name, text in item.text.items():  # text a spider read straight from the tree
            item.text[name] = normalize_text(text)
        for name, fragment in item.html.items():
            item.text[name] = clean_html(fragment)
        if item.docx is not None:
            try:
                item.text["body"] = "\n".join(docx_lines(item.docx))
            except Exception as exc:  # a corrupt attachment is the page's problem, not ours
                item.problem = f"unreadable Word file: {exc}"
        for key, value in item.fields.items():
            if isinstance(value, str):
                item.fields[key] = normalize_text(value) or None
        return item
