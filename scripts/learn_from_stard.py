"""Learn what 法搜 takes from STARD train's judged pairs: ``analyzers/data/learned_terms.tsv``
(query word → statute words) and ``indexer/search/data/answer_priors.tsv`` (where
questions land: per article, law (编) and chapter).

Usage: ``python scripts/learn_from_stard.py [--laws DIR] [--queries Q] [--qrels R] [--check]``.
Deterministic: the same corpus and labels reproduce the files byte for byte (``--check``
fails if a committed file differs). Both are fitted on evaluation labels: measure what
they add with ``bench/learned_terms_kfold.py`` (held-out folds), never with ``fasou eval``
on the same split, which is in-sample once they are on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzers import learned_terms  # noqa: E402
from analyzers.resources import DATA_DIR  # noqa: E402
from fasou.stard_learning import gather  # noqa: E402
from indexer.search import answer_priors  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
TERMS_HEADER = """# Query word → statute words, LEARNED FROM EVALUATION LABELS (STARD train, 1,235
# questions, 2,205 judged pairs) by scripts/learn_from_stard.py — do not edit by hand.
# version: 1
# A word pair is kept when the statute word occurs in the judged articles of ≥ 2
# distinct questions holding the query word, in ≥ 20 % of them, and ≥ 50 × as often
# as in statutes at large; ≤ 10 statute words a query word (analyzers/learned_terms.py).
# Held-out effect (5-fold): bench/learned_terms_kfold.py. Columns as in colloquial.tsv:
# query word, then space-separated statute_word:share.
"""
PRIORS_HEADER = """# Where residents' questions land, LEARNED FROM EVALUATION LABELS (STARD train)
# by scripts/learn_from_stard.py — do not edit by hand. Counts over places, not questions;
# a place fewer than 2 judged questions reached is left out.
# version: 1
# article <TAB> law title <TAB> article no <TAB> judged questions it answered
# law     <TAB> law title <TAB> 编 (or empty) <TAB> judged-question rate ÷ the average
# chapter <TAB> law title <TAB> 编 <TAB> chapter <TAB> rate ÷ the average
# Used by indexer/search/answer_priors.py; held-out effect: bench/learned_terms_kfold.py.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=Path, default=SHARED / "laws")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval/stard_train_queries.jsonl")
    parser.add_argument("--qrels", type=Path, default=SHARED / "eval/stard_train_qrels.tsv")
    parser.add_argument("--check", action="store_true", help="fail if a file would change")
    args = parser.parse_args()
    if not args.laws.is_dir():
        sys.exit(f"statute corpus not found at {args.laws} (../shared/data is not in git)")
    material = gather(args.laws, args.queries, args.qrels)
    table, priors = material.table(), material.priors()
    outputs = {
        DATA_DIR / learned_terms.FILE: TERMS_HEADER + _lines(learned_terms.format_table(table)),
        answer_priors.FILE: PRIORS_HEADER + _lines(answer_priors.format_priors(priors)),
    }
    if args.check:
        stale = [str(path) for path, text in outputs.items() if not _same(path, text)]
        sys.exit(f"{', '.join(stale)} differ from what the labels give: rerun" if stale else 0)
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(
        f"{DATA_DIR / learned_terms.FILE}: {len(table)} query words,"
        f" {sum(map(len, table.values()))} pairs"
    )
    print(
        f"{answer_priors.FILE}: {len(priors.articles)} articles, {len(priors.laws)} laws,"
        f" {len(priors.chapters)} chapters"
    )


def _lines(lines) -> str:  # type: ignore[no-untyped-def]
    return "".join(line + "\n" for line in lines)


def _same(path: Path, text: str) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == text


if __name__ == "__main__":
    main()
