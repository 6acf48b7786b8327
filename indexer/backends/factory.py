"""Pick the configured backend (``FASOU_BACKEND``)."""

from __future__ import annotations

from fasou.config import Settings
from indexer.backends.base import SearchBackend


def open_backend(settings: Settings) -> SearchBackend:
    if settings.backend == "tantivy":
        from indexer.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.index_dir / "tantivy")
    if settings.backend == "elasticsearch":
        from indexer.backends.elasticsearch_backend import ElasticsearchBackend

        return ElasticsearchBackend.from_settings(settings)
    raise ValueError(f"backend {settings.backend!r} is not available in this build")
