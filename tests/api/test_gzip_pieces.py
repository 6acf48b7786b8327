"""Gzip assembled from pieces inflates to exactly the whole, for any split."""

from __future__ import annotations

import gzip
import random
import zlib

import pytest

from search_api.core.gzip_pieces import gzip_between, inflate_head, pieces

ALPHABET = '法律劳动合同经济补偿{}":,.0123456789 abc\\n'


@pytest.mark.parametrize("seed", range(40))
def test_pieces_inflate_to_the_whole(seed: int) -> None:
    rng = random.Random(seed)

    def text(limit: int) -> bytes:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, limit))).encode()

    before, after = text(20_000), text(3_000)
    parts = pieces(before, after)
    assert inflate_head(parts) == before
    for _ in range(3):  # the same pieces, many middles: what replaying does
        middle = f'"took_ms":{rng.random() * 1000:.3f}'.encode()
        whole = before + middle + after
        body = gzip_between(parts, middle, after)
        assert gzip.decompress(body) == whole
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        assert inflate.decompress(body) + inflate.flush() == whole
        assert inflate.eof and not inflate.unused_data


def test_compression_is_kept() -> None:
    before, after = ("劳动合同" * 2000).encode(), ("经济补偿" * 500).encode()
    body = gzip_between(pieces(before, after), b'"took_ms":1.5', after)
    assert len(body) < (len(before) + len(after)) / 20


def test_a_middle_too_long_for_one_stored_block_is_refused() -> None:
    with pytest.raises(ValueError):
        gzip_between(pieces(b"a", b"b"), b"x" * 70_000, b"b")
