"""Leases for background jobs: at most one holder per name, across processes and hosts.

Why a table rather than a file lock: the catalog is the one thing every process
(scheduler, CLI, API) shares, also when the catalog is PostgreSQL on another host;
and a lease that expires is the only lock a SIGKILLed holder cannot leave stuck.
A holder renews (heartbeats) well within the TTL; anyone may take an expired lease.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from indexer.catalog.repository import Catalog
from indexer.catalog.tables import job_leases


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_owner() -> str:
    """An owner id that says who holds a lease when an operator looks at the table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class LeaseInfo:
    name: str
    owner: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime

    @property
    def expired(self) -> bool:
        return self.expires_at <= _now()


class Leases:
    """acquire / renew / release / inspect leases stored in ``job_leases``."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def acquire(self, name: str, owner: str, ttl: float) -> bool:
        """Take ``name`` if free, expired or already ours; False if someone else holds it."""
        now = _now()
        with self.catalog.writing() as conn:
            row = conn.execute(sa.select(job_leases).where(job_leases.c.name == name)).first()
            values: dict[str, Any] = {
                "owner": owner,
                "heartbeat_at": now,
                "expires_at": now + timedelta(seconds=ttl),
            }
            if row is None:
                conn.execute(job_leases.insert().values(name=name, acquired_at=now, **values))
                return True
            if row.owner != owner and row.expires_at > now:
                return False
            if row.owner != owner:
                values["acquired_at"] = now
            conn.execute(job_leases.update().where(job_leases.c.name == name).values(**values))
            return True

    def renew(self, name: str, owner: str, ttl: float) -> bool:
        """Heartbeat: extend our lease; False if it was lost (expired and taken by another)."""
        now = _now()
        with self.catalog.writing() as conn:
            result = conn.execute(
                job_leases.update()
                .where(job_leases.c.name == name, job_leases.c.owner == owner)
                .values(heartbeat_at=now, expires_at=now + timedelta(seconds=ttl))
            )
            return result.rowcount == 1

    def release(self, name: str, owner: str) -> bool:
        with self.catalog.writing() as conn:
            result = conn.execute(
                job_leases.delete().where(job_leases.c.name == name, job_leases.c.owner == owner)
            )
            return result.rowcount == 1

    def claim_slot(self, name: str, owner: str, slot: datetime) -> bool:
        """Claim the occurrence ``slot`` of a recurring job: True for exactly one claimant.

        The row ``name`` remembers the latest slot claimed (``acquired_at``); a slot at
        or before it is taken. Two schedulers reaching the same cron slot at once
        both ask; the write lock orders them and the second gets False. The row is
        expired at once (``expires_at`` = the slot), so it never blocks ``acquire``.
        """
        with self.catalog.writing() as conn:
            row = conn.execute(sa.select(job_leases).where(job_leases.c.name == name)).first()
            if row is not None and row.acquired_at >= slot:
                return False
            values = {"owner": owner, "acquired_at": slot, "heartbeat_at": _now(),
                      "expires_at": slot}  # fmt: skip
            if row is None:
                conn.execute(job_leases.insert().values(name=name, **values))
            else:
                conn.execute(job_leases.update().where(job_leases.c.name == name).values(**values))
            return True

    def get(self, name: str) -> LeaseInfo | None:
        with self.catalog.engine.connect() as conn:
            row = conn.execute(sa.select(job_leases).where(job_leases.c.name == name)).first()
        return LeaseInfo(**row._mapping) if row else None


class HeldLease:
    """A lease held for the duration of a ``with`` block, renewed by a daemon thread.

    ``lost`` is set when a renewal finds the lease taken over (we were paused past the
    TTL); the job should then stop, since another holder may be running.
    """

    def __init__(self, leases: Leases, name: str, ttl: float, owner: str | None = None) -> None:
        self.leases, self.name, self.ttl = leases, name, ttl
        self.owner = owner or new_owner()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> HeldLease:
        if not self.leases.acquire(self.name, self.owner, self.ttl):
            raise LeaseBusy(self.name, self.leases.get(self.name))
        self._thread = threading.Thread(target=self._heartbeat, name=f"lease:{self.name}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                if not self.leases.renew(self.name, self.owner, self.ttl):
                    self.lost.set()
                    return
            except sa.exc.OperationalError:
                continue  # catalog busy for longer than busy_timeout: try again next beat

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.leases.release(self.name, self.owner)


class LeaseBusy(RuntimeError):
    def __init__(self, name: str, holder: LeaseInfo | None) -> None:
        who = f"{holder.owner} until {holder.expires_at:%Y-%m-%d %H:%M:%S} UTC" if holder else "?"
        super().__init__(f"lease {name!r} is held by {who}")
        self.name, self.holder = name, holder
