"""Rolling values up: from finer to coarser periods, and across units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from enum import StrEnum

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.i18n import N_, _


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"
    MIN = "min"
    MAX = "max"


AGGREGATION_LABELS = {
    Aggregation.SUM: N_("Sum"),
    Aggregation.AVERAGE: N_("Average"),
    Aggregation.LAST: N_("Last value"),
    Aggregation.MIN: N_("Minimum"),
    Aggregation.MAX: N_("Maximum"),
}


class AggregationName(str):
    """An aggregation's name (``sum``) in a message, translated (in lower case) when the
    message is shown, not when it is made."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(_(AGGREGATION_LABELS[Aggregation(str(self))]).lower(), spec)


def aggregate(values: Iterable[float], how: Aggregation | str) -> float | None:
    """Combine values in their given order (``LAST`` takes the last one); None if empty."""
    items = list(values)
    if not items:
        return None
    how = Aggregation(how)
    if how is Aggregation.SUM:
        return float(sum(items))
    if how is Aggregation.AVERAGE:
        return sum(items) / len(items)
    if how is Aggregation.LAST:
        return items[-1]
    if how is Aggregation.MIN:
        return min(items)
    return max(items)


def roll_up(
    series: Mapping[Period, float], to_kind: PeriodKind, how: Aggregation | str
) -> dict[Period, float]:
    """Values of finer periods combined into the coarser periods of ``to_kind`` that hold them.

    Weeks go to the month, quarter and year of their Thursday. Periods already of ``to_kind``
    pass through; coarser ones are refused (they cannot be split).
    """
    buckets: dict[Period, list[tuple[Period, float]]] = defaultdict(list)
    for period, value in series.items():
        buckets[period.to(to_kind)].append((period, value))
    result: dict[Period, float] = {}
    for coarse in sorted(buckets):
        ordered = [value for _period, value in sorted(buckets[coarse])]
        combined = aggregate(ordered, how)
        if combined is not None:
            result[coarse] = combined
    return result


def combine_units(
    per_unit: Mapping[object, Mapping[Period, float]], how: Aggregation | str
) -> dict[Period, float]:
    """One series from several units' series, period by period.

    ``LAST`` has no meaning across units (they have no order); it sums, as stock values such
    as head count add up across units.
    """
    how = Aggregation(how)
    if how is Aggregation.LAST:
        how = Aggregation.SUM
    collected: dict[Period, list[float]] = defaultdict(list)
    for series in per_unit.values():
        for period, value in series.items():
            collected[period].append(value)
    return {
        period: combined
        for period in sorted(collected)
        if (combined := aggregate(collected[period], how)) is not None
    }
