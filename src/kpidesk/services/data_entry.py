"""Typing and pasting values into a grid: cells and clipboard blocks parsed, changes saved.

The Data page shows a grid in one of two layouts, periods always across the columns as in
budget sheets:

- :data:`GridLayout.KPIS`: one row per KPI measured by the chosen kind of period, for one
  unit (KPIs measured by another kind are listed in :attr:`Grid.hidden`, to be entered in
  a grid of their own kind);
- :data:`GridLayout.UNITS`: one row per unit (the tree, depth-first), for one KPI.

In :data:`GridMode.VALUES` a cell holds the measurement stored for its KPI, unit and period;
where there is none it shows what the scorecard would show (a calculated KPI's value, a
value rolled up from sub-units) as derived. In :data:`GridMode.TARGETS` a cell holds the
per-period target set for that KPI, unit (or every unit) and period, and shows the target
that applies otherwise (from a path, from every unit's target, from sub-units).

Every change goes through :func:`set_values` (or ``targets.set_targets``): one transaction,
and the state before it is returned so that undo restores it exactly.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from kpidesk.domain.errors import DomainError
from kpidesk.domain.naming import kpi_title
from kpidesk.domain.numbers import check_storable, parse_number, to_stored_value
from kpidesk.domain.periods import (
    KindName,
    Period,
    PeriodKind,
    PeriodName,
)
from kpidesk.domain.status import Direction, Status, ThresholdMode, Thresholds, status_of
from kpidesk.domain.text import clean_text
from kpidesk.i18n import N_, _
from kpidesk.services.conflicts import UNREAD, Conflict, ConflictError
from kpidesk.services.overview import unit_tree
from kpidesk.services.scorecard import RollUp, load_rollup
from kpidesk.store import models, queries, versions
from kpidesk.store.workspace import Workspace


class DataEntryError(DomainError):
    """A value that cannot be stored where it was put."""


# Parsing -----------------------------------------------------------------------------------


class HasMeasureUnit(Protocol):
    @property
    def measure_unit(self) -> str: ...


def parse_cell(text: str, kpi: HasMeasureUnit, *, decimal_hint: str | None = None) -> float:
    """What to store for ``text`` typed or pasted into a cell of ``kpi``.

    Swedish and English numbers (``12,5``, ``1 234,5``, ``12.5``, ``1,234.5``); a percent
    KPI stores percentage points (``81,5 %`` and ``81.5`` are both 81.5). ``decimal_hint``
    settles ``1,234`` (see :func:`kpidesk.domain.numbers.parse_number`). Raises
    ``NumberError`` (a :class:`DomainError`) for text that is no number, also for empty text.
    """
    parsed = parse_number(text, decimal_hint=decimal_hint)
    return check_storable(to_stored_value(parsed, kpi.measure_unit))


def parse_block(text: str) -> list[list[str]]:
    """A rectangular block of cells from clipboard text as Excel or LibreOffice put it there.

    Cells are separated by tabs and rows by line ends (``\\r\\n``, ``\\n`` or ``\\r``); the one
    line end after the last row is not a row. A cell holding a tab, a line end or a quote
    comes quoted (``"two\\nlines"``, ``"5"" screen"``) and is unquoted. Rows are padded with
    empty cells to the widest row. Empty text gives no rows.
    """
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith(("\n", "\r")):
        text = text[:-1]
    if not text:
        return []
    try:
        rows = [row or [""] for row in csv.reader(io.StringIO(text, newline=""), dialect=_Tabs)]
    except csv.Error:
        rows = [line.split("\t") for line in text.replace("\r\n", "\n").split("\n")]
    else:
        if text.endswith(("\n", "\r")):  # an empty last row (one empty cell) before the end
            rows.append([""])
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


class _Tabs(csv.Dialect):
    delimiter = "\t"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def format_block(rows: list[list[str]]) -> str:
    """Cells as tab-separated text for the clipboard, quoted where Excel would quote them."""
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            if any(mark in cell for mark in ('"', "\t", "\n", "\r")):
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        lines.append("\t".join(cells))
    return "\r\n".join(lines) + ("\r\n" if lines else "")


# Saving ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell's new state: ``value`` None deletes the measurement (and its comment).

    ``comment`` None keeps the stored comment (an empty one for a new value). The list
    :func:`set_values` returns holds the states before, with ``value`` None where there was
    no measurement, and the exact comment, source and import batch where there was one.
    """

    kpi_id: int
    unit_id: int
    period_key: str
    value: float | None
    comment: str | None = None
    source: str = "typed"
    batch_id: int | None = None
    read: Any = UNREAD
    """The cell's row as it was read (its token, None where there was none): when given, a
    save finding the row changed since then stores nothing and raises ``ConflictError``."""

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.kpi_id, self.unit_id, self.period_key)


