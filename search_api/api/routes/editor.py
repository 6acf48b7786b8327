"""``/api/v1/editor/…``: editors find documents, review suggestions, change tags, read
the audit log and undo changes. Bulk jobs: ``editor_jobs``.

Every write goes through the workspace (``search_api.core.workspace``), which
writes the catalog with an audit entry and wakes the index worker.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from indexer.editorial.vocabulary import tag_vocabulary
from search_api.api.deps import (
    Reader,
    SearchQuery,
    SettingsDep,
    WorkspaceDep,
    Writer,
    check_query_text,
    query_model,
    query_model_openapi,
    rate_limited,
)
from search_api.api.errors import ApiError
from search_api.editor_schemas import (
    AuditPage,
    EditorDocument,
    EditorSearchResponse,
    Facet,
    ReviewQueue,
    SuggestionDecision,
    TagChange,
    TagChangeRequest,
    TagChangeResult,
    Vocabulary,
)
from search_api.schemas import error_responses

router = APIRouter(prefix="/editor", tags=["editor"], dependencies=[rate_limited("editor")])
READ_ERRORS = error_responses(400, 401, 403, 422, 429)
DocPath = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/vocabulary", response_model=Vocabulary, responses=READ_ERRORS)
def vocabulary(_editor: Reader) -> dict:
    """Tag values editors can use (taxonomy ids → Chinese labels)."""
    return tag_vocabulary()


@router.get(
    "/documents",
    response_model=EditorSearchResponse,
    responses=READ_ERRORS,
    openapi_extra=query_model_openapi(SearchQuery),
)
def find_documents(
    workspace: WorkspaceDep,
    settings: SettingsDep,
    _editor: Reader,
    params: Annotated[SearchQuery, query_model(SearchQuery)],
) -> dict:
    """Search like residents do, with every hit's source tags, editor decisions and suggestions."""
    check_query_text(params.q, settings)
    paging = params.paging(settings)
    return workspace.find(params.q, params.filters(), paging.page, paging.size)


@router.get(
    "/documents/{doc_id}",
    response_model=EditorDocument,
    responses=error_responses(401, 403, 404, 422, 429),
)
def get_document(workspace: WorkspaceDep, _editor: Reader, doc_id: DocPath) -> dict:
    """A document with, per facet, source tags, decisions, effective tags, suggestions
    (confidence, provenance), and its recent tag history."""
    return workspace.document(doc_id)


@router.patch(
    "/documents/{doc_id}/tags",
    response_model=TagChangeResult,
    responses=error_responses(400, 401, 403, 404, 413, 422, 429),
)
def change_tags(
    workspace: WorkspaceDep, editor: Writer, doc_id: DocPath, body: TagChangeRequest
) -> dict:
    """Add, remove, or clear (back to the source's) values of one facet; audited."""
    return workspace.change_tags(
        doc_id,
        body.facet,
        add=body.add,
        remove=body.remove,
        clear=body.clear,
        editor=editor.username,
    )


@router.post(
    "/documents/{doc_id}/suggestions",
    response_model=TagChangeResult,
    responses=error_responses(400, 401, 403, 404, 413, 422, 429),
)
def decide_suggestion(
    workspace: WorkspaceDep, editor: Writer, doc_id: DocPath, body: SuggestionDecision
) -> dict:
    """Accept (tag added) or reject (tag removed) an automatic suggestion."""
    return workspace.decide_suggestion(
        doc_id, body.facet, body.value, body.decision == "accept", editor=editor.username
    )


@router.get("/review", response_model=ReviewQueue, responses=READ_ERRORS)
def review_queue(
    workspace: WorkspaceDep,
    _editor: Reader,
    facet: Facet | None = None,
    max_confidence: Annotated[
        float | None, Query(ge=0, le=1, description="默认: FASOU_REVIEW_CONFIDENCE_THRESHOLD")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict:
    """Undecided suggestions below the confidence threshold, least confident first."""
    return workspace.review_queue(facet, max_confidence, limit, offset)


@router.get("/audit", response_model=AuditPage, responses=READ_ERRORS)
def audit_log(
    workspace: WorkspaceDep,
    _editor: Reader,
    editor: Annotated[str | None, Query(max_length=64, description="编辑用户名")] = None,
    doc_id: Annotated[str | None, Query(max_length=64)] = None,
    job_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    since: Annotated[date | None, Query(description="起始日期 (含)")] = None,
    until: Annotated[date | None, Query(description="截止日期 (含)")] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="翻页")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict:
    """Tag changes, newest first: who, when, before, after, and the bulk job if any."""
    if since and until and since > until:
        raise ApiError(422, "validation_error", "since is after until", "since")
    return workspace.audit(
        editor=editor,
        doc_id=doc_id,
        job_id=job_id,
        since=datetime.combine(since, time()) if since else None,
        until=datetime.combine(until + timedelta(days=1), time()) if until else None,
        before_id=before_id,
        limit=limit,
    )


@router.post(
    "/audit/{change_id}/undo",
    response_model=TagChange,
    responses=error_responses(401, 403, 404, 409, 422, 429),
)
def undo_change(
    workspace: WorkspaceDep,
    editor: Writer,
    change_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> dict:
    """Restore the document's decisions from before this change (409 if changed since)."""
    return workspace.undo_change(change_id, editor=editor.username)
