"""The background event writer: batches, prompt flushes and stops, full batches early."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from fasou.profiles.events import BackgroundEventWriter


class ListSink:
    """A store that remembers each batch it was given."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.appended = threading.Event()

    def append(self, events: Sequence[int]) -> None:
        self.batches.append(list(events))
        self.appended.set()

    def erase(self, client_id: str) -> int:
        return 0

    def purge(self, before: datetime) -> int:
        return 0


def writer(sink: ListSink, batch_seconds: float, max_batch: int = 500) -> BackgroundEventWriter:
    w: BackgroundEventWriter[int] = BackgroundEventWriter(
        sink, retention=timedelta(days=1), batch_seconds=batch_seconds, max_batch=max_batch
    )
    w.purges = False
    w.start()
    return w


def test_events_submitted_during_a_batch_are_written_together() -> None:
    sink = ListSink()
    w = writer(sink, batch_seconds=0.5)
    try:
        for i in range(20):
            w.submit(i)
            time.sleep(0.005)
        assert sink.appended.wait(5)
        assert sink.batches == [list(range(20))]
    finally:
        w.stop()


def test_flush_does_not_wait_for_the_batch_to_end() -> None:
    sink = ListSink()
    w = writer(sink, batch_seconds=30)
    try:
        w.submit(1)
        w.submit(2)
        started = time.monotonic()
        assert w.flush(timeout=10)
        assert time.monotonic() - started < 5
        assert [e for b in sink.batches for e in b] == [1, 2]
    finally:
        w.stop()


def test_stop_writes_what_is_queued_and_ends_the_thread() -> None:
    sink = ListSink()
    w = writer(sink, batch_seconds=30)
    w.submit(7)
    started = time.monotonic()
    w.stop()
    assert time.monotonic() - started < 5
    assert [e for b in sink.batches for e in b] == [7]
    assert not w._thread.is_alive()


def test_a_full_batch_is_written_without_waiting_for_the_batch_time() -> None:
    sink = ListSink()
    w = writer(sink, batch_seconds=30, max_batch=10)
    try:
        for i in range(10):
            w.submit(i)
        assert sink.appended.wait(5)
        assert sink.batches[0] == list(range(10))
        assert w.written == 10
    finally:
        w.stop()
