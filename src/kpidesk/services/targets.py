"""Targets: a value per period (a low and high end for band KPIs), a path from a baseline to a
goal, and suggestions from the KPI's own history or the best of the other units.

A target with no unit holds for every unit; a unit's own target wins over it (see
:meth:`kpidesk.services.scorecard.RollUp.target`). Every change returns the state before it,
so undo restores it exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import check_storable, format_number, format_value
from kpidesk.domain.periods import FiscalYear, Period, PeriodKind, format_period
from kpidesk.domain.targets import (
    SuggestionMethod,
    TargetPath,
    TargetSuggestion,
    suggest_targets,
)
from kpidesk.i18n import N_, current_language, gettext_for
from kpidesk.services.conflicts import UNREAD, Conflict, ConflictError
from kpidesk.services.data_entry import (
    DataEntryError,
    HasMeasureUnit,
    check_period,
    kpis_by_id,
    parse_cell,
)
from kpidesk.services.scorecard import RollUp, load_rollup
from kpidesk.store import models, queries, versions
from kpidesk.store.workspace import Workspace


class TargetEntryError(DomainError):
    """A target that cannot be stored."""


# Per-period targets ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetChange:
    """One target's new state; ``value`` None removes it. ``unit_id`` None: every unit."""

    kpi_id: int
    unit_id: int | None
    period_key: str
    value: float | None
    value_high: float | None = None
    read: Any = UNREAD
    """The target's row as it was read (its token; None: there was none), checked on save."""

    @property
    def key(self) -> tuple[int, int | None, str]:
        return (self.kpi_id, self.unit_id, self.period_key)


def set_targets(workspace: Workspace, changes: Iterable[TargetChange]) -> list[TargetChange]:
    """Store every change in one transaction; return the targets before, for undo.

    Refused as a whole when a period is not of the KPI's frequency, a value is not a finite
    number, a high end is given for a KPI that is not kept within a band, or the low end is
    above the high end.
    """
    latest: dict[tuple[int, int | None, str], TargetChange] = {}
    for change in changes:
        latest.pop(change.key, None)
        latest[change.key] = change
    if not latest:
        return []
    kpis = kpis_by_id(change.kpi_id for change in latest.values())
    for change in latest.values():
        kpi = kpis[change.kpi_id]
        check_period(kpi, change.period_key)
        if change.value is None:
            continue
        for number in (change.value, change.value_high):
            if number is not None and not math.isfinite(number):
                raise DataEntryError(N_("A value must be a finite number."))
            if number is not None:
                check_storable(number)
        if change.value_high is not None:
            if kpi.direction != "band":
                raise TargetEntryError(
                    N_(
                        "{kpi} is not kept within a range, so its target is one value, "
                        "not a low and a high end."
                    ),
                    kpi=kpi.name,
                )
            if change.value_high < change.value:
                raise TargetEntryError(
                    N_("The low end of the range is above the high end."),
                )
    with workspace.atomic():
        _check_versions(latest)
        before = queries.targets_at(latest)
        previous = [
            TargetChange(*key, *before[key]) if key in before else TargetChange(*key, None)
            for key in latest
        ]
        queries.delete_targets(latest)
        queries.insert_targets(
            (*key, float(change.value), change.value_high)
            for key, change in latest.items()
            if change.value is not None
        )
    return previous


def _check_versions(latest: dict[tuple[int, int | None, str], TargetChange]) -> None:
    checked = {key: change for key, change in latest.items() if change.read is not UNREAD}
    if not checked:
        return
    versions.lock("target", checked)
    now = versions.tokens("target", checked)
    changed = [key for key, change in checked.items() if now[key] != change.read]
    if changed:
        stored = queries.targets_at(changed)
        raise ConflictError(
            [
                Conflict(
                    "target",
                    key,
                    (checked[key].value, checked[key].value_high),
                    stored.get(key),
                    *versions.last_change_of_key("target", key),
                    now[key],
                )
                for key in changed
            ]
        )


def read_target_tokens(keys: Iterable[tuple[int, int | None, str]]) -> dict[Any, Any]:
    return versions.tokens("target", keys)  # type: ignore[return-value]


def read_target_tokens_of(changes: Iterable[TargetChange]) -> dict[Any, Any]:
    """The tokens of the targets ``changes`` would write, read at once (a key without a
    row: None), for their save to check (``TargetChange.read``)."""
    keys = [change.key for change in changes]
    found = versions.tokens_in(
        "target", {k for k, _u, _p in keys}, {u for _k, u, _p in keys}, {p for *_r, p in keys}
    )
    return {key: found.get(key) for key in keys}


