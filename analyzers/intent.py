"""What kind of answer the wording asks for: 找律师 → services, 视频 → videos, 案例 → cases.

Cues are in ``data/intents.tsv`` (cue, document types; versioned). A cue that
only says *what kind* of result is wanted (视频, 案例) is no content word: it
is left out of the text query, since statutes never contain it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from analyzers.analysis import analyze
from analyzers.normalize import normalize
from analyzers.resources import data_lines


@dataclass(frozen=True)
class Intent:
    cue: str
    types: tuple[str, ...]
    #: Tokens of the cue dropped from the text query (only for pure-format cues).
    cue_tokens: tuple[str, ...] = ()


@cache
def intent_cues() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(cue, types, drop-from-query) sorted longest cue first."""
    rows = []
    for line in data_lines("intents.tsv"):
        cols = [c.strip() for c in line.split("\t")]
        drop = len(cols) > 2 and cols[2] == "drop"
        rows.append((normalize(cols[0]), tuple(cols[1].split(",")), drop))
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def detect_intent(text: str) -> Intent | None:
    """The first (longest) cue in the query, or None for a plain question."""
    folded = normalize(text)
    for cue, types, drop in intent_cues():
        if cue in folded:
            return Intent(cue, types, tuple(analyze(cue)) if drop else ())
    return None
