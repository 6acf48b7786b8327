"""The articles before and after a statute article, for reading a law in order.

Article ids derive from their citation (``statute_article_id``), so the
neighbours are found by computing the ids they would have — the next 之一
article, the next numbers, the previous number's last 之N article — and asking
the catalog which exist, in one query. Gaps (articles a law deleted) are
bridged up to ``MAX_GAP`` numbers.
"""

from __future__ import annotations

from typing import Any

from indexer.catalog import Catalog
from indexer.models import statute_article_id
from indexer.search.links import summary

#: How many missing article numbers a neighbour link may skip.
MAX_GAP = 3
#: Highest 之N suffix looked for (the Criminal Law has 第一百二十条之六).
MAX_SUFFIX = 6

Key = tuple[int, int | None]


def _next_keys(num: int, suffix: int | None) -> list[Key]:
    return [(num, (suffix or 0) + 1)] + [(num + k, None) for k in range(1, MAX_GAP + 1)]


def _prev_keys(num: int, suffix: int | None) -> list[Key]:
    keys: list[Key] = []
    if suffix:
        keys.append((num, suffix - 1 or None))
        if suffix > 1:
            keys.append((num, None))
        return keys
    for k in range(1, MAX_GAP + 1):
        if num - k < 0:
            break
        keys += [(num - k, s) for s in range(MAX_SUFFIX, 0, -1)] + [(num - k, None)]
    return keys


def neighbours(catalog: Catalog, record: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """``{"prev": summary | None, "next": summary | None}`` within the same law version."""
    if record.get("type") != "statute_article":
        return {"prev": None, "next": None}
    law, version = record["law_title"], record.get("law_version")
    num, suffix = int(record["article_num"]), record.get("article_suffix")
    wanted = {"prev": _prev_keys(num, suffix), "next": _next_keys(num, suffix)}
    ids = {
        key: statute_article_id(law, key[0], key[1], version)
        for keys in wanted.values()
        for key in keys
    }
    found = {r["id"]: r for r in catalog.get_many(sorted(set(ids.values())))}
    out: dict[str, dict[str, Any] | None] = {}
    for side, keys in wanted.items():
        hit = next((found[ids[k]] for k in keys if ids[k] in found), None)
        out[side] = summary(hit) if hit else None
    return out
