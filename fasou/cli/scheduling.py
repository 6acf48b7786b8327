"""``fasou schedule``: the long-running crawl scheduler (a service in docker-compose)."""

from __future__ import annotations

import signal
from datetime import UTC, datetime

import typer

from crawler.config import load_source, source_names
from fasou.cli.common import opened_catalog


def schedule_command(
    only: list[str] = typer.Option(None, "--only", help="schedule only these sources"),
    cron: list[str] = typer.Option(
        None, "--cron", help="override a schedule: SOURCE=EXPR (5 fields, or 6 with seconds)"
    ),
    max_seconds: float = typer.Option(None, "--max-seconds", help="stop after this long"),
) -> None:
    """Run every source's crawl on its cron expression (from crawler/sources/*.yaml)."""
    from crawler.runner import lease_name
    from crawler.scheduler import Scheduler
    from indexer.catalog.leases import Leases, new_owner

    sources = only or source_names()
    schedules = {s: load_source(s).schedule for s in sources}
    for entry in cron or []:
        source, _, expr = entry.partition("=")
        if source not in schedules or not expr:
            raise typer.BadParameter(f"expected SOURCE=EXPR for a scheduled source: {entry!r}")
        schedules[source] = expr
    with opened_catalog() as catalog:
        leases = Leases(catalog)

        def busy(source: str) -> bool:
            lease = leases.get(lease_name(source))
            return lease is not None and not lease.expired

        owner = new_owner()

        def claim(source: str, slot: float) -> bool:
            at = datetime.fromtimestamp(slot, UTC).replace(tzinfo=None)
            return leases.claim_slot(f"crawl-schedule:{source}", owner, at)

        try:
            scheduler = Scheduler(schedules, is_busy=busy, claim=claim)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--cron") from exc
        signal.signal(signal.SIGTERM, lambda *_: scheduler.stopping.set())
        for source, expr in schedules.items():
            typer.echo(f"{source}: {expr}")
        try:
            scheduler.run(max_seconds)
        except KeyboardInterrupt:
            scheduler.stopping.set()
