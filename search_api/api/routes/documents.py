"""``GET /api/v1/documents/{id}``: one document from the catalog, with its linked content.

An article page lists the cases, videos and 普法 articles citing it; a case lists
the articles it cites; every page offers related items (``indexer.search.links``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from indexer.search.links import document_links
from search_api.api.deps import CatalogDep, RuntimeDep, rate_limited
from search_api.api.errors import ApiError
from search_api.schemas import DocumentResponse, error_responses

router = APIRouter(tags=["documents"], dependencies=[rate_limited("documents")])


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentResponse,
    responses=error_responses(401, 404, 422, 429),
)
def get_document(
    catalog: CatalogDep,
    runtime: RuntimeDep,
    doc_id: Annotated[str, Path(min_length=1, max_length=64)],
    links: Annotated[bool, Query(description="附带引用/被引用/相关内容")] = True,
) -> dict:
    record = catalog.get(doc_id)
    if record is None:
        raise ApiError(
            404, "not_found", f"no document with id {doc_id!r}", field="doc_id", location="path"
        )
    record.pop("rev", None)
    if links:
        record["links"] = document_links(catalog, runtime.backend, record)
    # Every automatic suggestion with confidence and provenance, for review; the
    # effective tags above already reflect editors' decisions.
    record["suggestions"] = catalog.suggestions(doc_id)
    if record["type"] == "statute_article":
        # The cases, videos and articles that cite this article (from their parsed citations).
        record["cited_by"] = catalog.links_to(doc_id)
    return record
