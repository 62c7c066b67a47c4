"""Turning a sheet's rows into records by a layout (runs in the reader process).

Records leave in compact chunks: label tables that only grow (KPIs, units, periods,
comments) plus arrays of row numbers, column numbers, table indexes, values and flags.
:class:`ChunkDecoder` (in the app's process) turns them back into
:class:`~kpidesk.io.extract.RawRecord` tuples. Chunks are ~50,000 records, so the app can
store one while the reader works on the next.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from itertools import repeat
from typing import Any

from kpidesk.domain.errors import DomainError, Words
from kpidesk.domain.numbers import NumberError, parse_number
from kpidesk.domain.periods import AmbiguousDateError, Period, PeriodError, slash_date_order
from kpidesk.domain.text import bad_characters, clean_text, describe_character
from kpidesk.i18n import N_
from kpidesk.io._cellinfo import CellInfo, PercentIndex
from kpidesk.io.cells import CellValue, column_letter, display_value, excel_error
from kpidesk.io.errors import ImportProblem, Message
from kpidesk.io.layout import (
    MSG_MISSING_YEAR,
    ColumnRole,
    Layout,
    LayoutKind,
    parse_row_period,
    row_year,
)
from kpidesk.io.names import is_total_label

CHUNK_RECORDS = 50_000
FIRST_CHUNK_RECORDS = 16_384  # the first leaves sooner, so the app can start storing
MAX_PROBLEMS = 1_000
MAX_LISTED_ROWS = 10

FLAG_TEXT_PERCENT = 1  # the text had a % sign: the value is in percentage points
FLAG_FORMAT_PERCENT = 2  # the cell was formatted as a percentage: the value is a fraction

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


@dataclass
class Chunk:
    """One batch of records in compact form (see the module's docs): parallel lists of
    small ints (row, column, table indexes, flags) and floats, which pickle fast."""

    sheet: str
    new_kpis: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    new_periods: list[Period] = field(default_factory=list)
    new_comments: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # as the user sees them (1-based)
    columns: list[int] = field(default_factory=list)
    kpis: list[int] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    periods: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    comments: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)


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


class Extractor:
    """Reads the rows of one sheet by ``layout`` and hands out chunks and problems."""

    def __init__(
        self,
        layout: Layout,
        sheet: str,
        *,
        column_offset: int = 0,
        decimal_hint: str | None = None,
        cell_info: CellInfo | None = None,
        emit: Callable[[Chunk], None],
        chunk_records: int = CHUNK_RECORDS,
    ) -> None:
        self.layout = layout
        self.sheet = sheet
        self.offset = column_offset
        self.decimal_hint = decimal_hint
        self.info = cell_info or CellInfo()
        self.emit = emit
        self.chunk_records = min(chunk_records, FIRST_CHUNK_RECORDS)
        self._chunk_records = chunk_records
        self.problems: list[ImportProblem] = list(layout.problems)
        self.problem_count = len(layout.problems)
        self.notes: list[Message] = list(layout.notes)
        self.rows_read = 0
        self.records_sent = 0
        self._kpis = _Table()
        self._units = _Table()
        self._periods = _Table()
        self._comments = _Table(multiline=True)
        self._chunk = Chunk(sheet)
        self._percent: PercentIndex | None = self.info.percent()
        self._period_cache: dict[Any, Period | Message] = {}
        self._total_rows: list[int] = []
        self._total_row_count = 0
        self._filled_columns: set[int] = set()
        self._letters: dict[int, str] = {}
        self._date_orders: dict[str, str] = {}  # order → a date that shows it
        self._deferred: list[tuple[Any, ...]] = []
        self._ambiguous_example: str | None = None
        # When the layout already says the year is missing, rows do not each say it again.
        self._year_missing = any(p.reason.template == MSG_MISSING_YEAR for p in layout.problems)

    # ------------------------------------------------------------------------------------
    def run(self, batches: Iterator[Batch], progress: Callable[[int], None]) -> None:
        """Extract from ``batches`` of consecutive rows: ``(first row, [cells, …])``."""
        kind = self.layout.kind
        if kind is LayoutKind.LONG:
            self._run_long(batches, progress)
        elif kind is LayoutKind.WIDE:
            self._run_wide(_rows(batches), progress)
        else:
            self._run_across(_rows(batches), progress)
        self._settle_dates()
        self.flush()
        self._finish_notes()

    def flush(self) -> None:
        chunk = self._chunk
        if not len(chunk):
            return
        chunk.new_kpis = self._kpis.take_new()
        chunk.new_units = self._units.take_new()
        chunk.new_periods = self._periods.take_new()
        chunk.new_comments = self._comments.take_new()
        self._chunk = Chunk(self.sheet)
        self.records_sent += len(chunk)
        self.chunk_records = self._chunk_records
        self.emit(chunk)

    # problems ---------------------------------------------------------------------------
    def problem(self, row: int, column: int | None, value: CellValue, reason: Message) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                ImportProblem(
                    self.sheet,
                    row + 1,
                    self._letter(column) if column is not None else None,
                    display_value(value),
                    reason,
                )
            )

    def _quiet(self, reason: Message) -> bool:
        # The domain's message for a month without a year (kpidesk.domain.periods).
        return self._year_missing and reason.template == "“{text}” has no year."

    def _letter(self, column: int) -> str:
        letter = self._letters.get(column)
        if letter is None:
            letter = self._letters[column] = column_letter(column)
        return letter

    def _error_at(self, row: int, column: int) -> str | None:
        """The Excel error in the cell, asked of the cell info each time: a sheet read in
        pieces learns its errors as it goes (every ``errors()`` is cheap after the first)."""
        return self.info.errors().get((row, column))

    def _total_row(self, row: int) -> None:
        self._total_row_count += 1
        if len(self._total_rows) < MAX_LISTED_ROWS:
            self._total_rows.append(row + 1)

    def _finish_notes(self) -> None:
        count = sum(t.cleaned_count for t in (self._kpis, self._units, self._comments))
        if count:
            written, kept = next(
                t.cleaned[0] for t in (self._kpis, self._units, self._comments) if t.cleaned
            )
            codes = ", ".join(describe_character(c) for c in bad_characters(written))
            self.notes.append(
                Message.of(
                    MSG_TEXT_CLEANED, count=count, codes=codes, example=kept.replace("\n", " ")
                )
            )
        if self._total_row_count:
            rows = ", ".join(str(r) for r in self._total_rows)
            if self._total_row_count > len(self._total_rows):
                rows += ", …"
            self.notes.append(
                Message.of(
                    N_("{count} total or subtotal rows were left out (rows {rows})."),
                    count=self._total_row_count,
                    rows=rows,
                )
            )
        for column in sorted(self._filled_columns):
            self.notes.append(
                Message.of(
                    N_("Empty cells in column {column} were taken from the row above."),
                    column=column_letter(column),
                )
            )

    # values -----------------------------------------------------------------------------
    def _value(self, row: int, column: int, raw: CellValue) -> tuple[float, int] | None:
        """The number in a value cell and its flags; None (after noting a problem, if it is
        one) when the cell gives no value."""
        cls = raw.__class__
        if cls is float or cls is int:
            if self.info.errors_hide_numbers:
                error = self._error_at(row, column)
                if error is not None:
                    self.problem(row, column, error, Message.of(MSG_EXCEL_ERROR, error=error))
                    return None
            value = float(raw)  # type: ignore[arg-type]
            if not math.isfinite(value):
                self.problem(
                    row, column, raw, Message.of(N_("“{text}” is not a number."), text=str(raw))
                )
                return None
            percent = self._percent
            flags = FLAG_FORMAT_PERCENT if percent is not None and (row, column) in percent else 0
            return value, flags
        if raw is None:
            error = self._error_at(row, column)
            if error is not None:
                self.problem(row, column, error, Message.of(MSG_EXCEL_ERROR, error=error))
            return None
        if cls is str:
            text = raw.strip()  # type: ignore[union-attr]
            if not text:
                error = self._error_at(row, column)
                if error is not None:
                    self.problem(row, column, error, Message.of(MSG_EXCEL_ERROR, error=error))
                return None
            error = excel_error(text)
            if error is not None:
                self.problem(row, column, raw, Message.of(MSG_EXCEL_ERROR, error=error))
                return None
            try:
                parsed = parse_number(text, decimal_hint=self.decimal_hint)
            except NumberError as problem:
                self.problem(row, column, raw, Message.from_error(problem))
                return None
            return parsed.value, FLAG_TEXT_PERCENT if parsed.had_percent else 0
        if isinstance(raw, bool):
            self.problem(row, column, raw, Message.of(MSG_BOOLEAN, text=display_value(raw)))
            return None
        if isinstance(raw, date | time | timedelta):
            self.problem(row, column, raw, Message.of(MSG_DATE_VALUE, text=display_value(raw)))
            return None
        self.problem(
            row, column, raw, Message.of(N_("“{text}” is not a number."), text=display_value(raw))
        )
        return None

    def _add(
        self,
        row: int,
        column: int,
        kpi: int,
        unit: int,
        period: int,
        value: float,
        flags: int,
        comment: int,
    ) -> None:
        chunk = self._chunk
        chunk.rows.append(row + 1)
        chunk.columns.append(column)
        chunk.kpis.append(kpi)
        chunk.units.append(unit)
        chunk.periods.append(period)
        chunk.values.append(value)
        chunk.flags.append(flags)
        chunk.comments.append(comment)
        if len(chunk.values) >= self.chunk_records:
            self.flush()

    # labels -----------------------------------------------------------------------------
    @staticmethod
    def _label(raw: CellValue) -> str | None:
        if raw is None:
            return None
        if raw.__class__ is str:
            text = raw.strip()
            return text or None
        return display_value(raw) or None

    def _period(self, row: int, cells: list[CellValue]) -> Period | Message | None:
        """The row's period (long and wide), or a message why not, or None if blank."""
        layout = self.layout
        main = self._period_column
        raw = _at(cells, main - self.offset)
        if raw is None or (raw.__class__ is str and not raw.strip()):
            return None
        if self._year_column is not None:
            year_raw = _at(cells, self._year_column - self.offset)
            key: Any = (raw, year_raw)
        else:
            year_raw = None
            key = raw
        try:
            found = self._period_cache.get(key)
        except TypeError:
            found = None
        if found is not None:
            return found
        year = row_year(year_raw) if self._year_column is not None else layout.default_year
        if raw.__class__ is str:
            order = slash_date_order(raw)  # type: ignore[arg-type]
            if order is not None:
                self._date_orders.setdefault(order, raw.strip())  # type: ignore[union-attr]
        try:
            result: Period | Message = parse_row_period(
                raw, self._period_role, frequency=layout.frequency, year=year
            )
        except AmbiguousDateError:
            result = _AMBIGUOUS
            if self._ambiguous_example is None:
                self._ambiguous_example = str(raw).strip()
        except (PeriodError, DomainError) as error:
            result = Message.from_error(error)
        if len(self._period_cache) < 100_000:
            self._period_cache[key] = result
        return result

    # dates like 3/4/2026 ----------------------------------------------------------------
    def _defer(self, item: tuple[Any, ...]) -> None:
        """Keep a row whose date is ambiguous until the column's other dates are known."""
        if len(self._deferred) < DEFER_LIMIT:
            self._deferred.append(item)
            return
        self._finish_deferred(item, None)

    def _settle_dates(self) -> None:
        """The kept rows, their dates read in the order the column shows (a date with a
        part above 12), or each a problem when the column shows none, or both orders."""
        if not self._deferred:
            return
        orders = self._date_orders
        order = next(iter(orders)) if len(orders) == 1 else None
        deferred, self._deferred = self._deferred, []
        for item in deferred:
            self._finish_deferred(item, order)
        if order is not None:
            self.notes.append(
                Message.of(
                    MSG_DATES_SETTLED,
                    example=self._ambiguous_example or "",
                    column=self._letter(self._period_column),
                    order=Words(ORDER_WORDS[order]),
                    evidence=orders[order],
                )
            )

    def _finish_deferred(self, item: tuple[Any, ...], order: str | None) -> None:
        kind, r, cells = item[0], item[1], item[2]
        raw_period = _at(cells, self._period_column - self.offset)
        if self._year_column is not None:
            year = row_year(_at(cells, self._year_column - self.offset))
        else:
            year = self.layout.default_year
        try:
            period = parse_row_period(
                raw_period,
                self._period_role,
                frequency=self.layout.frequency,
                year=year,
                date_order=order,
            )
        except (PeriodError, DomainError) as error:
            self.problem(r, self._period_column, raw_period, Message.from_error(error))
            return
        pid = self._periods.get(period)
        if kind == "long":
            _kind, r, cells, kpi_id, unit_id = item
            state = self._long
            n = len(cells)
            vi = state.value_col - self.offset
            got = self._value(r, state.value_col, cells[vi] if 0 <= vi < n else None)
            if got is None:
                return
            comment_id = self._comment_id(cells, state.comment_col)
            self._add(r, state.value_col, kpi_id, unit_id, pid, got[0], got[1], comment_id)
            return
        _kind, r, cells, present, unit_id = item
        comment_id = self._comment_id(cells, self.layout.column(ColumnRole.COMMENT))
        for column, raw, kpi_id in present:
            got = self._value(r, column, raw)
            if got is not None:
                self._add(r, column, kpi_id, unit_id, pid, got[0], got[1], comment_id)

    def _comment_id(self, cells: list[CellValue], column: int | None) -> int:
        if column is None:
            return 0
        index = column - self.offset
        comment = cells[index] if 0 <= index < len(cells) else None
        if comment is None or comment == "":
            return 0
        return self._comments.get(self._label(comment))

    def _prepare_periods(self) -> None:
        layout = self.layout
        main = None
        role = ColumnRole.PERIOD
        for column, column_role in layout.roles:
            if column_role in (
                ColumnRole.PERIOD,
                ColumnRole.MONTH,
                ColumnRole.QUARTER,
                ColumnRole.WEEK,
            ):
                main, role = column, column_role
                break
        self._period_column = main if main is not None else -1
        self._period_role = role
        self._year_column = layout.column(ColumnRole.YEAR)
        self._period_header = _header_text(layout, self._period_column)

    # layouts ----------------------------------------------------------------------------
    def _blank(self, row: int, column: int) -> None:
        """An empty value cell: nothing, unless it is an error cell calamine showed empty."""
        error = self._error_at(row, column)
        if error is not None:
            self.problem(row, column, error, Message.of(MSG_EXCEL_ERROR, error=error))

    def _label_id(self, table: _Table, cache: dict[Any, int], raw: CellValue) -> int:
        """The label's index in ``table``; 0 for a blank cell, -1 for a total."""
        found = cache.get(raw) if raw.__class__ is str else None
        if found is not None:
            return found
        label = self._label(raw)
        if label is None:
            found = 0
        elif is_total_label(label):
            found = -1
        else:
            found = table.get(label)
        if raw.__class__ is str and len(cache) < 200_000:
            cache[raw] = found
        return found

    def _run_long(self, batches: Iterator[Batch], progress: Callable[[int], None]) -> None:
        """One row per value. Rows go in batches: a batch of plain rows (numbers, known
        labels and periods) is handled column by column at C speed; any other batch row by
        row, with every check."""
        layout = self.layout
        self._prepare_periods()
        value_col = layout.column(ColumnRole.VALUE)
        kpi_col = layout.column(ColumnRole.KPI)
        assert value_col is not None and kpi_col is not None
        unit_col = layout.column(ColumnRole.UNIT)
        comment_col = layout.column(ColumnRole.COMMENT)
        self._long = _LongState(
            value_col=value_col,
            kpi_col=kpi_col,
            unit_col=unit_col,
            comment_col=comment_col,
            fill_kpi=kpi_col in layout.fill_down,
            fill_unit=unit_col is not None and unit_col in layout.fill_down,
            kpi_header=layout.label(kpi_col),
        )
        percent = self._percent
        hidden = self.info.errors_hide_numbers
        header = layout.header_row
        for first, cells in batches:
            # asked per batch: a sheet read in pieces learns its percent cells as it goes
            fast_ok = not hidden and (percent is None or value_col not in percent.columns())
            if not (fast_ok and first > header and self._long_fast(first, cells)):
                self._long_rows(list(zip(range(first, first + len(cells)), cells, strict=True)))
            progress(first + len(cells) - 1)

    def _long_fast(self, first: int, cells: list[list[CellValue]]) -> bool:
        """The batch handled column-wise; False (nothing done) if any row needs care."""
        state = self._long
        offset = self.offset
        wanted = [state.value_col, state.kpi_col, self._period_column]
        for extra in (state.unit_col, self._year_column, state.comment_col):
            if extra is not None:
                wanted.append(extra)
        if min(wanted) < offset or min(map(len, cells)) <= max(wanted) - offset:
            return False
        vi = state.value_col - offset
        values = [c[vi] for c in cells]
        if not set(map(type, values)) <= _NUMBER_TYPES:
            return False
        ki = state.kpi_col - offset
        kpi_ids = self._ids(self._kpis, state.kpi_cache, state.kpi_fast, [c[ki] for c in cells])
        if kpi_ids is None:
            return False
        unit_ids = None
        if state.unit_col is not None:
            ui = state.unit_col - offset
            unit_raws = [c[ui] for c in cells]
            unit_ids = self._ids(self._units, state.unit_cache, state.unit_fast, unit_raws)
            if unit_ids is None:
                return False
        pi = self._period_column - offset
        keys: list[Any] = [c[pi] for c in cells]
        if self._year_column is not None:
            yi = self._year_column - offset
            keys = list(zip(keys, [c[yi] for c in cells], strict=True))
        period_ids = self._period_ids(keys)
        if period_ids is None:
            return False
        comment_ids = None
        if state.comment_col is not None:
            ci = state.comment_col - offset
            comments = [c[ci] for c in cells]
            if any(comments):
                comment_ids = [
                    self._comments.get(self._label(c)) if c not in (None, "") else 0
                    for c in comments
                ]
        # All plain: append the batch.
        count = len(cells)
        zeros = [0] * count
        chunk = self._chunk
        chunk.rows.extend(range(first + 1, first + 1 + count))
        chunk.columns.extend([state.value_col] * count)
        chunk.kpis.extend(kpi_ids)
        chunk.units.extend(unit_ids if unit_ids is not None else zeros)
        chunk.periods.extend(period_ids)
        chunk.values.extend(values)  # type: ignore[arg-type]
        chunk.flags.extend(zeros)
        chunk.comments.extend(comment_ids if comment_ids is not None else zeros)
        self.rows_read += count
        state.last_row = first + count - 1
        state.last_kpi = kpi_ids[-1]
        state.last_unit = unit_ids[-1] if unit_ids is not None else 0
        if len(chunk) >= self.chunk_records:
            self.flush()
        return True

    def _ids(
        self, table: _Table, cache: dict[Any, int], fast: dict[Any, int], raws: list[CellValue]
    ) -> list[int] | None:
        """Label indexes for a column of raw labels; None if one is blank, a total or not
        text (those rows need the careful path)."""
        try:
            return list(map(fast.__getitem__, raws))
        except KeyError:
            pass
        except TypeError:
            return None
        for raw in set(raws) - fast.keys():
            if raw.__class__ is not str:
                return None
            index = self._label_id(table, cache, raw)
            if index <= 0:
                return None
            fast[raw] = index
        return list(map(fast.__getitem__, raws))

    def _period_ids(self, raws: list[Any]) -> list[int] | None:
        cache = self._long.period_ids
        try:
            return list(map(cache.__getitem__, raws))
        except KeyError:
            pass
        except TypeError:  # an unhashable cell
            return None
        offset = self.offset
        for raw in set(raws) - cache.keys():
            if self._year_column is not None:
                cells: list[CellValue] = [None] * (
                    max(self._period_column, self._year_column) - offset + 1
                )
                cells[self._period_column - offset] = raw[0]
                cells[self._year_column - offset] = raw[1]
            else:
                cells = [None] * (self._period_column - offset + 1)
                cells[self._period_column - offset] = raw
            period = self._period(0, cells)
            if period is None or period.__class__ is Message:  # _AMBIGUOUS too
                return None
            cache[raw] = self._periods.get(period)
        return list(map(cache.__getitem__, raws))

    def _long_rows(self, batch: list[tuple[int, list[CellValue]]]) -> None:
        state = self._long
        offset = self.offset
        value_col, kpi_col = state.value_col, state.kpi_col
        unit_col, comment_col = state.unit_col, state.comment_col
        vi, ki = value_col - offset, kpi_col - offset
        ui = unit_col - offset if unit_col is not None else -1
        ci = comment_col - offset if comment_col is not None else -1
        header = self.layout.header_row
        kpis, units = self._kpis, self._units
        for r, cells in batch:
            if r <= header:
                continue
            self.rows_read += 1
            n = len(cells)
            raw = cells[vi] if 0 <= vi < n else None
            if raw is None or raw == "":
                self._blank(r, value_col)
                continue
            kpi_raw = cells[ki] if 0 <= ki < n else None
            kpi_id = self._label_id(kpis, state.kpi_cache, kpi_raw)
            continued = r == state.last_row + 1
            state.last_row = r
            if kpi_id == 0:
                if state.fill_kpi and continued and state.last_kpi > 0:
                    kpi_id = state.last_kpi
                    self._filled_columns.add(kpi_col)
                else:
                    self.problem(r, kpi_col, None, Message.of(MSG_NO_KPI))
                    state.last_kpi = 0
                    continue
            state.last_kpi = kpi_id
            if kpi_id < 0:
                self._total_row(r)
                continue
            if ui >= 0:
                unit_id = self._label_id(units, state.unit_cache, cells[ui] if ui < n else None)
                if unit_id == 0 and state.fill_unit and continued and state.last_unit > 0:
                    unit_id = state.last_unit
                    self._filled_columns.add(unit_col)  # type: ignore[arg-type]
                state.last_unit = unit_id
                if unit_id < 0:
                    self._total_row(r)
                    continue
            else:
                unit_id = 0
            period = self._period(r, cells)
            if period is None:
                self.problem(r, self._period_column, None, Message.of(MSG_NO_PERIOD))
                continue
            if period is _AMBIGUOUS:
                self._defer(("long", r, cells, kpi_id, unit_id))
                continue
            if isinstance(period, Message):
                raw_period = _at(cells, self._period_column - offset)
                repeated_header = _label_text(kpi_raw) == state.kpi_header
                if _is_total_text(raw_period):
                    self._total_row(r)
                elif not (self._quiet(period) or repeated_header):
                    self.problem(r, self._period_column, raw_period, period)
                continue
            pid = self._periods.get(period)
            got = self._value(r, value_col, raw)
            if got is None:
                continue
            comment_id = 0
            if 0 <= ci < n:
                comment = cells[ci]
                if comment is not None and comment != "":
                    comment_id = self._comments.get(self._label(comment))
            self._add(r, value_col, kpi_id, unit_id, pid, got[0], got[1], comment_id)

    def _run_wide(
        self, rows: Iterator[tuple[int, list[CellValue]]], progress: Callable[[int], None]
    ) -> None:
        layout = self.layout
        offset = self.offset
        self._prepare_periods()
        unit_col = layout.column(ColumnRole.UNIT)
        comment_col = layout.column(ColumnRole.COMMENT)
        ui = unit_col - offset if unit_col is not None else -1
        ci = comment_col - offset if comment_col is not None else -1
        columns = [
            (kc.column, kc.column - offset, self._kpis.get(kc.label)) for kc in layout.kpi_columns
        ]
        header = layout.header_row
        last_row = -2
        last_unit: CellValue = None
        period_ids: dict[int, int] = {}
        tick = 0
        for r, cells in rows:
            if r <= header:
                continue
            self.rows_read += 1
            tick += 1
            if tick >= 20_000:
                tick = 0
                progress(r)
            n = len(cells)
            present = [
                (column, cells[index], kpi_id)
                for column, index, kpi_id in columns
                if 0 <= index < n and cells[index] is not None and cells[index] != ""
            ]
            if not present:
                for column, _index, _kpi in columns:
                    self._blank(r, column)
                continue
            unit_id = 0
            if ui >= 0:
                unit_raw = cells[ui] if ui < n else None
                if (
                    (unit_raw is None or unit_raw == "")
                    and r == last_row + 1
                    and last_unit is not None
                ):
                    unit_raw = last_unit
                    self._filled_columns.add(unit_col)  # type: ignore[arg-type]
                unit_label = self._label(unit_raw)
                if unit_label is not None and is_total_label(unit_label):
                    self._total_row(r)
                    continue
                unit_id = self._units.get(unit_label)
                last_unit = unit_raw
            last_row = r
            period = self._period(r, cells)
            raw_period = _at(cells, self._period_column - offset)
            if period is None:
                self.problem(r, self._period_column, None, Message.of(MSG_NO_PERIOD))
                continue
            if period is _AMBIGUOUS:
                self._defer(("wide", r, cells, present, unit_id))
                continue
            if isinstance(period, Message):
                if _is_total_text(raw_period):
                    self._total_row(r)
                elif not (_label_text(raw_period) == self._period_header or self._quiet(period)):
                    # (not for the header repeated, nor for a missing year, said once)
                    self.problem(r, self._period_column, raw_period, period)
                continue
            pid = period_ids.get(id(period))
            if pid is None:
                pid = period_ids[id(period)] = self._periods.get(period)
            comment_id = 0
            if 0 <= ci < n:
                comment = cells[ci]
                if comment is not None and comment != "":
                    comment_id = self._comments.get(self._label(comment))
            for column, raw, kpi_id in present:
                got = self._value(r, column, raw)
                if got is not None:
                    self._add(r, column, kpi_id, unit_id, pid, got[0], got[1], comment_id)
            if len(present) < len(columns):
                present_columns = {c for c, _raw, _k in present}
                for column, _index, _kpi in columns:
                    if column not in present_columns:
                        self._blank(r, column)

    def _run_across(
        self, rows: Iterator[tuple[int, list[CellValue]]], progress: Callable[[int], None]
    ) -> None:
        layout = self.layout
        offset = self.offset
        kpi_col = layout.column(ColumnRole.KPI)
        fixed_kpi = layout.kpi_label if kpi_col is None else None
        unit_col = layout.column(ColumnRole.UNIT)
        comment_col = layout.column(ColumnRole.COMMENT)
        label_col = kpi_col if kpi_col is not None else unit_col
        assert label_col is not None
        ki = kpi_col - offset if kpi_col is not None else -1
        ui = unit_col - offset if unit_col is not None else -1
        ci = comment_col - offset if comment_col is not None else -1
        columns = [
            (pc.column, pc.column - offset, self._periods.get(pc.period))
            for pc in layout.period_columns
            if pc.period is not None
        ]
        all_columns = [pc.column for pc in layout.period_columns]
        kpi_header = _header_text(layout, kpi_col)
        header = layout.header_row
        last_row = -2
        last_unit: CellValue = None
        tick = 0
        for r, cells in rows:
            if r <= header:
                continue
            self.rows_read += 1
            tick += 1
            if tick >= 5_000:
                tick = 0
                progress(r)
            n = len(cells)
            present = [
                (column, cells[index], period_id)
                for column, index, period_id in columns
                if 0 <= index < n and cells[index] is not None and cells[index] != ""
            ]
            kpi_label = self._label(cells[ki]) if 0 <= ki < n else fixed_kpi
            unit_raw = cells[ui] if 0 <= ui < n else None
            blank_unit = ui >= 0 and (unit_raw is None or unit_raw == "")
            if (
                blank_unit
                and r == last_row + 1
                and last_unit is not None
                and (present or kpi_label)
            ):
                unit_raw = last_unit
                if present:
                    self._filled_columns.add(unit_col)  # type: ignore[arg-type]
            unit_label = self._label(unit_raw) if ui >= 0 else None
            if kpi_label is not None or unit_label is not None:
                last_row = r
                last_unit = unit_raw if unit_label is not None else last_unit
            if not present:
                if kpi_label is not None:
                    for column in all_columns:
                        self._blank(r, column)
                continue
            if kpi_label is None:
                self.problem(r, label_col, None, Message.of(MSG_NO_KPI))
                continue
            if kpi_label == kpi_header:
                continue  # the header repeated
            if is_total_label(kpi_label) or (unit_label is not None and is_total_label(unit_label)):
                self._total_row(r)
                continue
            kpi_id = self._kpis.get(kpi_label)
            unit_id = self._units.get(unit_label)
            comment_id = 0
            if 0 <= ci < n:
                comment = cells[ci]
                if comment is not None and comment != "":
                    comment_id = self._comments.get(self._label(comment))
            for column, raw, period_id in present:
                got = self._value(r, column, raw)
                if got is not None:
                    self._add(r, column, kpi_id, unit_id, period_id, got[0], got[1], comment_id)
            if len(present) < len(all_columns):
                present_columns = {c for c, _raw, _p in present}
                for column in all_columns:
                    if column not in present_columns:
                        self._blank(r, column)


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


@dataclass(frozen=True, slots=True)
class ChunkColumns:
    """A decoded chunk column by column: per record, indexes into the decoder's label tables
    (lists that only grow, shared between chunks), for callers that work on whole columns."""

    kpi_labels: list[str | None]
    unit_labels: list[str | None]
    period_table: list[Period | None]
    comment_labels: list[str | None]
    kpis: list[int]
    units: list[int]
    periods: list[int]
    values: list[float]
    flags: list[int]
    comments: list[int]


class ChunkRecords(Sequence[Any]):
    """The records of one chunk, made only when first asked for; :attr:`columns` gives the
    same chunk column by column without making a record."""

    __slots__ = ("_make", "_records", "columns")

    def __init__(self, make: Callable[[], list[Any]], columns: ChunkColumns) -> None:
        self._make: Callable[[], list[Any]] | None = make
        self._records: list[Any] = []
        self.columns = columns

    def _all(self) -> list[Any]:
        if self._make is not None:
            self._records, self._make = self._make(), None
        return self._records

    def __len__(self) -> int:
        return len(self.columns.values)

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())


