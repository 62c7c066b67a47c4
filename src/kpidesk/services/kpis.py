"""KPIs: every field of the product brief, validation by field, archive, the library picker."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.errors import DomainError
from kpidesk.domain.formulas import Formula, FormulaError, parse_formula, validate_formula
from kpidesk.domain.kpi_library import KpiEntry, fold
from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Direction, ThresholdMode
from kpidesk.domain.terms import Indicator
from kpidesk.domain.text import text_problem
from kpidesk.i18n import N_, _
from kpidesk.services.conflicts import UNREAD, Conflict, ConflictError, check_links, row_conflict
from kpidesk.store import models, queries, versions
from kpidesk.store.workspace import Workspace

CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{0,23}")


INDICATOR_LABELS = {Indicator.LEADING: N_("Leading"), Indicator.LAGGING: N_("Lagging")}


class KpiError(DomainError):
    pass


@dataclass
class KpiData:
    """Every editable field of a KPI, as stored."""

    code: str
    name: str
    description: str = ""
    definition: str = ""
    data_source: str = ""
    owner: str = ""
    measure_unit: str = MeasureUnit.COUNT.value
    unit_label: str = ""
    decimals: int = 0
    direction: str = Direction.HIGHER_IS_BETTER.value
    frequency: str = PeriodKind.MONTH.value
    time_aggregation: str = Aggregation.SUM.value
    unit_aggregation: str = Aggregation.SUM.value
    indicator_type: str = Indicator.LAGGING.value
    threshold_mode: str = ThresholdMode.PERCENT.value
    amber_margin: float = 10.0
    benchmark_value: float | None = None
    benchmark_source: str = ""
    formula: str = ""

    @classmethod
    def of(cls, kpi: models.Kpi) -> KpiData:
        return cls(**{f.name: getattr(kpi, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class KpiRow:
    id: int
    data: KpiData
    goal_ids: tuple[int, ...]
    archived: bool
    measurement_count: int = 0
    row_version: int | None = None
    """The row's version as it was read, for a save to check (see ``read_version=``)."""


@dataclass
class KpiFilter:
    text: str = ""
    goal_id: int | None = None
    perspective: str | None = None
    owner: str | None = None
    indicator: str | None = None
    show_archived: bool = False
    only_archived: bool = False
    goal_perspectives: dict[int, str] = field(default_factory=dict)


_TEXT_FIELDS = (
    ("name", False),
    ("unit_label", False),
    ("owner", False),
    ("data_source", False),
    ("benchmark_source", False),
    ("description", True),
    ("definition", True),
)


def validate_kpi(data: KpiData, *, kpi_id: int | None = None) -> dict[str, str]:
    """Problems by field name, as messages in the current language; empty when it can be saved."""
    problems: dict[str, str] = {}
    if not CODE_PATTERN.fullmatch(data.code or ""):
        problems["code"] = N_(
            "A code is 1–24 capital letters, digits or _, starting with a letter (e.g. NPS)."
        )
    else:
        clash = models.Kpi.select().where(models.Kpi.code == data.code)
        if kpi_id is not None:
            clash = clash.where(models.Kpi.id != kpi_id)
        if clash.exists():
            problems["code"] = N_("Another KPI already has this code.")
    if not data.name.strip():
        problems["name"] = N_("A KPI needs a name.")
    if not 0 <= int(data.decimals) <= 6:
        problems["decimals"] = N_("Between 0 and 6 decimals.")
    if data.amber_margin < 0:
        problems["amber_margin"] = N_("The amber margin cannot be negative.")
    if data.benchmark_value is not None and not data.benchmark_source.strip():
        problems["benchmark_source"] = N_("Name the source of the benchmark value.")
    for name, enum in (
        ("measure_unit", MeasureUnit),
        ("direction", Direction),
        ("frequency", PeriodKind),
        ("time_aggregation", Aggregation),
        ("unit_aggregation", Aggregation),
        ("threshold_mode", ThresholdMode),
    ):
        if getattr(data, name) not in {member.value for member in enum}:
            problems[name] = N_("Choose one of the listed values.")
    if data.indicator_type not in {member.value for member in Indicator}:
        problems["indicator_type"] = N_("Choose leading or lagging.")
    translated = {name: _(template) for name, template in problems.items()}
    for name, multiline in _TEXT_FIELDS:  # pasted text may hold what no file can
        problem = text_problem(getattr(data, name), multiline=multiline)
        if problem is not None and name not in translated:
            translated[name] = problem
    if data.formula.strip() and "code" not in problems:
        formula_problem = _formula_problem(data, kpi_id)
        if formula_problem:
            translated["formula"] = formula_problem
    return translated