_RANGE = re.compile(
    r"(?P<low>.*?\d\s*%?)\s*(?:–|—|\.\.\.?|…|-|\bto\b|\btill\b)\s*(?P<high>[-−+(]?\s*\d.*)",
    re.IGNORECASE,
)


def parse_target_cell(
    text: str, kpi: HasMeasureUnit, *, band: bool, decimal_hint: str | None = None
) -> tuple[float, float | None]:
    """A target typed into a cell: one value, or for a band KPI ``20–23`` (also ``20 - 23``,
    ``20..23``, ``20 to 23``) as its low and high end; one value for a band is a band of
    width zero. Numbers as :func:`~kpidesk.services.data_entry.parse_cell` reads them.
    """
    stripped = text.strip()
    match = _RANGE.fullmatch(stripped) if stripped else None
    if match is not None:
        try:
            low = parse_cell(match["low"], kpi, decimal_hint=decimal_hint)
            high = parse_cell(match["high"], kpi, decimal_hint=decimal_hint)
        except DomainError:
            match = None
        else:
            if not band:
                raise TargetEntryError(
                    N_(
                        "Only a KPI kept within a range takes a low and a high target; "
                        "type one value."
                    )
                )
            if high < low:
                raise TargetEntryError(N_("The low end of the range is above the high end."))
            return low, high
    return parse_cell(text, kpi, decimal_hint=decimal_hint), None


def format_target(
    low: float | None,
    high: float | None,
    kpi: Any,
    *,
    language: str | None = None,
    currency: str = "SEK",
    with_unit: bool = True,
) -> str:
    """``20.0% – 23.0%`` for a band, else the one value, as the language writes them."""
    if low is None:
        return ""

    def one(value: float) -> str:
        if not with_unit:
            return format_number(value, None, language, grouping=False)
        return format_value(
            value,
            kpi.measure_unit,
            decimals=kpi.decimals,
            language=language,
            currency=currency,
            unit_label=kpi.unit_label,
        )

    if high is None:
        return one(low)
    return f"{one(low)} – {one(high)}"


# Paths -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathData:
    """A straight path from ``baseline_value`` in ``baseline_period`` to ``goal_value``."""

    baseline_period: str
    baseline_value: float
    goal_period: str
    goal_value: float

    def to_domain(self) -> TargetPath:
        return TargetPath(
            Period.from_key(self.baseline_period),
            self.baseline_value,
            Period.from_key(self.goal_period),
            self.goal_value,
        )


def target_path(kpi_id: int, unit_id: int | None) -> PathData | None:
    """The KPI's path for that unit (None: for every unit), if there is one."""
    rows = queries.target_paths_of(kpi_id, unit_id)
    return PathData(*rows[-1]) if rows else None


def set_target_path(
    workspace: Workspace,
    kpi_id: int,
    unit_id: int | None,
    path: PathData | None,
    *,
    read: Any = UNREAD,
) -> PathData | None:
    """Make ``path`` the KPI's path for that unit scope, or remove it (None); return the
    path before, for undo. The periods must be of the KPI's frequency. With ``read`` (the
    path's token when it was read, :func:`read_path_token`), a path someone else saved or
    removed since raises ``ConflictError`` and nothing is saved."""
    if path is not None:
        kpi = kpis_by_id([kpi_id])[kpi_id]
        check_period(kpi, path.baseline_period)
        check_period(kpi, path.goal_period)
        path.to_domain()  # raises TargetError for a goal before the baseline, NaN, …
    with workspace.atomic():
        before = target_path(kpi_id, unit_id)
        if read is not UNREAD:
            versions.lock("target_path", [(kpi_id, unit_id, "")])
            now = versions.path_token(kpi_id, unit_id)
            if now != read:
                by, at = versions.last_change_where("target_path", kpi_id=kpi_id, unit_id=unit_id)
                mine, theirs = _path_fields(path), _path_fields(before)
                conflict = Conflict("target_path", (kpi_id, unit_id), mine, theirs, by, at, now)
                raise ConflictError([conflict])
        queries.replace_target_path(
            kpi_id,
            unit_id,
            None
            if path is None
            else (path.baseline_period, path.baseline_value, path.goal_period, path.goal_value),
        )
    return before


