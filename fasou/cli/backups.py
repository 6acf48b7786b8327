"""``fasou backup PATH`` / ``fasou restore PATH``: the catalog out and back (fasou.backup)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from fasou.backup import BackupError, backup, restore
from fasou.config import get_settings


def backup_command(
    path: Path = typer.Argument(..., help="a new (or empty) directory to write the backup to"),
) -> None:
    """Back up the catalog (consistent while the server runs) with a manifest."""
    try:
        manifest = backup(get_settings(), path)
    except BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"backup of the {manifest.database} catalog written to {path}: "
        f"{manifest.counts.get('documents', 0)} documents, "
        f"{manifest.counts.get('document_tags', 0)} editor tags, rev {manifest.catalog_rev}, "
        f"{manifest.seconds:.1f} s"
    )


def restore_command(
    path: Path = typer.Argument(..., help="a directory written by `fasou backup`"),
    force: bool = typer.Option(False, "--force", help="replace a catalog that is not empty"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Restore the catalog from a backup (stop the servers first), then rebuild the index."""
    try:
        report = restore(get_settings(), path, force=force)
    except BackupError as exc:
        typer.echo(f"restore failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        body = asdict(report)
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    typer.echo(
        f"restored {report.manifest.counts.get('documents', 0)} documents "
        f"(backup of {report.manifest.created_at}, rev {report.manifest.catalog_rev}); "
        f"index rebuilt: {report.indexed} documents; {report.seconds:.1f} s"
    )
