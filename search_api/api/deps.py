"""Dependencies as ``Annotated`` aliases: routes declare what they need by type."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fasou.config import Settings
from fasou.profiles import ProfileService
from indexer.catalog import Catalog
from indexer.search.feed import FeedBuilder
from indexer.search.service import SearchService
from search_api.core.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_settings_dep(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Settings:
    return runtime.settings


def get_catalog(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Catalog:
    return runtime.catalog


def get_search(runtime: Annotated[Runtime, Depends(get_runtime)]) -> SearchService:
    return runtime.search


def get_profiles(runtime: Annotated[Runtime, Depends(get_runtime)]) -> ProfileService:
    assert runtime.profiles is not None
    return runtime.profiles


def get_feed(runtime: Annotated[Runtime, Depends(get_runtime)]) -> FeedBuilder:
    assert runtime.feed is not None
    return runtime.feed


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SearchDep = Annotated[SearchService, Depends(get_search)]
ProfilesDep = Annotated[ProfileService, Depends(get_profiles)]
FeedDep = Annotated[FeedBuilder, Depends(get_feed)]
