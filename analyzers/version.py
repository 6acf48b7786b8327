"""A fingerprint of the analysis chain: an index built with another one must be rebuilt."""

from __future__ import annotations

import hashlib
from functools import cache

from analyzers.resources import DATA_DIR

#: Bump when analysis code changes the tokens it produces.
ANALYSIS_CODE_VERSION = 1


@cache
def analysis_fingerprint() -> str:
    digest = hashlib.sha256(str(ANALYSIS_CODE_VERSION).encode())
    for name in ("legal_dict.txt", "stopwords.txt"):
        path = DATA_DIR / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]
