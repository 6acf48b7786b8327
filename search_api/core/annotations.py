"""Reading pydantic field annotations, for code that does a model's work by hand on the
hot path (``api/deps.query_model``, ``schemas.conform``)."""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin


def without_none(annotation: Any) -> Any:
    """``X`` for ``X | None`` (and ``Optional[X]``); any other annotation as it is."""
    if get_origin(annotation) in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return options[0]
    return annotation


def list_item(annotation: Any) -> Any | None:
    """``X`` for ``list[X]`` (optional or not); None for anything that is no list."""
    annotation = without_none(annotation)
    return get_args(annotation)[0] if get_origin(annotation) is list else None
