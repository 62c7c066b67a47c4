"""A first look at a workbook: its sheets, their first rows and the layout found on each.

:func:`open_preview` reads in a separate process (see :mod:`kpidesk.io._process`), so a
hostile or broken file ends in a :class:`SpreadsheetError`, never in a hang or a crash of
the app.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpidesk.i18n import N_
from kpidesk.io._cellinfo import ods_currency_cells, xlsx_currency_cells
from kpidesk.io._process import DEFAULT_MEMORY_LIMIT, run_in_child
from kpidesk.io.cells import CellValue, display_value
from kpidesk.io.errors import (
    MSG_NO_SHEET,
    MSG_NO_SHEETS,
    MSG_NOT_FOUND,
    Message,
    SpreadsheetError,
    SpreadsheetErrorKind,
    check_input_file,
)
from kpidesk.io.layout import MAX_COLUMNS, Layout, LayoutError, LayoutKind
from kpidesk.io.layout_detection import detect_layout
from kpidesk.io.readers import Book, Sheet, open_book
from kpidesk.io.sniff import SpreadsheetFormat, sniff_format

__all__ = ["SheetPreview", "WorkbookPreview", "open_preview"]

DETECT_ROWS = 300  # rows read to find the layout
MAX_PREVIEW_COLUMNS = 200
MAX_PREVIEW_TEXT = 500  # characters of one cell in the preview
MAX_PREVIEW_SHEETS = 60
PREVIEW_TIME_BUDGET = 15.0  # seconds of sheet loading before further sheets are only listed
PREVIEW_TIME_LIMIT = 25.0


@dataclass(frozen=True, slots=True)
class SheetPreview:
    """One sheet: its first rows as display texts (from ``A1``) and the layout found.

    ``rows[i][j]`` is the text of the cell on row ``i + 1``, column ``j`` (``A`` = 0); all
    rows have the same length (up to the last column with anything in the rows shown).
    ``layout`` is None when no table of KPI values was found, or the sheet could not be
    read; ``problem`` then says why (an untranslated :class:`Message`). ``currency_cells``
    are the cells of the rows shown whose number format shows a currency, as 0-based
    ``(row, column)`` (``.xlsx`` and ``.ods``): a hint of a KPI's unit of measure.
    """

    name: str
    index: int
    hidden: bool
    kind: str  # "worksheet", "chart", "macro", "dialog"
    rows: tuple[tuple[str, ...], ...]
    row_count: int  # rows on the sheet, as far as the reader knows
    layout: Layout | None
    problem: Message | None = None
    currency_cells: frozenset[tuple[int, int]] = frozenset()

    @property
    def usable(self) -> bool:
        return self.layout is not None and not self.layout.problems


@dataclass(frozen=True, slots=True)
class WorkbookPreview:
    file_name: str
    format: SpreadsheetFormat
    reader: str  # "calamine", "openpyxl" or "csv"
    sheets: tuple[SheetPreview, ...]

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    @property
    def default_sheet(self) -> SheetPreview | None:
        """The first visible sheet with a layout (what :func:`read_records` reads by default)."""
        for sheet in self.sheets:
            if not sheet.hidden and sheet.layout is not None:
                return sheet
        return next((sheet for sheet in self.sheets if sheet.layout is not None), None)

    def sheet(self, name: str) -> SheetPreview:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)


def open_preview(
    path: str | os.PathLike[str],
    *,
    max_rows: int = 200,
    default_year: int | None = None,
    layout: LayoutKind | str | None = None,
    time_limit: float = PREVIEW_TIME_LIMIT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> WorkbookPreview:
    """Sheet names, hidden flags, the first ``max_rows`` rows of each sheet as display texts,
    and the layout detected on each (``layout`` forces one kind).

    Raises :class:`SpreadsheetError` for a file that cannot be read at all.
    """
    path = Path(path)
    _check_exists(path)
    payload = {
        "path": str(path),
        "max_rows": max_rows,
        "default_year": default_year,
        "force": str(layout) if layout else None,
    }
    result: WorkbookPreview = run_in_child(
        "preview",
        payload,
        file_name=path.name,
        time_limit=time_limit,
        memory_limit=memory_limit,
    )
    return result


def _check_exists(path: Path) -> None:
    check_input_file(path)
    if not os.access(path, os.R_OK):
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_FOUND, MSG_NOT_FOUND, file=path.name)


# In the reader process -------------------------------------------------------------------


def read_grid(sheet: Sheet, limit: int, *, show_errors: bool = True) -> list[list[CellValue]]:
    """The sheet's first ``limit`` rows, from ``A1`` (empty cells as None), with error cells
    shown as their error (``#DIV/0!``) where the reader hid them."""
    grid: list[list[CellValue]] = []
    offset = sheet.column_offset
    rows: Iterator[tuple[int, list[CellValue]]] = sheet.rows()
    cut_seen = False
    for index, cells in rows:
        if index >= limit:
            break
        while len(grid) < index:
            grid.append([])
        values = [None if (v == "" or v is None) else v for v in cells[:MAX_COLUMNS]]
        if not cut_seen and len(cells) > MAX_COLUMNS:
            # the first cell past the columns read, in its place, so the layout reports it
            beyond = next(
                (j for j in range(MAX_COLUMNS, len(cells)) if cells[j] not in ("", None)), None
            )
            if beyond is not None:
                values.extend([None] * (beyond - MAX_COLUMNS))
                values.append(cells[beyond])
                cut_seen = True
        grid.append([None] * offset + values if offset else values)
    try:
        errors = sheet.cell_info().first_errors(limit) if show_errors else {}
    except Exception:  # the overlay is a bonus
        errors = {}
    for (row, column), text in errors.items():
        if row < len(grid) and column < MAX_COLUMNS:
            cells = grid[row]
            if len(cells) <= column:
                cells.extend([None] * (column + 1 - len(cells)))
            cells[column] = text
    return grid


def find_layout(
    book: Book,
    sheet: Sheet,
    grid: list[list[CellValue]],
    *,
    default_year: int | None,
    force: str | None,
) -> Layout:
    file_name = Path(getattr(book, "path", "")).name
    return detect_layout(
        grid,
        sheet_name=sheet.name,
        file_name=file_name,
        default_year=default_year,
        force=LayoutKind(force) if force else None,
    )


def build_preview(payload: dict[str, Any], send: Any) -> WorkbookPreview:
    path = Path(payload["path"])
    max_rows = max(1, int(payload["max_rows"]))
    default_year = payload.get("default_year")
    force = payload.get("force")
    fmt = sniff_format(path)
    book = open_book(path, fmt)
    started = time.monotonic()
    try:
        sheets = []
        for info in book.sheets:
            late = time.monotonic() - started > PREVIEW_TIME_BUDGET
            if info.kind != "worksheet" or late or info.index >= MAX_PREVIEW_SHEETS:
                reason = (
                    Message.of(N_("This is a chart or macro sheet; it holds no cells to import."))
                    if info.kind != "worksheet"
                    else Message.of(N_("This sheet was not previewed; choose it to read it."))
                )
                sheets.append(
                    SheetPreview(info.name, info.index, info.hidden, info.kind, (), 0, None, reason)
                )
                continue
            try:
                sheet = book.preview_sheet(info.name)
                grid = read_grid(sheet, max(max_rows, DETECT_ROWS))
            except SpreadsheetError as error:
                sheets.append(
                    SheetPreview(
                        info.name,
                        info.index,
                        info.hidden,
                        info.kind,
                        (),
                        0,
                        None,
                        Message.from_error(error),
                    )
                )
                continue
            layout: Layout | None = None
            problem: Message | None = None
            if not any(grid):
                problem = Message.of(N_("The sheet is empty."))
            else:
                try:
                    layout = find_layout(book, sheet, grid, default_year=default_year, force=force)
                except LayoutError as error:
                    problem = Message.from_error(error)
            width = min(
                MAX_PREVIEW_COLUMNS, max((_width(row) for row in grid[:max_rows]), default=0)
            )
            shown = tuple(
                tuple(_shown(v) for v in row[:width]) + ("",) * (width - min(width, len(row)))
                for row in grid[:max_rows]
            )
            row_count = max(sheet.height, len(grid)) if fmt is not SpreadsheetFormat.CSV else 0
            sheets.append(
                SheetPreview(
                    info.name,
                    info.index,
                    info.hidden,
                    info.kind,
                    shown,
                    row_count,
                    layout,
                    problem,
                    _currency_cells(path, fmt, info.name, len(shown)) if layout else frozenset(),
                )
            )
        if not sheets:
            raise SpreadsheetError(SpreadsheetErrorKind.NO_SHEET, MSG_NO_SHEETS, file=path.name)
        return WorkbookPreview(path.name, fmt, book.reader, tuple(sheets))
    finally:
        book.close()


def _currency_cells(
    path: Path, fmt: SpreadsheetFormat, sheet: str, rows: int
) -> frozenset[tuple[int, int]]:
    """The currency-formatted cells of the first ``rows`` rows; empty where unknown."""
    try:
        if fmt.is_ooxml:
            with zipfile.ZipFile(path) as archive:
                return frozenset(xlsx_currency_cells(archive, sheet, rows))
        if fmt is SpreadsheetFormat.ODS:
            with zipfile.ZipFile(path) as archive:
                return frozenset(ods_currency_cells(archive, sheet, rows))
    except Exception:  # a hint only: the sheet was read, its formats are a bonus
        return frozenset()
    return frozenset()


def _width(row: list[CellValue]) -> int:
    """The row's length without its trailing empty cells."""
    width = len(row)
    while width and row[width - 1] is None:
        width -= 1
    return width


def _shown(value: CellValue) -> str:
    text = display_value(value)
    return text if len(text) <= MAX_PREVIEW_TEXT else text[: MAX_PREVIEW_TEXT - 1] + "…"


def choose_sheet(
    book: Book, name: str | None, *, default_year: int | None, force: str | None
) -> tuple[Sheet, Layout | None, LayoutError | None]:
    """The sheet to read: ``name``, or the first visible worksheet with a layout."""
    file_name = Path(getattr(book, "path", "")).name
    if name is not None:
        if name not in {info.name for info in book.sheets}:
            raise SpreadsheetError(
                SpreadsheetErrorKind.NO_SHEET, MSG_NO_SHEET, file=file_name, sheet=name
            )
        return book.sheet(name), None, None
    first_error: LayoutError | None = None
    first_sheet: Sheet | None = None
    ordered = sorted(book.sheets, key=lambda info: info.hidden)
    for info in ordered:
        if info.kind != "worksheet":
            continue
        try:
            sheet = book.sheet(info.name)
            grid = read_grid(sheet, DETECT_ROWS)
        except SpreadsheetError:
            continue
        if first_sheet is None:
            first_sheet = sheet
        if not any(grid):
            continue
        try:
            return (
                sheet,
                find_layout(book, sheet, grid, default_year=default_year, force=force),
                None,
            )
        except LayoutError as error:
            first_error = first_error or error
    if first_sheet is None:
        raise SpreadsheetError(SpreadsheetErrorKind.NO_SHEET, MSG_NO_SHEETS, file=file_name)
    return first_sheet, None, first_error
