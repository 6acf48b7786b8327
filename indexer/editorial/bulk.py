"""Bulk tag jobs and bulk undo: what a claimed job does, step by step.

A job resolves its targets once (ids given, or "everything this search
finds") and stores them with the job, so a job resumed by another process
does exactly the same work. Each step tags up to ``STEP`` documents in one
catalog transaction that also records the job's progress and renews its
lease (``JobStore.step``): a step either happens completely, counted once, or
not at all.

Index pacing: after each step the runner waits (bounded) until the index has
applied the previous step, so the index never falls more than one step behind
and a finished job is searchable almost at once. The job is "done" when the
index has applied its last step; the report says how long that took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from indexer.catalog import Catalog, tagging
from indexer.catalog.jobs import DONE, Job, JobStore
from indexer.catalog.tagging import TagEdit, TagWriteResult
from indexer.search.service import SearchService
from indexer.search.types import Filters

BULK_TAG, UNDO_JOB = "bulk_tag", "undo_job"
STEP = 1000
#: Ids reported per category (missing, conflicts); counts are always complete.
REPORTED_IDS = 20


class JobError(ValueError):
    """A job that cannot run as asked (e.g. the query matches too many documents)."""


class Interrupted(RuntimeError):
    """The process is stopping; the job stays claimable and resumes elsewhere or later."""


def filters_from_params(data: dict[str, Any]) -> Filters:
    """The search filters of a bulk query as stored in job params (JSON-friendly lists)."""
    return Filters(
        types=list(data.get("type") or []),
        statuses=list(data.get("status") or []),
        levels=list(data.get("level") or []),
        departments=list(data.get("department") or []),
        regions=list(data.get("region") or []),
        audiences=list(data.get("audience") or []),
        topics=list(data.get("topic") or []),
    )


@dataclass
class JobContext:
    """What running a job needs from its process."""

    catalog: Catalog
    jobs: JobStore
    search: SearchService
    owner: str
    lease_seconds: float
    max_documents: int
    #: Called after each committed step with its revision (wakes the index worker).
    after_write: Callable[[int], None] = lambda _rev: None
    #: The revision the index has applied (None: do not pace, e.g. no index here).
    applied_rev: Callable[[], int] | None = None
    index_wait_seconds: float = 30.0
    should_stop: Callable[[], bool] = lambda: False


def resolve_targets(job: Job, ctx: JobContext) -> list[Any]:
    if job.kind == UNDO_JOB:
        with ctx.catalog.engine.connect() as conn:
            return tagging.job_change_ids(conn, int(job.params["job_id"]))
    selection = job.params["selection"]
    if "ids" in selection:
        return list(dict.fromkeys(selection["ids"]))
    query = selection["query"]
    total, ids = ctx.search.matching_ids(
        query["q"], filters=filters_from_params(query), limit=ctx.max_documents + 1
    )
    if total > ctx.max_documents:
        raise JobError(f"the query matches {total} documents; at most {ctx.max_documents} per job")
    return ids


def _edits(job: Job, doc_ids: list[str]) -> list[TagEdit]:
    values = tuple(job.params["values"])
    facet = job.params["facet"]
    if job.params["action"] == "tag":
        return [TagEdit(doc_id, facet, add=values) for doc_id in doc_ids]
    return [TagEdit(doc_id, facet, remove=values) for doc_id in doc_ids]


def _count(report: dict[str, Any], result: TagWriteResult) -> dict[str, Any]:
    out = dict(report)
    out["changed"] = out.get("changed", 0) + len(result.changed_docs)
    out["unchanged"] = out.get("unchanged", 0) + len(result.unchanged)
    out["missing"] = out.get("missing", 0) + len(result.missing)
    out["missing_ids"] = (out.get("missing_ids", []) + result.missing)[:REPORTED_IDS]
    if "conflicts" in out:
        out["conflicts"] = out.get("conflicts", 0) + len(result.conflicts)
        out["conflict_ids"] = (out.get("conflict_ids", []) + result.conflicts)[:REPORTED_IDS]
    if result.rev is not None:
        out["last_rev"] = result.rev
    return out


def _wait_for_index(ctx: JobContext, rev: int | None) -> bool:
    if rev is None or ctx.applied_rev is None:
        return True
    deadline = time.monotonic() + ctx.index_wait_seconds
    while ctx.applied_rev() < rev:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def run_job(job: Job, ctx: JobContext) -> None:
    """Run (or resume) a claimed job to the end. Raises LeaseLost if another process took it."""
    if job.targets is None:
        targets = resolve_targets(job, ctx)
        report: dict[str, Any] = {"matched": len(targets), "changed": 0, "unchanged": 0}
        report |= {"missing": 0, "missing_ids": []}
        if job.kind == UNDO_JOB:
            report |= {"conflicts": 0, "conflict_ids": []}
        with ctx.catalog.writing() as conn:
            ctx.jobs.step(
                conn,
                job,
                ctx.owner,
                ctx.lease_seconds,
                targets=targets,
                total=len(targets),
                report=report,
            )
    assert job.targets is not None
    previous_rev: int | None = None
    for start in range(job.done, job.total, STEP):
        if ctx.should_stop():
            raise Interrupted(f"job {job.id} interrupted at {start}/{job.total}")
        chunk = job.targets[start : start + STEP]
        with ctx.catalog.writing() as conn:
            if job.kind == UNDO_JOB:
                result = tagging.undo_changes(conn, chunk, editor=job.created_by, job_id=job.id)
            else:
                result = tagging.write_tags(
                    conn, _edits(job, chunk), editor=job.created_by, job_id=job.id
                )
            ctx.jobs.step(
                conn,
                job,
                ctx.owner,
                ctx.lease_seconds,
                done=start + len(chunk),
                report=_count(job.report, result),
            )
        if result.rev is not None:
            ctx.after_write(result.rev)
            _wait_for_index(ctx, previous_rev)
            previous_rev = result.rev
    written = time.monotonic()
    indexed = _wait_for_index(ctx, job.report.get("last_rev"))
    report = dict(job.report)
    report["indexed"] = indexed
    report["index_wait_seconds"] = round(time.monotonic() - written, 3)
    ctx.jobs.finish(job, ctx.owner, DONE, report=report)
