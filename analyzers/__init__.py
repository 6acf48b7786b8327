"""Chinese analysis shared by indexing and querying (see ``analyzers.analysis``)."""

from analyzers.analysis import analyze, analyzed_text
from analyzers.article_numbers import (
    article_label,
    canonical_article_refs,
    cn_to_int,
    int_to_cn,
    parse_article_label,
)
from analyzers.normalize import normalize

__all__ = [
    "analyze",
    "analyzed_text",
    "article_label",
    "canonical_article_refs",
    "cn_to_int",
    "int_to_cn",
    "normalize",
    "parse_article_label",
]
