"""The extractor's state and its helpers: problems, values, labels, periods and dates, and
the chunks it fills; its loops over a sheet's rows are ``_extract_layouts``'s."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

from kpidesk.domain.errors import DomainError, Words
from kpidesk.domain.numbers import NumberError, parse_number
from kpidesk.domain.periods import AmbiguousDateError, Period, PeriodError, slash_date_order
from kpidesk.domain.text import bad_characters, describe_character
from kpidesk.i18n import N_
from kpidesk.io._cellinfo import CellInfo, PercentIndex
from kpidesk.io._chunks import (
    FLAG_FORMAT_PERCENT,
    FLAG_TEXT_PERCENT,
    Chunk,
)
from kpidesk.io._extract_common import (
    _AMBIGUOUS,
    CHUNK_RECORDS,
    DEFER_LIMIT,
    FIRST_CHUNK_RECORDS,
    MAX_LISTED_ROWS,
    MAX_PROBLEMS,
    MSG_BOOLEAN,
    MSG_DATE_VALUE,
    MSG_DATES_SETTLED,
    MSG_EXCEL_ERROR,
    MSG_TEXT_CLEANED,
    ORDER_WORDS,
    _at,
    _header_text,
    _LongState,
    _Table,
)
from kpidesk.io.cells import CellValue, column_letter, display_value, excel_error
from kpidesk.io.errors import ImportProblem, Message
from kpidesk.io.layout import (
    MSG_MISSING_YEAR,
    ColumnRole,
    Layout,
    parse_row_period,
    row_year,
)


class ExtractorBase:
    """What an extractor holds while it reads one sheet, and what every layout's loop uses."""

    _long: _LongState
    """The long layout's columns and caches (set when a long sheet is read)."""

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
            order = slash_date_order(raw)
            if order is not None:
                self._date_orders.setdefault(order, raw.strip())
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