class ChunkDecoder:
    """Turns chunks back into records, keeping the label tables between chunks."""

    def __init__(self, record_type: type[tuple[Any, ...]]) -> None:
        """``record_type`` is a tuple type (a NamedTuple) built from the ten fields."""
        self._type = record_type
        self._kpis: list[str | None] = [None]
        self._units: list[str | None] = [None]
        self._periods: list[Period | None] = [None]
        self._comments: list[str | None] = [None]
        self._letters: list[str] = []

    def decode(self, chunk: Chunk) -> ChunkRecords:
        self._kpis.extend(chunk.new_kpis)
        self._units.extend(chunk.new_units)
        self._periods.extend(chunk.new_periods)
        self._comments.extend(chunk.new_comments)
        if chunk.columns:
            highest = max(chunk.columns)
            while len(self._letters) <= highest:
                self._letters.append(column_letter(len(self._letters)))
        columns = ChunkColumns(
            self._kpis,
            self._units,
            self._periods,
            self._comments,
            chunk.kpis,
            chunk.units,
            chunk.periods,
            chunk.values,
            chunk.flags,
            chunk.comments,
        )
        return ChunkRecords(lambda: self._records(chunk), columns)

    def _records(self, chunk: Chunk) -> list[Any]:
        fields = zip(
            repeat(chunk.sheet, len(chunk.values)),
            chunk.rows,
            map(self._letters.__getitem__, chunk.columns),
            map(self._kpis.__getitem__, chunk.kpis),
            map(self._units.__getitem__, chunk.units),
            map(self._periods.__getitem__, chunk.periods),
            chunk.values,
            map(_TEXT_PERCENT.__getitem__, chunk.flags),
            map(_FORMAT_PERCENT.__getitem__, chunk.flags),
            map(self._comments.__getitem__, chunk.comments),
            strict=True,
        )
        # Millions of new tuples would set off the cyclic collector again and again; they
        # hold no cycles, so it rests while they are made.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return list(map(tuple.__new__, repeat(self._type), fields))
        finally:
            if collecting:
                gc.enable()


_TEXT_PERCENT = tuple(bool(flag & FLAG_TEXT_PERCENT) for flag in range(256))
_FORMAT_PERCENT = tuple(bool(flag & FLAG_FORMAT_PERCENT) for flag in range(256))
