"""Fingerprints of import inputs: unchanged input → skip the import (fast second ``make run``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from indexer.models import CORE_FIELDS

#: Bump when an importer changes what it produces from the same input.
IMPORTER_VERSION = 1


def files_fingerprint(paths: list[Path]) -> str:
    """Hash of importer version, document model fields and the files' names, sizes and mtimes."""
    digest = hashlib.sha256(f"{IMPORTER_VERSION}|{sorted(CORE_FIELDS)}".encode())
    for path in sorted(paths):
        if path.exists():
            stat = path.stat()
            digest.update(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        else:
            digest.update(f"{path.name}|missing".encode())
    return digest.hexdigest()
