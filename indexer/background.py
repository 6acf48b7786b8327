"""A background thread that sleeps between rounds and can be woken or stopped at once."""

from __future__ import annotations

import threading


class WakeableThread(threading.Thread):
    """Subclasses loop ``while not self.stopping: …; self.sleep(interval)``."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.last_error: str | None = None

    def poke(self) -> None:
        """Do the next round now rather than after the interval."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()
