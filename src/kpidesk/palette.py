"""The one status palette used everywhere: app, charts, Excel packs and PDF reports.

Muted fills for cells, saturated colours for symbols and lines; chosen for contrast on white
and readable in black-and-white print because every status also carries a symbol.
"""

from __future__ import annotations

from kpidesk.domain.status import Status

SYMBOL_COLORS = {
    Status.GREEN: "#1a7f37",
    Status.AMBER: "#9a6700",
    Status.RED: "#cf222e",
    Status.NO_TARGET: "#0550ae",
    Status.NO_DATA: "#6e7781",
}

FILL_COLORS = {
    Status.GREEN: "#dafbe1",
    Status.AMBER: "#fff1c2",
    Status.RED: "#ffe1de",
    Status.NO_TARGET: "#e7f1fb",
    Status.NO_DATA: "#eef1f4",
}

ACTUAL_LINE = "#1f4e79"
TARGET_LINE = "#444c56"
FORECAST_LINE = "#8250df"
LAST_YEAR_LINE = "#8c959f"
GOOD_CHANGE = SYMBOL_COLORS[Status.GREEN]
BAD_CHANGE = SYMBOL_COLORS[Status.RED]
SERIES_COLORS = (
    "#1f4e79",
    "#bc4c00",
    "#1a7f37",
    "#8250df",
    "#0969da",
    "#9a6700",
    "#cf222e",
    "#57606a",
)
