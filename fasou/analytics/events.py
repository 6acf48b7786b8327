"""What the analytics pipeline records, as captured on the request path and as stored.

Capturing is cheap on purpose (a tuple of what the request already has); the
writer thread turns a ``Captured`` into a ``Row``: it pseudonymises the client
id, normalises the query text and finds the topics its words name. Nothing
here is stored in the catalog and nothing carries an IP or a user agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from fasou.profiles.events import utcnow


class Kind(StrEnum):
    search = "search"  # page 1 of a search; ``zero`` when the resident's words found nothing
    click = "click"
    view = "view"
    useful = "useful"  # 有用
    not_useful = "not_useful"  # 没用
    feed = "feed"  # a page of 为你推荐


#: Residents who declared no audience are reported as this group.
UNSPECIFIED = "unspecified"
#: Query text is stored normalised and cut to this many characters.
MAX_QUERY_CHARS = 100
#: Region paths are coarsened to this many levels (province/city/county): a town or
#: village could single a resident out.
REGION_LEVELS = 3


def week_of(moment: datetime | date) -> date:
    """The Monday starting the ISO week of ``moment``."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def coarse_region(region: str | None) -> str:
    if not region:
        return ""
    return "/".join(region.split("/")[:REGION_LEVELS])


@dataclass(frozen=True)
class Captured:
    """One event as the request path hands it over (raw client id, raw query)."""

    client_id: str
    kind: Kind
    audiences: tuple[str, ...] = ()
    region: str = ""
    query: str | None = None
    doc_id: str | None = None
    doc_type: str | None = None
    #: the document's topics (clicks, views, feedback); a search's come from its words.
    topics: tuple[str, ...] = ()
    results: int | None = None
    zero: bool = False
    #: document types shown (search results, feed items): impressions for click-through.
    shown: tuple[str, ...] = ()
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Row:
    """One stored event: the client id replaced by a keyed pseudonym (``subject``)."""

    at: datetime
    kind: str
    subject: int
    audiences: tuple[str, ...]
    region: str
    query: str
    topics: tuple[str, ...]
    doc_id: str
    doc_type: str
    results: int
    zero: bool
    shown: tuple[str, ...]
