"""Where a search runs: on the event loop when it is the only request and the engine is in
process (a thread would only add hand-offs), in a thread otherwise; only the lone search
may spread its engine work over the spare cores."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio
import pytest

from indexer.search.types import SPARE_CORES
from search_api.core.runtime import Runtime
from tests.conftest import make_settings


@pytest.fixture()
def runtime(tmp_path: Path):  # type: ignore[no-untyped-def]
    runtime = Runtime.start(make_settings(tmp_path, search_threads=2), run_worker=False)
    yield runtime
    runtime.stop()


def _where() -> tuple[int, bool]:
    return threading.get_ident(), SPARE_CORES.get()


async def _dispatch(runtime: Runtime) -> tuple[int, int, bool]:
    """(the event loop's thread, the thread ``run_search`` ran the search on, whether
    that search could use spare cores)."""
    return threading.get_ident(), *(await runtime.run_search(_where))


def test_a_lone_in_process_search_runs_on_the_event_loop(runtime: Runtime) -> None:
    loop_thread, search_thread, spare = anyio.run(_dispatch, runtime)
    assert search_thread == loop_thread
    assert spare is True
    assert SPARE_CORES.get() is False  # only for that search


def test_a_search_goes_to_a_thread_while_other_requests_are_in_the_process(
    runtime: Runtime,
) -> None:
    async def scenario() -> tuple[int, int, bool]:
        async with anyio.create_task_group() as requests:
            requests.start_soon(anyio.sleep, 0.05)  # another request, not answered yet
            return await _dispatch(runtime)

    loop_thread, search_thread, spare = anyio.run(scenario)
    assert search_thread != loop_thread
    assert spare is False


def test_a_backend_that_waits_on_the_network_always_searches_in_a_thread(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(type(runtime.backend), "searches_in_process", False)
    loop_thread, search_thread, _spare = anyio.run(_dispatch, runtime)
    assert search_thread != loop_thread
