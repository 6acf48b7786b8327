"""Automatic audience/topic suggestions: transparent rules plus a small classifier.

Suggestions are stored apart from editors' decisions (``suggested_tags`` vs
``document_tags``), each with its confidence and provenance, and recomputed
when a document's content or the tagger changes (``indexer.tagging.store``).
Which suggestions count for ranking and filtering is decided in one place:
``indexer.ranking.SUGGESTION_MIN_CONFIDENCE``, applied when the catalog builds
a record; an editor's ``remove`` always beats a suggestion.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from indexer.tagging.classifier import LinearModel, default_model
from indexer.tagging.rules import StatuteTagger, Suggestion, SynonymTagger, statute_rules

__all__ = ["Suggestion", "Tagger", "default_tagger"]

#: Bump when the rule code changes in a way that changes suggestions.
RULES_CODE_VERSION = 1


class Tagger:
    """Every suggestion source, run in a fixed order; ``version`` names the whole setup."""

    def __init__(self, model: LinearModel | None = None) -> None:
        self.model = model
        self.sources = [StatuteTagger(), SynonymTagger()]
        from fasou.taxonomy import taxonomy

        parts = [
            f"code{RULES_CODE_VERSION}",
            taxonomy().version,
            f"rules{statute_rules().version}:{hash_rules()}",
            f"model:{model.version if model else 'none'}",
        ]
        self.version = hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]
        self.model_version = model.version if model else "none"

    def suggest(self, record: dict[str, Any]) -> list[Suggestion]:
        out = [s for source in self.sources for s in source.suggest(record)]
        if self.model is not None:
            out += self.model.suggest(record)
        # One row per (facet, value, provenance): the strongest wins.
        best: dict[tuple[str, str, str], Suggestion] = {}
        for s in out:
            key = (s.facet, s.value, s.provenance)
            if key not in best or s.confidence > best[key].confidence:
                best[key] = s
        return [best[k] for k in sorted(best)]


def hash_rules() -> str:
    return hashlib.sha1(statute_rules().model_dump_json().encode()).hexdigest()[:8]


@cache
def default_tagger() -> Tagger:
    return Tagger(default_model())