def _path_fields(path: PathData | None) -> dict[str, Any]:
    """A path as a conflict shows it (no path: every field empty)."""
    return {
        name: None if path is None else getattr(path, name)
        for name in ("baseline_period", "baseline_value", "goal_period", "goal_value")
    }


def read_path_token(kpi_id: int, unit_id: int | None) -> Any:
    """The path's token as an editor reads it, for its save to check (``read=``)."""
    return versions.path_token(kpi_id, unit_id)


def remove_target_path(
    workspace: Workspace, kpi_id: int, unit_id: int | None, *, read: Any = UNREAD
) -> PathData | None:
    return set_target_path(workspace, kpi_id, unit_id, None, read=read)


# Suggestions -------------------------------------------------------------------------------

_HISTORY_PERIODS = {
    PeriodKind.WEEK: 157,
    PeriodKind.MONTH: 36,
    PeriodKind.QUARTER: 12,
    PeriodKind.YEAR: 5,
}
_LEVEL_PERIODS = {PeriodKind.WEEK: 52, PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}


def _scope_unit(unit_id: int | None) -> int | None:
    """The unit whose history stands for ``unit_id`` (every unit: the top of the tree)."""
    if unit_id is not None:
        return unit_id
    top = models.Unit.select(models.Unit.id).where(models.Unit.parent.is_null()).first()
    return top.id if top else None


def suggestions(
    kpi_id: int, unit_id: int | None, period: Period, *, rollup: RollUp | None = None
) -> list[TargetSuggestion]:
    """Every suggestion for the KPI's target in ``period`` for the unit (None: every unit).

    "Last year plus trend" reads the unit's own values (rolled up from sub-units where it
    has none, calculated for calculated KPIs) over the three years before ``period`` (five
    for yearly KPIs). "Best
    unit's level" compares the unit's siblings (the other stores beside a store): each one's
    mean over the last year before ``period`` (52 weeks, 12 months, 4 quarters, or the last
    year), where at least half of those periods have a value. ``rollup`` (covering the six
    years before ``period``) saves reading them again for many suggestions.
    """
    kpi = models.Kpi.get_by_id(kpi_id)
    kind = PeriodKind(kpi.frequency)
    if period.kind is not kind:
        period = Period.of(period.end, kind)
    scope = _scope_unit(unit_id)
    if scope is None:
        return []
    rollup = rollup or load_rollup(period.year - 6, period.year)
    history: dict[Period, float] = {}
    for offset in range(1, _HISTORY_PERIODS[kind] + 1):
        past = period.shift(-offset)
        value = rollup.value(kpi_id, scope, past)
        if value is not None:
            history[past] = value
    others: dict[str, float] = {}
    if unit_id is not None:
        unit = models.Unit.get_by_id(unit_id)
        siblings = models.Unit.select().where(
            (models.Unit.parent == unit.parent_id) & (models.Unit.id != unit_id)
            if unit.parent_id is not None
            else models.Unit.parent.is_null() & (models.Unit.id != unit_id)
        )
        window = _LEVEL_PERIODS.get(kind, 1)
        for sibling in siblings:
            values = [
                value
                for offset in range(1, window + 1)
                if (value := rollup.value(kpi_id, sibling.id, period.shift(-offset))) is not None
            ]
            if values and len(values) * 2 >= window:
                others[sibling.name] = math.fsum(values) / len(values)
    return suggest_targets(history, period, kpi.direction, other_units_levels=others)


def suggest(
    kpi_id: int,
    unit_id: int | None,
    period: Period,
    method: SuggestionMethod | None = None,
) -> TargetSuggestion | None:
    """The suggestion of ``method`` (without one: the first that can be made), or None."""
    for suggestion in suggestions(kpi_id, unit_id, period):
        if method is None or suggestion.method is method:
            return suggestion
    return None


def explain(
    suggestion: TargetSuggestion,
    kpi: Any,
    *,
    language: str | None = None,
    currency: str = "SEK",
) -> str:
    """How the suggestion was derived, its numbers written as the KPI's unit and the
    language write them (``Same month last year (SEK 1,180,000) plus …``)."""
    language = language or current_language()
    params: Mapping[str, Any] = suggestion.explanation_params
    formatted: dict[str, Any] = {}
    for name, raw in params.items():
        if name in ("last_year", "level", "value"):
            formatted[name] = format_value(
                raw,
                kpi.measure_unit,
                decimals=kpi.decimals,
                language=language,
                currency=currency,
                unit_label=kpi.unit_label,
            )
        elif name == "trend":
            formatted[name] = _signed_percent(raw, language)
        elif isinstance(raw, Period):
            formatted[name] = format_period(raw, language)
        else:
            formatted[name] = raw
    return gettext_for(language)(suggestion.explanation_template).format(**formatted)


