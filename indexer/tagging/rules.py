"""Transparent tagging rules: statute structure and taxonomy synonyms.

Each rule says why it fired (its provenance), so an editor reviewing a
suggestion sees "劳动合同法 → labor" or "synonyms 工资,加班 → labor", never an
unexplained number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fasou.taxonomy import Taxonomy, taxonomy
from fasou.yamlconfig import load_yaml_model
from indexer.backends.fields import text_fields

RULES_FILE = Path(__file__).resolve().parent / "statute_rules.yaml"


@dataclass(frozen=True)
class Suggestion:
    facet: str  # audience | topic
    value: str
    confidence: float
    provenance: str


class StatuteRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,59}$")
    law: tuple[str, ...] = Field(min_length=1)
    structure: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    confidence: float = Field(gt=0, le=1)

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _known(values, taxonomy().ids("topic"), "topic")

    @field_validator("audiences")
    @classmethod
    def _known_audiences(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _known(values, taxonomy().ids("audience"), "audience")

    def matches(self, law_title: str, headings: str) -> bool:
        if not any(name in law_title for name in self.law):
            return False
        return not self.structure or any(word in headings for word in self.structure)


def _known(values: tuple[str, ...], known: frozenset[str], facet: str) -> tuple[str, ...]:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown {facet} id(s) {unknown} (see fasou/taxonomy)")
    return values


class StatuteRuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1)
    rules: tuple[StatuteRule, ...]


@cache
def statute_rules(path: Path = RULES_FILE) -> StatuteRuleSet:
    return load_yaml_model(path, StatuteRuleSet)


class StatuteTagger:
    """Law title and 编/章/节 headings → audiences/topics (statute articles only)."""

    def __init__(self, rules: StatuteRuleSet | None = None) -> None:
        self.rules = rules or statute_rules()
        self._cache: dict[tuple[str, str], list[Suggestion]] = {}

    def suggest(self, record: dict[str, Any]) -> list[Suggestion]:
        if record.get("type") != "statute_article":
            return []
        law = record.get("law_title") or ""
        headings = " ".join(
            str(record.get(k) or "") for k in ("part", "chapter", "section")
        ).strip()
        key = (law, headings)
        if key not in self._cache:  # thousands of articles share a law and a chapter
            self._cache[key] = [
                Suggestion(facet, value, rule.confidence, f"rule:statute:{rule.id}")
                for rule in self.rules.rules
                if rule.matches(law, headings)
                for facet, values in (("audience", rule.audiences), ("topic", rule.topics))
                for value in values
            ]
        return self._cache[key]


#: Confidence of a synonym match: a title mention counts double, and every
#: distinct term adds evidence; one passing mention in a body stays below the
#: threshold that lets a suggestion count (indexer.ranking.SUGGESTION_MIN_CONFIDENCE).
SYNONYM_BASE = 0.2
SYNONYM_STEP = 0.15
SYNONYM_MAX = 0.8


class SynonymTagger:
    """Taxonomy labels and synonyms found in a document's text."""

    def __init__(self, tax: Taxonomy | None = None) -> None:
        tax = tax or taxonomy()
        self._terms: dict[str, list[tuple[str, str]]] = {}
        for facet in ("audience", "topic"):
            for entry in tax.entries(facet):
                for term in entry.terms:
                    self._terms.setdefault(term, []).append((facet, entry.id))
        # One alternation, longest first: 建筑工人 is found before 工人.
        ordered = sorted(self._terms, key=lambda t: (-len(t), t))
        self._pattern = re.compile("|".join(re.escape(t) for t in ordered))

    def matches(self, text: str) -> dict[tuple[str, str], set[str]]:
        """(facet, value) → the distinct terms of it found in ``text``."""
        found: dict[tuple[str, str], set[str]] = {}
        for match in self._pattern.finditer(text):
            for target in self._terms[match.group(0)]:
                found.setdefault(target, set()).add(match.group(0))
        return found

    def suggest(self, record: dict[str, Any]) -> list[Suggestion]:
        parts = text_fields(record)
        title = self.matches(" ".join(parts["title"]))
        rest = self.matches(" ".join(parts["context"] + parts["body"]))
        out = []
        for target in sorted(set(title) | set(rest)):
            in_title, elsewhere = title.get(target, set()), rest.get(target, set())
            evidence = 2 * len(in_title) + len(elsewhere - in_title)
            confidence = min(SYNONYM_MAX, SYNONYM_BASE + SYNONYM_STEP * evidence)
            terms = ",".join(sorted(in_title | elsewhere))
            out.append(Suggestion(target[0], target[1], confidence, f"rule:synonyms:{terms}"[:120]))
        return out