def _formula_problem(data: KpiData, kpi_id: int | None) -> str | None:
    """Why the formula cannot be saved (unknown codes, a loop through other KPIs), or None."""
    try:
        formula = parse_formula(data.formula)
        others = models.Kpi.select(models.Kpi.id, models.Kpi.code, models.Kpi.formula)
        known: set[str] = set()
        formulas: dict[str, Formula] = {}
        for other in others:
            if other.id == kpi_id:
                continue
            known.add(other.code)
            if other.formula.strip():
                try:
                    formulas[other.code] = parse_formula(other.formula)
                except FormulaError:
                    continue
        validate_formula(data.code, formula, known, formulas)
    except FormulaError as error:
        return error.message
    return None


def _require_valid(data: KpiData, kpi_id: int | None = None) -> None:
    problems = validate_kpi(data, kpi_id=kpi_id)
    if problems:
        raise KpiError(
            N_("{field}: {problem}"),
            field=next(iter(problems)),
            problem=next(iter(problems.values())),
        )


def create_kpi(workspace: Workspace, data: KpiData, goal_ids: Iterable[int] = ()) -> int:
    _require_valid(data)
    with workspace.atomic():
        order = models.Kpi.select().count()
        kpi = models.Kpi.create(sort_order=order, **asdict(data))
        for goal_id in goal_ids:
            models.KpiGoal.create(kpi=kpi, goal=goal_id)
    return kpi.id


def update_kpi(
    workspace: Workspace, kpi_id: int, data: KpiData, *, read_version: int | None = None
) -> KpiData:
    """Save every field; return the former values, for undo. With ``read_version`` (the
    KPI's ``row_version`` when it was read) a KPI someone changed since raises
    ``ConflictError`` and nothing is saved."""
    _require_valid(data, kpi_id)
    with workspace.atomic():
        kpi = models.Kpi.get_by_id(kpi_id)
        before = KpiData.of(kpi)
        if read_version is None:
            models.Kpi.update(**asdict(data)).where(models.Kpi.id == kpi_id).execute()
        elif not versions.update_checked(models.Kpi, kpi_id, read_version, **asdict(data)):
            raise row_conflict(models.Kpi, kpi_id, asdict(data))
    return before


def set_kpi_goals(
    workspace: Workspace, kpi_id: int, goal_ids: set[int], *, read_goals: Any = UNREAD
) -> set[int]:
    """Link the KPI to exactly ``goal_ids``; return the links it had, for undo. With
    ``read_goals`` (the set the editor read), links someone changed since raise
    ``ConflictError`` and nothing is saved."""
    with workspace.atomic():
        if read_goals is not UNREAD:
            versions.lock_links([kpi_id], set(read_goals) | goal_ids)
        before = _goals_of(kpi_id)
        check_links("kpi_id", kpi_id, read_goals, before, goal_ids, goal_names)
        if before - goal_ids:
            models.KpiGoal.delete().where(
                (models.KpiGoal.kpi == kpi_id) & (models.KpiGoal.goal.in_(before - goal_ids))
            ).execute()
        for goal_id in goal_ids - before:
            models.KpiGoal.create(kpi=kpi_id, goal=goal_id)
    return before


def _goals_of(kpi_id: int) -> set[int]:
    return {link.goal_id for link in models.KpiGoal.select().where(models.KpiGoal.kpi == kpi_id)}


def goal_names(goal_ids: Iterable[int]) -> str:
    """The goals' titles, as a conflict shows a KPI's goals."""
    rows = models.Goal.select(models.Goal.title).where(models.Goal.id.in_(list(goal_ids)))
    return ", ".join(sorted(row.title for row in rows))


def save_kpi(
    workspace: Workspace,
    kpi_id: int,
    data: KpiData | None,
    goal_ids: set[int] | None,
    read: tuple[int | None, frozenset[int]],
) -> tuple[KpiData, set[int]]:
    """The KPI dialog's save, in one transaction: its fields (``data``; None: unchanged)
    and its goals (None: unchanged), against what the dialog read (``read``: the row's
    version and the goals). When someone else changed either since, nothing is saved and
    ``ConflictError`` shows theirs beside mine; its token is what to save against to keep
    mine. Returns what was there, for undo."""
    version, read_goals = read
    if data is not None:
        _require_valid(data, kpi_id)
    with workspace.atomic():
        versions.lock_links([kpi_id], set(read_goals) | (goal_ids or set()))
        kpi = models.Kpi.get_by_id(kpi_id)
        before, current = KpiData.of(kpi), _goals_of(kpi_id)
        mine: dict[str, Any] = {}
        theirs: dict[str, Any] = {}
        if data is not None and version is not None and kpi.row_version != version:
            mine, theirs = asdict(data), asdict(before)
        if goal_ids is not None and current != set(read_goals):
            mine["goals"], theirs["goals"] = goal_names(goal_ids), goal_names(current)
        if mine:
            by, at = max(
                versions.last_change("kpi", kpi.uid),
                versions.last_change_where("kpi_goal", kpi_id=kpi_id),
                key=lambda change: change[1] or datetime.min,
            )
            token = (kpi.row_version, frozenset(current))
            raise ConflictError([Conflict("kpi", kpi_id, mine, theirs, by, at, token)])
        if data is not None:
            update_kpi(workspace, kpi_id, data, read_version=version)
        if goal_ids is not None:
            set_kpi_goals(workspace, kpi_id, goal_ids)
    return before, current


