"""Everyday expressions → the legal terms statutes use (老板把我开了 → 解除劳动合同 / 经济补偿).

Residents describe situations; statutes name legal concepts. The mapping in
``data/colloquial.tsv`` (versioned, written from legal knowledge — never from
evaluation answers) lists expressions with weighted legal terms. An
expression ``A+B`` matches when both parts occur (colloquial phrases are
often split: 借了我五万块钱一直不还 → 借 + 不还). The plan adds the terms
with weight ``EXPANSION_WEIGHT × weight``, below the resident's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from analyzers.normalize import normalize
from analyzers.resources import data_lines


@dataclass(frozen=True)
class Expansion:
    expression: str
    term: str
    weight: float


@dataclass(frozen=True)
class ColloquialRule:
    expression: str
    parts: tuple[str, ...]
    terms: tuple[tuple[str, float], ...]


def parse_rule(line: str) -> ColloquialRule:
    """``expression<TAB>term:weight term:weight …`` (weight defaults to 1)."""
    expression, _, targets = line.partition("\t")
    if not targets.strip():
        raise ValueError(f"colloquial rule without legal terms: {line!r}")
    terms = []
    for item in targets.split():
        term, _, weight = item.partition(":")
        value = float(weight) if weight else 1.0
        if not 0 < value <= 1:
            raise ValueError(f"weight must be in (0, 1]: {line!r}")
        terms.append((term, value))
    expression = normalize(expression.strip())
    parts = tuple(p for p in expression.split("+") if p)
    return ColloquialRule(expression, parts, tuple(terms))


@cache
def colloquial_rules() -> tuple[ColloquialRule, ...]:
    return tuple(parse_rule(line) for line in data_lines("colloquial.tsv"))


@cache
def _rules_by_first_part() -> tuple[dict[str, list[tuple[int, ColloquialRule]]], tuple[int, ...]]:
    """Rules keyed by their first part, and the lengths of those keys.

    A query then looks up its own substrings (a few hundred dict probes) instead
    of testing every rule against it.
    """
    index: dict[str, list[tuple[int, ColloquialRule]]] = {}
    for position, rule in enumerate(colloquial_rules()):
        index.setdefault(rule.parts[0], []).append((position, rule))
    return index, tuple(sorted({len(key) for key in index}))


def _candidate_rules(folded: str) -> list[ColloquialRule]:
    index, lengths = _rules_by_first_part()
    found: dict[int, ColloquialRule] = {}
    for start in range(len(folded)):
        for length in lengths:
            for position, rule in index.get(folded[start : start + length], ()):
                found[position] = rule
    # File order, as a scan of every rule would visit them (ties keep the first rule).
    return [found[position] for position in sorted(found)]


def expand_colloquial(text: str) -> list[Expansion]:
    """Legal terms for every expression in ``text`` (highest weight per term wins)."""
    folded = normalize(text)
    best: dict[str, Expansion] = {}
    for rule in _candidate_rules(folded):
        if all(part in folded for part in rule.parts):
            for term, weight in rule.terms:
                known = best.get(term)
                if known is None or weight > known.weight:
                    best[term] = Expansion(rule.expression, term, weight)
    return list(best.values())
