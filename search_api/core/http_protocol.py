"""Accept raw UTF-8 in the request line, as residents' tools send it.

``curl '127.0.0.1:8000/api/v1/search?q=老板拖欠工资怎么办'`` puts UTF-8 bytes in
the request target unencoded. Browsers percent-encode, but curl, scripts and
some mini-app HTTP stacks do not, and the strict HTTP parsers behind uvicorn
answer 400. This protocol percent-encodes bytes ≥ 0x80 in the request line
(and only there: headers and bodies are untouched) before parsing, which is
exactly what a browser would have sent.
"""

from __future__ import annotations

import re

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HIGH_BYTES = re.compile(rb"[\x80-\xff]")


def _percent_encode_high(segment: bytes) -> bytes:
    return _HIGH_BYTES.sub(lambda m: b"%%%02X" % m.group(0)[0], segment)


class Utf8RequestLineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with UTF-8-tolerant request lines."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._in_request_line = True

    def data_received(self, data: bytes) -> None:
        if self._in_request_line:
            start = len(data) - len(data.lstrip(b"\r\n"))
            end = data.find(b"\r\n", start)
            head = data[: end if end >= 0 else len(data)]
            if _HIGH_BYTES.search(head):
                data = _percent_encode_high(head) + data[len(head) :]
            if end >= 0:
                self._in_request_line = False
        super().data_received(data)

    def on_message_complete(self) -> None:
        self._in_request_line = True
        super().on_message_complete()
