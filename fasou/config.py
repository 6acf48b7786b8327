"""Settings from the environment (``FASOU_*``), one object for every process.

Why pydantic-settings: the API, the CLI, the crawler and the scheduler must
agree on where the catalog and index live and which backend is active; one
typed object read from env removes a class of "works on my machine" bugs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FASOU_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in data_dir"
    )
    backend: Literal["tantivy", "elasticsearch"] = "tantivy"

    es_url: str = "http://127.0.0.1:9200"
    es_username: str | None = None
    es_password: str | None = None
    es_ca_certs: str | None = None
    es_verify_certs: bool = True
    es_index_prefix: str = "fasou"

    host: str = "127.0.0.1"
    port: int = 8000

    max_query_chars: int = 200
    max_page_size: int = 50
    max_page: int = 100
    index_sync_interval: float = Field(default=0.5, description="seconds between catalog polls")

    crawl_site_url: str | None = Field(
        default=None,
        description="point every source at the local source site at this URL "
        "(e.g. http://127.0.0.1:8800, from `fasou sources serve`); unset: the real sites",
    )
    crawl_lease_ttl: float = Field(default=60.0, gt=0, description="seconds a crawl lease lives")
    crawl_download_timeout: float = Field(default=30.0, gt=0)
    crawl_retry_times: int = Field(default=3, ge=0)
    crawl_concurrency: int | None = Field(
        default=None, ge=1, description="parallel requests per site; default: polite per source"
    )
    crawl_batch_docs: int = Field(default=2000, ge=1, description="documents per catalog commit")
    crawl_log_level: str = "WARNING"

    @property
    def catalog_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'catalog.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def crawl_dir(self) -> Path:
        """Scrapy JOBDIRs of crawls in progress (removed when a run finishes)."""
        return self.data_dir / "crawl"


@lru_cache
def get_settings() -> Settings:
    return Settings()
