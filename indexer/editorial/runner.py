"""The job runner of an API process: claims bulk jobs from the catalog and runs them.

Every API process may run one; the catalog's claim/lease (``JobStore``) makes
sure each job runs in exactly one of them at a time, and a job whose process
died is resumed by another once its lease expires.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from indexer.background import WakeableThread
from indexer.catalog.jobs import FAILED, Job, LeaseLost
from indexer.editorial.bulk import Interrupted, JobContext, JobError, run_job

log = logging.getLogger(__name__)


def owner_id() -> str:
    """Unique per runner: host, process, and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobRunner(WakeableThread):
    """``poke()`` looks for work now (a job was just submitted in this process)."""

    def __init__(self, ctx: JobContext, poll_interval: float = 1.0) -> None:
        super().__init__(name="fasou-job-runner")
        self.poll_interval = poll_interval
        ctx.should_stop = self._stopping.is_set
        self.ctx = ctx

    def run(self) -> None:
        while not self.stopping:
            try:
                job = self.ctx.jobs.claim(self.ctx.owner, self.ctx.lease_seconds)
            except Exception as exc:  # catalog busy or gone: report, retry later
                log.exception("job runner: claim failed")
                self.last_error, job = repr(exc), None
            if job is not None:
                self._execute(job)
                continue
            self.sleep(self.poll_interval)

    def _execute(self, job: Job) -> None:
        log.info("job %d (%s) claimed by %s", job.id, job.kind, self.ctx.owner)
        try:
            run_job(job, self.ctx)
        except Interrupted:
            self.ctx.jobs.release(job, self.ctx.owner)
        except LeaseLost:
            log.warning("job %d: lease lost, another process continues it", job.id)
        except JobError as exc:
            self.ctx.jobs.finish(job, self.ctx.owner, FAILED, error=str(exc))
        except Exception as exc:
            log.exception("job %d failed", job.id)
            self.last_error = repr(exc)
            try:
                self.ctx.jobs.finish(
                    job, self.ctx.owner, FAILED, error=f"internal error ({type(exc).__name__})"
                )
            except Exception:  # e.g. lease lost meanwhile; the next owner decides
                log.exception("job %d: could not record the failure", job.id)
