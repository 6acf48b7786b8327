"""Chinese analysis shared by indexing and querying (see ``analyzers.analysis``).

The names below load their module on first use: segmentation loads the jieba
dictionary (a few hundred milliseconds), which code that only reads article
numbers or citations (the crawler's extractors) should not pay for at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "analyze": "analyzers.analysis",
    "analyzed_text": "analyzers.analysis",
    "article_label": "analyzers.article_numbers",
    "canonical_article_refs": "analyzers.article_numbers",
    "cn_to_int": "analyzers.article_numbers",
    "int_to_cn": "analyzers.article_numbers",
    "parse_article_label": "analyzers.article_numbers",
    "normalize": "analyzers.normalize",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analyzers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
