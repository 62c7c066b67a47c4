"""What the chart window's parts share: the words for kinds and overlays, the colours and
widths of the lines, and how near a hover or a note must be."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QWidget

from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Status
from kpidesk.domain.trends import Outlook
from kpidesk.i18n import N_
from kpidesk.palette import (
    FORECAST_LINE,
    SERIES_COLORS,
)

KIND_LABELS = {
    PeriodKind.WEEK: N_("Week"),
    PeriodKind.MONTH: N_("Month"),
    PeriodKind.QUARTER: N_("Quarter"),
    PeriodKind.YEAR: N_("Year"),
}


AVERAGE_LABELS = {
    PeriodKind.WEEK: N_("Moving average (4 weeks)"),
    PeriodKind.MONTH: N_("Moving average (3 months)"),
    PeriodKind.QUARTER: N_("Moving average (2 quarters)"),
    PeriodKind.YEAR: N_("Moving average (2 years)"),
}


OUTLOOK_STATUS = {
    Outlook.LIKELY: Status.GREEN,
    Outlook.POSSIBLE: Status.AMBER,
    Outlook.UNLIKELY: Status.RED,
}


BAND_ZONES = ("red_low", "amber_low", "green", "amber_high", "red_high")
ZONE_STATUS = {
    "red_low": Status.RED,
    "amber_low": Status.AMBER,
    "green": Status.GREEN,
    "amber_high": Status.AMBER,
    "red_high": Status.RED,
}


UNIT_COLORS = tuple(c for c in SERIES_COLORS if c != FORECAST_LINE)
"""The palette's series colours for units, but for the forecast's."""


LINE_WIDTH = 2.2
THIN_LINE_WIDTH = 1.0
"""With more units than MAX_TARGET_LINES the lines are thin and without points: twenty thick
lines and 2,400 dots blot each other out, and Qt strokes one-pixel antialiased lines several
times faster (a 20-unit switch went from about 90 to 65 ms of CPU). Hover still finds the
values."""


MAX_TARGET_LINES = 4
"""With more units than this, only the first ones' targets are drawn: twenty dashed step
lines bury the actuals (each point's target still shows on hover and in the table)."""


HOVER_DISTANCE = 40  # pixels from a point within which hovering shows it
NOTE_LENGTH = 40  # characters of a note drawn on the chart; all of it shows on hover
EXPORT_WIDTH = 1600  # pixels of an exported PNG
SaveDialog = Callable[[QWidget, str, str, str], tuple[str, str]]
NoteDialog = Callable[[QWidget, str, str], tuple[str, bool]]


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )


def _fill_item(brush: QColor) -> QGraphicsPathItem:
    fill = QGraphicsPathItem()
    fill.setPen(QPen(Qt.PenStyle.NoPen))
    fill.setBrush(brush)
    fill.setVisible(False)
    return fill
