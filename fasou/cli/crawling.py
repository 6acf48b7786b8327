"""``fasou crawl …``: run one source's crawl, list runs and the quarantine."""

from __future__ import annotations

import json
import time

import typer

from crawler.config import UnknownSource, source_names
from fasou.cli.common import opened_catalog, update_index
from fasou.config import get_settings
from indexer.catalog.crawls import RUN_COUNTERS, CrawlLedger

app = typer.Typer(help="Crawl the public sources into the catalog.", no_args_is_help=True)

#: Exit status when the source is already being crawled (the scheduler treats it as a skip).
EXIT_BUSY = 3


@app.command("run")
def run_command(
    sources: list[str] = typer.Argument(..., help=f"one or more of: {', '.join(source_names())}"),
    no_index: bool = typer.Option(False, "--no-index", help="write the catalog only"),
) -> None:
    """Crawl SOURCES once (resuming an unfinished run), then update the index.

    Several sources crawl concurrently in this one process.
    """
    from crawler.runner import LeaseBusy, run_crawls

    settings = get_settings()
    started = time.perf_counter()
    try:
        results = run_crawls(list(dict.fromkeys(sources)), settings)
    except UnknownSource as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="SOURCES") from exc
    except LeaseBusy as exc:
        typer.echo(f"not started: {exc}", err=True)
        raise typer.Exit(EXIT_BUSY) from exc
    for result in results:
        run = result.run
        typer.echo(
            f"{run['source']}: run {run['id']} {run['status']}"
            f"{' (resumed)' if result.resumed else ''}: "
            + ", ".join(f"{k} {run[k]}" for k in _COUNTERS)
        )
    typer.echo(f"done in {time.perf_counter() - started:.1f} s")
    if not no_index:
        with opened_catalog() as catalog:
            update_index(catalog)
    if any(r.run["status"] != "finished" for r in results):
        raise typer.Exit(1)


_COUNTERS = RUN_COUNTERS


@app.command("runs")
def runs_command(
    source: str = typer.Option(None, "--source", help="only this source"),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recent crawl runs: start, end, status, pages and document counts."""
    with opened_catalog() as catalog:
        runs = CrawlLedger(catalog).runs(source, limit)
    if as_json:
        typer.echo(json.dumps(runs, ensure_ascii=False))
        return
    header = ("id", "source", "status", "started_at", "finished_at", *_COUNTERS)
    typer.echo("\t".join(header))
    for run in runs:
        typer.echo("\t".join(str(run[k] if run[k] is not None else "-") for k in header))


@app.command("quarantine")
def quarantine_command(
    source: str = typer.Option(None, "--source"),
    run_id: int = typer.Option(None, "--run"),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Items that failed validation and pages that failed to download, newest first."""
    with opened_catalog() as catalog:
        rows = CrawlLedger(catalog).quarantined(source, run_id, limit)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(
            f"{row['created_at']}  run {row['run_id']}  {row['source']}  [{row['stage']}]  "
            f"{row['url']}\n    {row['reason']}"
        )
