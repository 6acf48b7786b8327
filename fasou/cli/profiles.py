"""``fasou profiles …``: housekeeping of resident profiles and their events."""

from __future__ import annotations

from datetime import timedelta

import typer

from fasou.cli.common import opened_catalog
from fasou.config import get_settings
from fasou.profiles.events import SqlEventStore, utcnow

app = typer.Typer(help="Resident profiles and their events.", no_args_is_help=True)


@app.command("purge")
def purge(
    days: int = typer.Option(
        None, "--days", min=1, help="retention in days (default: FASOU_EVENT_RETENTION_DAYS)"
    ),
) -> None:
    """Delete events older than the retention period (a running server also does this)."""
    retention = days or get_settings().event_retention_days
    with opened_catalog() as catalog:
        removed = SqlEventStore(catalog).purge(utcnow() - timedelta(days=retention))
    typer.echo(f"purged {removed} events older than {retention} days")
