"""Audience and topic taxonomies: versioned YAML beside this file, validated on load.

Ids are stable slugs stored in data, APIs and the index; labels, descriptions
and synonyms are what residents and editors read and type. The synonyms also
drive the transparent tagging rules (``indexer.tagging``) and the reading of
search events into interests, so a bad entry fails loudly at load time.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fasou.yamlconfig import ConfigError, load_yaml_model

TAXONOMY_DIR = Path(__file__).resolve().parent
SLUG = r"^[a-z][a-z0-9_]{1,39}$"

__all__ = [
    "TAXONOMY_DIR",
    "Audience",
    "AudienceTaxonomy",
    "ConfigError",
    "Taxonomy",
    "Topic",
    "TopicTaxonomy",
    "load_taxonomy",
    "taxonomy",
]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1, max_length=40)
    description: str = ""
    synonyms: tuple[str, ...] = ()

    @field_validator("synonyms", mode="before")
    @classmethod
    def _text_synonyms(cls, value: object) -> object:
        # 12348 is read by YAML as a number; a synonym is what a resident types.
        if isinstance(value, list):
            return tuple(str(v) for v in value)
        return value

    @field_validator("synonyms")
    @classmethod
    def _non_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not s.strip() for s in value):
            raise ValueError("synonyms must not be empty strings")
        return tuple(s.strip() for s in value)

    @property
    def terms(self) -> tuple[str, ...]:
        """Label parts and synonyms: every surface form that names this entry."""
        plain = re.sub(r"[(（][^)）]*[)）]", "", self.label)  # 村(社区)干部 → 村干部
        parts = [p for p in plain.split("/") if len(p) >= 2]
        return tuple(dict.fromkeys([*parts, *self.synonyms]))


class Audience(_Entry):
    pass


class Topic(_Entry):
    pass


def _unique_ids(entries: tuple[_Entry, ...], kind: str) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            raise ValueError(f"{kind}[{index}]: duplicate id {entry.id!r}")
        seen.add(entry.id)


class AudienceTaxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1)
    audiences: tuple[Audience, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids(self) -> AudienceTaxonomy:
        _unique_ids(self.audiences, "audiences")
        return self


class TopicTaxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1)
    topics: tuple[Topic, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids(self) -> TopicTaxonomy:
        _unique_ids(self.topics, "topics")
        return self


class Taxonomy:
    """Both taxonomies, with id lookups."""

    def __init__(self, audiences: AudienceTaxonomy, topics: TopicTaxonomy) -> None:
        self.audiences = {a.id: a for a in audiences.audiences}
        self.topics = {t.id: t for t in topics.topics}
        self.version = f"a{audiences.version}.t{topics.version}"

    def ids(self, facet: str) -> frozenset[str]:
        return frozenset(self.audiences if facet == "audience" else self.topics)

    def entries(self, facet: str) -> list[_Entry]:
        return list((self.audiences if facet == "audience" else self.topics).values())


def load_taxonomy(directory: Path = TAXONOMY_DIR) -> Taxonomy:
    """Load and validate ``audiences.yaml`` and ``topics.yaml`` (raises ConfigError)."""
    return Taxonomy(
        load_yaml_model(directory / "audiences.yaml", AudienceTaxonomy),
        load_yaml_model(directory / "topics.yaml", TopicTaxonomy),
    )


@cache
def taxonomy() -> Taxonomy:
    """The taxonomy shipped with this version (loaded once per process)."""
    return load_taxonomy()
