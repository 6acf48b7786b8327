"""Editors' tag decisions and their audit log, written together or not at all.

Every change of a document's editor decisions goes through :func:`write_tags`
inside the caller's write transaction: the decisions (``document_tags``), one
audit row per changed (document, facet) with the exact decision rows before and
after (``tag_changes``), and a new revision on the document so the index
worker applies it. Single edits, bulk jobs and undos differ only in how they
compute the "after" state, so they cannot drift apart.

A decision row is ``{"action": "add"|"remove", "editor": str, "at": iso8601}``;
an undo writes the "before" rows back verbatim (same editor, same time), which
is what "restores the previous state exactly" means here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from indexer.catalog.revisions import bump_rev, utcnow
from indexer.catalog.tables import document_tags, documents, tag_changes

TAG_FACETS = ("audience", "topic")
_SOURCE_COLUMN = {"audience": "source_audiences", "topic": "source_topics"}
_CHUNK = 500

#: value → {"action", "editor", "at"}
Decisions = dict[str, dict[str, str]]


def effective_values(source: Sequence[str], actions: Mapping[str, str]) -> list[str]:
    """Source tags minus the removed ones, plus the added ones (sorted)."""
    values = [v for v in source if actions.get(v) != "remove"]
    values += sorted(v for v, a in actions.items() if a == "add" and v not in values)
    return values


def _actions(decisions: Decisions) -> dict[str, str]:
    return {value: row["action"] for value, row in decisions.items()}


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class TagEdit:
    """What an editor asks for on one document and facet."""

    doc_id: str
    facet: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()  # drop the decision: back to what the source says

    def __post_init__(self) -> None:
        if self.facet not in TAG_FACETS:
            raise ValueError(f"facet must be one of {TAG_FACETS}")
        named = [*self.add, *self.remove, *self.clear]
        if len(named) != len(set(named)):
            raise ValueError("a value may appear in only one of add, remove, clear")

    def apply(self, before: Decisions, editor: str, at: str) -> Decisions:
        after = dict(before)
        for action, values in (("add", self.add), ("remove", self.remove)):
            for value in values:
                if after.get(value, {}).get("action") != action:  # an unchanged decision keeps
                    after[value] = {"action": action, "editor": editor, "at": at}  # its author
        for value in self.clear:
            after.pop(value, None)
        return after


@dataclass
class DocTags:
    """One document's tag state: per facet, source values and editor decisions."""

    doc_id: str
    deleted: bool
    source: dict[str, list[str]]
    decisions: dict[str, Decisions]

    def effective(self, facet: str) -> list[str]:
        return effective_values(self.source[facet], _actions(self.decisions.get(facet, {})))


def load_tags(conn: Connection, doc_ids: Sequence[str]) -> dict[str, DocTags]:
    """Tag state of the given documents (absent ids are absent from the result)."""
    out: dict[str, DocTags] = {}
    for chunk in _chunks(list(dict.fromkeys(doc_ids))):
        for row in conn.execute(
            sa.select(
                documents.c.id,
                documents.c.deleted,
                documents.c.source_audiences,
                documents.c.source_topics,
            ).where(documents.c.id.in_(list(chunk)))
        ):
            out[row.id] = DocTags(
                row.id,
                bool(row.deleted),
                {
                    "audience": list(row.source_audiences or []),
                    "topic": list(row.source_topics or []),
                },
                {},
            )
        for row in conn.execute(
            sa.select(document_tags).where(document_tags.c.doc_id.in_(list(chunk)))
        ):
            if row.doc_id in out:
                out[row.doc_id].decisions.setdefault(row.facet, {})[row.value] = {
                    "action": row.action,
                    "editor": row.editor,
                    "at": row.updated_at.isoformat(),
                }
    return out


@dataclass
class TagWriteResult:
    rev: int | None = None
    change_ids: list[int] = field(default_factory=list)
    changed_docs: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)  # change ids an undo could not restore


@dataclass
class _Plan:
    doc_id: str
    facet: str
    #: The decisions after this plan, given those before it; None: refuse (a conflict).
    after: Callable[[Decisions], Decisions | None]
    undoes: int | None = None


