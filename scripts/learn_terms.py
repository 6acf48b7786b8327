"""Learn ``analyzers/data/learned_terms.tsv`` from STARD train's judged pairs.

Usage: ``python scripts/learn_terms.py [--laws DIR] [--queries Q] [--qrels R] [--check]``.
Deterministic: the same corpus and labels reproduce the file byte for byte (``--check``
fails if the committed file differs). The table is fitted on evaluation labels: measure
what it adds with ``bench/learned_terms_kfold.py`` (held-out folds), never with
``fasou eval`` on the same split, which is in-sample once the table is on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzers.learned_terms import FILE, format_table  # noqa: E402
from analyzers.resources import DATA_DIR  # noqa: E402
from fasou.term_learning import gather  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
HEADER = """# Query word → statute words, LEARNED FROM EVALUATION LABELS (STARD train, 1,235
# questions, 2,205 judged pairs) by scripts/learn_terms.py — do not edit by hand.
# version: 1
# A word pair is kept when the statute word occurs in the judged articles of ≥ 2
# distinct questions holding the query word, in ≥ 20 % of them, and ≥ 50 × as often
# as in statutes at large; ≤ 10 statute words a query word (analyzers/learned_terms.py).
# Held-out effect (5-fold): bench/learned_terms_kfold.py. Columns as in colloquial.tsv:
# query word, then space-separated statute_word:share.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=Path, default=SHARED / "laws")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval/stard_train_queries.jsonl")
    parser.add_argument("--qrels", type=Path, default=SHARED / "eval/stard_train_qrels.tsv")
    parser.add_argument("--check", action="store_true", help="fail if the file would change")
    args = parser.parse_args()
    if not args.laws.is_dir():
        sys.exit(f"statute corpus not found at {args.laws} (../shared/data is not in git)")
    table = gather(args.laws, args.queries, args.qrels).table()
    text = HEADER + "".join(line + "\n" for line in format_table(table))
    target = DATA_DIR / FILE
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        sys.exit(0 if same else f"{target} differs from what the labels give: rerun")
    target.write_text(text, encoding="utf-8")
    print(f"{target}: {len(table)} query words, {sum(map(len, table.values()))} pairs")


if __name__ == "__main__":
    main()
