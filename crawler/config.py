"""Source configuration: one YAML file per source under ``crawler/sources/``.

Real URLs and request shapes live there and stay real. Pointing a crawl at the
local source site (``FASOU_CRAWL_SITE_URL``) swaps only the base URLs, using
each file's ``local`` section, so the same spider code and request shapes run
against both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SOURCES_DIR = Path(__file__).resolve().parent / "sources"


class UnknownSource(KeyError):
    pass


@dataclass(frozen=True)
class SourceConfig:
    name: str
    title: str
    schedule: str
    options: dict[str, Any]
    local: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.options[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def base_url(self) -> str:
        return self.options["base_url"].rstrip("/")

    def selector(self, name: str) -> str:
        return self.options["selectors"][name]


def source_names() -> list[str]:
    return sorted(p.stem for p in SOURCES_DIR.glob("*.yaml"))


def load_source(name: str, site_url: str | None = None) -> SourceConfig:
    """The source's configuration; with ``site_url``, aimed at the local source site."""
    path = SOURCES_DIR / f"{name}.yaml"
    if not path.exists():
        raise UnknownSource(f"unknown source {name!r}; known: {', '.join(source_names())}")
    options = yaml.safe_load(path.read_text(encoding="utf-8"))
    local = options.pop("local", {}) or {}
    if site_url:
        root = site_url.rstrip("/")
        for key, prefix in local.items():
            options[key] = root + prefix
    return SourceConfig(
        name=options["name"],
        title=options.get("title", name),
        schedule=options.get("schedule", "0 3 * * *"),
        options=options,
        local=bool(site_url),
    )
