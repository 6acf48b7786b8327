"""Helpers shared by CLI commands: open the configured catalog and backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from fasou.config import get_settings
from indexer.catalog import Catalog

if TYPE_CHECKING:
    from indexer.backends.base import SearchBackend


@contextmanager
def opened_catalog() -> Iterator[Catalog]:
    catalog = Catalog.open(get_settings().catalog_url)
    try:
        yield catalog
    finally:
        catalog.close()


@contextmanager
def opened_backend() -> Iterator[SearchBackend]:
    # Imported here: the search stack (analysis, tantivy) is seconds of start-up that
    # catalog-only commands (a crawl with --no-index) never need.
    from indexer.backends.factory import open_backend

    backend = open_backend(get_settings())
    try:
        yield backend
    finally:
        backend.close()


def update_index(catalog: Catalog) -> None:
    """Index what the catalog gained; a running server's worker does it if it holds the writer."""
    from indexer.backends.base import IndexBusy
    from indexer.sync import ensure_index

    with opened_backend() as backend:
        try:
            typer.echo(f"index: {ensure_index(catalog, backend)}")
        except IndexBusy:
            typer.echo(
                "index: writer held by another process (a running server applies the changes)"
            )
