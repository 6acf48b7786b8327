"""``/api/v1/editor/jobs``: bulk tag/untag by selection or by query, and bulk undo.

A job is queued (202) and run by one API process's job runner; poll it for
progress and the result report.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from search_api.api.deps import BulkWriter, Reader, WorkspaceDep, rate_limited
from search_api.editor_schemas import BulkJobRequest, JobList, JobOut
from search_api.schemas import error_responses

router = APIRouter(prefix="/editor", tags=["editor jobs"], dependencies=[rate_limited("editor")])
JobPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/jobs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(400, 401, 403, 413, 422, 429),
)
def submit_bulk_job(workspace: WorkspaceDep, editor: BulkWriter, body: BulkJobRequest) -> dict:
    """Tag or untag up to 50,000 documents: listed ids, or everything a search finds."""
    selection = body.selection
    job = workspace.submit_bulk(
        action=body.action,
        facet=body.facet,
        values=body.values,
        ids=selection.ids,
        query=selection.query.model_dump(mode="json") if selection.query else None,
        editor=editor.username,
    )
    return job.summary()


@router.get("/jobs", response_model=JobList, responses=error_responses(401, 403, 422, 429))
def list_jobs(
    workspace: WorkspaceDep,
    _editor: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> dict:
    return {"jobs": [j.summary() for j in workspace.jobs.list(limit=limit, before_id=before_id)]}


@router.get(
    "/jobs/{job_id}", response_model=JobOut, responses=error_responses(401, 403, 404, 422, 429)
)
def get_job(workspace: WorkspaceDep, _editor: Reader, job_id: JobPath) -> dict:
    """Status, progress (done/total) and, when finished, the result report."""
    return workspace.job(job_id).summary()


@router.post(
    "/jobs/{job_id}/undo",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 404, 409, 422, 429),
)
def undo_job(workspace: WorkspaceDep, editor: BulkWriter, job_id: JobPath) -> dict:
    """Undo every change a finished bulk job made (as a job of its own)."""
    return workspace.submit_undo_job(job_id, editor=editor.username).summary()
