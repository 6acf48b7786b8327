"""``fasou analytics …``: the needs-analytics event store (generate, purge, drop)."""

from __future__ import annotations

import time
from datetime import date, timedelta

import typer

from fasou.analytics.events import week_of
from fasou.analytics.generate import GeneratorConfig, generate
from fasou.analytics.store import AnalyticsStore
from fasou.config import get_settings
from fasou.profiles.events import utcnow

app = typer.Typer(help="Needs analytics: the event store behind the editors' reports.")


def _store() -> AnalyticsStore:
    return AnalyticsStore(get_settings().analytics_path)


@app.command("generate")
def generate_command(
    events: int = typer.Option(1_000_000, min=1, help="how many events"),
    profiles: int = typer.Option(20_000, min=10, help="how many residents"),
    weeks: int = typer.Option(8, min=1, max=26),
    last_week: str = typer.Option("", help="a day of the last week (default: this week)"),
    seed: int = typer.Option(9),
) -> None:
    """Append a synthetic event stream with planted needs and gaps (for demos and benches)."""
    last = week_of(date.fromisoformat(last_week)) if last_week else week_of(date.today())
    store = _store()
    started = time.perf_counter()
    counts = generate(
        store,
        GeneratorConfig(events=events, profiles=profiles, weeks=weeks, last_week=last, seed=seed),
    )
    took = time.perf_counter() - started
    typer.echo(f"wrote {sum(counts.values())} events in {took:.1f} s to {store.root}: {counts}")


@app.command("purge")
def purge(
    days: int = typer.Option(
        None, "--days", min=1, help="retention (default: FASOU_ANALYTICS_RETENTION_DAYS)"
    ),
) -> None:
    """Delete events older than the retention period (a running server also does this)."""
    retention = days or get_settings().analytics_retention_days
    removed = _store().purge(utcnow() - timedelta(days=retention))
    typer.echo(f"purged {removed} analytics events older than {retention} days")


@app.command("drop")
def drop(yes: bool = typer.Option(False, "--yes", help="really delete")) -> None:
    """Delete every analytics event and the pseudonym key (profiles are untouched)."""
    if not yes:
        typer.echo("refusing without --yes", err=True)
        raise typer.Exit(2)
    _store().drop()
    typer.echo("analytics store emptied")
