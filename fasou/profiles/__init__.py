"""Resident profiles: declared attributes, events, implicit interests (see ``service``)."""

from fasou.profiles.events import Event, EventKind, EventStore, SqlEventStore
from fasou.profiles.model import Declared, valid_client_id
from fasou.profiles.service import ProfileService

__all__ = [
    "Declared",
    "Event",
    "EventKind",
    "EventStore",
    "ProfileService",
    "SqlEventStore",
    "valid_client_id",
]