def check_period(kpi: models.Kpi, period_key: str) -> Period:
    """The period of ``period_key``, which must be of the KPI's frequency."""
    period = Period.from_key(period_key)
    if period.kind.value != kpi.frequency:
        raise DataEntryError(
            N_("{kpi} is measured by {kind}; nothing can be stored for {period}."),
            kpi=kpi.name,
            kind=KindName(kpi.frequency),
            period=PeriodName(period_key),
        )
    return period


def kpis_by_id(kpi_ids: Iterable[int]) -> dict[int, models.Kpi]:
    ids = set(kpi_ids)
    found = {kpi.id: kpi for kpi in models.Kpi.select().where(models.Kpi.id.in_(list(ids)))}
    for kpi_id in ids - set(found):
        raise DataEntryError(N_("There is no KPI with id {id}."), id=kpi_id)
    return found


def set_values(workspace: Workspace, changes: Iterable[CellChange]) -> list[CellChange]:
    """Store every change in one transaction; return the state before, for undo.

    A key changed twice takes the last change. Refused as a whole (nothing stored) when a
    change is for a calculated KPI, a period of another kind than the KPI's frequency, or a
    value that is not a finite number.
    """
    latest: dict[tuple[int, int, str], CellChange] = {}
    for change in changes:
        latest.pop(change.key, None)
        latest[change.key] = change
    if not latest:
        return []
    kpis = kpis_by_id(change.kpi_id for change in latest.values())
    for change in latest.values():
        kpi = kpis[change.kpi_id]
        if kpi.formula.strip():
            raise DataEntryError(
                N_("{kpi} is calculated from other KPIs; its values cannot be typed."),
                kpi=kpi.name,
            )
        check_period(kpi, change.period_key)
        if change.value is not None and not math.isfinite(change.value):
            raise DataEntryError(N_("A value must be a finite number."))
        if change.value is not None:
            check_storable(change.value)
    _check_units(workspace, latest)
    with workspace.atomic():
        _check_versions(latest)
        before = queries.measurements_at(latest)
        previous = []
        for key in latest:
            stored = before.get(key)
            if stored is None:
                previous.append(CellChange(*key, None))
            else:
                value, comment, source, batch_id = stored
                previous.append(CellChange(*key, value, comment, source, batch_id))
        deletes = [key for key, change in latest.items() if change.value is None and key in before]
        rows: list[queries.MeasurementRow] = []
        for key, change in latest.items():
            if change.value is None:
                continue
            comment = change.comment
            if comment is None:
                comment = before[key][1] if key in before else ""
            comment = clean_text(comment, multiline=True)
            rows.append((*key, float(change.value), comment, change.source, change.batch_id))
        if deletes:
            queries.delete_measurements(deletes)
        if rows:
            queries.insert_measurements(rows)
    return previous


def _check_units(workspace: Workspace, latest: dict[tuple[int, int, str], CellChange]) -> None:
    if not workspace.is_server:
        return
    from kpidesk.services.people import NotYourUnitError, access

    rights = access(workspace)
    for _kpi, unit_id, _period in latest:
        if not rights.may_write_unit(unit_id):
            unit = models.Unit.get_or_none(models.Unit.id == unit_id)
            raise NotYourUnitError(unit.name if unit is not None else str(unit_id))


