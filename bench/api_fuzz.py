"""The larger fuzzing run: schemathesis over every public and editor endpoint.

Usage: ``python bench/api_fuzz.py [--examples N]`` (default 100 per operation).
Runs ``tests/api/test_fuzz.py`` with ``FASOU_FUZZ_EXAMPLES=N`` against a live
server and prints the case count, the statuses seen, and the time taken.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/api/test_fuzz.py"],
        cwd=REPO,
        env=os.environ | {"FASOU_FUZZ_EXAMPLES": str(args.examples)},
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    summary = json.loads((REPO / "tests" / "_artifacts" / "fuzz.json").read_text())
    print(result.stdout.strip().splitlines()[-1])
    print(
        f"fuzzing, {args.examples} examples/operation: {summary['cases']} cases over "
        f"{summary['operations']} operations in {elapsed:.0f} s"
    )
    print(f"  statuses: {summary['statuses']}")
    for operation, count in summary["by_operation"].items():
        print(f"  {count:6d}  {operation}")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
