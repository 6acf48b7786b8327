"""Background jobs in the catalog, claimed under a lease.

Several API processes may run a job runner against one catalog. A job is
claimed by a conditional UPDATE inside a write transaction (queued, or running
with an expired lease), so exactly one process owns it. The owner renews the
lease with every step it commits, *in the same transaction as the step's
work*: a step that commits is counted, and a process that lost its lease (it
stalled past the lease and another process took over) cannot commit another
step. A crashed owner's job is resumed from its last committed step once the
lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.catalog.revisions import utcnow
from indexer.catalog.tables import jobs

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)


class LeaseLost(RuntimeError):
    """This process no longer owns the job (another process claimed it after a stall)."""


@dataclass
class Job:
    id: int
    kind: str
    status: str
    params: dict[str, Any]
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    owner: str | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    targets: list[Any] | None = None
    total: int = 0
    done: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> Job:
        return cls(**dict(row._mapping))

    def summary(self) -> dict[str, Any]:
        """What APIs show: no target list, and a count instead of up to 50k selected ids."""
        params = dict(self.params)
        selection = params.get("selection")
        if isinstance(selection, dict) and "ids" in selection:
            params["selection"] = {k: v for k, v in selection.items() if k != "ids"} | {
                "id_count": len(selection["ids"])
            }
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "params": params,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "total": self.total,
            "done": self.done,
            "progress": round(self.done / self.total, 4) if self.total else 0.0,
            "report": self.report,
            "error": self.error,
        }


class JobStore:
    def __init__(self, catalog: Any) -> None:  # Catalog (avoids an import cycle)
        self.catalog = catalog

    def submit(self, kind: str, params: dict[str, Any], created_by: str) -> Job:
        with self.catalog.writing() as conn:
            job_id = conn.execute(
                jobs.insert()
                .values(
                    kind=kind,
                    status=QUEUED,
                    params=params,
                    created_by=created_by,
                    created_at=utcnow(),
                    attempts=0,
                    total=0,
                    done=0,
                    report={},
                )
                .returning(jobs.c.id)
            ).scalar_one()
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: int) -> Job | None:
        with self.catalog.engine.connect() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
        return Job.from_row(row) if row else None

    def list(self, *, limit: int = 50, before_id: int | None = None) -> list[Job]:
        query = sa.select(jobs).order_by(jobs.c.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(jobs.c.id < before_id)
        with self.catalog.engine.connect() as conn:
            return [Job.from_row(row) for row in conn.execute(query)]

    @staticmethod
    def _claimable(now: datetime) -> Any:
        return sa.or_(
            jobs.c.status == QUEUED,
            sa.and_(jobs.c.status == RUNNING, jobs.c.lease_until < now),
        )

    def claim(self, owner: str, lease_seconds: float) -> Job | None:
        """Take the oldest claimable job, or None. Atomic across processes.

        An idle poll only reads: the write lock (which imports and editors
        share) is taken only when there is something to claim.
        """
        with self.catalog.engine.connect() as conn:
            waiting = conn.execute(
                sa.select(jobs.c.id).where(self._claimable(utcnow())).limit(1)
            ).first()
        if waiting is None:
            return None
        with self.catalog.writing() as conn:
            now = utcnow()
            job_id = conn.execute(
                sa.select(jobs.c.id).where(self._claimable(now)).order_by(jobs.c.id).limit(1)
            ).scalar_one_or_none()
            if job_id is None:
                return None
            claimed = conn.execute(
                jobs.update()
                .where(jobs.c.id == job_id, self._claimable(now))
                .values(
                    status=RUNNING,
                    owner=owner,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    started_at=sa.func.coalesce(jobs.c.started_at, now),
                    attempts=jobs.c.attempts + 1,
                )
            ).rowcount
            if claimed != 1:
                return None
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).one()
        return Job.from_row(row)

    @staticmethod
    def step(
        conn: Connection,
        job: Job,
        owner: str,
        lease_seconds: float,
        **values: Any,
    ) -> None:
        """Record progress (and renew the lease) inside the transaction doing the work.

        Raises :class:`LeaseLost`, rolling the caller's transaction back, when
        this process no longer owns the job.
        """
        values = {"lease_until": utcnow() + timedelta(seconds=lease_seconds)} | values
        updated = conn.execute(
            jobs.update()
            .where(jobs.c.id == job.id, jobs.c.owner == owner, jobs.c.status == RUNNING)
            .values(**values)
        ).rowcount
        if updated != 1:
            raise LeaseLost(f"job {job.id} is no longer owned by {owner}")
        for key, value in values.items():
            setattr(job, key, value)

    def finish(
        self,
        job: Job,
        owner: str,
        status: str,
        *,
        report: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        assert status in FINISHED
        with self.catalog.writing() as conn:
            values: dict[str, Any] = {
                "status": status,
                "finished_at": utcnow(),
                "lease_until": None,
                "error": error,
            }
            if report is not None:
                values["report"] = report
            self.step(conn, job, owner, 0, **values)

    def release(self, job: Job, owner: str) -> None:
        """Give a running job up (process stopping): any runner may claim it right away."""
        with self.catalog.writing() as conn:
            conn.execute(
                jobs.update()
                .where(jobs.c.id == job.id, jobs.c.owner == owner, jobs.c.status == RUNNING)
                .values(lease_until=utcnow() - timedelta(seconds=1))
            )

    def active(self) -> list[Job]:
        """Jobs queued or running."""
        with self.catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(jobs).where(jobs.c.status.in_([QUEUED, RUNNING])).order_by(jobs.c.id)
            )
            return [Job.from_row(row) for row in rows]
