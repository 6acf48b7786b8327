"""Bulk jobs in the catalog: progress, exactly-once steps, leases, two processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.catalog import Catalog
from indexer.catalog.jobs import DONE, RUNNING, JobStore, LeaseLost
from indexer.catalog.tables import jobs as jobs_table
from indexer.catalog.tables import tag_changes
from indexer.editorial import bulk
from indexer.editorial.bulk import BULK_TAG, UNDO_JOB, Interrupted, JobContext, run_job
from indexer.models import Article
from tests.catalog_db import catalog_url

REPO = Path(__file__).resolve().parents[2]


def articles(n: int, prefix: str = "文章") -> list[Article]:
    return [Article(title=f"{prefix}{i}", body="正文", source="t").finalize() for i in range(n)]


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    cat = Catalog.open(catalog_url(tmp_path))
    yield cat
    cat.close()


def context(catalog: Catalog, owner: str, lease: float = 30.0) -> JobContext:
    return JobContext(
        catalog=catalog,
        jobs=JobStore(catalog),
        search=None,  # type: ignore[arg-type]  # id selections only
        owner=owner,
        lease_seconds=lease,
        max_documents=50_000,
    )


def tag_job(store: JobStore, ids: list[str], value: str = "elderly") -> int:
    params = {"action": "tag", "facet": "audience", "values": [value], "selection": {"ids": ids}}
    return store.submit(BULK_TAG, params, "ed").id


def audit_rows(catalog: Catalog, job_id: int) -> list[str]:
    with catalog.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(tag_changes.c.doc_id).where(tag_changes.c.job_id == job_id)
            ).scalars()
        )


def test_job_reports_progress_and_result(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "STEP", 10)
    docs = articles(35)
    catalog.upsert(docs)
    catalog.set_tags(docs[0].id, "audience", add=["elderly"], editor="earlier")
    ids = [d.id for d in docs] + ["art-missing"]
    ctx = context(catalog, "A")
    job_id = tag_job(ctx.jobs, ids)
    seen: list[int] = []
    ctx.after_write = lambda _rev: seen.append(ctx.jobs.get(job_id).done)
    run_job(ctx.jobs.claim("A", 30), ctx)
    job = ctx.jobs.get(job_id)
    assert job.status == DONE and job.done == job.total == 36
    assert seen == [10, 20, 30, 36]  # progress committed with each step
    assert job.report | {"index_wait_seconds": 0} == {
        "matched": 36,
        "changed": 34,
        "unchanged": 1,
        "missing": 1,
        "missing_ids": ["art-missing"],
        "last_rev": catalog.max_rev(),
        "indexed": True,
        "index_wait_seconds": 0,
    }
    assert sorted(audit_rows(catalog, job_id)) == sorted(d.id for d in docs[1:])


def test_a_crashed_job_resumes_elsewhere_exactly_once(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "STEP", 10)
    docs = articles(45)
    catalog.upsert(docs)
    crashing = context(catalog, "A", lease=0.3)
    job_id = tag_job(crashing.jobs, [d.id for d in docs])
    steps = iter(range(100))
    crashing.should_stop = lambda: next(steps) >= 2  # "dies" after two steps
    with pytest.raises(Interrupted):
        run_job(crashing.jobs.claim("A", 0.3), crashing)  # no release: as if killed
    assert crashing.jobs.get(job_id).done == 20
    rescuer = context(catalog, "B")
    assert rescuer.jobs.claim("B", 30) is None  # the lease still holds
    time.sleep(0.35)
    job = rescuer.jobs.claim("B", 30)
    assert job is not None and job.attempts == 2 and job.done == 20
    run_job(job, rescuer)
    assert rescuer.jobs.get(job_id).status == DONE
    assert sorted(audit_rows(catalog, job_id)) == sorted(d.id for d in docs)  # once each


def test_a_stalled_owner_cannot_commit_after_losing_its_lease(catalog: Catalog) -> None:
    docs = articles(5)
    catalog.upsert(docs)
    store = JobStore(catalog)
    job_id = tag_job(store, [d.id for d in docs])
    stale = store.claim("A", 0.05)
    time.sleep(0.1)
    assert store.claim("B", 30).id == job_id
    with pytest.raises(LeaseLost), catalog.writing() as conn:
        from indexer.catalog import tagging

        tagging.write_tags(conn, bulk._edits(stale, [d.id for d in docs]), editor="ed")
        store.step(conn, stale, "A", 30, done=5)
    assert audit_rows(catalog, job_id) == [] and catalog.get(docs[0].id)["audiences"] == []


def test_undo_job_restores_everything_the_job_did(catalog: Catalog) -> None:
    docs = articles(30)
    catalog.upsert(docs)
    catalog.set_tags(docs[0].id, "audience", add=["women"], editor="earlier")
    before = {d.id: catalog.get(d.id) for d in docs}
    ctx = context(catalog, "A")
    job_id = tag_job(ctx.jobs, [d.id for d in docs])
    run_job(ctx.jobs.claim("A", 30), ctx)
    assert all("elderly" in catalog.get(d.id)["audiences"] for d in docs)
    undo_id = ctx.jobs.submit(UNDO_JOB, {"job_id": job_id}, "ed").id
    run_job(ctx.jobs.claim("A", 30), ctx)
    undo = ctx.jobs.get(undo_id)
    assert undo.report["changed"] == 30 and undo.report["conflicts"] == 0
    after = {d.id: catalog.get(d.id) for d in docs}
    strip = lambda r: {k: v for k, v in r.items() if k != "rev"}  # noqa: E731
    assert {i: strip(r) for i, r in after.items()} == {i: strip(r) for i, r in before.items()}


RUNNER = textwrap.dedent(
    """
    import sys, time
    from indexer.catalog import Catalog
    from indexer.catalog.jobs import JobStore
    from indexer.editorial.bulk import JobContext
    from indexer.editorial.runner import JobRunner, owner_id

    catalog = Catalog.open(sys.argv[1])
    ctx = JobContext(catalog=catalog, jobs=JobStore(catalog), search=None, owner=owner_id(),
                     lease_seconds=30, max_documents=50000)
    runner = JobRunner(ctx, poll_interval=0.05)
    runner.start()
    deadline = time.monotonic() + 120
    while JobStore(catalog).active() and time.monotonic() < deadline:
        time.sleep(0.1)
    runner.stop(); runner.join()
    print(ctx.owner)
    """
)


def test_two_processes_run_each_job_exactly_once(catalog: Catalog, tmp_path: Path) -> None:
    docs = articles(300)
    catalog.upsert(docs)
    store = JobStore(catalog)
    values = ["elderly", "women", "farmers", "veterans", "disabled", "residents"]
    job_ids = [tag_job(store, [d.id for d in docs[i::3]], v) for i, v in enumerate(values)]
    url = str(catalog.engine.url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, url], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    owners = {p.communicate(timeout=180)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    with catalog.engine.connect() as conn:
        rows = conn.execute(sa.select(jobs_table)).all()
    assert {r.status for r in rows} == {DONE} and {r.attempts for r in rows} == {1}
    assert {r.owner for r in rows} <= owners
    for job_id, i in zip(job_ids, range(len(values)), strict=True):
        assert sorted(audit_rows(catalog, job_id)) == sorted(d.id for d in docs[i::3])
    assert RUNNING not in {r.status for r in rows}