def _check_versions(latest: dict[tuple[int, int, str], CellChange]) -> None:
    checked = {key: change for key, change in latest.items() if change.read is not UNREAD}
    if not checked:
        return
    versions.lock("measurement", checked)
    now = versions.tokens("measurement", checked)
    changed = [key for key, change in checked.items() if now[key] != change.read]
    if not changed:
        return
    stored = queries.measurements_at(changed)
    conflicts = []
    for key in changed:
        by, at = versions.last_change_of_key("measurement", key)
        theirs = stored.get(key)
        conflicts.append(
            Conflict(
                "measurement",
                key,
                (checked[key].value, checked[key].comment),
                None if theirs is None else (theirs[0], theirs[1]),
                by,
                at,
                now[key],
            )
        )
    raise ConflictError(conflicts)


def grid_tokens(grid: Grid | None) -> dict[tuple[int, int | None, str], Any]:
    """The stored rows' tokens of every cell of ``grid`` (one read), for its saves to check:
    a cell missing from the answer had no row."""
    if grid is None:
        return {}
    cells = [cell for row in grid.cells for cell in row]
    table = "measurement" if grid.mode is GridMode.VALUES else "target"
    return versions.tokens_in(  # type: ignore[return-value]
        table,
        (cell.kpi_id for cell in cells),
        (cell.unit_id for cell in cells),
        (cell.period.key for cell in cells),
    )


def read_tokens(keys: Iterable[tuple[int, int, str]]) -> dict[tuple[int, int, str], Any]:
    """The cells' rows as they are now, for a later save to check (see ``CellChange.read``)."""
    return versions.tokens("measurement", keys)  # type: ignore[arg-type,return-value]


# The grid as plain data --------------------------------------------------------------------


class GridMode(StrEnum):
    VALUES = "values"
    TARGETS = "targets"


class GridLayout(StrEnum):
    KPIS = "kpis"
    """Periods × KPIs for one unit (a row per KPI)."""
    UNITS = "units"
    """Units × periods for one KPI (a row per unit)."""


class CellOrigin(StrEnum):
    EMPTY = "empty"
    STORED = "stored"
    """A measurement (or target) stored for this very KPI, unit and period."""
    CALCULATED = "calculated"
    """A calculated KPI's value, from its formula."""
    ROLLED_UP = "rolled_up"
    """No value of the unit's own: its sub-units' values combined."""
    INHERITED = "inherited"
    """No target of its own: the target that applies from a path, all units or sub-units."""


PERIODS_SHOWN = {
    PeriodKind.WEEK: 13,
    PeriodKind.MONTH: 12,
    PeriodKind.QUARTER: 8,
    PeriodKind.YEAR: 5,
}


@dataclass(frozen=True, slots=True)
class GridKpi:
    id: int
    code: str
    name: str
    measure_unit: str
    unit_label: str
    decimals: int
    direction: str
    frequency: PeriodKind
    formula: str
    threshold_mode: str
    amber_margin: float

    @classmethod
    def of(cls, kpi: models.Kpi) -> GridKpi:
        return cls(
            kpi.id,
            kpi.code,
            kpi.name,
            kpi.measure_unit,
            kpi.unit_label,
            kpi.decimals,
            kpi.direction,
            PeriodKind(kpi.frequency),
            kpi.formula,
            kpi.threshold_mode,
            kpi.amber_margin,
        )

    @property
    def calculated(self) -> bool:
        return bool(self.formula.strip())

    @property
    def band(self) -> bool:
        return self.direction == Direction.WITHIN_BAND.value

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(self.amber_margin, ThresholdMode(self.threshold_mode))


@dataclass(frozen=True, slots=True)
class GridRow:
    label: str
    kpi: GridKpi
    unit_id: int | None
    """None: the row of targets that hold for every unit (targets mode only)."""
    depth: int = 0


