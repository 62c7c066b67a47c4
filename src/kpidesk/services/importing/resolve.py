"""Names to ids: each KPI and unit label of a sheet resolved once, to what the mapping says
or what the workspace calls it, or created (with ``create_missing``), remembered as an alias
when the label is not the name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PeriodKind
from kpidesk.i18n import _
from kpidesk.io.errors import Message, SpreadsheetError
from kpidesk.io.extract import RawRecord
from kpidesk.io.workbook import open_preview
from kpidesk.services import units
from kpidesk.services.import_mapping import (
    Choice,
    ImportMapping,
    KpiDecision,
    KpiInfo,
    UnitDecision,
    WorkspaceNames,
    decimals_of,
    kpi_key,
    new_kpi_for,
    unit_key,
)
from kpidesk.services.importing.model import (
    MSG_AMBIGUOUS_UNIT,
    MSG_CALCULATED,
    MSG_CANNOT_CREATE,
    MSG_GONE_KPI,
    MSG_GONE_UNIT,
    MSG_UNKNOWN_KPI,
    MSG_UNKNOWN_UNIT,
)
from kpidesk.services.importing.scan import currency_cells_of
from kpidesk.services.kpi_inference import CellEvidence
from kpidesk.services.kpis import KpiError, create_kpi
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

_Target = tuple[int, int, PeriodKind | None, str, bool]
"""A label resolved: (KPI id or a negative code, the id shifted for the duplicate check, the
KPI's frequency, its measure unit, created by this import). The negative codes are
``_KPI_IGNORED`` and ``_KPI_PROBLEM``."""

_KPI_IGNORED = -1
_KPI_PROBLEM = -2
_IGNORED_TARGET: _Target = (_KPI_IGNORED, 0, None, "", False)
_PROBLEM_TARGET: _Target = (_KPI_PROBLEM, 0, None, "", False)

_SHIFT_KPI = 42
_SHIFT_UNIT = 21
_UNIT_IGNORED = -1
_UNIT_PROBLEM = -2


class Resolver:
    """The labels of one import and what they resolved to; what it created, for undo.

    ``on_problem`` is called for each label that cannot be resolved (the problem itself is
    kept in :attr:`label_problems`, to be placed by the sheet's layout at the end).
    """

    def __init__(
        self,
        workspace: Workspace,
        path: Path,
        mapping: ImportMapping,
        names: WorkspaceNames,
        *,
        targets_mode: bool,
        default_unit: int | None,
        year: int | None,
        on_problem: Callable[[], None],
    ) -> None:
        self.workspace = workspace
        self.path = path
        self.mapping = mapping
        self.names = names
        self.targets_mode = targets_mode
        self.default_unit = default_unit
        self.year = year
        self.on_problem = on_problem
        self.batch_id = 0
        """The import's batch, once its transaction has begun (changes are recorded in it)."""
        self.kpi_cache: dict[str, _Target] = {}
        self.kpi_by_key: dict[str, _Target] = {}
        self.unit_cache: dict[str | None, int] = {}
        self.unit_by_key: dict[str, int] = {}
        self.final_kpis: dict[str, KpiDecision] = {}
        self.final_units: dict[str, UnitDecision] = {}
        self.created_kpis: list[tuple[int, str]] = []
        self.created_units: list[tuple[int, str]] = []
        self.decimals: dict[int, int] = {}
        self.own_units = _own_units(workspace)
        """An updater's units (None: every unit): a value for any other refuses the import."""
        self.observed: dict[int, int] = {}
        self.label_problems: list[tuple[str, RawRecord, Message]] = []
        self._currency: frozenset[tuple[int, str]] | None = None

    def resolve_kpi(self, record: RawRecord) -> _Target:
        label = record.kpi
        key = kpi_key(label)
        target = self.kpi_by_key.get(key)
        if target is None:
            target = self._resolve_kpi_key(key, record)
            self.kpi_by_key[key] = target
        self.kpi_cache[label] = target
        return target

    def _resolve_kpi_key(self, key: str, record: RawRecord) -> _Target:
        label = record.kpi
        decision = self.mapping.kpis.get(key)
        info: KpiInfo | None = None
        if decision is not None and decision.choice is Choice.IGNORE:
            self.final_kpis[key] = decision
            return _IGNORED_TARGET
        if decision is not None and decision.choice is Choice.MAP:
            info = self.names.kpis.get(decision.kpi_id or -1)
            if info is None:
                return self._kpi_problem(record, Message.of(MSG_GONE_KPI, label=label))
            if not self.names.kpi_matches_by_itself(label, info.id):
                self._add_kpi_alias(key, info.id)
        elif decision is not None and decision.choice is Choice.CREATE:
            info = self._create_kpi(record, decision)
            if info is None:
                return _PROBLEM_TARGET
        else:
            info = self.names.match_kpi(label)
            if info is None and self.mapping.create_missing:
                info = self._create_kpi(record, None)
                if info is None:
                    return _PROBLEM_TARGET
            elif info is None:
                return self._kpi_problem(record, Message.of(MSG_UNKNOWN_KPI, label=label))
        if info.calculated and not self.targets_mode:
            return self._kpi_problem(record, Message.of(MSG_CALCULATED, kpi=info.name))
        self.final_kpis[key] = KpiDecision.map_to(info.id)
        created = info.id in self.decimals
        return (info.id, info.id << _SHIFT_KPI, info.frequency, info.measure_unit, created)

    def _kpi_problem(self, record: RawRecord, reason: Message) -> _Target:
        self.label_problems.append(("kpi", record, reason))
        self.on_problem()
        return _PROBLEM_TARGET

    def _create_kpi(self, record: RawRecord, decision: KpiDecision | None) -> KpiInfo | None:
        if decision is not None and decision.new is not None:
            new = decision.new
        else:
            value = record.value * 100 if record.format_percent else record.value
            cells = CellEvidence(
                values=1,
                percent=1 if record.is_percent else 0,
                currency=1 if self._shows_currency(record) else 0,
                decimals=decimals_of(value),
            )
            new = new_kpi_for(record.kpi, frequency=record.period.kind, cells=cells)
        data = new.data(self.names.taken_codes(), self.language)
        try:
            kpi_id = create_kpi(self.workspace, data)
        except KpiError as error:
            reason = Message.of(MSG_CANNOT_CREATE, label=record.kpi, reason=error.message)
            self.label_problems.append(("kpi", record, reason))
            self.on_problem()
            return None
        info = self.names.added_kpi(models.Kpi.get_by_id(kpi_id))
        self.created_kpis.append((kpi_id, info.name))
        self.decimals[kpi_id] = data.decimals
        queries.record_import_changes(
            self.batch_id, [("kpi", kpi_id, None, None, None, None, None, None)]
        )
        return info

    @property
    def language(self) -> str:
        """The workspace's language (for the definitions of KPIs from the library)."""
        try:
            return str(self.workspace.settings().language or "en")
        except Exception:  # a workspace without settings: the definitions in English
            return "en"

    def _shows_currency(self, record: RawRecord) -> bool:
        """Whether the cell of ``record`` shows a currency (by its format or its text), from
        a preview of the sheet's first rows, read once when first needed."""
        if record.is_percent:
            return False
        if self._currency is None:
            try:
                preview = open_preview(self.path, default_year=self.year)
                self._currency = currency_cells_of(preview.sheet(record.sheet))
            except (SpreadsheetError, KeyError):
                self._currency = frozenset()
        return (record.row, record.column) in self._currency

    def _add_kpi_alias(self, key: str, kpi_id: int) -> None:
        row = models.KpiAlias.get_or_none(models.KpiAlias.alias == key)
        before: float | None = None
        if row is None:
            models.KpiAlias.create(alias=key, kpi=kpi_id)
        elif row.kpi_id != kpi_id:
            before = float(row.kpi_id)
            row.kpi = kpi_id
            row.save()
        else:
            return
        self.names.remember_kpi_alias(key, kpi_id)
        queries.record_import_changes(
            self.batch_id, [("kpi_alias", kpi_id, None, None, before, None, None, key)]
        )

    def resolve_unit(self, record: RawRecord) -> int:
        label = record.unit
        if label is None:
            unit_id = self.default_unit if self.default_unit is not None else 0
            self._check_own(unit_id)
            self.unit_cache[None] = unit_id
            return unit_id
        key = unit_key(label)
        unit_id = self.unit_by_key.get(key)
        if unit_id is None:
            unit_id = self._resolve_unit_key(key, record)
            self.unit_by_key[key] = unit_id
        self._check_own(unit_id)
        self.unit_cache[label] = unit_id
        return unit_id

    def _check_own(self, unit_id: int) -> None:
        if self.own_units is None or self.targets_mode or unit_id <= 0:
            return
        if unit_id not in self.own_units:
            from kpidesk.services.people import NotYourUnitError

            unit = models.Unit.get_or_none(models.Unit.id == unit_id)
            raise NotYourUnitError(unit.name if unit is not None else str(unit_id))

    def _resolve_unit_key(self, key: str, record: RawRecord) -> int:
        label = str(record.unit)
        decision = self.mapping.units.get(key)
        if decision is not None and decision.choice is Choice.IGNORE:
            self.final_units[key] = decision
            return _UNIT_IGNORED
        if decision is not None and decision.choice is Choice.MAP:
            unit_id = decision.unit_id or -1
            if unit_id not in self.names.units:
                return self._unit_problem(record, Message.of(MSG_GONE_UNIT, label=label))
            if not self.names.unit_matches_by_itself(label, unit_id):
                self._add_unit_alias(key, unit_id)
            self.final_units[key] = decision
            return unit_id
        if decision is not None and decision.choice is Choice.CREATE:
            return self._create_unit(record, decision.name or label)
        found = self.names.match_unit(label)
        if len(found) == 1:
            self.final_units[key] = UnitDecision.map_to(found[0].id)
            return found[0].id
        if len(found) > 1:
            return self._unit_problem(record, Message.of(MSG_AMBIGUOUS_UNIT, label=label))
        if self.mapping.create_missing:
            return self._create_unit(record, label)
        return self._unit_problem(record, Message.of(MSG_UNKNOWN_UNIT, label=label))

    def _unit_problem(self, record: RawRecord, reason: Message) -> int:
        self.label_problems.append(("unit", record, reason))
        self.on_problem()
        return _UNIT_PROBLEM

    def _create_unit(self, record: RawRecord, name: str) -> int:
        parent = self.names.root_id
        if parent is None:
            return self._unit_problem(
                record, Message.of(MSG_CANNOT_CREATE, label=name, reason=_("no top unit"))
            )
        try:
            unit_id = units.create_unit(self.workspace, name, parent)
        except DomainError as error:
            return self._unit_problem(
                record, Message.of(MSG_CANNOT_CREATE, label=name, reason=error.message)
            )
        created = models.Unit.get_by_id(unit_id)
        self.names.added_unit(unit_id, created.name, parent)
        self.created_units.append((unit_id, created.name))
        self.final_units[unit_key(str(record.unit))] = UnitDecision.map_to(unit_id)
        queries.record_import_changes(
            self.batch_id, [("unit", None, unit_id, None, None, None, None, None)]
        )
        return unit_id

    def _add_unit_alias(self, key: str, unit_id: int) -> None:
        row = models.UnitAlias.get_or_none(models.UnitAlias.alias == key)
        before: float | None = None
        if row is None:
            models.UnitAlias.create(alias=key, unit=unit_id)
        elif row.unit_id != unit_id:
            before = float(row.unit_id)
            row.unit = unit_id
            row.save()
        else:
            return
        self.names.remember_unit_alias(key, unit_id)
        queries.record_import_changes(
            self.batch_id, [("unit_alias", None, unit_id, None, before, None, None, key)]
        )

    def observe(self, kpi_id: int, value: float) -> None:
        """Decimals of a KPI this import created, from its first values."""
        count = self.observed.get(kpi_id, 0) + 1
        self.observed[kpi_id] = count
        self.decimals[kpi_id] = max(self.decimals[kpi_id], decimals_of(value))
        if count >= 500:  # enough seen: the hot loop stops calling
            for label, target in list(self.kpi_cache.items()):
                if target[0] == kpi_id:
                    self.kpi_cache[label] = (*target[:4], False)
            for key, target in list(self.kpi_by_key.items()):
                if target[0] == kpi_id:
                    self.kpi_by_key[key] = (*target[:4], False)


def _own_units(workspace: Workspace) -> frozenset[int] | None:
    from kpidesk.services.people import access

    return access(workspace).unit_ids
