"""Chart geometry for the analytics page: inline SVG computed server-side.

Why server-side SVG: the console works offline (no chart library from a CDN)
and its pages carry no script; the template only places shapes computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT, PAD = 640, 200, 36


@dataclass(frozen=True)
class Series:
    label: str
    css: str
    points: str  # SVG polyline points
    dots: list[tuple[float, float, int]]  # x, y, value


def line_chart(rows: list[dict[str, Any]], x_key: str, keys: dict[str, str]) -> dict[str, Any]:
    """Polylines for ``keys`` (column → label) over the rows, a shared y scale from 0."""
    top = max([row[k] for row in rows for k in keys] + [1])
    n = max(len(rows) - 1, 1)

    def x(i: int) -> float:
        return round(PAD + i * (WIDTH - 2 * PAD) / n, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - value * (HEIGHT - 2 * PAD) / top, 1)

    series = []
    for index, (key, label) in enumerate(keys.items()):
        dots = [(x(i), y(row[key]), row[key]) for i, row in enumerate(rows)]
        points = " ".join(f"{px},{py}" for px, py, _ in dots)
        series.append(Series(label, f"s{index}", points, dots))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "top": top,
        "series": series,
        "ticks": [(x(i), str(row[x_key])[5:]) for i, row in enumerate(rows)],
    }


def bar_chart(rows: list[dict[str, Any]], label_key: str, value_key: str) -> dict[str, Any]:
    """Horizontal bars, longest first as given."""
    top = max([row[value_key] for row in rows] + [1])
    bar, gap, label_width = 18, 6, 120
    bars = [
        {
            "label": row[label_key],
            "value": row[value_key],
            "y": i * (bar + gap),
            "width": round((WIDTH - label_width - 60) * row[value_key] / top, 1),
        }
        for i, row in enumerate(rows)
    ]
    return {
        "width": WIDTH,
        "height": max(len(rows) * (bar + gap), bar),
        "bar": bar,
        "label_width": label_width,
        "bars": bars,
    }
