"""Every example in ``docs/api.md`` runs against the live server and must match.

The document is the mini-app team's contract: a request block (```http, request
line, headers, blank line, JSON body) followed by a response block (```http,
status line, headers to check, blank line, expected JSON). Expected JSON is a
subset (objects: listed keys; lists: leading elements) with placeholders —
``"<int>"``, ``"<number>"``, ``"<str>"``, ``"<bool>"``, ``"<null>"``,
``"<list>"``, ``"<object>"``, ``"<any>"``, ``"<str~text>"`` (contains) — and
captures ``"{{name}}"`` whose values later requests use. Examples run in
document order, sharing captures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REPO

API_DOC = REPO / "docs" / "api.md"
_BLOCK = re.compile(r"^```http\n(.*?)^```", re.S | re.M)
_HEADING = re.compile(r"^#{2,4} (.+)$", re.M)
_CAPTURE = re.compile(r"^\{\{(\w+)\}\}$")
_VAR = re.compile(r"\{\{(\w+)\}\}")
_TYPES: dict[str, Any] = {
    "<int>": int,
    "<number>": (int, float),
    "<str>": str,
    "<bool>": bool,
    "<list>": list,
    "<object>": dict,
}


@dataclass
class Example:
    title: str
    line: int
    request: str
    response: str


@dataclass
class Parsed:
    start: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""


def parse_message(text: str) -> Parsed:
    head, _, body = text.partition("\n\n")
    lines = head.strip("\n").split("\n")
    parsed = Parsed(lines[0].strip(), body=body.strip())
    for line in lines[1:]:
        name, _, value = line.partition(":")
        parsed.headers.append((name.strip(), value.strip()))
    return parsed


def load_examples(path: Path = API_DOC) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    blocks = list(_BLOCK.finditer(text))
    examples = []
    pending = None
    for block in blocks:
        content = block.group(1)
        if content.startswith("HTTP/"):
            assert pending is not None, (
                f"api.md: response block without request near {content[:40]}"
            )
            headings = [h.group(1) for h in _HEADING.finditer(text, 0, pending.start())]
            line = text.count("\n", 0, pending.start()) + 1
            examples.append(
                Example(headings[-1] if headings else "?", line, pending.group(1), content)
            )
            pending = None
        else:
            assert pending is None, f"api.md: two requests in a row near {content[:40]}"
            pending = block
    assert pending is None, "api.md: last request has no response block"
    return examples


EXAMPLES = load_examples()
CAPTURED: dict[str, Any] = {}


def substitute(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in CAPTURED, f"{{{{{name}}}}} used before an example captured it"
        return str(CAPTURED[name])

    return _VAR.sub(value, text)


def match(expected: Any, actual: Any, where: str = "$") -> None:
    """Assert ``actual`` matches ``expected`` (subset semantics, placeholders, captures)."""
    if isinstance(expected, str):
        capture = _CAPTURE.match(expected)
        if capture:
            name = capture.group(1)
            if name in CAPTURED:
                assert actual == CAPTURED[name], f"{where}: {actual!r} != captured {name}"
            CAPTURED[name] = actual
            return
        if expected == "<any>":
            return
        if expected == "<null>":
            assert actual is None, f"{where}: expected null, got {actual!r}"
            return
        if expected in _TYPES:
            wanted = _TYPES[expected]
            ok = isinstance(actual, wanted) and not (
                isinstance(actual, bool) and expected in ("<int>", "<number>")
            )
            assert ok, f"{where}: expected {expected}, got {actual!r}"
            return
        if expected.startswith("<str~") and expected.endswith(">"):
            needle = expected[5:-1]
            assert isinstance(actual, str) and needle in actual, (
                f"{where}: {actual!r} lacks {needle!r}"
            )
            return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: missing key {key!r} (has {sorted(actual)})"
            match(value, actual[key], f"{where}.{key}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) >= len(expected), f"{where}: {len(actual)} items < {len(expected)}"
        for index, value in enumerate(expected):
            match(value, actual[index], f"{where}[{index}]")
        return
    assert actual == expected, f"{where}: {actual!r} != {expected!r}"


#: The editor workspace's API (accounts, tagging, audit, jobs, analytics, admin) is not
#: part of the mini-app contract; its reference is the OpenAPI schema at /api/v1/docs.
STAFF_PREFIXES = ("/api/v1/auth", "/api/v1/editor", "/api/v1/admin", "/api/v1/analytics")


def test_the_document_has_examples_for_every_public_endpoint(live_server) -> None:  # type: ignore[no-untyped-def]
    schema = live_server.app.openapi()
    documented = set()
    for example in EXAMPLES:
        method, target = parse_message(example.request).start.split()[:2]
        documented.add((method, target.split("?")[0]))
    missing = []
    for path, operations in schema["paths"].items():
        if path.startswith(STAFF_PREFIXES):
            continue
        pattern = re.compile(
            "^/api/v1" + re.sub(r"\{[^}]+\}", "[^/]+", path[len("/api/v1") :]) + "$"
        )
        for method in operations:
            if not any(m == method.upper() and pattern.match(p) for m, p in documented):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"docs/api.md has no example for: {missing}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"L{e.line}" for e in EXAMPLES])
def test_documented_example(example: Example, http: httpx.Client) -> None:
    request = parse_message(substitute(example.request))
    method, target = request.start.split()[:2]
    headers = dict(request.headers)
    body = request.body.encode("utf-8") if request.body else None
    response = http.request(method, target, headers=headers, content=body)

    expected = parse_message(example.response)
    status = int(expected.start.split()[1])
    context = f"{example.title} (docs/api.md:{example.line})"
    assert response.status_code == status, (
        f"{context}: {response.status_code} {response.text[:300]}"
    )
    for name, value in expected.headers:
        actual = response.headers.get(name)
        assert actual is not None, f"{context}: no {name} header"
        if name.lower() == "content-type":
            assert actual.split(";")[0] == value, f"{context}: {name}: {actual}"
        else:
            match(value, actual, f"{context} header {name}")
    if expected.body:
        match(json.loads(expected.body), response.json(), context)
    elif status in (204, 304):
        assert response.content == b"", f"{context}: {status} with a body"


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ({"a": 1}, {"a": 2}),
        ({"a": 1}, {"b": 1}),
        ([1, 2], [1]),
        ("<int>", "1"),
        ("<int>", True),
        ("<str~拖欠>", "工资"),
        ("<null>", 0),
        ({"hits": [{"type": "case"}]}, {"hits": [{"type": "video"}]}),
    ],
)
def test_the_matcher_rejects_what_does_not_match(expected: Any, actual: Any) -> None:
    with pytest.raises(AssertionError):
        match(expected, actual)


def test_the_matcher_accepts_subsets_and_captures() -> None:
    match({"a": "<int>", "b": ["<str>"]}, {"a": 3, "b": ["x", "y"], "c": None})
    match("{{probe}}", "v1")
    assert CAPTURED.pop("probe") == "v1"
