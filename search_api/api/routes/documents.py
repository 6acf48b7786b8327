"""``GET /api/v1/documents/{id}``: one document from the catalog (the source of truth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from search_api.api.deps import CatalogDep
from search_api.api.errors import ApiError
from search_api.schemas import ERROR_RESPONSES, DocumentResponse

router = APIRouter(tags=["documents"])


@router.get("/documents/{doc_id}", response_model=DocumentResponse, responses=ERROR_RESPONSES)
def get_document(
    catalog: CatalogDep, doc_id: Annotated[str, Path(min_length=1, max_length=64)]
) -> dict:
    record = catalog.get(doc_id)
    if record is None:
        raise ApiError(
            404, "not_found", f"no document with id {doc_id!r}", field="doc_id", location="path"
        )
    record.pop("rev", None)
    if record["type"] == "statute_article":
        # The cases, videos and articles that cite this article (from their parsed citations).
        record["cited_by"] = catalog.links_to(doc_id)
    return record
