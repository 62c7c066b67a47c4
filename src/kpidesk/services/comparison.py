"""Comparing units ("best practice"): who does best on a KPI, and a units × KPIs heat map.

Which units are compared: the direct sub-units of the unit in view (the company's stores,
or a region's stores); for a unit with no sub-units, it and its siblings, so a store is
seen among its peers. Values and targets are the scorecard's roll-ups, so a region is
compared by its stores' combined value, and a KPI measured less often than the period in
view shows its latest complete period (a quarterly KPI in October shows Q3).

Best first means by the KPI's direction: the highest value for higher-is-better, the lowest
for lower-is-better, and for a range the value nearest the range (inside it is best, then
nearest its middle). Units without a value come last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kpidesk.domain.best_practice import rank_key
from kpidesk.domain.numbers import format_value
from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status, status_of
from kpidesk.services.scorecard import KpiSpec, RollUp, load_rollup, shown_period_for
from kpidesk.store import models, queries


@dataclass(frozen=True, slots=True)
class RankedUnit:
    unit_id: int
    name: str
    value: float | None
    target: float | None
    target_high: float | None
    status: Status
    rank: int | None
    """1 for the best; units with equal values share a rank; None without a value."""

    @property
    def best(self) -> bool:
        return self.rank == 1


@dataclass(frozen=True)
class Ranking:
    kpi: KpiSpec
    period: Period
    """The period compared (the KPI's own, see :func:`shown_period_for`)."""
    parent_id: int | None
    units: tuple[RankedUnit, ...]
    currency: str = "SEK"

    @property
    def benchmark(self) -> float | None:
        return self.kpi.benchmark

    @property
    def best(self) -> tuple[RankedUnit, ...]:
        return tuple(unit for unit in self.units if unit.best)

    def format(self, value: float | None) -> str:
        return format_value(
            value,
            self.kpi.measure_unit,
            decimals=self.kpi.decimals,
            currency=self.currency,
            unit_label=self.kpi.unit_label,
        )


@dataclass(frozen=True, slots=True)
class HeatCell:
    value: float | None
    target: float | None
    target_high: float | None
    status: Status
    rank: int | None

    @property
    def best(self) -> bool:
        return self.rank == 1


@dataclass(frozen=True)
class HeatMap:
    period: Period
    parent_id: int | None
    units: tuple[tuple[int, str], ...]
    kpis: tuple[KpiSpec, ...]
    shown: dict[int, Period]
    """The period each KPI is compared for."""
    cells: dict[tuple[int, int], HeatCell]
    """By (KPI id, unit id)."""
    currency: str = "SEK"

    def cell(self, kpi_id: int, unit_id: int) -> HeatCell:
        return self.cells[(kpi_id, unit_id)]

    def best_units(self, kpi_id: int) -> list[int]:
        return [unit_id for unit_id, _name in self.units if self.cells[(kpi_id, unit_id)].best]

    def format(self, kpi: KpiSpec, value: float | None) -> str:
        return format_value(
            value,
            kpi.measure_unit,
            decimals=kpi.decimals,
            currency=self.currency,
            unit_label=kpi.unit_label,
        )


def compared_units(unit_id: int | None) -> list[tuple[int, str]]:
    """The units compared when ``unit_id`` is in view: its sub-units; for a unit without
    any, it and its siblings (by sort order and name)."""
    rows = queries.units()
    by_id = {row[0]: row for row in rows}
    children: dict[int | None, list[tuple[int, str, int | None, int]]] = {}
    for row in rows:
        children.setdefault(row[2], []).append(row)
    if unit_id is None or unit_id not in by_id:
        roots = children.get(None, [])
        unit_id = roots[0][0] if roots else None
        if unit_id is None:
            return []
    group = children.get(unit_id) or children.get(by_id[unit_id][2], [])
    group = sorted(group, key=lambda row: (row[3], row[1].casefold()))
    return [(row[0], row[1]) for row in group]


def sort_key(
    spec: KpiSpec, value: float | None, target: float | None, target_high: float | None
) -> tuple[float, ...]:
    """Smaller is better: the order of :func:`rank_units`, without the tie-break by name."""
    return rank_key(spec.direction, value, target, target_high)


def _ranks(keys: list[tuple[float, ...]]) -> list[int | None]:
    """Competition ranks (1, 1, 3) of sort keys already in order; None for no value."""
    ranks: list[int | None] = []
    for index, key in enumerate(keys):
        if key[0] >= 1.0:
            ranks.append(None)
        elif index and key == keys[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks


def _ranked(
    rollup: RollUp, spec: KpiSpec, shown: Period, units: Iterable[tuple[int, str]]
) -> list[RankedUnit]:
    rows = []
    for unit_id, name in units:
        value = rollup.value(spec.id, unit_id, shown)
        target = rollup.target(spec.id, unit_id, shown)
        low, high = target if target is not None else (None, None)
        status = status_of(value, low, spec.direction, spec.thresholds, target_high=high)
        rows.append(
            (
                sort_key(spec, value, low, high),
                name.casefold(),
                unit_id,
                name,
                value,
                low,
                high,
                status,
            )
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    ranks = _ranks([row[0] for row in rows])
    return [
        RankedUnit(unit_id, name, value, low, high, status, rank)
        for (_key, _fold, unit_id, name, value, low, high, status), rank in zip(
            rows, ranks, strict=True
        )
    ]


def _currency(currency: str | None) -> str:
    if currency is not None:
        return currency
    settings = models.WorkspaceSettings.get_or_none()
    return settings.currency if settings else "SEK"


def _rollup_for(period: Period) -> RollUp:
    # A quarterly KPI in a month view looks back up to a quarter; a yearly one a year.
    return load_rollup(period.start.year - 1, period.end.year)


def rank_units(
    kpi_id: int,
    period: Period,
    unit_id: int | None,
    *,
    rollup: RollUp | None = None,
    currency: str | None = None,
) -> Ranking:
    """The units compared under ``unit_id`` (see :func:`compared_units`) for one KPI and
    period, best first."""
    rollup = rollup or _rollup_for(period)
    spec = rollup.kpis[kpi_id]
    shown = shown_period_for(period, spec.frequency)
    units = compared_units(unit_id)
    parent = unit_id
    return Ranking(
        spec, shown, parent, tuple(_ranked(rollup, spec, shown, units)), _currency(currency)
    )


def heat_map(
    period: Period,
    unit_id: int | None,
    *,
    rollup: RollUp | None = None,
    currency: str | None = None,
) -> HeatMap:
    """Every active KPI × the compared units: value, target, status and rank of each."""
    rollup = rollup or _rollup_for(period)
    units = tuple(compared_units(unit_id))
    kpis = tuple(
        sorted(
            (spec for spec in rollup.kpis.values() if not spec.archived),
            key=lambda spec: (spec.sort_order, spec.code),
        )
    )
    cells: dict[tuple[int, int], HeatCell] = {}
    shown_periods: dict[int, Period] = {}
    for spec in kpis:
        shown = shown_period_for(period, spec.frequency)
        shown_periods[spec.id] = shown
        for ranked in _ranked(rollup, spec, shown, units):
            cells[(spec.id, ranked.unit_id)] = HeatCell(
                ranked.value, ranked.target, ranked.target_high, ranked.status, ranked.rank
            )
    return HeatMap(period, unit_id, units, kpis, shown_periods, cells, _currency(currency))
