"""Reading every KPI value of a sheet, with a problem for every cell that cannot be used.

:func:`read_records` reads and extracts in a separate process (memory- and time-limited, see
:mod:`kpidesk.io._process`) and streams the records back in chunks while it works, so the
caller can store one chunk while the next is being read. Nothing here touches the workspace:
mapping labels to KPIs and units, and writing, are the caller's.

Every value becomes a :class:`RawRecord`; every cell that holds something unusable (an Excel
error such as ``#DIV/0!``, text that is not a number, a period that is not one) becomes an
:class:`~kpidesk.io.errors.ImportProblem` naming sheet, row, column, value and reason. Empty
value cells are skipped silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kpidesk.domain.numbers import ParsedNumber
from kpidesk.domain.periods import Period
from kpidesk.io._chunks import ChunkColumns, ChunkDecoder
from kpidesk.io._extractor import Extractor
from kpidesk.io._process import (
    DEFAULT_MEMORY_LIMIT,
    READ_TIME_LIMIT,
    ChildRun,
    read_payload,
    start_reading,
)
from kpidesk.io.errors import ImportProblem, Message
from kpidesk.io.layout import Layout, LayoutKind
from kpidesk.io.readers import open_book
from kpidesk.io.sniff import SpreadsheetFormat, sniff_format
from kpidesk.io.workbook import DETECT_ROWS, _check_exists, choose_sheet, find_layout, read_grid

__all__ = [
    "READ_TIME_LIMIT",
    "ChunkColumns",
    "ExtractionResult",
    "RawRecord",
    "read_records",
    "start_reading",
]


class RawRecord(NamedTuple):
    """One value as the sheet holds it, before it is mapped to the workspace.

    ``row`` is the row number as the spreadsheet shows it (1-based) and ``column`` the
    column letter. ``kpi`` and ``unit`` are the labels as written (``Omsättning (kr)``,
    ``Butik Sthlm``; ``unit`` None when the sheet has no unit column); match them with
    :func:`kpidesk.io.names.normalise_name`. ``value`` is the parsed number:

    * ``text_percent``: the cell was text with a percent sign (``81,5 %``), so ``value`` is
      in percentage points (81.5), like :class:`ParsedNumber.had_percent`;
    * ``format_percent``: the cell was a number formatted as a percentage, so ``value`` is a
      fraction (0.815).

    ``to_stored_value(record.parsed, unit, cell_is_percent_formatted=record.format_percent)``
    gives the value to store for a KPI.
    """

    sheet: str
    row: int
    column: str
    kpi: str
    unit: str | None
    period: Period
    value: float
    text_percent: bool
    format_percent: bool
    comment: str | None

    @property
    def is_percent(self) -> bool:
        """The cell was a percentage, typed (``81,5 %``) or formatted (0.815 shown as 81,5 %)."""
        return self.text_percent or self.format_percent

    @property
    def parsed(self) -> ParsedNumber:
        return ParsedNumber(self.value, self.text_percent)


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """What a read found besides the records.

    ``problems`` holds the first 1,000 problems (the layout's own first, such as a missing
    year); ``problem_count`` counts them all. ``records`` holds the records only when no
    ``on_chunk`` was given.
    """

    file_name: str
    format: SpreadsheetFormat
    sheet: str
    layout: Layout
    rows_read: int
    record_count: int
    notes: tuple[Message, ...]
    problems: tuple[ImportProblem, ...]
    problem_count: int
    records: tuple[RawRecord, ...] = field(default=(), repr=False)


def read_records(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layout: Layout | LayoutKind | str | None = None,
    default_year: int | None = None,
    on_chunk: Callable[[list[RawRecord]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    time_limit: float = READ_TIME_LIMIT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    started: ChildRun | None = None,
) -> ExtractionResult:
    """Read every KPI value of one sheet of ``path``.

    ``sheet`` defaults to the sheet of ``layout`` if that is a :class:`Layout`, else to the
    first visible sheet with a detected layout. ``layout`` is a :class:`Layout` (as the
    preview found it, possibly adjusted with ``dataclasses.replace``), a kind to force
    (``long``, ``wide``, ``across``) or None to detect it. ``default_year`` is the year for
    months written without one when none is found in the sheet or the names.

    Records arrive through ``on_chunk`` (lists of ~50,000, each with its ``columns``, a
    :class:`ChunkColumns`) while the reader goes on;
    ``progress(done, total)`` reports rows; ``cancelled()`` is polled and, when it returns
    True, the reader process is stopped and :class:`~kpidesk.io.errors.ReadCancelled` raised.
    Raises :class:`~kpidesk.io.errors.SpreadsheetError` for a file that cannot be read, a
    missing sheet, or a sheet without a table of KPI values.

    ``started``: the same read begun earlier with :func:`start_reading`, whose messages are
    taken from here on (a read begun for other options is stopped and this one started).
    """
    path = Path(path)
    _check_exists(path)
    collected: list[RawRecord] = []
    deliver = on_chunk if on_chunk is not None else collected.extend
    decoder = ChunkDecoder(RawRecord)

    def handle(message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "chunk":
            deliver(decoder.decode(message[1]))  # type: ignore[arg-type]  # a Sequence of them
        elif kind == "progress" and progress is not None:
            progress(message[1], message[2])

    payload = read_payload(
        path,
        sheet=sheet if sheet is not None or not isinstance(layout, Layout) else layout.sheet,
        layout=layout if isinstance(layout, Layout) else None,
        force=str(LayoutKind(layout)) if layout and not isinstance(layout, Layout) else None,
        default_year=default_year,
    )
    if started is not None and started.task == "read" and started.payload == payload:
        child = started
    else:
        if started is not None:
            started.close()
        child = ChildRun("read", payload, time_limit=time_limit, memory_limit=memory_limit)
    summary: dict[str, Any] = child.result(
        file_name=path.name, on_message=handle, cancelled=cancelled
    )
    return ExtractionResult(
        file_name=path.name,
        records=tuple(collected),
        **summary,
    )


# In the reader process -------------------------------------------------------------------


def extract_task(payload: dict[str, Any], send: Callable[[Any], None]) -> dict[str, Any]:
    path = Path(payload["path"])
    fmt = sniff_format(path)
    book = open_book(path, fmt)
    try:
        force = payload.get("force")
        default_year = payload.get("default_year")
        layout: Layout | None = payload.get("layout")
        sheet, found, error = choose_sheet(
            book, payload.get("sheet"), default_year=default_year, force=force
        )
        if layout is None:
            layout = found
        if layout is None:
            if error is not None and payload.get("sheet") is None:
                raise error
            grid = read_grid(sheet, DETECT_ROWS)
            layout = find_layout(book, sheet, grid, default_year=default_year, force=force)
        total = sheet.height
        extractor = Extractor(
            layout,
            sheet.name,
            column_offset=sheet.column_offset,
            decimal_hint=sheet.decimal_hint,
            cell_info=sheet.cell_info(),
            emit=lambda chunk: send(("chunk", chunk)),
        )

        def progress(row: int) -> None:
            send(("progress", row + 1, max(total, row + 1)))

        extractor.run(sheet.batches(), progress)
        send(("progress", extractor.rows_read + layout.header_row + 1, max(total, 1)))
        return {
            "format": fmt,
            "sheet": sheet.name,
            "layout": layout,
            "rows_read": extractor.rows_read,
            "record_count": extractor.records_sent,
            "notes": tuple(extractor.notes),
            "problems": tuple(extractor.problems),
            "problem_count": extractor.problem_count,
        }
    finally:
        book.close()