def _write(
    conn: Connection,
    plans: Sequence[_Plan],
    *,
    editor: str,
    job_id: int | None,
    now: datetime,
    state: dict[str, DocTags] | None = None,
) -> TagWriteResult:
    """Apply plans whose "after" differs from "before": decisions, audit rows, one revision."""
    result = TagWriteResult()
    state = state if state is not None else load_tags(conn, [p.doc_id for p in plans])
    rows: list[dict[str, Any]] = []
    replaced: list[tuple[str, str, Decisions]] = []
    for plan in plans:
        doc = state.get(plan.doc_id)
        if doc is None or doc.deleted:
            result.missing.append(plan.doc_id)
            continue
        before = doc.decisions.get(plan.facet, {})
        after = plan.after(before)
        if after is None:
            assert plan.undoes is not None
            result.conflicts.append(plan.undoes)
            continue
        if after == before:
            result.unchanged.append(plan.doc_id)
            continue
        source = doc.source[plan.facet]
        rows.append(
            {
                "doc_id": plan.doc_id,
                "facet": plan.facet,
                "editor": editor,
                "created_at": now,
                "job_id": job_id,
                "before": before,
                "after": after,
                "before_values": effective_values(source, _actions(before)),
                "after_values": effective_values(source, _actions(after)),
                "undoes": plan.undoes,
            }
        )
        replaced.append((plan.doc_id, plan.facet, after))
        doc.decisions[plan.facet] = after  # later plans for the same document see this
    if not rows:
        return result
    rev = bump_rev(conn)
    result.rev = rev
    for facet in TAG_FACETS:  # one statement per facet and chunk, not one per document
        ids = list(dict.fromkeys(d for d, f, _ in replaced if f == facet))
        for chunk in _chunks(ids):
            conn.execute(
                document_tags.delete().where(
                    document_tags.c.facet == facet, document_tags.c.doc_id.in_(list(chunk))
                )
            )
    final = {(d, f): after for d, f, after in replaced}  # a later plan for the same pair wins
    decision_rows = [
        {
            "doc_id": d,
            "facet": f,
            "value": value,
            "action": row["action"],
            "editor": row["editor"],
            "updated_at": datetime.fromisoformat(row["at"]),
        }
        for (d, f), after in final.items()
        for value, row in after.items()
    ]
    if decision_rows:
        conn.execute(document_tags.insert(), decision_rows)
    for row in rows:
        row["rev"] = rev
    result.change_ids = list(
        conn.execute(
            tag_changes.insert().returning(tag_changes.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    undone = [
        {"b_id": row["undoes"], "b_by": cid}
        for row, cid in zip(rows, result.change_ids, strict=True)
        if row["undoes"] is not None
    ]
    if undone:
        conn.execute(
            tag_changes.update()
            .where(tag_changes.c.id == sa.bindparam("b_id"))
            .values(undone_by=sa.bindparam("b_by")),
            undone,
        )
    result.changed_docs = list(dict.fromkeys(d for d, _f, _a in replaced))
    for chunk in _chunks(result.changed_docs):
        conn.execute(
            documents.update()
            .where(documents.c.id.in_(list(chunk)))
            .values(rev=rev, updated_at=now)
        )
    return result


def write_tags(
    conn: Connection, edits: Sequence[TagEdit], *, editor: str, job_id: int | None = None
) -> TagWriteResult:
    """Record editors' decisions (inside the caller's write transaction)."""
    now = utcnow()
    at = now.isoformat()
    plans = [
        _Plan(e.doc_id, e.facet, lambda before, e=e: e.apply(before, editor, at)) for e in edits
    ]
    return _write(conn, plans, editor=editor, job_id=job_id, now=now)


def undo_changes(
    conn: Connection, change_ids: Sequence[int], *, editor: str, job_id: int | None = None
) -> TagWriteResult:
    """Restore the "before" of each change whose document still shows its "after".

    A change that was undone already, or whose document was changed again
    since, is reported in ``conflicts`` and left alone: undoing it would lose
    the later decision.
    """
    changes = {
        row.id: row
        for chunk in _chunks(list(change_ids))
        for row in conn.execute(sa.select(tag_changes).where(tag_changes.c.id.in_(list(chunk))))
    }
    plans: list[_Plan] = []
    conflicts: list[int] = []
    for change_id in change_ids:
        change = changes.get(change_id)
        if change is None:
            continue
        if change.undone_by is not None:
            conflicts.append(change_id)
            continue

        def restore(current: Decisions, c: Any = change) -> Decisions | None:
            # Checked against the state as the earlier undos of this call left it.
            return dict(c.before) if current == c.after else None

        plans.append(_Plan(change.doc_id, change.facet, restore, change.id))
    result = _write(conn, plans, editor=editor, job_id=job_id, now=utcnow())
    result.conflicts = conflicts + result.conflicts
    return result


# -- the audit log, read side -------------------------------------------------


def change_dict(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "doc_id": row.doc_id,
        "facet": row.facet,
        "editor": row.editor,
        "created_at": row.created_at.isoformat(),
        "rev": row.rev,
        "job_id": row.job_id,
        "before": row.before,
        "after": row.after,
        "before_values": row.before_values,
        "after_values": row.after_values,
        "undoes": row.undoes,
        "undone_by": row.undone_by,
    }


def list_changes(
    conn: Connection,
    *,
    editor: str | None = None,
    doc_id: str | None = None,
    job_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Newest first; ``before_id`` pages backwards through the log."""
    query = sa.select(tag_changes).order_by(tag_changes.c.id.desc()).limit(limit)
    conditions = {
        tag_changes.c.editor: editor,
        tag_changes.c.doc_id: doc_id,
        tag_changes.c.job_id: job_id,
    }
    for column, value in conditions.items():
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(tag_changes.c.created_at >= since)
    if until is not None:
        query = query.where(tag_changes.c.created_at < until)
    if before_id is not None:
        query = query.where(tag_changes.c.id < before_id)
    return [change_dict(row) for row in conn.execute(query)]


def get_change(conn: Connection, change_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(tag_changes).where(tag_changes.c.id == change_id)).first()
    return change_dict(row) if row else None


def job_change_ids(conn: Connection, job_id: int) -> list[int]:
    """Changes a job made that are still in effect (not undone), oldest first."""
    return list(
        conn.execute(
            sa.select(tag_changes.c.id)
            .where(tag_changes.c.job_id == job_id, tag_changes.c.undone_by.is_(None))
            .order_by(tag_changes.c.id)
        ).scalars()
    )
