"""Versioned YAML configuration validated by pydantic, with errors that name file and line.

Editors and developers edit taxonomies and tagging rules by hand; a mistake
must point at the line to fix (``audiences.yaml:42: audiences[9].label: Field
required``), not at a Python traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file that does not parse or validate; the message names file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path, self.line = Path(path), line
        where = f"{self.path.name}:{line}" if line else self.path.name
        super().__init__(f"{where}: {message}")


def _node_at(node: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    """The deepest YAML node along a pydantic error location (for its line number)."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                return node  # a missing key: point at the mapping that lacks it
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def load_yaml_model(path: Path, model: type[Model]) -> Model:
    """Parse ``path`` and validate it as ``model``; any failure raises :class:`ConfigError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            path, mark.line + 1 if mark else None, f"invalid YAML: {problem}"
        ) from exc
    if root is None:
        raise ConfigError(path, None, "the file is empty")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not isinstance(p, str) or not p.startswith("__"))
        node = _node_at(root, loc)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        message = f"{_loc_text(loc)}: {first['msg']}{more}"
        raise ConfigError(path, node.start_mark.line + 1, message) from exc
