"""``fasou`` command line: import, index, serve, eval (subcommand groups in sibling modules)."""

from __future__ import annotations

import logging

import typer

from fasou.cli import (
    analytics,
    backups,
    crawling,
    evaluate,
    importing,
    indexing,
    profiles,
    scheduling,
    serving,
    sources,
    users,
)

app = typer.Typer(
    help="法搜 (fasou): legal search for residents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(importing.app, name="import")
app.add_typer(indexing.app, name="index")
app.add_typer(profiles.app, name="profiles")
app.add_typer(users.app, name="users")
app.add_typer(analytics.app, name="analytics")
app.command("serve")(serving.serve)
app.command("eval")(evaluate.eval_command)
app.add_typer(crawling.app, name="crawl")
app.add_typer(sources.app, name="sources")
app.command("schedule")(scheduling.schedule_command)
app.command("backup")(backups.backup_command)
app.command("restore")(backups.restore_command)


@app.callback()
def _configure(verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
