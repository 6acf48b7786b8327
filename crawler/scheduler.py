"""The crawl scheduler: each source on its cron expression, never two runs of one source.

Each due run is a child process (``fasou crawl run SOURCE``; Twisted's reactor
runs once per process). Overlap is prevented twice: the scheduler does not
start a source whose previous child is still running, and the child itself
takes the source's lease (``job_leases``), which also covers manual runs and
a second scheduler on another host. Several schedulers (a standby, or two
started at once) agree on who runs a due slot through ``claim``: each
occurrence of a cron schedule is claimed in the catalog by exactly one of them
(``Leases.claim_slot``), so each due crawl runs once — the crawl lease alone
would let a second scheduler start the same slot again once the first run ended.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from croniter import croniter

log = logging.getLogger(__name__)


def crawl_command(source: str) -> list[str]:
    return [sys.executable, "-m", "fasou", "crawl", "run", source]


@dataclass
class Job:
    source: str
    cron: str
    next_at: float = 0.0
    child: subprocess.Popen[bytes] | None = None
    started: int = 0
    skipped: int = 0
    history: list[tuple[float, int | None]] = field(default_factory=list)

    def plan(self, after: float) -> None:
        start = datetime.fromtimestamp(after, UTC)
        self.next_at = croniter(self.cron, start).get_next(datetime).timestamp()


class Scheduler:
    def __init__(
        self,
        schedules: dict[str, str],
        *,
        command: Callable[[str], list[str]] = crawl_command,
        is_busy: Callable[[str], bool] = lambda _source: False,
        claim: Callable[[str, float], bool] = lambda _source, _slot: True,
        tick: float = 0.5,
    ) -> None:
        for source, cron in schedules.items():
            if not croniter.is_valid(cron):
                raise ValueError(f"{source}: invalid cron expression {cron!r}")
        self.jobs = {source: Job(source, cron) for source, cron in schedules.items()}
        self.command = command
        self.is_busy = is_busy
        self.claim = claim
        self.tick = tick
        self.stopping = threading.Event()

    def run(self, max_seconds: float | None = None) -> None:
        """Until stopped (SIGTERM/SIGINT or ``max_seconds``); children get SIGINT to wind down."""
        began = time.time()
        for job in self.jobs.values():
            job.plan(began)
            log.info("%s: next run at %s", job.source, _when(job.next_at))
        try:
            while not self.stopping.is_set():
                now = time.time()
                if max_seconds is not None and now - began >= max_seconds:
                    break
                for job in self.jobs.values():
                    self._reap(job)
                    if now >= job.next_at:
                        self._start(job, job.next_at)
                        job.plan(now)
                self.stopping.wait(self.tick)
        finally:
            self._shutdown()

    def _start(self, job: Job, slot: float) -> None:
        if job.child is not None:
            job.skipped += 1
            log.warning("%s: previous run still going; this slot is skipped", job.source)
            return
        if self.is_busy(job.source):
            job.skipped += 1
            log.warning("%s: running elsewhere (lease held); this slot is skipped", job.source)
            return
        if not self.claim(job.source, slot):
            job.skipped += 1
            log.info("%s: slot %s taken by another scheduler", job.source, _when(slot))
            return
        job.child = subprocess.Popen(self.command(job.source))
        job.started += 1
        log.info("%s: started run for slot %s (pid %d)", job.source, _when(slot), job.child.pid)

    @staticmethod
    def _reap(job: Job) -> None:
        if job.child is not None and job.child.poll() is not None:
            job.history.append((time.time(), job.child.returncode))
            log.info("%s: run ended with status %s", job.source, job.child.returncode)
            job.child = None

    def _shutdown(self) -> None:
        for job in self.jobs.values():
            if job.child is not None and job.child.poll() is None:
                job.child.send_signal(signal.SIGINT)  # graceful: the run stays resumable
        for job in self.jobs.values():
            if job.child is not None:
                try:
                    job.child.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    job.child.kill()
                    job.child.wait()
                self._reap(job)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
