"""Gzip bodies that differ only in a few bytes by compressing just those bytes each time.

A replayed search answer (``core/response_cache.py``) is the stored one but for its
``took_ms``. Gzipping every replay whole was 13 % of the workers' CPU under load
(``bench/load.py``; py-spy), for bytes that never change. A deflate stream may be cut
wherever the compressor did a full flush: the output is byte-aligned there and nothing
after it refers back across the cut. So the text before and after the changing bytes
is compressed once; a replay puts its own few bytes between them as a stored
(uncompressed) block and writes the gzip trailer, the CRC-32 and length of the whole.
The result is one ordinary gzip member that any client inflates.
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple

#: The API's compression settings (``GZipMiddleware`` in ``search_api/main.py`` too).
#: Smaller JSON answers gain little from gzip and cost a little CPU.
GZIP_MIN_BYTES = 500
#: Stored answers are compressed once and replayed many times: the smaller output wins.
GZIP_LEVEL = 6
#: Everything else is compressed per response. On a 12 KB search answer level 1 took
#: 148 µs against 248 µs for level 6, for 3.5 KB instead of 3.2 KB on the wire.
GZIP_FRESH_LEVEL = 1
#: A gzip member header: deflate, no flags, no modification time, unknown OS.
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_MAX_STORED = 0xFFFF


class Pieces(NamedTuple):
    head: bytes  # gzip header + deflate(before), ending on a full flush
    tail: bytes  # deflate(after), ending the stream
    crc_before: int
    length: int  # len(before) + len(after)


def _deflate(data: bytes, mode: int) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(mode)


def pieces(before: bytes, after: bytes) -> Pieces:
    return Pieces(
        _HEADER + _deflate(before, zlib.Z_FULL_FLUSH),
        _deflate(after, zlib.Z_FINISH),
        zlib.crc32(before),
        len(before) + len(after),
    )


def inflate_head(parts: Pieces) -> bytes:
    """``before`` again, from the compressed head."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    return inflater.decompress(parts.head[len(_HEADER) :]) + inflater.flush()


def gzip_between(parts: Pieces, middle: bytes, after: bytes) -> bytes:
    """The gzip of ``before + middle + after``; ``after`` as given to :func:`pieces`."""
    if len(middle) > _MAX_STORED:
        raise ValueError("the changing part must fit one stored block")
    # A stored block, not final: 3 header bits (0, 00) padded to the byte, LEN, NLEN.
    stored = b"\x00" + struct.pack("<HH", len(middle), len(middle) ^ 0xFFFF) + middle
    crc = zlib.crc32(after, zlib.crc32(middle, parts.crc_before))
    size = (parts.length + len(middle)) & 0xFFFFFFFF
    return b"".join((parts.head, stored, parts.tail, struct.pack("<II", crc, size)))
