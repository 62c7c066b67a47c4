"""Laying out the PDF report's A4 pages: text, paragraphs and tables placed from the PDF
device's font metrics, each as an operation painted later, so that the contents page
knows where everything lands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPdfWriter,
    QPen,
)

from kpidesk import palette
from kpidesk.ui.render.charts import TEXT_COLOR

Op = Callable[[QPainter], None]
RESOLUTION = 300
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_MM = 18.0
TOP_MM = 24.0
BOTTOM_MM = 20.0
RULE_COLOR = "#d0d7de"
HEADER_FILL = palette.ACTUAL_LINE
GROUP_FILL = "#f6f8fa"


def mm(value: float) -> float:
    return value * RESOLUTION / 25.4


@dataclass
class Cell:
    text: str
    color: str | None = None
    fill: str | None = None
    bold: bool = False


@dataclass
class Column:
    title: str
    width_mm: float
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft

    @property
    def one_line(self) -> bool:
        """Numbers stay on one line, shrunk to fit rather than wrapped or cut."""
        return bool(self.align & Qt.AlignmentFlag.AlignRight)


@dataclass
class Page:
    ops: list[Op] = field(default_factory=list)
    decorated: bool = True


class _Layout:
    """Places blocks on pages from top to bottom; each block becomes a paint operation."""

    def __init__(self, writer: QPdfWriter) -> None:
        self.device = writer
        self.pages: list[Page] = []
        self.top = mm(TOP_MM)
        self.bottom = mm(PAGE_HEIGHT_MM - BOTTOM_MM)
        self.left = mm(MARGIN_MM)
        self.width = mm(PAGE_WIDTH_MM - 2 * MARGIN_MM)
        self.y = self.top

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def new_page(self, *, decorated: bool = True) -> int:
        self.pages.append(Page(decorated=decorated))
        self.y = self.top
        return len(self.pages) - 1

    @property
    def page_index(self) -> int:
        return len(self.pages) - 1

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, height: float) -> bool:
        """Start a new page unless ``height`` fits; True if it did."""
        if height > self.room() and self.y > self.top + 1:
            self.new_page()
            return True
        return False

    def add(self, op: Op) -> None:
        self.pages[-1].ops.append(op)

    def text_height(self, text: str, font: QFont, width: float) -> float:
        rect = self.metrics(font).boundingRect(
            QRectF(0, 0, width, 1e6), int(Qt.TextFlag.TextWordWrap), text
        )
        return rect.height()

    def paragraph(
        self,
        text: str,
        font: QFont,
        *,
        color: str = TEXT_COLOR,
        gap: float = 0.0,
        indent: float = 0.0,
    ) -> None:
        if not text:
            return
        width = self.width - indent
        height = self.text_height(text, font, width)
        self.ensure(height)
        rect = QRectF(self.left + indent, self.y, width, height + 2)

        def draw(painter: QPainter) -> None:
            painter.setFont(font)
            painter.setPen(QColor(color))
            painter.drawText(rect, int(Qt.TextFlag.TextWordWrap), text)

        self.add(draw)
        self.y += height + gap

    def space(self, amount: float) -> None:
        self.y += amount

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Cell] | str],
        *,
        font: QFont,
        header_font: QFont,
        padding: float = mm(1.2),
        left: float | None = None,
        width: float | None = None,
    ) -> None:
        """A table; a plain string row is a group heading across all columns. The header
        repeats on every page the table reaches."""
        x0 = self.left if left is None else left
        total = self.width if width is None else width
        widths = [mm(column.width_mm) for column in columns]
        scale = total / sum(widths)
        widths = [w * scale for w in widths]
        flags = int(Qt.TextFlag.TextWordWrap)

        def header_height() -> float:
            return (
                max(
                    self.text_height(column.title, header_font, w - 2 * padding)
                    for column, w in zip(columns, widths, strict=True)
                )
                + 2 * padding
            )

        def draw_header() -> None:
            height = header_height()
            top = self.y

            def draw(painter: QPainter) -> None:
                painter.fillRect(QRectF(x0, top, total, height), QColor(HEADER_FILL))
                painter.setFont(header_font)
                painter.setPen(QColor("#ffffff"))
                x = x0
                for column, w in zip(columns, widths, strict=True):
                    painter.drawText(
                        QRectF(x + padding, top + padding, w - 2 * padding, height),
                        flags | int(column.align),
                        column.title,
                    )
                    x += w

            self.add(draw)
            self.y += height

        head = header_height()
        first_height = head + self.metrics(font).height() * 2 + 2 * padding
        self.ensure(first_height)
        draw_header()
        for row in rows:
            if isinstance(row, str):
                height = self.text_height(row, header_font, total) + 2 * padding
                if self.ensure(height + head + height):
                    draw_header()
                top = self.y
                text = row

                def draw_group(
                    painter: QPainter, top: float = top, height: float = height, text: str = text
                ) -> None:
                    painter.fillRect(QRectF(x0, top, total, height), QColor(GROUP_FILL))
                    painter.setFont(header_font)
                    painter.setPen(QColor(palette.ACTUAL_LINE))
                    painter.drawText(
                        QRectF(x0 + padding, top + padding, total, height),
                        flags,
                        text,
                    )

                self.add(draw_group)
                self.y += height
                continue
            cells = list(row)
            bold_font = QFont(font)
            bold_font.setBold(True)
            height = max(
                self.text_height(cell.text, bold_font if cell.bold else font, w - 2 * padding)
                if cell.text and not column.one_line
                else 0.0
                for column, cell, w in zip(columns, cells, widths, strict=True)
            )
            height = max(height, self.metrics(font).height()) + 2 * padding
            if self.ensure(height):
                draw_header()
            top = self.y

            def draw_row(
                painter: QPainter,
                cells: list[Cell] = cells,
                top: float = top,
                height: float = height,
            ) -> None:
                x = x0
                for column, cell, w in zip(columns, cells, widths, strict=True):
                    if cell.fill:
                        painter.fillRect(QRectF(x, top, w, height), QColor(cell.fill))
                    cell_font = QFont(font)
                    cell_font.setBold(cell.bold)
                    if column.one_line and cell.text:
                        advance = QFontMetricsF(cell_font, painter.device()).horizontalAdvance(
                            cell.text
                        )
                        available = w - 2 * padding
                        if advance > available:
                            factor = max(available / advance, 0.6)
                            cell_font.setPointSizeF(cell_font.pointSizeF() * factor * 0.98)
                    painter.setFont(cell_font)
                    painter.setPen(QColor(cell.color or TEXT_COLOR))
                    painter.drawText(
                        QRectF(x + padding, top + padding, w - 2 * padding, height),
                        flags | int(column.align),
                        cell.text,
                    )
                    x += w
                painter.setPen(QPen(QColor(RULE_COLOR), mm(0.2)))
                painter.drawLine(QPointF(x0, top + height), QPointF(x0 + total, top + height))

            self.add(draw_row)
            self.y += height
