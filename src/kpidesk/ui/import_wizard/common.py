"""What the wizard's steps share: the steps' order, names of layouts and column roles, and
the small widgets every page is built of."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
)

from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import PERIOD_KIND_NAMES, format_period
from kpidesk.i18n import _, ngettext
from kpidesk.io.cells import column_letter
from kpidesk.io.extract import RawRecord
from kpidesk.io.layout import ColumnRole, Layout, LayoutKind
from kpidesk.io.workbook import SheetPreview

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".tsv", ".txt")
PREVIEW_ROWS = 200
RECORDS_SHOWN = 200
GREY = QColor("#8a94a0")
HEADER_FILL = QColor("#e8f1fb")
TOTAL_FILL = QColor("#f3f4f6")


def spreadsheet_filter() -> str:
    return _("Spreadsheets (*.xlsx *.xlsm *.xlsb *.xls *.ods *.csv *.tsv *.txt)")


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


class Step:
    FILE = 0
    LAYOUT = 1
    MAPPING = 2
    CHECK = 3
    DONE = 4


def _step_titles() -> list[str]:
    return [_("File"), _("Layout"), _("Mapping"), _("Check"), _("Done")]


def _layout_names() -> dict[LayoutKind, str]:
    return {
        LayoutKind.LONG: _("One row per value (long)"),
        LayoutKind.WIDE: _("One column per KPI (wide)"),
        LayoutKind.ACROSS: _("Periods across the columns (budget sheet)"),
    }


def _role_names() -> dict[ColumnRole, str]:
    return {
        ColumnRole.PERIOD: _("Period"),
        ColumnRole.YEAR: _("Year"),
        ColumnRole.MONTH: _("Month"),
        ColumnRole.QUARTER: _("Quarter"),
        ColumnRole.WEEK: _("Week"),
        ColumnRole.KPI: _("KPI"),
        ColumnRole.UNIT: _("Unit"),
        ColumnRole.VALUE: _("Value"),
        ColumnRole.COMMENT: _("Comment"),
        ColumnRole.KPI_VALUES: _("KPI"),
        ColumnRole.PERIOD_VALUES: _("Period"),
        ColumnRole.TOTAL: _("Total, left out"),
        ColumnRole.IGNORED: _("Not used"),
    }


def column_roles(layout: Layout) -> dict[int, str]:
    """What each column of the sheet holds, as shown above the preview."""
    names = _role_names()
    roles: dict[int, str] = {column: names[role] for column, role in layout.roles}
    for kpi_column in layout.kpi_columns:
        roles[kpi_column.column] = _("KPI: {name}").format(name=kpi_column.label)
    for period_column in layout.period_columns:
        if period_column.period is not None:
            roles[period_column.column] = format_period(period_column.period)
    return roles


def layout_summary(layout: Layout) -> str:
    kind = _layout_names()[layout.kind]
    text = _("{kind}, header on row {row}").format(kind=kind, row=layout.header_row_number)
    if layout.kind is LayoutKind.ACROSS and layout.period_columns:
        frequency = _(PERIOD_KIND_NAMES[layout.frequency])
        text += ", " + ngettext(
            "{count} {kind} across", "{count} periods ({kind}) across", len(layout.period_columns)
        ).format(count=len(layout.period_columns), kind=frequency)
    return text + "."


def record_value_text(record: RawRecord) -> str:
    if record.format_percent:
        return format_number(record.value * 100) + " %"
    if record.text_percent:
        return format_number(record.value) + " %"
    return format_number(record.value)


def _item(text: str, *, grey: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if grey:
        item.setForeground(GREY)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def fill_grid(table: QTableWidget, sheet: SheetPreview, layout: Layout | None) -> None:
    """The first rows of ``sheet`` in ``table``; with ``layout``, each column's role above it,
    the header row bold and what is left out grey."""
    rows = sheet.rows[:PREVIEW_ROWS]
    width = max((len(row) for row in rows), default=0)
    table.clear()
    table.setColumnCount(width)
    table.setRowCount(len(rows))
    roles = column_roles(layout) if layout is not None else {}
    role_of = dict(layout.roles) if layout is not None else {}
    labels = []
    for column in range(width):
        letter = column_letter(column)
        labels.append(f"{letter}\n{roles[column]}" if column in roles else letter)
    table.setHorizontalHeaderLabels(labels)
    table.verticalHeader().setVisible(True)
    table.setVerticalHeaderLabels([str(n) for n in range(1, len(rows) + 1)])
    header_row = layout.header_row if layout is not None else -1
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            role = role_of.get(c)
            grey = layout is not None and (
                r < header_row or role in (None, ColumnRole.IGNORED, ColumnRole.TOTAL)
            )
            item = _item(text, grey=grey, bold=r == header_row)
            if r == header_row:
                item.setBackground(HEADER_FILL)
            elif role is ColumnRole.TOTAL:
                item.setBackground(TOTAL_FILL)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    for column in range(width):
        table.setColumnWidth(column, min(table.columnWidth(column), 220))
