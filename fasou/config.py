"""Settings from the environment (``FASOU_*``), one object for every process.

Why pydantic-settings: the API, the CLI, the crawler and the scheduler must
agree on where the catalog and index live and which backend is active; one
typed object read from env removes a class of "works on my machine" bugs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The secret key a fresh checkout runs with. Fine on a laptop; refused anywhere else.
DEV_SECRET_KEY = "fasou-development-secret-key-do-not-use-in-production"
MIN_SECRET_KEY_CHARS = 32

#: Requests per window for each rate-limited route group (``N/second|minute|hour``).
#: Groups other issues add (``suggest``, ``feed``) are configured here already.
DEFAULT_RATE_LIMITS: dict[str, str] = {
    "search": "120/minute",
    "suggest": "300/minute",
    "feed": "60/minute",
    "documents": "300/minute",
    "profiles": "120/minute",
    "login": "10/minute",
    "editor": "1200/minute",
}

ClientKey = Literal["token", "profile", "ip"]


class InsecureConfiguration(RuntimeError):
    """Settings that must not reach a server outside development (e.g. the default key)."""


def _comma_list(value: object) -> object:
    """``a,b`` or a JSON list from env; lists pass through."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            import json

            return json.loads(value)
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FASOU_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; "
        "default: SQLite file in data_dir",
    )
    backend: Literal["tantivy", "elasticsearch"] = "tantivy"

    es_url: str = Field(
        default="http://127.0.0.1:9200",
        description="node URL(s), comma-separated: the client fails over between them",
    )
    es_username: str | None = None
    es_password: str | None = None
    es_ca_certs: str | None = Field(default=None, description="CA bundle for https:// nodes")
    es_verify_certs: bool = True
    es_index_prefix: str = Field(default="fasou", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    es_shards: int = Field(default=1, ge=1, description="primary shards per index")
    es_replicas: str = Field(
        default="0-1",
        pattern=r"^\d+(-(\d+|all))?$",
        description="replicas per shard: a number, or a range for auto_expand_replicas",
    )
    es_timeout: float = Field(default=30.0, gt=0, description="seconds per request")
    es_snapshot_repository: str = Field(
        default="fasou-backups", description="snapshot repository `fasou backup` writes to"
    )
    es_snapshot_location: str | None = Field(
        default=None,
        description="register the repository as type fs at this path (must be in path.repo); "
        "unset: use a repository the operator registered, or rebuild the index on restore",
    )

    host: str = "127.0.0.1"
    port: int = 8000

    max_query_chars: int = 200
    max_page_size: int = 50
    max_page: int = 100
    max_result_window: int = Field(
        default=1000, description="page × size may not exceed this (deep paging is refused)"
    )
    max_body_bytes: int = Field(default=8 * 1024 * 1024, description="request bodies beyond: 413")
    index_sync_interval: float = Field(default=0.5, description="seconds between catalog polls")

    # -- the resident app and the mini-app API ----------------------------------
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

    # -- needs analytics ----------------------------------------------------
    analytics_dir: Path | None = Field(
        default=None, description="analytics event store; default: <data_dir>/analytics"
    )
    analytics_enabled: bool = Field(default=True, description="record analytics events")
    analytics_k: int = Field(
        default=5, ge=2, description="a query is reported once this many profiles issued it"
    )
    analytics_retention_days: int = Field(
        default=180, ge=7, description="analytics events older than this are purged"
    )
    analytics_queue_size: int = Field(
        default=10_000, ge=1, description="events waiting to be written; beyond: dropped"
    )

    # -- accounts and tokens ------------------------------------------------
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    session_minutes: int = Field(default=480, ge=1, description="lifetime of a login session")
    api_token_max_days: int = Field(default=365, ge=1)

    # -- hardening ----------------------------------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed to call the API from a browser"
    )
    rate_limits: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    rate_limit_client_key: Annotated[list[ClientKey], NoDecode] = Field(
        default_factory=lambda: ["token", "ip"],
        description="how a client is told apart, first that applies wins (token, profile, ip)",
    )
    rate_limit_max_clients: int = Field(default=100_000, description="buckets kept per process")

    # -- editor workspace ---------------------------------------------------
    max_bulk_documents: int = 50_000
    review_confidence_threshold: float = Field(default=0.6, ge=0, le=1)
    job_lease_seconds: float = Field(default=30.0, gt=0)
    job_poll_interval: float = Field(default=1.0, gt=0)
    run_jobs: bool = Field(default=True, description="run the bulk-job runner in API processes")

    # -- several workers, observability (issue 10) ------------------------------
    leader_lease_seconds: float = Field(
        default=15.0, gt=0, description="TTL of the lease naming the process that runs "
        "background work (index worker, jobs, event purge); takeover after a crash within it",
    )  # fmt: skip
    search_cache_size: int = Field(
        default=4096, ge=0, description="anonymous search responses cached per process (0: off)"
    )
    search_threads: int = Field(
        default=2,
        ge=1,
        description=(
            "searches computed in threads at once per API process (more wait their turn;"
            " a lone embedded-engine search runs on the event loop)"
        ),
    )
    ready_max_lag_revisions: int = Field(
        default=1000, ge=0, description="/healthz/ready answers 503 beyond this index lag"
    )
    workers: int = Field(default=1, ge=1, description="API worker processes of `fasou serve`")
    access_log: bool = Field(default=True, description="one JSON line per request")

    @field_validator("cors_origins", "rate_limit_client_key", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _comma_list(value)

    @field_validator("rate_limits", mode="after")
    @classmethod
    def _merge_rate_limits(cls, value: dict[str, str]) -> dict[str, str]:
        """Configure only the groups you change; the others keep their defaults."""
        from search_api.core.rate_limit import parse_rate

        merged = DEFAULT_RATE_LIMITS | value
        for rate in merged.values():
            parse_rate(rate)  # fail at start-up, not on the first request
        return merged

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
    def analytics_path(self) -> Path:
        return self.analytics_dir or self.data_dir / "analytics"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def require_secure(self) -> None:
        """Refuse to serve outside development with a default or short secret key."""
        if self.environment == "development":
            return
        key = self.secret_key.get_secret_value()
        if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_CHARS:
            raise InsecureConfiguration(
                f"FASOU_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_CHARS} characters when FASOU_ENVIRONMENT={self.environment} "
                f"(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )

    @property
    def crawl_dir(self) -> Path:
        """Scrapy JOBDIRs of crawls in progress (removed when a run finishes)."""
        return self.data_dir / "crawl"


@lru_cache
def get_settings() -> Settings:
    return Settings()
