"""``fasou index …``: rebuild, sync and inspect the search index."""

from __future__ import annotations

import json
import time

import typer

from fasou.cli.common import opened_backend, opened_catalog
from indexer.sync import ensure_index, rebuild

app = typer.Typer(
    help="Manage the search index (always derived from the catalog).", no_args_is_help=True
)


@app.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index from the catalog and switch searches to it atomically."""
    started = time.perf_counter()
    with opened_catalog() as catalog, opened_backend() as backend:
        count = rebuild(catalog, backend)
    typer.echo(f"rebuilt: {count} documents in {time.perf_counter() - started:.1f} s")


@app.command("sync")
def sync_command() -> None:
    """Apply catalog changes the index has not seen (rebuilds an empty/incompatible index)."""
    with opened_catalog() as catalog, opened_backend() as backend:
        typer.echo(ensure_index(catalog, backend))


@app.command("status")
def status_command() -> None:
    """Catalog and index counts and revisions, as JSON."""
    with opened_catalog() as catalog, opened_backend() as backend:
        typer.echo(
            json.dumps(
                {
                    "catalog": {"documents": catalog.count(), "rev": catalog.max_rev()},
                    "index": backend.health() | {"compatible": backend.is_compatible()},
                },
                ensure_ascii=False,
            )
        )
