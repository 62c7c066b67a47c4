"""The extractor's three ways through a sheet's rows, one per layout: long (a row per
value, with a fast path for plain batches), wide (a column per KPI) and across (periods
across the columns)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kpidesk.io._extract_base import ExtractorBase
from kpidesk.io._extract_common import (
    _AMBIGUOUS,
    _NUMBER_TYPES,
    MSG_EXCEL_ERROR,
    MSG_NO_KPI,
    MSG_NO_PERIOD,
    Batch,
    _at,
    _header_text,
    _is_total_text,
    _label_text,
    _LongState,
    _Table,
)
from kpidesk.io.cells import CellValue
from kpidesk.io.errors import Message
from kpidesk.io.layout import (
    ColumnRole,
)
from kpidesk.io.names import is_total_label


class LayoutRuns(ExtractorBase):
    """The layouts' loops of an extractor (its state and helpers are :class:`ExtractorBase`'s)."""

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
