"""``fasou index …``: rebuild, sync and inspect the search index."""

from __future__ import annotations

import json
import time

import typer

from fasou.cli.common import opened_backend, opened_catalog
from indexer.sync import ensure_index, rebuild
from indexer.verify import verify_index

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


@app.command("verify")
def verify_command(
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    examples: int = typer.Option(20, "--examples", min=0, help="ids listed per difference"),
) -> None:
    """Compare index and catalog (count, per-id content + tags); exit status 1 if they differ."""
    with opened_catalog() as catalog, opened_backend() as backend:
        report = verify_index(catalog, backend)
    body = report.as_dict(examples)
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False))
    else:
        typer.echo(
            f"{report.backend}: catalog {report.catalog_documents} documents (rev "
            f"{report.catalog_rev}), index {report.index_documents} (rev {report.applied_rev})"
        )
        for name in ("missing", "extra", "stale"):
            if body[name]["count"]:
                shown = " ".join(body[name]["examples"])
                typer.echo(f"  {name}: {body[name]['count']}  {shown}")
        typer.echo("ok: index matches catalog" if report.ok else "DIFFERENT: index != catalog")
    if not report.ok:
        raise typer.Exit(1)
