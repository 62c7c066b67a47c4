"""A batch of records in compact form, as it travels from the reader process to the app:
label tables that only grow, plus parallel lists of small ints and floats that pickle fast;
and, in the app, :class:`ChunkDecoder` turning them back into record tuples."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from kpidesk.domain.periods import Period
from kpidesk.io.cells import column_letter

FLAG_TEXT_PERCENT = 1  # the text had a % sign: the value is in percentage points


FLAG_FORMAT_PERCENT = 2  # the cell was formatted as a percentage: the value is a fraction


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
