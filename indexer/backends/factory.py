"""Pick the configured backend (``FASOU_BACKEND``)."""

from __future__ import annotations

from fasou.config import Settings
from indexer.backends.base import SearchBackend


def open_backend(settings: Settings) -> SearchBackend:
    if settings.backend == "tantivy":
        from indexer.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.index_dir / "tantivy")
    raise ValueError(f"backend {settings.backend!r} is not available in this build")