def set_archived(workspace: Workspace, kpi_id: int, archived: bool) -> bool:
    """Archive a KPI (it leaves the scorecard; its history stays) or bring it back."""
    with workspace.atomic():
        kpi = models.Kpi.get_by_id(kpi_id)
        was = kpi.archived_at is not None
        kpi.archived_at = models.utcnow() if archived else None
        kpi.save()
    return was


def delete_new_kpis(workspace: Workspace, kpi_ids: Iterable[int]) -> None:
    """Remove KPIs that were just created (undo of create); refuses KPIs with data."""
    ids = list(kpi_ids)
    with workspace.atomic():
        if models.Measurement.select().where(models.Measurement.kpi.in_(ids)).exists():
            raise KpiError(N_("This KPI has values; archive it instead."))
        models.Kpi.delete().where(models.Kpi.id.in_(ids)).execute()


def list_kpis(kpi_filter: KpiFilter | None = None) -> list[KpiRow]:
    kpi_filter = kpi_filter or KpiFilter()
    links: dict[int, list[int]] = {}
    for kpi_id, goal_id in models.KpiGoal.select(models.KpiGoal.kpi, models.KpiGoal.goal).tuples():
        links.setdefault(kpi_id, []).append(goal_id)
    counts = queries.measurement_counts_by_kpi()
    perspectives = kpi_filter.goal_perspectives or dict(
        models.Goal.select(models.Goal.id, models.Goal.perspective).tuples()
    )
    needle = fold(kpi_filter.text)
    rows = []
    for kpi in models.Kpi.select().order_by(models.Kpi.sort_order, models.Kpi.code):
        archived = kpi.archived_at is not None
        if kpi_filter.only_archived and not archived:
            continue
        if archived and not (kpi_filter.show_archived or kpi_filter.only_archived):
            continue
        goal_ids = tuple(sorted(links.get(kpi.id, [])))
        if kpi_filter.goal_id is not None and kpi_filter.goal_id not in goal_ids:
            continue
        if kpi_filter.perspective and kpi_filter.perspective not in {
            perspectives.get(g) for g in goal_ids
        }:
            continue
        if kpi_filter.owner is not None and kpi.owner != kpi_filter.owner:
            continue
        if kpi_filter.indicator and kpi.indicator_type != kpi_filter.indicator:
            continue
        if needle and needle not in fold(
            " ".join((kpi.code, kpi.name, kpi.description, kpi.definition, kpi.owner))
        ):
            continue
        rows.append(
            KpiRow(
                kpi.id,
                KpiData.of(kpi),
                goal_ids,
                archived,
                counts.get(kpi.id, 0),
                kpi.row_version,
            )
        )
    return rows


def owners() -> list[str]:
    return sorted(
        {owner for (owner,) in models.Kpi.select(models.Kpi.owner).tuples() if owner},
        key=str.casefold,
    )


def unique_code(code: str, taken: set[str]) -> str:
    if code not in taken:
        return code
    number = 2
    while f"{code}_{number}" in taken:
        number += 1
    return f"{code}_{number}"


def data_from_library(entry: KpiEntry, language: str, known_codes: Iterable[str] = ()) -> KpiData:
    """A KPI's fields from a library entry. A calculated entry (GP = REV − COGS) gets its
    formula when every code it refers to is in ``known_codes``, else it is measured."""
    benchmark = entry.benchmark
    formula = ""
    if entry.calculation:
        references = parse_formula(entry.calculation).references
        if references <= {code.upper() for code in known_codes}:
            formula = entry.calculation
    return KpiData(
        code=entry.code,
        name=entry.name(language),
        description=entry.definition(language),
        definition=entry.formula(language) or entry.definition(language),
        data_source="",
        owner="",
        measure_unit=entry.measure_unit.value,
        unit_label=entry.unit_label,
        decimals=entry.decimals,
        direction=entry.direction.value,
        frequency=entry.frequency.value,
        time_aggregation=entry.time_aggregation.value,
        unit_aggregation=entry.unit_aggregation.value,
        indicator_type=entry.indicator.value,
        benchmark_value=benchmark.value if benchmark else None,
        benchmark_source=benchmark.source if benchmark else "",
        formula=formula,
    )


def add_from_library(
    workspace: Workspace,
    entries: Iterable[KpiEntry],
    *,
    language: str,
    goal_id: int | None = None,
) -> list[int]:
    """Add library KPIs (codes made unique), linked to ``goal_id`` if given; all or none."""
    created: list[int] = []
    with workspace.atomic():
        taken = {code for (code,) in models.Kpi.select(models.Kpi.code).tuples()}
        for entry in entries:
            data = data_from_library(entry, language, taken)
            data.code = unique_code(data.code, taken)
            taken.add(data.code)
            created.append(create_kpi(workspace, data, [goal_id] if goal_id else []))
    return created
