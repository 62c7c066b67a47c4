"""A KPI's status and sparkline in a list, as the scorecard and the review meeting show them."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from kpidesk.domain.status import STATUS_LABELS, Status
from kpidesk.i18n import _
from kpidesk.palette import SYMBOL_COLORS

SPARK = Qt.ItemDataRole.UserRole + 1
STATUS = Qt.ItemDataRole.UserRole + 2


def status_text(status: Status) -> str:
    return f"{status.symbol} {_(STATUS_LABELS[status])}"


class SparklineDelegate(QStyledItemDelegate):
    """A small line of the KPI's recent periods; the last point in its status colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        values = index.data(SPARK) or []
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) < 2:
            return
        rect: QRect = option.rect.adjusted(6, 5, -8, -5)
        low = min(v for _i, v in points)
        high = max(v for _i, v in points)
        span = (high - low) or 1.0
        count = max(len(values) - 1, 1)

        def at(i: int, v: float) -> QPointF:
            return QPointF(
                rect.left() + rect.width() * i / count,
                rect.bottom() - rect.height() * (v - low) / span,
            )

        path = QPainterPath(at(*points[0]))
        for i, v in points[1:]:
            path.lineTo(at(i, v))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(option.palette.text().color(), 1.3))
        painter.drawPath(path)
        status = index.data(STATUS) or Status.NO_DATA
        painter.setBrush(QBrush(QColor(SYMBOL_COLORS[Status(status)])))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(at(*points[-1]), 3.0, 3.0)
        painter.restore()

    def sizeHint(
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QSize:
        return QSize(110, 26)
