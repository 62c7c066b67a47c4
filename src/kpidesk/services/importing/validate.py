"""Checking each value of a sheet: its KPI and unit resolved, its period the KPI's (or rolled
up into it), no duplicate, a finite number within bounds; the valid rows go to the writer.

:class:`Checking` is the part of an import (``run._Run``) that holds these checks; the
chunk loop :meth:`Checking.process` is the import's hot loop.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kpidesk.domain.aggregation import AggregationName, aggregate
from kpidesk.domain.numbers import (
    MAX_VALUE,
    MeasureUnit,
    NumberError,
    ValueTooLargeError,
    to_stored_value,
)
from kpidesk.domain.periods import KindName, Period, PeriodKind, PeriodName
from kpidesk.io.errors import ImportProblem, Message
from kpidesk.io.extract import (
    ChunkColumns,
    RawRecord,
)
from kpidesk.services.import_mapping import (
    KpiInfo,
    WorkspaceNames,
)
from kpidesk.services.importing.model import (
    MAX_PROBLEMS,
    MSG_COARSER_KIND,
    MSG_DUPLICATE,
    MSG_DUPLICATE_ROLLED,
    MSG_FINER_KIND,
    MSG_NOT_FINITE,
    MSG_PARTIAL,
    MSG_ROLLED_UP,
    MSG_WEEKS_BY_THURSDAY,
    ImportOptions,
    RollUp,
)
from kpidesk.services.importing.resolve import (
    _KPI_IGNORED,
    _SHIFT_KPI,
    _SHIFT_UNIT,
    _UNIT_IGNORED,
    Resolver,
    _Target,
)
from kpidesk.services.importing.write import MeasurementWriter


class _PeriodList(str):
    """Period keys joined by commas, shown as people say them when the message is shown."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(", ".join(format(PeriodName(key)) for key in self.split(",")), spec)


