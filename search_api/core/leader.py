"""Which API process runs the background work: the holder of one catalog lease.

With several workers (``fasou serve --workers N``, or several hosts) every
process serves searches, but the work that must happen in exactly one place —
the index worker (tantivy admits one writer), the bulk-job runner, the purge of
expired profile events — runs only in the process holding the lease
``api-background`` in ``job_leases``. The holder renews it every third of its
TTL; when it dies (even by SIGKILL) the lease expires and the next process to
try takes over. Followers reload the index reader on their own (the backend
notices new commits), so they see what the leader indexed.

A leader that cannot renew (the catalog unreachable, or paused past the TTL
and found the lease taken) steps down *before* the TTL runs out on its own
clock, so two leaders never run at once for longer than a clock-skew margin.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from indexer.background import WakeableThread
from indexer.catalog.leases import Leases, new_owner

log = logging.getLogger(__name__)

LEASE_NAME = "api-background"


class BackgroundLeader(WakeableThread):
    """Campaigns for the lease; calls ``on_elected`` / ``on_deposed`` as leadership changes."""

    def __init__(
        self,
        leases: Leases,
        ttl: float,
        on_elected: Callable[[], None],
        on_deposed: Callable[[], None],
        owner: str | None = None,
    ) -> None:
        super().__init__(name="fasou-leader")
        self.leases, self.ttl = leases, ttl
        self.on_elected, self.on_deposed = on_elected, on_deposed
        self.owner = owner or new_owner()
        self.is_leader = False
        self._renewed_at = 0.0

    def campaign(self) -> bool:
        """One attempt: renew if leading, else try to take the lease. Returns leadership."""
        try:
            if self.is_leader:
                if self.leases.renew(LEASE_NAME, self.owner, self.ttl):
                    self._renewed_at = time.monotonic()
                else:
                    log.warning("background lease lost to another process: stepping down")
                    self._depose()
            elif self.leases.acquire(LEASE_NAME, self.owner, self.ttl):
                self._renewed_at = time.monotonic()
                self._elect()
        except Exception as exc:  # catalog busy or unreachable: keep trying, bounded below
            self.last_error = repr(exc)
            log.warning("background lease: %s", self.last_error)
        # Step down while our lease is surely still ours, if renewals keep failing.
        if self.is_leader and time.monotonic() - self._renewed_at > self.ttl * 0.8:
            log.warning("background lease not renewed for %.0f s: stepping down", self.ttl * 0.8)
            self._depose()
        return self.is_leader

    def _elect(self) -> None:
        log.info("background work: this process leads (%s)", self.owner)
        self.is_leader = True
        self.on_elected()

    def _depose(self) -> None:
        self.is_leader = False
        self.on_deposed()

    def run(self) -> None:
        while not self.stopping:
            self.sleep(self.ttl / 3)
            if not self.stopping:
                self.campaign()

    def resign(self) -> None:
        """Stop campaigning; hand the lease back at once so another process takes over."""
        self.stop()
        if self.is_alive():
            self.join(timeout=10)
        if self.is_leader:
            self._depose()
            try:
                self.leases.release(LEASE_NAME, self.owner)
            except Exception:  # it will expire
                log.exception("could not release the background lease")
