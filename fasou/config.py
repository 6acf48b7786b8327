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

    # -- the resident app and the mini-app API ----------------------------------
    cors_origins: list[str] = Field(
        default_factory=list,
        description='origins allowed to call the API from a browser, JSON list: ["https://…"]',
    )
    media_fallback: str | None = Field(
        default="/static/media/pufa-sample.webm",
        description=(
            "local video played instead of a video's remote play_url, labelled as a sample, "
            "for deployments that cannot reach the publishers' sites; empty = play remote URLs"
        ),
    )

    # -- personalisation ------------------------------------------------------
    event_retention_days: int = Field(
        default=180, ge=1, description="profile events older than this are purged"
    )
    event_purge_interval_hours: float = Field(default=6.0, gt=0)
    interest_half_life_days: float = Field(
        default=30.0, gt=0, description="an event's weight halves every this many days"
    )
    profile_cache_seconds: float = Field(
        default=10.0, ge=0, description="how long a process reuses a computed profile"
    )

    @property
    def catalog_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'catalog.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