class Checking:
    """Checks the values of an import chunk by chunk (mixed into ``run._Run``)."""

    options: ImportOptions
    names: WorkspaceNames
    resolver: Resolver
    writer: MeasurementWriter
    targets_mode: bool
    writing: bool
    period_index: dict[str, int]
    seen: set[int]
    targets: dict[tuple[int, int | None, str], float]
    other_kinds: dict[tuple[int, PeriodKind], list[tuple[RawRecord, int, float]]]
    roll_ups: list[RollUp]
    notes: list[Message]
    values: int
    valid: int
    ignored: int
    problems: list[ImportProblem]
    problem_count: int

    # problems --------------------------------------------------------------------------------
    def _problem_found(self) -> None:
        self.problem_count += 1
        if not self.options.skip_invalid and not self.options.dry_run:
            self.writing = False  # the import will stop: nothing more to write

    def value_problem(self, record: RawRecord, reason: Message) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                ImportProblem(record.sheet, record.row, record.column, _value_text(record), reason)
            )
        self._problem_found()

    # the values --------------------------------------------------------------------------------
    def process(self, records: Sequence[RawRecord]) -> None:
        """Check and map a chunk of records and store the valid ones.

        The hot loop of an import: records are tuples (see :class:`RawRecord`) read by index.
        """
        columns = getattr(records, "columns", None)
        if columns is not None and not self.targets_mode and self._process_columns(columns):
            return
        kpi_get = self.resolver.kpi_cache.get
        unit_get = self.resolver.unit_cache.get
        period_index = self.period_index
        period_get = period_index.get
        seen = self.seen
        seen_add = seen.add
        targets_mode = self.targets_mode
        rows: list[tuple[Any, ...]] = []
        append = rows.append
        for record in records:
            # sheet, row, column, kpi, unit, period, value, text %, format %, comment
            target = kpi_get(record[3])
            if target is None:
                target = self.resolver.resolve_kpi(record)
            kpi_id = target[0]
            if kpi_id < 0:
                if kpi_id == _KPI_IGNORED:
                    self.ignored += 1
                continue
            unit_id = unit_get(record[4])
            if unit_id is None:
                unit_id = self.resolver.resolve_unit(record)
            if unit_id < 0:
                if unit_id == _UNIT_IGNORED:
                    self.ignored += 1
                continue
            period = record[5]
            if period.kind is not target[2]:
                self.other_kind(record, target, unit_id)
                continue
            key_text = period.key
            index = period_get(key_text)
            if index is None:
                index = period_index[key_text] = len(period_index)
            before = len(seen)
            seen_add(target[1] | (unit_id << _SHIFT_UNIT) | index)
            if len(seen) == before:
                self.value_problem(record, Message.of(MSG_DUPLICATE))
                continue
            value = record[6]
            if record[7] or record[8]:
                try:
                    value = to_stored_value(
                        record.parsed, target[3], cell_is_percent_formatted=record[8]
                    )
                except NumberError as error:  # a percentage for an amount of money
                    self.value_problem(record, Message.from_error(error))
                    continue
            if value - value != 0:  # inf or nan
                self.value_problem(record, Message.of(MSG_NOT_FINITE))
                continue
            if not -MAX_VALUE <= value <= MAX_VALUE:
                self.value_problem(record, Message.from_error(ValueTooLargeError(value)))
                continue
            if target[4]:
                self.resolver.observe(kpi_id, value)
            if targets_mode:
                self.targets[(kpi_id, unit_id or None, key_text)] = value
            else:
                append((kpi_id, unit_id, key_text, value, record[9] or ""))
        self.values += len(records)
        if not targets_mode:
            self.valid += len(rows)
            if rows and self.writing:
                self.writer.write(rows)

    def _process_columns(self, chunk: ChunkColumns) -> bool:
        """:meth:`process` for a chunk whose every label is resolved to a KPI and a unit, of
        one frequency, without percent cells, duplicates or values that are not finite: whole
        columns at a time. False, having changed nothing, for any other chunk."""
        if any(chunk.flags):
            return False
        kpi_ids: dict[int, int] = {}
        kpi_parts: dict[int, int] = {}
        kinds = set()
        for index in set(chunk.kpis):
            target = self.resolver.kpi_cache.get(chunk.kpi_labels[index])  # type: ignore[arg-type]
            if target is None or target[0] < 0 or target[4]:
                return False
            kpi_ids[index], kpi_parts[index] = target[0], target[1]
            kinds.add(target[2])
        unit_ids: dict[int, int] = {}
        unit_parts: dict[int, int] = {}
        for index in set(chunk.units):
            unit_id = self.resolver.unit_cache.get(chunk.unit_labels[index])
            if unit_id is None or unit_id < 0:
                return False
            unit_ids[index], unit_parts[index] = unit_id, unit_id << _SHIFT_UNIT
        period_keys: dict[int, str] = {}
        period_parts: dict[int, int] = {}
        period_index = self.period_index
        for index in set(chunk.periods):
            period = chunk.period_table[index]
            if period is None or {period.kind} != kinds:
                return False
            key_text = period.key
            part = period_index.get(key_text)
            if part is None:
                part = period_index[key_text] = len(period_index)
            period_keys[index], period_parts[index] = key_text, part
        values = chunk.values
        total = sum(values)
        if total - total != 0:  # an inf or a nan somewhere
            return False
        if values and (max(values) > MAX_VALUE or min(values) < -MAX_VALUE):
            return False  # the careful path names each value that is too large
        kp, up, pp = kpi_parts, unit_parts, period_parts
        columns = zip(chunk.kpis, chunk.units, chunk.periods, strict=True)
        keys = {kp[k] | up[u] | pp[p] for k, u, p in columns}
        if len(keys) != len(values) or not self.seen.isdisjoint(keys):
            return False
        self.seen |= keys
        columns = [
            map(kpi_ids.__getitem__, chunk.kpis),
            map(unit_ids.__getitem__, chunk.units),
            map(period_keys.__getitem__, chunk.periods),
            values,
        ]
        if any(chunk.comments) or self.writer.needs_comments:  # else: no comment to bind
            comment_texts = [label or "" for label in chunk.comment_labels]
            columns.append(map(comment_texts.__getitem__, chunk.comments))
        rows = list(zip(*columns, strict=True))
        self.values += len(rows)
        self.valid += len(rows)
        if rows and self.writing:
            self.writer.write(rows)
        return True

    def other_kind(self, record: RawRecord, target: _Target, unit_id: int) -> None:
        """A value of another period kind than its KPI's: kept aside, to be rolled up or
        explained once per KPI (:meth:`settle_other_kinds`)."""
        value = record.value
        if record.text_percent or record.format_percent:
            value = to_stored_value(
                record.parsed,
                MeasureUnit.PERCENT if target[3] else MeasureUnit.COUNT,
                cell_is_percent_formatted=record.format_percent,
            )
        if value - value != 0:  # inf or nan
            self.value_problem(record, Message.of(MSG_NOT_FINITE))
            return
        kpi_id = target[0]
        finer = record.period.kind.is_finer_than(self.names.kpis[kpi_id].frequency)
        if (not finer or not self.options.roll_up) and not (
            self.options.skip_invalid or self.options.dry_run
        ):
            self.writing = False  # the import will stop: nothing more to write
        if target[4]:
            self.resolver.observe(kpi_id, value)
        self.other_kinds[(kpi_id, record.period.kind)].append((record, unit_id, value))

    def settle_other_kinds(self) -> None:
        """Roll up the values of a finer period (with ``roll_up``), or explain them once per
        KPI: one problem for all the KPI's values of that kind, not one per cell."""
        for (kpi_id, kind), items in self.other_kinds.items():
            info = self.names.kpis[kpi_id]
            periods = sorted({record.period for record, _unit, _value in items})
            first, last = periods[0].key, periods[-1].key
            finer = kind.is_finer_than(info.frequency)
            if finer and self.options.roll_up:
                self._roll_up(info, kind, items, first, last)
                continue
            params = {
                "kpi": info.name,
                "kind": KindName(info.frequency.value),
                "count": len(items),
                "other": KindName(kind.value),
                "first": PeriodName(first),
                "last": PeriodName(last),
            }
            if finer:
                params["aggregation"] = AggregationName(info.time_aggregation.value)
                self.roll_ups.append(
                    RollUp(
                        info.name,
                        len(items),
                        kind,
                        info.frequency,
                        info.time_aggregation,
                        first,
                        last,
                    )
                )
            template = MSG_FINER_KIND if finer else MSG_COARSER_KIND
            self.value_problem(items[0][0], Message.of(template, **params))

    def _roll_up(
        self,
        info: KpiInfo,
        kind: PeriodKind,
        items: list[tuple[RawRecord, int, float]],
        first: str,
        last: str,
    ) -> None:
        buckets: dict[tuple[int, Period], dict[Period, tuple[float, RawRecord]]] = defaultdict(dict)
        for record, unit_id, value in items:
            bucket = buckets[(unit_id, record.period.to(info.frequency))]
            if record.period in bucket:
                self.value_problem(record, Message.of(MSG_DUPLICATE))
                continue
            bucket[record.period] = (value, record)
        how = info.time_aggregation
        kpi_part = info.id << _SHIFT_KPI
        rows: list[tuple[int, int, str, float, str]] = []
        partial: set[Period] = set()
        used = made = 0
        for (unit_id, coarse), members in sorted(buckets.items()):
            ordered = sorted(members)
            combined = aggregate([members[p][0] for p in ordered], how)
            if combined is None:
                continue
            key_text = coarse.key
            index = self.period_index.setdefault(key_text, len(self.period_index))
            key = kpi_part | (unit_id << _SHIFT_UNIT) | index
            if key in self.seen:
                reason = Message.of(
                    MSG_DUPLICATE_ROLLED, period=PeriodName(key_text), other=KindName(kind.value)
                )
                self.value_problem(members[ordered[0]][1], reason)
                continue
            self.seen.add(key)
            if len(members) < len(coarse.subperiods(kind)):
                partial.add(coarse)
            used += len(members)
            made += 1
            if self.targets_mode:
                self.targets[(info.id, unit_id or None, key_text)] = combined
            else:
                rows.append((info.id, unit_id, key_text, combined, ""))
        if not self.targets_mode:
            self.valid += used
            if rows and self.writing:
                self.writer.write(rows)
        self.roll_ups.append(
            RollUp(
                info.name,
                len(items),
                kind,
                info.frequency,
                how,
                first,
                last,
                done=True,
                made=made,
                partial=tuple(p.key for p in sorted(partial)),
            )
        )
        kinds = {"kind": KindName(info.frequency.value), "other": KindName(kind.value)}
        self.notes.append(
            Message.of(
                MSG_ROLLED_UP,
                kpi=info.name,
                count=len(items),
                made=made,
                aggregation=AggregationName(how.value),
                **kinds,
            )
        )
        thursday = Message.of(MSG_WEEKS_BY_THURSDAY, kind=kinds["kind"])
        if kind is PeriodKind.WEEK and thursday not in self.notes:
            self.notes.append(thursday)
        if partial:
            names = _PeriodList(",".join(p.key for p in sorted(partial)))
            self.notes.append(Message.of(MSG_PARTIAL, kpi=info.name, periods=names, **kinds))


def _value_text(record: RawRecord) -> str:
    value = record.value * 100 if record.format_percent else record.value
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = repr(value)
    return f"{text} %" if record.is_percent else text
