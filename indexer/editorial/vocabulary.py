"""The tag values editors may use, with their Chinese labels, from ``fasou/taxonomy``.

Deliberately thin: the audience-profiles work brings the full taxonomy loader
(synonyms, descriptions, validation with line numbers); this adapter is the one
place the editor workspace reads it, so swapping loaders is a one-file change.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

import fasou

TAXONOMY_DIR = Path(fasou.__file__).resolve().parent / "taxonomy"
_FILES = {"audience": ("audiences.yaml", "audiences"), "topic": ("topics.yaml", "topics")}


@lru_cache
def tag_vocabulary() -> dict[str, dict[str, str]]:
    """facet → value id → label, in taxonomy order."""
    out: dict[str, dict[str, str]] = {}
    for facet, (filename, key) in _FILES.items():
        data = yaml.safe_load((TAXONOMY_DIR / filename).read_text(encoding="utf-8"))
        out[facet] = {str(entry["id"]): str(entry["label"]) for entry in data[key]}
    return out


def unknown_values(facet: str, values: list[str]) -> list[str]:
    """Values not in the facet's taxonomy (empty when all are known)."""
    known = tag_vocabulary().get(facet, {})
    return [v for v in values if v not in known]
