"""The editor workspace as one service: what the editor API and the console both call.

Every operation validates, writes through the catalog (tags: ``Catalog`` /
``tagging``; jobs: ``JobStore``) and wakes the index worker, so the JSON API
and the server-rendered console cannot behave differently. Failures are
:class:`ApiError` with the field at fault; the console shows their message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.catalog import Catalog, TagEdit
from indexer.catalog.jobs import FINISHED, Job, JobStore
from indexer.catalog.tagging import TAG_FACETS, DocTags
from indexer.editorial.bulk import BULK_TAG, UNDO_JOB, filters_from_params
from indexer.editorial.suggestions import Suggestion, SuggestionStore
from indexer.editorial.vocabulary import tag_vocabulary, unknown_values
from indexer.search.service import SearchService
from indexer.search.types import Filters
from search_api.api.errors import ApiError

#: Audit entries shown with a document.
HISTORY_ON_DOCUMENT = 20


def _facet_view(doc: DocTags, facet: str, suggestions: Sequence[Suggestion]) -> dict[str, Any]:
    decisions = doc.decisions.get(facet, {})
    labels = tag_vocabulary().get(facet, {})
    return {
        "source": doc.source[facet],
        "decisions": decisions,
        "effective": doc.effective(facet),
        "labels": {v: labels.get(v, v) for v in {*doc.source[facet], *decisions}},
        "suggestions": [
            s.as_dict()
            | {
                "label": labels.get(s.value, s.value),
                "decision": decisions.get(s.value, {}).get("action"),
            }
            for s in suggestions
            if s.facet == facet
        ],
    }


@dataclass
class Workspace:
    catalog: Catalog
    search: SearchService
    suggestions: SuggestionStore
    jobs: JobStore
    max_bulk_documents: int
    review_threshold: float
    #: Called after a tag write (wakes the index worker) / a job submission (the runner).
    on_tags_written: Callable[[], None] = lambda: None
    on_job_submitted: Callable[[], None] = lambda: None

    # -- reading -----------------------------------------------------------

    def tags_of(self, doc_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """doc id → facet → source / decisions / effective / suggestions."""
        state = self.catalog.tag_state(doc_ids)
        suggested = self.suggestions.for_documents(list(state))
        return {
            doc_id: {f: _facet_view(doc, f, suggested.get(doc_id, [])) for f in TAG_FACETS}
            for doc_id, doc in state.items()
            if not doc.deleted
        }

    def find(self, q: str, filters: Filters, page: int, size: int) -> dict[str, Any]:
        result = self.search.search(q, filters=filters, page=page, size=size).as_dict()
        tags = self.tags_of([hit["id"] for hit in result["hits"]])
        result["hits"] = [
            {k: hit[k] for k in ("id", "type", "title", "snippet", "score")}
            | {"tags": tags.get(hit["id"], {})}
            for hit in result["hits"]
            if hit["id"] in tags  # deleted since the index saw it
        ]
        return result

    def document(self, doc_id: str) -> dict[str, Any]:
        record = self.catalog.get(doc_id)
        if record is None:
            raise ApiError(404, "not_found", f"no document {doc_id!r}", "doc_id", "path")
        keep = ("id", "type", "title", "body", "url", "source", "region", "published_at")
        return {k: record.get(k) for k in keep} | {
            "tags": self.tags_of([doc_id])[doc_id],
            "history": self.catalog.tag_changes(doc_id=doc_id, limit=HISTORY_ON_DOCUMENT),
        }

    def review_queue(
        self, facet: str | None, max_confidence: float | None, limit: int, offset: int
    ) -> dict[str, Any]:
        threshold = self.review_threshold if max_confidence is None else max_confidence
        total, items = self.suggestions.review_queue(
            max_confidence=threshold, facet=facet, limit=limit, offset=offset
        )
        titles = {r["id"]: r for r in self.catalog.get_many(list({s.doc_id for s in items}))}
        return {
            "total": total,
            "threshold": threshold,
            "items": [
                s.as_dict()
                | {
                    "label": tag_vocabulary().get(s.facet, {}).get(s.value, s.value),
                    "title": titles[s.doc_id]["title"],
                    "type": titles[s.doc_id]["type"],
                }
                for s in items
                if s.doc_id in titles
            ],
        }

    def audit(self, **filters: Any) -> dict[str, Any]:
        limit = filters.pop("limit", 50)
        changes = self.catalog.tag_changes(limit=limit + 1, **filters)
        more = len(changes) > limit
        changes = changes[:limit]
        return {"changes": changes, "next_before_id": changes[-1]["id"] if more else None}

    def job(self, job_id: int) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise ApiError(404, "not_found", f"no job {job_id}", "job_id", "path")
        return job

    # -- writing -----------------------------------------------------------

    @staticmethod
    def _check_values(facet: str, values: Sequence[str], field: str) -> None:
        if unknown := unknown_values(facet, list(values)):
            raise ApiError(
                422,
                "unknown_tag",
                f"not in the {facet} taxonomy: {', '.join(unknown)}",
                field,
                "body",
            )

    def change_tags(
        self,
        doc_id: str,
        facet: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        clear: Sequence[str] = (),
        editor: str,
    ) -> dict[str, Any]:
        """Returns ``{"change": audit entry or None if nothing changed, "tags": facet view}``."""
        self._check_values(facet, [*add, *remove], "add")
        try:
            edit = TagEdit(doc_id, facet, tuple(add), tuple(remove), tuple(clear))
        except ValueError as exc:
            raise ApiError(422, "validation_error", str(exc), "remove", "body") from None
        result = self.catalog.set_tags_many([edit], editor=editor)
        if result.missing:
            raise ApiError(404, "not_found", f"no document {doc_id!r}", "doc_id", "path")
        if result.change_ids:
            self.on_tags_written()
        change = self.catalog.tag_change(result.change_ids[0]) if result.change_ids else None
        return {"doc_id": doc_id, "change": change, "tags": self.tags_of([doc_id])[doc_id][facet]}

    def decide_suggestion(
        self, doc_id: str, facet: str, value: str, accept: bool, *, editor: str
    ) -> dict[str, Any]:
        if self.suggestions.get(doc_id, facet, value) is None:
            raise ApiError(
                404, "not_found", f"no {facet} suggestion {value!r} for {doc_id!r}", "value", "body"
            )
        if accept:
            return self.change_tags(doc_id, facet, add=[value], editor=editor)
        return self.change_tags(doc_id, facet, remove=[value], editor=editor)

    def undo_change(self, change_id: int, *, editor: str) -> dict[str, Any]:
        change = self.catalog.tag_change(change_id)
        if change is None:
            raise ApiError(404, "not_found", f"no change {change_id}", "change_id", "path")
        result = self.catalog.undo_tag_changes([change_id], editor=editor)
        if result.conflicts:
            why = (
                f"already undone by change {change['undone_by']}"
                if change["undone_by"]
                else "the document's tags changed since; undo the later changes first"
            )
            raise ApiError(409, "conflict", f"cannot undo change {change_id}: {why}")
        if result.missing:
            raise ApiError(409, "conflict", f"document {change['doc_id']!r} no longer exists")
        self.on_tags_written()
        undo = self.catalog.tag_change(result.change_ids[0])
        assert undo is not None
        return undo

    def submit_bulk(
        self,
        *,
        action: str,
        facet: str,
        values: Sequence[str],
        ids: Sequence[str] | None,
        query: dict[str, Any] | None,
        editor: str,
    ) -> Job:
        self._check_values(facet, values, "values")
        if ids is not None:
            if len(ids) > self.max_bulk_documents:
                raise ApiError(
                    400,
                    "too_many_documents",
                    f"at most {self.max_bulk_documents} documents per job",
                    "selection.ids",
                    "body",
                )
            selection: dict[str, Any] = {"ids": list(dict.fromkeys(ids))}
        else:
            assert query is not None
            total, _ = self.search.matching_ids(
                query["q"], filters=filters_from_params(query), limit=0
            )
            if total == 0:
                raise ApiError(
                    400, "no_documents", "the query matches no documents", "selection.query", "body"
                )
            if total > self.max_bulk_documents:
                raise ApiError(
                    400,
                    "too_many_documents",
                    f"the query matches {total} documents; at most {self.max_bulk_documents} "
                    "per job: narrow it with filters",
                    "selection.query",
                    "body",
                )
            selection = {"query": query, "expected": total}
        params = {"action": action, "facet": facet, "values": list(values), "selection": selection}
        job = self.jobs.submit(BULK_TAG, params, editor)
        self.on_job_submitted()
        return job

    def submit_undo_job(self, job_id: int, *, editor: str) -> Job:
        original = self.job(job_id)
        if original.kind != BULK_TAG:
            raise ApiError(409, "conflict", f"job {job_id} is not a bulk tag job")
        if original.status not in FINISHED:
            raise ApiError(409, "conflict", f"job {job_id} is still {original.status}")
        for other in self.jobs.active():
            if other.kind == UNDO_JOB and other.params.get("job_id") == job_id:
                raise ApiError(409, "conflict", f"job {job_id} is being undone by job {other.id}")
        if not self.catalog.job_changes_in_effect(job_id):
            raise ApiError(409, "conflict", f"job {job_id} has no changes left to undo")
        job = self.jobs.submit(UNDO_JOB, {"job_id": job_id}, editor)
        self.on_job_submitted()
        return job
