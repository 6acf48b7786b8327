"""``/api/v1/analytics``: needs analytics for editors (aggregates only; editor:read).

Every table of the report is also one CSV (``?format=csv``), byte for byte what
the console's export link serves: both read the same ``Report``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from fasou.analytics.events import UNSPECIFIED, week_of
from fasou.analytics.reports import TABLES, Report, ReportFilter
from fasou.taxonomy import taxonomy
from search_api.api.deps import Reader, ReportsDep, rate_limited
from search_api.api.errors import ApiError
from search_api.schemas import error_responses

router = APIRouter(prefix="/analytics", tags=["analytics"], dependencies=[rate_limited("editor")])
MAX_WEEKS = 26


def report_filter(
    reports: ReportsDep,
    weeks: Annotated[int, Query(ge=1, le=MAX_WEEKS, description="覆盖的周数")] = 8,
    last_week: Annotated[
        date | None, Query(description="最后一周 (任一天; 默认: 有数据的最近一周)")
    ] = None,
    audience: Annotated[str, Query(max_length=64, description="受众 id, 或 unspecified")] = "",
    region: Annotated[str, Query(max_length=100, description="地区 (省/市/县)")] = "",
) -> ReportFilter:
    """The one reading of report parameters (API and console)."""
    if audience and audience != UNSPECIFIED and audience not in taxonomy().audiences:
        raise ApiError(422, "validation_error", f"unknown audience {audience!r}", "audience")
    if last_week is not None and not date(2000, 1, 1) <= last_week <= date(2200, 1, 1):
        raise ApiError(422, "validation_error", "last_week is out of range", "last_week")
    return reports.default_filter(
        last_week=week_of(last_week) if last_week else None,
        weeks=weeks,
        audience=audience,
        region=region.strip(),
    )


Selection = Annotated[ReportFilter, Depends(report_filter)]
TableName = Annotated[Literal[TABLES], Path(description="报表名")]  # type: ignore[valid-type]


@router.get("/report", responses=error_responses(401, 403, 422, 429))
def get_report(reports: ReportsDep, _reader: Reader, selection: Selection) -> dict[str, Any]:
    """Every table for the selection: weekly series, audiences, regions, top queries,
    zero-result queries, topics, click-through by content type, feedback, content gaps."""
    return reports.build(selection).as_dict()


@router.get(
    "/report/{table}",
    responses=error_responses(401, 403, 422, 429)
    | {200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def get_table(
    reports: ReportsDep,
    _reader: Reader,
    selection: Selection,
    table: TableName,
    format: Annotated[Literal["json", "csv"], Query(description="json 或 csv")] = "json",
) -> Any:
    report = reports.build(selection)
    if format == "csv":
        return csv_response(report, table)
    return {"filter": selection.as_dict(), "k": report.k, "rows": report.tables[table]}


def csv_response(report: Report, table: str) -> Response:
    name = f"fasou-{table}-{report.filter.last_week.isoformat()}.csv"
    return Response(
        report.csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