@dataclass(frozen=True, slots=True)
class GridCell:
    kpi_id: int
    unit_id: int | None
    period: Period
    origin: CellOrigin = CellOrigin.EMPTY
    value: float | None = None
    """What is stored for this very cell (the measurement, or the target's low end)."""
    value_high: float | None = None
    comment: str = ""
    source: str = ""
    shown: float | None = None
    """What the cell shows: the stored value, else the calculated, rolled-up or inherited one."""
    shown_high: float | None = None
    target: tuple[float, float | None] | None = None
    """Values mode: the target that applies, for the status."""
    status: Status = Status.NO_DATA
    editable: bool = True

    @property
    def key(self) -> tuple[int, int | None, str]:
        return (self.kpi_id, self.unit_id, self.period.key)


@dataclass
class Grid:
    mode: GridMode
    layout: GridLayout
    kind: PeriodKind
    periods: list[Period]
    rows: list[GridRow]
    cells: list[list[GridCell]]
    unit_id: int | None = None
    kpi_id: int | None = None
    hidden: dict[PeriodKind, list[GridKpi]] = field(default_factory=dict)
    """Layout KPIS: the KPIs measured by another kind of period, by kind."""

    def cell(self, row: int, column: int) -> GridCell:
        return self.cells[row][column]


def grid_kpis() -> list[GridKpi]:
    """Every KPI not archived, in the workspace's order."""
    query = (
        models.Kpi.select()
        .where(models.Kpi.archived_at.is_null())
        .order_by(models.Kpi.sort_order, models.Kpi.code)
    )
    return [GridKpi.of(kpi) for kpi in query]


def kpi_label(kpi: GridKpi) -> str:
    """``Revenue (REV)``; a name that already shows its code keeps it once."""
    return kpi_title(kpi.name, kpi.code)


def grid_kpi(kpi_id: int) -> GridKpi:
    return GridKpi.of(kpis_by_id([kpi_id])[kpi_id])


def kinds_in_use() -> dict[PeriodKind, int]:
    """How many KPIs (not archived) are measured by each kind of period, in calendar order."""
    counts = {kind: 0 for kind in PeriodKind}
    for kpi in grid_kpis():
        counts[kpi.frequency] += 1
    return {kind: count for kind, count in counts.items() if count}


def end_period(period: Period, kind: PeriodKind) -> Period:
    """The period of ``kind`` a grid ends with when the view is ``period``: the one holding
    the view's last day (December for a year, the quarter a month is in)."""
    return Period.of(period.end, kind)


def grid_periods(end: Period, count: int | None = None) -> list[Period]:
    """``count`` periods ending with ``end`` (12 months, 8 quarters, 13 weeks, 5 years)."""
    count = count or PERIODS_SHOWN[end.kind]
    return [end.shift(offset) for offset in range(-count + 1, 1)]


def kpi_grid(
    unit_id: int,
    end: Period,
    mode: GridMode = GridMode.VALUES,
    *,
    count: int | None = None,
) -> Grid:
    """Periods × KPIs for one unit: a row per KPI measured by ``end``'s kind."""
    kind = end.kind
    periods = grid_periods(end, count)
    shown: list[GridKpi] = []
    hidden: dict[PeriodKind, list[GridKpi]] = {}
    for kpi in grid_kpis():
        if kpi.frequency is kind:
            shown.append(kpi)
        else:
            hidden.setdefault(kpi.frequency, []).append(kpi)
    rows = [GridRow(kpi_label(kpi), kpi, unit_id) for kpi in shown]
    grid = Grid(mode, GridLayout.KPIS, kind, periods, rows, [], unit_id=unit_id, hidden=hidden)
    _fill(grid)
    return grid


