"""``fasou`` command line: import, index, serve, eval (subcommand groups in sibling modules).

Commands are registered by name and imported when they run: every command module
pulls in its own heavy stack (the web app, the search engine, numpy for analytics,
Scrapy for crawls), and a scheduled crawl should not pay seconds of start-up for
commands it never runs. ``fasou --help`` still lists (and so imports) them all.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

import click
import typer
from typer.core import TyperGroup

#: name → "module:attribute" (a ``typer.Typer`` group or a command function), in help order.
COMMANDS = {
    "serve": "fasou.cli.serving:serve",
    "eval": "fasou.cli.evaluate:eval_command",
    "schedule": "fasou.cli.scheduling:schedule_command",
    "backup": "fasou.cli.backups:backup_command",
    "restore": "fasou.cli.backups:restore_command",
    "import": "fasou.cli.importing:app",
    "index": "fasou.cli.indexing:app",
    "profiles": "fasou.cli.profiles:app",
    "users": "fasou.cli.users:app",
    "analytics": "fasou.cli.analytics:app",
    "crawl": "fasou.cli.crawling:app",
    "sources": "fasou.cli.sources:app",
}


def load_command(name: str, target: str) -> click.Command:
    """The click command ``name`` built from ``target`` exactly as ``add_typer``/``command``
    would have registered it on the main app."""
    module_name, attribute = target.split(":")
    obj = getattr(importlib.import_module(module_name), attribute)
    holder = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
    if isinstance(obj, typer.Typer):
        holder.add_typer(obj, name=name)
    else:
        holder.command(name)(obj)
    return typer.main.get_group(holder).commands[name]


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's command table: names known up front, each command built on first lookup."""

    def __init__(self, loaded: MutableMapping[str, click.Command], lazy: dict[str, str]) -> None:
        self._loaded = dict(loaded)
        self._lazy = lazy

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in self._lazy:
            self._loaded[name] = load_command(name, self._lazy[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._lazy.pop(name, None)
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._lazy, *self._loaded]))

    def __len__(self) -> int:
        return len(set(self._lazy) | set(self._loaded))


class LazyGroup(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands, dict(COMMANDS))


app = typer.Typer(
    cls=LazyGroup,
    help="法搜 (fasou): legal search for residents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _configure(verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
