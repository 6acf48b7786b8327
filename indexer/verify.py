"""Does the index hold exactly the catalog? (``fasou index verify``, any backend.)

Compares, per document id, the catalog's ``index_hash`` (content hash plus the
effective audience/topic tags, ``indexer.backends.fields.index_hash``) with the
one stored in the index, and the counts. Editors' tag changes do not change a
document's content hash, so comparing content hashes alone would miss a tag
the index never received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexer.backends.base import SearchBackend
from indexer.catalog import Catalog


@dataclass
class VerifyReport:
    backend: str
    catalog_documents: int
    index_documents: int
    catalog_rev: int
    applied_rev: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not (self.missing or self.extra or self.stale)
            and self.catalog_documents == self.index_documents
        )

    def as_dict(self, examples: int = 20) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "backend": self.backend,
            "catalog": {"documents": self.catalog_documents, "rev": self.catalog_rev},
            "index": {"documents": self.index_documents, "applied_rev": self.applied_rev},
            **{
                name: {"count": len(ids), "examples": ids[:examples]}
                for name, ids in (
                    ("missing", self.missing),
                    ("extra", self.extra),
                    ("stale", self.stale),
                )
            },
        }


def verify_index(catalog: Catalog, backend: SearchBackend) -> VerifyReport:
    catalog_rev = catalog.max_rev()
    expected = catalog.index_hashes()
    indexed = dict(backend.index_hashes())
    return VerifyReport(
        backend=backend.name,
        catalog_documents=len(expected),
        index_documents=backend.count(),
        catalog_rev=catalog_rev,
        applied_rev=backend.applied_rev(),
        missing=sorted(set(expected) - set(indexed)),
        extra=sorted(set(indexed) - set(expected)),
        stale=sorted(i for i, h in indexed.items() if i in expected and expected[i] != h),
    )