def unit_grid(
    kpi_id: int,
    end: Period,
    mode: GridMode = GridMode.VALUES,
    *,
    count: int | None = None,
) -> Grid:
    """Units × periods for one KPI, in the KPI's own kind of period (``end`` is converted).

    In targets mode the first row holds the targets that apply to every unit.
    """
    kpi = GridKpi.of(models.Kpi.get_by_id(kpi_id))
    last = end_period(end, kpi.frequency)
    periods = grid_periods(last, count)
    rows = [GridRow(unit.name, kpi, unit.id, unit.depth) for unit in unit_tree()]
    if mode is GridMode.TARGETS:
        rows.insert(0, GridRow(_("All units"), kpi, None))
    grid = Grid(mode, GridLayout.UNITS, kpi.frequency, periods, rows, [], kpi_id=kpi_id)
    _fill(grid)
    return grid


def _fill(grid: Grid) -> None:
    if not grid.rows or not grid.periods:
        return
    rollup = load_rollup(grid.periods[0].year, grid.periods[-1].year)
    keys = [period.key for period in grid.periods]
    kpi_ids = {row.kpi.id for row in grid.rows}
    unit_ids = {row.unit_id for row in grid.rows if row.unit_id is not None}
    stored_values = {
        (kpi_id, unit_id, key): (value, comment or "", source)
        for kpi_id, unit_id, key, value, comment, source, _batch in queries.measurements_in_grid(
            kpi_ids, unit_ids, keys
        )
    }
    stored_targets = {
        (kpi_id, unit_id, key): (value, high)
        for kpi_id, unit_id, key, value, high in queries.targets_in_grid(kpi_ids, keys)
    }
    for row in grid.rows:
        cells = []
        for period in grid.periods:
            if grid.mode is GridMode.VALUES:
                cells.append(_value_cell(rollup, row, period, stored_values))
            else:
                cells.append(_target_cell(rollup, row, period, stored_targets))
        grid.cells.append(cells)


def _value_cell(
    rollup: RollUp,
    row: GridRow,
    period: Period,
    stored: dict[tuple[int, int, str], tuple[float, str, str]],
) -> GridCell:
    kpi = row.kpi
    assert row.unit_id is not None
    own = None if kpi.calculated else stored.get((kpi.id, row.unit_id, period.key))
    shown = rollup.value(kpi.id, row.unit_id, period) if kpi.id in rollup.kpis else None
    if own is not None:
        origin, shown = CellOrigin.STORED, own[0]
    elif shown is None:
        origin = CellOrigin.EMPTY
    else:
        origin = CellOrigin.CALCULATED if kpi.calculated else CellOrigin.ROLLED_UP
    target = rollup.target(kpi.id, row.unit_id, period) if kpi.id in rollup.kpis else None
    status = Status.NO_DATA
    if target is not None:
        status = status_of(shown, target[0], kpi.direction, kpi.thresholds, target_high=target[1])
    return GridCell(
        kpi.id,
        row.unit_id,
        period,
        origin,
        value=own[0] if own else None,
        comment=own[1] if own else "",
        source=own[2] if own else "",
        shown=shown,
        target=target,
        status=status,
        editable=not kpi.calculated,
    )


def _target_cell(
    rollup: RollUp,
    row: GridRow,
    period: Period,
    stored: dict[tuple[int, int | None, str], tuple[float, float | None]],
) -> GridCell:
    kpi = row.kpi
    own = stored.get((kpi.id, row.unit_id, period.key))
    if own is not None:
        return GridCell(
            kpi.id,
            row.unit_id,
            period,
            CellOrigin.STORED,
            value=own[0],
            value_high=own[1],
            shown=own[0],
            shown_high=own[1],
        )
    applies: tuple[float, float | None] | None = None
    if row.unit_id is not None:
        applies = rollup.target(kpi.id, row.unit_id, period) if kpi.id in rollup.kpis else None
    else:
        path = rollup.paths.get(kpi.id, {}).get(None)
        if path is not None and (level := path.value_at(period)) is not None:
            applies = (level, None)
    if applies is None:
        return GridCell(kpi.id, row.unit_id, period)
    return GridCell(
        kpi.id,
        row.unit_id,
        period,
        CellOrigin.INHERITED,
        shown=applies[0],
        shown_high=applies[1],
    )
