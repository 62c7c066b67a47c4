"""What the meeting's parts and presenter mode share: the agenda's keys, how a KPI's figures
are written, and small helpers for the lists."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTreeWidget,
)

from kpidesk.domain.numbers import format_change, format_value
from kpidesk.domain.periods import Period, format_period
from kpidesk.domain.status import AGENDA_ORDER, Status, is_improvement
from kpidesk.palette import (
    BAD_CHANGE,
    FILL_COLORS,
    GOOD_CHANGE,
    SYMBOL_COLORS,
)
from kpidesk.services import reviews as review_service
from kpidesk.services.reviews import (
    AgendaItem,
    UnitFigures,
    local_time,
)

FOLLOW_UP_KEY = ("follow_up", 0)


OTHER_KEY = ("other", 0)


KEY_ROLE = Qt.ItemDataRole.UserRole


ROW_ID = Qt.ItemDataRole.UserRole + 10


TREND = 5


def kpi_key(kpi_id: int) -> tuple[str, int]:
    return ("kpi", kpi_id)


def value_formatter(item: AgendaItem, currency: str) -> Callable[[float | None], str]:
    def fmt(value: float | None) -> str:
        return format_value(
            value,
            item.measure_unit,
            decimals=item.decimals,
            currency=currency,
            unit_label=item.unit_label,
        )

    return fmt


def target_text(figures: UnitFigures, fmt: Callable[[float | None], str]) -> str:
    if figures.target is not None and figures.target_high is not None:
        return f"{fmt(figures.target)} – {fmt(figures.target_high)}"
    return fmt(figures.target)


def change_parts(item: AgendaItem, figures: UnitFigures) -> tuple[str, str | None]:
    """``▲ +3.2%`` against the previous period, and its colour (good or bad news)."""
    value, before = figures.value, figures.previous_value
    text = format_change(value, before, item.measure_unit)
    if not text or value is None or before is None:
        return "", None
    arrow = "▲" if value > before else "▼" if value < before else "▶"
    good = is_improvement(value - before, item.direction)
    color = None if good is None else GOOD_CHANGE if good else BAD_CHANGE
    return f"{arrow} {text}", color


def period_label(key: str, *, short: bool = False) -> str:
    try:
        return format_period(Period.from_key(key), short=short)
    except ValueError:
        return key


def status_counts_text(statuses: list[Status]) -> str:
    return "   ".join(
        f"{status.symbol} {sum(1 for s in statuses if s is status)}"
        for status in AGENDA_ORDER
        if any(s is status for s in statuses)
    )


@cache
def status_icon(status: Status) -> QIcon:
    """A small muted square with the status symbol in its saturated colour."""
    pixmap = QPixmap(40, 40)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(FILL_COLORS[status]))
    painter.setPen(QPen(QColor(SYMBOL_COLORS[status]), 2))
    painter.drawRoundedRect(QRectF(2, 2, 36, 36), 8, 8)
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, 40, 40), Qt.AlignmentFlag.AlignCenter, status.symbol)
    painter.end()
    result = QIcon()
    result.addPixmap(pixmap, QIcon.Mode.Normal)
    result.addPixmap(pixmap, QIcon.Mode.Selected)
    return result


def describe_event(event: review_service.ReviewEventRow) -> str:
    moment = local_time(event.at)
    when = moment.strftime("%Y-%m-%d %H:%M") if moment else ""
    text = f"{event.label} {when}"
    if event.note:
        text += f": “{event.note}”"
    return text


def _tree(headers: list[str], name: str) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setAccessibleName(name)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    tree.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
    return tree


def _fit_height(tree: QTreeWidget, minimum_rows: int = 1) -> None:
    """Show every row of a short list without its own scroll bar (the page scrolls)."""
    rows = max(tree.topLevelItemCount(), minimum_rows)
    row_height = tree.sizeHintForRow(0) if tree.topLevelItemCount() else 24
    row_height = max(row_height, 24)
    tree.setFixedHeight(tree.header().sizeHint().height() + rows * row_height + 6)


def fit_columns(tree: QTreeWidget, caps: dict[int, int]) -> None:
    """Size columns to their contents, but no wider than their cap (the rest elide)."""
    for column, cap in caps.items():
        tree.resizeColumnToContents(column)
        tree.setColumnWidth(column, min(tree.columnWidth(column), cap))


def _link_text(kpi_name: str, goal_title: str) -> str:
    return " · ".join(part for part in (kpi_name, goal_title) if part)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