def _signed_percent(fraction: float, language: str) -> str:
    points = round(fraction * 100, 1)
    sign = "+" if points > 0 else ("\u2212" if points < 0 else "±")
    number = format_number(abs(points), 1, language)
    per_year = gettext_for(language)(N_("a year"))
    suffix = "\u00a0%" if language == "sv" else "%"
    return f"{sign}{number}{suffix} {per_year}"


# Targets for a workspace that has none yet --------------------------------------------------


@dataclass(frozen=True)
class TargetProposal:
    """Targets from history for one KPI without any: for each unit with values and each
    period of the fiscal year of its latest value, "last year plus trend". ``example`` is the
    suggestion for the top unit in the latest period with a value (to show and explain)."""

    kpi_id: int
    name: str
    code: str
    first: Period
    last: Period
    changes: tuple[TargetChange, ...]
    example: TargetSuggestion | None
    example_period: Period | None


def kpis_without_targets() -> list[int]:
    """The active, measured (not calculated) KPIs that have no target and no target path."""
    with_targets = queries.kpis_with_targets()
    query = (
        models.Kpi.select(models.Kpi.id, models.Kpi.formula)
        .where(models.Kpi.archived_at.is_null())
        .order_by(models.Kpi.sort_order, models.Kpi.id)
    )
    return [kpi.id for kpi in query if kpi.id not in with_targets and not kpi.formula.strip()]


def has_no_targets() -> bool:
    """True for a workspace with values but not one target or target path."""
    return (
        not models.Target.select().exists()
        and not models.TargetPath.select().exists()
        and models.Measurement.select().exists()
    )


def propose_targets(
    kpi_ids: Iterable[int] | None = None, *, fiscal_start_month: int = 1
) -> list[TargetProposal]:
    """Targets from each KPI's own history (see :class:`TargetProposal`), for the KPIs
    given or every KPI without a target; KPIs without enough history are left out."""
    wanted = list(kpi_ids) if kpi_ids is not None else kpis_without_targets()
    proposals: list[TargetProposal] = []
    units = [row.id for row in models.Unit.select(models.Unit.id).order_by(models.Unit.id)]
    top = _scope_unit(None)
    cache: dict[int, RollUp] = {}
    newest = queries.last_period_by_kpi()
    for kpi_id in wanted:
        kpi = models.Kpi.get_by_id(kpi_id)
        kind = PeriodKind(kpi.frequency)
        keys = [Period.from_key(key) for key in newest.get(kpi_id, [])]
        own = [period for period in keys if period.kind is kind]
        if not own:
            continue
        last_value = max(own)
        year = FiscalYear.holding(last_value, fiscal_start_month)
        first = Period.of(year.start, kind)
        if first.start < year.start:
            first = first.next()
        last = Period.of(year.end, kind)
        rollup = cache.get(first.year)
        if rollup is None:
            rollup = cache[first.year] = load_rollup(first.year - 6, last.year)
        changes: list[TargetChange] = []
        example: TargetSuggestion | None = None
        for unit_id in units:
            period = first
            while period <= last:
                found = _trend_suggestion(kpi_id, unit_id, period, rollup)
                if found is not None:
                    changes.append(TargetChange(kpi_id, unit_id, period.key, found.value))
                    if unit_id == top and period == last_value:
                        example = found
                period = period.next()
        if changes:
            proposals.append(
                TargetProposal(
                    kpi_id,
                    kpi.name,
                    kpi.code,
                    first,
                    last,
                    tuple(changes),
                    example,
                    last_value if example is not None else None,
                )
            )
    return proposals


def _trend_suggestion(
    kpi_id: int, unit_id: int, period: Period, rollup: RollUp
) -> TargetSuggestion | None:
    for suggestion in suggestions(kpi_id, unit_id, period, rollup=rollup):
        if suggestion.method is SuggestionMethod.LAST_YEAR_PLUS_TREND:
            return suggestion
    return None
