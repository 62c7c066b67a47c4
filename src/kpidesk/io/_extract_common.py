"""What the extractor's parts share: its limits and messages, the label tables, and the rows
of a sheet in batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kpidesk.domain.text import clean_text
from kpidesk.i18n import N_
from kpidesk.io.cells import CellValue, display_value
from kpidesk.io.errors import Message
from kpidesk.io.layout import (
    Layout,
)
from kpidesk.io.names import is_total_label

CHUNK_RECORDS = 50_000
FIRST_CHUNK_RECORDS = 16_384  # the first leaves sooner, so the app can start storing
MAX_PROBLEMS = 1_000
MAX_LISTED_ROWS = 10
MSG_EXCEL_ERROR = N_("The cell holds the Excel error {error}.")
MSG_BOOLEAN = N_("“{text}” is a true/false value, not a number.")
MSG_DATE_VALUE = N_("“{text}” is a date or time, not a number.")
MSG_NO_KPI = N_("The row has a value but no KPI name.")
MSG_NO_PERIOD = N_("The row has a value but no period.")
MSG_TEXT_CLEANED = N_(
    "Characters no file can hold ({codes}) were removed from names or comments, such as "
    "“{example}” ({count} in all)."
)


MSG_DATES_SETTLED = N_(
    "Dates such as “{example}” in column {column} were read {order}, as the column's other "
    "dates show (“{evidence}”)."
)


ORDER_WORDS = {"dmy": N_("day first"), "mdy": N_("month first")}
DEFER_LIMIT = 100_000
"""Rows whose date waits for the rest of its column to settle the order (``3/4/2026``); past
this many, further such rows are problems at once."""


_AMBIGUOUS = Message.of("ambiguous date")  # a marker: the row waits (see _settle_dates)
BATCH_ROWS = 4096
Batch = tuple[int, list[list[CellValue]]]
_NUMBER_TYPES = frozenset({float, int})


@dataclass
class _LongState:
    value_col: int
    kpi_col: int
    unit_col: int | None
    comment_col: int | None
    fill_kpi: bool
    fill_unit: bool
    kpi_header: str | None
    kpi_cache: dict[Any, int] = field(default_factory=dict)
    unit_cache: dict[Any, int] = field(default_factory=dict)
    kpi_fast: dict[Any, int] = field(default_factory=dict)  # plain labels only (index > 0)
    unit_fast: dict[Any, int] = field(default_factory=dict)
    period_ids: dict[Any, int] = field(default_factory=dict)
    last_row: int = -2
    last_kpi: int = 0
    last_unit: int = 0


class _Table:
    """Labels by first appearance; index 0 is None (no label).

    A text label leaves without the characters no file can hold (control characters,
    unpaired surrogates, bidi overrides: :func:`kpidesk.domain.text.clean_text`); the
    labels changed so are counted for a note."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.index: dict[Any, int] = {None: 0}
        self.new: list[Any] = []
        self.size = 1
        self.multiline = multiline
        self.cleaned: list[tuple[str, str]] = []  # (as written, as kept), the first few
        self.cleaned_count = 0

    def get(self, label: Any) -> int:
        found = self.index.get(label)
        if found is None:
            found = self.index[label] = self.size
            self.size += 1
            if label.__class__ is str:
                kept = clean_text(label, multiline=self.multiline)
                if kept != label:
                    self.cleaned_count += 1
                    if len(self.cleaned) < 3:
                        self.cleaned.append((label, kept))
                    label = kept
            self.new.append(label)
        return found

    def take_new(self) -> list[Any]:
        new, self.new = self.new, []
        return new


def batches_of(rows: Iterator[tuple[int, list[CellValue]]]) -> Iterator[Batch]:
    """Runs of consecutive rows: (first row, the rows' cells), at most BATCH_ROWS each."""
    batch: list[list[CellValue]] = []
    first = expected = -1
    for row, cells in rows:
        if row != expected or len(batch) >= BATCH_ROWS:
            if batch:
                yield first, batch
            batch = []
            first = row
        batch.append(cells)
        expected = row + 1
    if batch:
        yield first, batch


def _rows(batches: Iterator[Batch]) -> Iterator[tuple[int, list[CellValue]]]:
    for first, cells in batches:
        yield from enumerate(cells, first)


def _at(cells: list[CellValue], index: int) -> CellValue:
    return cells[index] if 0 <= index < len(cells) else None


def _label_text(raw: CellValue) -> str | None:
    if raw is None:
        return None
    return raw.strip() if isinstance(raw, str) else display_value(raw)


def _header_text(layout: Layout, column: int | None) -> str | None:
    return layout.label(column) if column is not None else None


def _is_total_text(raw: CellValue) -> bool:
    return isinstance(raw, str) and is_total_label(raw)
