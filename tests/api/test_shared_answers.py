"""Answers shared by the workers of one server: found by the other process, per version."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from search_api.core.response_cache import Answer
from search_api.core.shared_answers import SharedAnswers

HEADERS = [(b"content-type", b"application/json")]
ANSWER = Answer.of(b'{"x":', b"}", HEADERS, 3, True)


def key(version: object, query: bytes = b"q=a") -> tuple[object, ...]:
    return ("response", version, query)


def _store(path: str) -> None:
    SharedAnswers(Path(path)).put(key(("gen-1", 7)), ANSWER)


def test_an_answer_stored_by_one_process_is_found_by_another(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    worker = multiprocessing.get_context("spawn").Process(target=_store, args=(str(path),))
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0
    assert SharedAnswers(path).get(key(("gen-1", 7))) == ANSWER


def test_answers_are_per_index_version_and_old_versions_go(tmp_path: Path) -> None:
    answers = SharedAnswers(tmp_path / "answers.sqlite")
    answers.put(key(("gen-1", 7)), Answer.of(b"a", b"", HEADERS, 1, False))
    assert answers.get(key(("gen-1", 8))) is None  # another index: not this answer
    assert answers.get(key(("gen-1", 7), b"q=b")) is None
    answers.put(key(("gen-1", 8)), Answer.of(b"b", b"", HEADERS, 2, False))
    assert answers.get(key(("gen-1", 8))).before() == b"b"
    assert answers.get(key(("gen-1", 7))) is None  # deleted with the new version


def test_an_unusable_file_is_only_a_miss(tmp_path: Path) -> None:
    answers = SharedAnswers(tmp_path / "missing-dir" / "answers.sqlite")
    answers.put(key(("v",)), ANSWER)  # no exception
    assert answers.get(key(("v",))) is None
