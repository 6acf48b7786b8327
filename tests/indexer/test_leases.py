"""Job leases: one holder per name, renewals, expiry takeover, release."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from indexer.catalog import Catalog
from indexer.catalog.leases import HeldLease, LeaseBusy, Leases
from tests.catalog_db import catalog_url


@pytest.fixture()
def leases(tmp_path: Path) -> Leases:
    catalog = Catalog.open(catalog_url(tmp_path))
    yield Leases(catalog)
    catalog.close()


def test_one_holder_at_a_time(leases: Leases) -> None:
    assert leases.acquire("crawl:flk", "a", ttl=30)
    assert not leases.acquire("crawl:flk", "b", ttl=30)
    assert leases.acquire("crawl:flk", "a", ttl=30)  # re-acquiring our own lease renews it
    assert leases.acquire("crawl:videos", "b", ttl=30)  # other names are independent
    assert not leases.release("crawl:flk", "b")
    assert leases.release("crawl:flk", "a")
    assert leases.acquire("crawl:flk", "b", ttl=30)


def test_expired_lease_is_taken_over_and_the_old_holder_cannot_renew(leases: Leases) -> None:
    assert leases.acquire("job", "killed", ttl=0.2)
    assert not leases.acquire("job", "next", ttl=30)
    time.sleep(0.3)
    assert leases.acquire("job", "next", ttl=30)
    assert not leases.renew("job", "killed", ttl=30)
    assert leases.get("job").owner == "next"


def test_concurrent_acquirers_exactly_one_wins(leases: Leases) -> None:
    barrier = threading.Barrier(8)
    winners: list[str] = []

    def contend(owner: str) -> None:
        barrier.wait()
        if leases.acquire("race", owner, ttl=30):
            winners.append(owner)

    threads = [threading.Thread(target=contend, args=(f"o{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and leases.get("race").owner == winners[0]


def test_held_lease_heartbeats_and_releases(leases: Leases) -> None:
    with HeldLease(leases, "beat", ttl=0.6) as held:
        first = leases.get("beat").expires_at
        time.sleep(0.5)
        assert leases.get("beat").expires_at > first  # renewed by the heartbeat thread
        with pytest.raises(LeaseBusy, match="held by"), HeldLease(leases, "beat", ttl=5):
            pass
        assert not held.lost.is_set()
    assert leases.get("beat") is None
