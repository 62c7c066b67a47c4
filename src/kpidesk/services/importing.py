"""Importing a spreadsheet into a workspace: all or nothing, validated, undoable, fast.

The use cases the wizard and ``kpidesk import`` share:

- :func:`scan_file`: read a sheet once (without touching the workspace) and gather its KPI
  and unit labels, for the wizard's mapping page; small sheets keep their records, so the
  import does not read the file again.
- :func:`run_import`: map every value to a KPI, a unit and a period, check it, and store it
  (as actual values or as targets) in one transaction, while the reader process goes on
  reading (its chunks arrive through ``on_chunk``). By default any problem stops the whole
  import; ``skip_invalid`` stores the valid values and reports the rest. ``dry_run`` does
  everything and rolls it back, so its counts are exact. Values already stored are kept
  (``OnConflict.SKIP``, counted as skipped) or replaced (``OnConflict.REPLACE``).
- :func:`undo_import`: remove what a batch stored, put back what it replaced, remove the
  KPIs and units it created (those that hold nothing else by now) and the aliases it added.
- :func:`list_batches`: every import, newest first.

Each import is an :class:`~kpidesk.store.models.ImportBatch`. What undoing it needs is kept
in the ``import_change`` table (schema 4): the values it replaced,
the targets it wrote, and the KPIs, units and aliases it created.

A workspace is backed up (``services.backups.make_backup``) before an import of more than
``BACKUP_THRESHOLD`` values.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from kpidesk.domain.aggregation import Aggregation, AggregationName, aggregate
from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import (
    MAX_VALUE,
    MeasureUnit,
    NumberError,
    ValueTooLargeError,
    to_stored_value,
)
from kpidesk.domain.periods import KindName, Period, PeriodKind, PeriodName
from kpidesk.i18n import N_, _, ngettext
from kpidesk.io.cells import column_index, column_letter
from kpidesk.io.errors import ImportProblem, Message, ReadCancelled, SpreadsheetError
from kpidesk.io.extract import (
    ChildRun,
    ChunkColumns,
    ExtractionResult,
    RawRecord,
    read_records,
)
from kpidesk.io.layout import ColumnRole, Layout, LayoutKind
from kpidesk.io.workbook import SheetPreview, WorkbookPreview, open_preview
from kpidesk.services import backups, units
from kpidesk.services.import_mapping import (
    Choice,
    ImportMapping,
    KpiDecision,
    KpiInfo,
    LabelStats,
    MappingError,
    ProfileData,
    UnitDecision,
    WorkspaceNames,
    decimals_of,
    kpi_key,
    layout_signature,
    new_kpi_for,
    save_profile,
    unit_key,
)
from kpidesk.services.kpi_inference import CellEvidence, looks_like_currency_text
from kpidesk.services.kpis import KpiError, create_kpi
from kpidesk.services.progress import CancelFlag, Cancelled, Progress
from kpidesk.store import bulk, models, queries
from kpidesk.store.models import ImportBatch
from kpidesk.store.workspace import Workspace

__all__ = [
    "BACKUP_THRESHOLD",
    "BatchInfo",
    "ImportFailed",
    "ImportOptions",
    "ImportResult",
    "Into",
    "OnConflict",
    "RollUp",
    "ScanResult",
    "UndoResult",
    "currency_cells_of",
    "list_batches",
    "preview_file",
    "run_import",
    "scan_file",
    "undo_import",
]

log = logging.getLogger(__name__)

BACKUP_THRESHOLD = 10_000
"""More values than this and the workspace is backed up before the import."""
KEEP_RECORDS = 200_000
"""A scan keeps at most this many records in memory for the import that follows."""
MAX_PROBLEMS = 1000
SOURCE = "import"
SAMPLE_RECORDS = 200
MERGE_ROWS = 50_000
"""Staged rows are moved into the store about this often (one chunk of the reader)."""
BULK_ROWS = 100_000
"""An import of at least this many rows (and as many as the store holds) is a bulk load."""


class Into(StrEnum):
    ACTUALS = "actuals"
    TARGETS = "targets"


class OnConflict(StrEnum):
    SKIP = "skip"
    REPLACE = "replace"


class ImportFailed(DomainError):
    """An import or undo that cannot be made as asked (the message says why)."""


class NoSuchBatchError(ImportFailed):
    exit_code = 2


# The schema step (schema 4) -----------------------------------------------------------------


# Options and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    """How to read and store one sheet.

    ``unit_id`` is where values without a unit go: by default the top unit, or for targets
    every unit (a target without a unit). ``profile`` names the import profile to save the
    mapping under (created or updated) when the import is stored. ``roll_up``: values of a
    finer period than their KPI's (weeks for a monthly KPI) are combined into the KPI's
    periods by its aggregation over time (weeks by their Thursday); without it they are one
    problem per KPI.
    """

    sheet: str | None = None
    layout: Layout | LayoutKind | None = None
    year: int | None = None
    into: Into = Into.ACTUALS
    on_conflict: OnConflict = OnConflict.SKIP
    skip_invalid: bool = False
    dry_run: bool = False
    unit_id: int | None = None
    profile: str | None = None
    backup_threshold: int = BACKUP_THRESHOLD
    roll_up: bool = False


@dataclass(frozen=True)
class RollUp:
    """Values of one KPI in a finer period than the KPI's (``source`` finer than
    ``target``): how many, from which to which period, and, when they were rolled up
    (``done``), how many values of the KPI's period they made and which of those lack some
    of their finer periods in the file."""

    kpi: str
    values: int
    source: PeriodKind
    target: PeriodKind
    aggregation: Aggregation
    first: str
    last: str
    done: bool = False
    made: int = 0
    partial: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or (``dry_run``) would do, or why it stopped (``stopped``).

    ``imported`` counts values stored (new and replaced), ``replaced`` those of them that
    replaced a stored value, ``skipped`` the values left as they were because a value was
    stored already, ``ignored`` the values of ignored KPIs and units, ``valid`` the values
    that passed every check. ``problems`` holds the first 1,000 problems; ``problem_count``
    counts them all. ``batch_id`` is None unless something was stored. ``new_kpis`` tells
    the kind of every KPI in ``created_kpis`` (name, code, unit of measure, aggregations,
    direction, frequency, decimals); ``roll_ups`` the KPIs whose values were of a finer
    period than theirs (rolled up with ``roll_up``, else one problem each).
    """

    @property
    def can_roll_up(self) -> tuple[RollUp, ...]:
        """The KPIs whose finer values an import with ``roll_up`` would combine."""
        return tuple(r for r in self.roll_ups if not r.done)

    file_name: str
    sheet: str
    layout: Layout | None
    into: Into
    rows_read: int
    values_read: int
    valid: int
    imported: int
    skipped: int
    replaced: int
    ignored: int
    batch_id: int | None
    problems: tuple[ImportProblem, ...]
    problem_count: int
    notes: tuple[Message, ...]
    created_kpis: tuple[str, ...] = ()
    created_units: tuple[str, ...] = ()
    new_kpis: tuple[dict[str, Any], ...] = ()
    roll_ups: tuple[RollUp, ...] = ()
    dry_run: bool = False
    stopped: bool = False
    mapping: ImportMapping = field(default_factory=ImportMapping)
    profile: str | None = None
    backup: Path | None = None

    @property
    def stored(self) -> bool:
        return self.batch_id is not None

    def summary(self) -> str:
        """One or two sentences for people, in the current language."""
        if self.stopped:
            return ngettext(
                "Nothing was imported: {problems} problem. {valid} of {values} values are "
                "valid; fix the problem, or import only the valid values.",
                "Nothing was imported: {problems} problems. {valid} of {values} values are "
                "valid; fix the problems, or import only the valid values.",
                self.problem_count,
            ).format(problems=self.problem_count, valid=self.valid, values=self.values_read)
        imported = ngettext(
            "{count} value would be imported", "{count} values would be imported", self.imported
        )
        if not self.dry_run:
            imported = ngettext("Imported {count} value", "Imported {count} values", self.imported)
        parts = [imported.format(count=self.imported)]
        if self.replaced:
            parts.append(
                ngettext(
                    "{count} of them replaced a stored value",
                    "{count} of them replaced stored values",
                    self.replaced,
                ).format(count=self.replaced)
            )
        if self.skipped:
            parts.append(
                ngettext(
                    "{count} already stored was kept",
                    "{count} already stored were kept",
                    self.skipped,
                ).format(count=self.skipped)
            )
        if self.problem_count:
            parts.append(
                ngettext(
                    "{count} value with a problem was left out",
                    "{count} values with problems were left out",
                    self.problem_count,
                ).format(count=self.problem_count)
            )
        text = "; ".join(parts) + "."
        return _("Dry run: {summary}").format(summary=text) if self.dry_run else text


@dataclass(frozen=True)
class ScanResult:
    """One read of a sheet, before any mapping: its labels, a sample and (if small) all
    its records."""

    path: Path
    extraction: ExtractionResult
    kpi_labels: tuple[LabelStats, ...]
    unit_labels: tuple[LabelStats, ...]
    sample: tuple[RawRecord, ...]
    records: tuple[RawRecord, ...] | None  # None: too many to keep; the import reads again
    year: int | None = None

    @property
    def layout(self) -> Layout:
        return self.extraction.layout

    @property
    def signature(self) -> str:
        return layout_signature(self.extraction.layout)


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file_name: str
    sheet: str
    profile: str | None
    imported: int
    skipped: int
    replaced: int
    into: Into
    imported_at: str
    undone_at: str | None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    file_name: str
    removed: int
    restored: int
    removed_kpis: tuple[str, ...]
    removed_units: tuple[str, ...]
    kept_kpis: tuple[str, ...]
    kept_units: tuple[str, ...]

    def summary(self) -> str:
        text = ngettext(
            "Undid the import of {file}: removed {removed} value and put back {restored}.",
            "Undid the import of {file}: removed {removed} values and put back {restored}.",
            self.removed,
        ).format(file=self.file_name, removed=self.removed, restored=self.restored)
        if self.removed_kpis or self.removed_units:
            text += " " + _("Removed the KPIs and units it had created: {names}.").format(
                names=", ".join((*self.removed_kpis, *self.removed_units))
            )
        if self.kept_kpis or self.kept_units:
            text += " " + _("Kept {names}, which hold other data by now.").format(
                names=", ".join((*self.kept_kpis, *self.kept_units))
            )
        return text


# Messages -----------------------------------------------------------------------------------


MSG_UNKNOWN_KPI = N_(
    "No KPI is called “{label}”; map it to a KPI, create it (--create-missing) or ignore it."
)
MSG_UNKNOWN_UNIT = N_(
    "No unit is called “{label}”; map it to a unit, create it (--create-missing) or ignore it."
)
MSG_AMBIGUOUS_UNIT = N_("Several units are called “{label}”; map it to one of them.")
MSG_GONE_KPI = N_("The KPI that “{label}” was mapped to no longer exists.")
MSG_GONE_UNIT = N_("The unit that “{label}” was mapped to no longer exists.")
MSG_CALCULATED = N_("{kpi} is calculated from other KPIs; its values cannot be imported.")
MSG_WRONG_KIND = N_("{kpi} is measured by {kind}, but this value is for {period}.")
MSG_FINER_KIND = N_(
    "{kpi} is measured by {kind}, but the file holds {count} values by {other} ({first} – "
    "{last}); roll them up by {kind} ({aggregation}) to import them (--roll-up)."
)
MSG_COARSER_KIND = N_(
    "{kpi} is measured by {kind}, but the file holds {count} values by {other} ({first} – "
    "{last}), which cannot be split by {kind}."
)
MSG_ROLLED_UP = N_(
    "{kpi}: {count} values by {other} were rolled up into {made} values by {kind} ({aggregation})."
)
MSG_WEEKS_BY_THURSDAY = N_("A week counts in the {kind} that holds its Thursday (ISO 8601).")
MSG_PARTIAL = N_(
    "{kpi}: not every {other} of {periods} is in the file; the rolled-up value covers only "
    "those that are."
)
MSG_DUPLICATE_ROLLED = N_(
    "A value for {period} came in the sheet too; the values by {other} were not added to it."
)
MSG_DUPLICATE = N_("A value for the same KPI, unit and period came earlier in the sheet.")
MSG_NOT_FINITE = N_("The value is not a finite number.")
MSG_CANNOT_CREATE = N_("“{label}” could not be created: {reason}")


# Reading ------------------------------------------------------------------------------------


def currency_cells_of(sheet: SheetPreview) -> frozenset[tuple[int, str]]:
    """The cells of a previewed sheet that show a currency, by their number format or their
    text (``1 234 kr``), as (row number, column letter)."""
    found = {(row + 1, column_letter(column)) for row, column in sheet.currency_cells}
    for row, texts in enumerate(sheet.rows):
        for column, text in enumerate(texts):
            if text and looks_like_currency_text(text):
                found.add((row + 1, column_letter(column)))
    return frozenset(found)


class _PeriodList(str):
    """Period keys joined by commas, shown as people say them when the message is shown."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(", ".join(format(PeriodName(key)) for key in self.split(",")), spec)


def preview_file(
    path: str | os.PathLike[str],
    *,
    year: int | None = None,
    layout: LayoutKind | str | None = None,
) -> WorkbookPreview:
    """Sheets, their first rows and the layout found on each (see ``io.workbook``)."""
    return open_preview(path, default_year=year, layout=layout)


def scan_file(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    layout: Layout | LayoutKind | str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    cancelled: CancelFlag | None = None,
    keep: int = KEEP_RECORDS,
    currency_cells: Collection[tuple[int, str]] = (),
) -> ScanResult:
    """Read one sheet and gather its labels (no workspace needed).

    ``currency_cells`` are the cells (row number, column letter) known to show a currency
    (see :func:`currency_cells_of`); they count as evidence of a currency KPI.

    Raises :class:`~kpidesk.io.errors.SpreadsheetError` for a file that cannot be read and
    :class:`Cancelled` when ``cancelled()`` turned True.
    """
    kpis: dict[str, LabelStats] = {}
    units_: dict[str, LabelStats] = {}
    kept: list[RawRecord] | None = []
    sample: list[RawRecord] = []
    seen = 0
    currency = set(currency_cells)

    def on_chunk(records: list[RawRecord]) -> None:
        nonlocal kept, seen
        seen += len(records)
        if len(sample) < SAMPLE_RECORDS:
            sample.extend(records[: SAMPLE_RECORDS - len(sample)])
        if kept is not None:
            if len(kept) + len(records) > keep:
                kept = None
            else:
                kept.extend(records)
        last_kpi: str | None = None
        stats: LabelStats | None = None
        last_unit: object = object()
        unit_stats: LabelStats | None = None
        for record in records:
            if record.kpi is not last_kpi or stats is None:
                last_kpi = record.kpi
                key = kpi_key(record.kpi)
                stats = kpis.get(key)
                if stats is None:
                    stats = kpis[key] = LabelStats(
                        record.kpi, key, row=record.row, column=record.column
                    )
            stats.count += 1
            stats.kinds[record.period.kind] += 1
            if record.text_percent or record.format_percent:
                stats.percent_cells += 1
            elif currency and (record.row, record.column) in currency:
                stats.currency_cells += 1
            if stats.count <= 500:
                value = record.value * 100 if record.format_percent else record.value
                stats.decimals = max(stats.decimals, decimals_of(value))
            if record.unit is not None:
                if record.unit is not last_unit or unit_stats is None:
                    last_unit = record.unit
                    key = unit_key(record.unit)
                    unit_stats = units_.get(key)
                    if unit_stats is None:
                        unit_stats = units_[key] = LabelStats(
                            record.unit, key, row=record.row, column=record.column
                        )
                unit_stats.count += 1
                unit_stats.kinds[record.period.kind] += 1

    try:
        extraction = read_records(
            path,
            sheet=sheet,
            layout=layout,
            default_year=year,
            on_chunk=on_chunk,
            progress=progress,
            cancelled=cancelled,
        )
    except ReadCancelled as error:
        raise Cancelled() from error
    return ScanResult(
        Path(path),
        extraction,
        tuple(kpis.values()),
        tuple(units_.values()),
        tuple(sample),
        tuple(kept) if kept is not None else None,
        year,
    )


# Importing ----------------------------------------------------------------------------------


class _Rollback(Exception):  # a control-flow signal, not an error
    def __init__(self, result: ImportResult) -> None:
        super().__init__("rolled back")
        self.result = result


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


class _Run:
    """One import: resolves labels as they come, checks and writes chunk by chunk."""

    def __init__(
        self,
        workspace: Workspace,
        path: Path,
        options: ImportOptions,
        mapping: ImportMapping,
        stack: contextlib.ExitStack,
    ) -> None:
        self.workspace = workspace
        self.path = path
        self.options = options
        self.mapping = mapping
        self.stack = stack
        self.names = WorkspaceNames()
        self.targets_mode = options.into is Into.TARGETS
        self.replace = options.on_conflict is OnConflict.REPLACE
        if options.unit_id is not None and options.unit_id not in self.names.units:
            raise MappingError(N_("The unit chosen for the values no longer exists."))
        if self.targets_mode:
            self.default_unit = options.unit_id  # None: a target for every unit
        else:
            self.default_unit = (
                options.unit_id if options.unit_id is not None else self.names.root_id
            )
        self.started = False
        self.expected_rows = 0
        self.suspended_indexes: list[str] = []
        self.pending: list[RawRecord] = []
        self.batch_id = 0
        self.backup: Path | None = None
        self.writing = True
        # label → resolution
        self.kpi_cache: dict[str, _Target] = {}
        self.kpi_by_key: dict[str, _Target] = {}
        self.unit_cache: dict[str | None, int] = {}
        self.unit_by_key: dict[str, int] = {}
        self.final_kpis: dict[str, KpiDecision] = {}
        self.final_units: dict[str, UnitDecision] = {}
        self.period_index: dict[str, int] = {}
        self.seen: set[int] = set()
        self.created_kpis: list[tuple[int, str]] = []
        self.created_units: list[tuple[int, str]] = []
        self.decimals: dict[int, int] = {}
        self.observed: dict[int, int] = {}
        self.targets: dict[tuple[int, int | None, str], float] = {}
        # values of another period kind than their KPI's, by (KPI id, kind)
        self.other_kinds: dict[tuple[int, PeriodKind], list[tuple[RawRecord, int, float]]] = (
            defaultdict(list)
        )
        self.roll_ups: list[RollUp] = []
        self.notes: list[Message] = []
        self._currency: frozenset[tuple[int, str]] | None = None
        # counts and problems
        self.values = 0
        self.valid = 0
        self.staged = 0
        self.unmerged = 0
        self.imported = 0
        self.skipped = 0
        self.replaced = 0
        self.ignored = 0
        self.problems: list[ImportProblem] = []
        self.label_problems: list[tuple[str, RawRecord, Message]] = []
        self.problem_count = 0

    # the transaction -----------------------------------------------------------------------
    def take(self, records: list[RawRecord]) -> None:
        """``on_chunk``: records wait until it is known whether a backup is due."""
        if not self.started:
            self.pending.extend(records)
            if len(self.pending) > self.options.backup_threshold:
                self.start()
            return
        self.process(records)

    def start(self) -> None:
        if self.started:
            return
        if not self.options.dry_run and len(self.pending) > self.options.backup_threshold:
            self.backup = backups.make_backup(self.workspace, reason=backups.REASON_BEFORE_IMPORT)
            log.info("backup before importing %s: %s", self.path.name, self.backup)
        in_bulk = not self.targets_mode and self._bulk_load()
        if in_bulk:
            # Every id the rows carry was looked up or made in this transaction.
            self.stack.enter_context(bulk.bulk_loading())
        self.stack.enter_context(self.workspace.atomic())
        batch = ImportBatch.create(file_name=self.path.name, sheet=self.options.sheet or "")
        self.batch_id = int(batch.id)
        if not self.targets_mode:
            bulk.start_import_stage()
            if in_bulk:
                self.suspended_indexes = bulk.suspend_measurement_indexes()
        self.started = True
        pending, self.pending = self.pending, []
        self.process(pending)

    def _bulk_load(self) -> bool:
        """Whether to load in bulk (see :func:`bulk.bulk_loading`) and build the covering
        index after the rows instead of with them: worth it for a large import into a table
        not much larger than what it brings."""
        expected = max(len(self.pending), self.expected_rows)
        return expected >= BULK_ROWS and expected >= queries.measurement_count()

    def reading(self, progress: Progress | None) -> Progress:
        """The reader's progress callback, also noting how many rows the sheet has."""

        def report(done: int, total: int) -> None:
            self.expected_rows = total
            if progress is not None:
                progress(done, total)

        return report

    # resolving labels ------------------------------------------------------------------------
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
        self._problem_found()
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
            self._problem_found()
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
                preview = open_preview(self.path, default_year=self.options.year)
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
            self.unit_cache[None] = unit_id
            return unit_id
        key = unit_key(label)
        unit_id = self.unit_by_key.get(key)
        if unit_id is None:
            unit_id = self._resolve_unit_key(key, record)
            self.unit_by_key[key] = unit_id
        self.unit_cache[label] = unit_id
        return unit_id

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
        self._problem_found()
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
        kpi_get = self.kpi_cache.get
        unit_get = self.unit_cache.get
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
                target = self.resolve_kpi(record)
            kpi_id = target[0]
            if kpi_id < 0:
                if kpi_id == _KPI_IGNORED:
                    self.ignored += 1
                continue
            unit_id = unit_get(record[4])
            if unit_id is None:
                unit_id = self.resolve_unit(record)
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
                self.observe(kpi_id, value)
            if targets_mode:
                self.targets[(kpi_id, unit_id or None, key_text)] = value
            else:
                append((kpi_id, unit_id, key_text, value, record[9] or ""))
        self.values += len(records)
        if not targets_mode:
            self.valid += len(rows)
            if rows and self.writing:
                self.write(rows)

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
            target = self.kpi_cache.get(chunk.kpi_labels[index])  # type: ignore[arg-type]
            if target is None or target[0] < 0 or target[4]:
                return False
            kpi_ids[index], kpi_parts[index] = target[0], target[1]
            kinds.add(target[2])
        unit_ids: dict[int, int] = {}
        unit_parts: dict[int, int] = {}
        for index in set(chunk.units):
            unit_id = self.unit_cache.get(chunk.unit_labels[index])
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
        if any(chunk.comments) or not self.inserts_directly:  # else: no comment to bind
            comment_texts = [label or "" for label in chunk.comment_labels]
            columns.append(map(comment_texts.__getitem__, chunk.comments))
        rows = list(zip(*columns, strict=True))
        self.values += len(rows)
        self.valid += len(rows)
        if rows and self.writing:
            self.write(rows)
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
            self.observe(kpi_id, value)
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
                self.write(rows)
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

    @property
    def inserts_directly(self) -> bool:
        """A bulk import that keeps stored values writes straight into ``measurement``."""
        return not self.replace and bool(self.suspended_indexes)

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Store a chunk: (kpi id, unit id, period key, value, comment) rows, or without the
        comment when :attr:`inserts_directly`. Staged in a temporary table, then moved into
        ``measurement`` by one statement, so that SQLite, not Python, builds and orders the
        rows; a bulk import that keeps stored values inserts them directly."""
        if self.inserts_directly:
            self.staged += len(rows)
            self.imported += bulk.insert_new_import_rows(
                rows, batch_id=self.batch_id, source=SOURCE
            )
            return
        bulk.stage_import_rows(rows)
        self.staged += len(rows)
        self.unmerged += len(rows)
        if self.unmerged >= MERGE_ROWS:
            self._merge_stage()

    def _merge_stage(self) -> None:
        stored, replaced = bulk.merge_import_stage(
            batch_id=self.batch_id, source=SOURCE, replace=self.replace
        )
        self.imported += stored
        self.replaced += replaced
        self.unmerged = 0

    def merge(self) -> None:
        if self.targets_mode:
            return
        if self.writing and self.unmerged:
            self._merge_stage()
        if self.writing and self.suspended_indexes:
            bulk.restore_indexes(self.suspended_indexes)
            self.suspended_indexes = []
        self.skipped = 0 if self.replace else self.staged - self.imported
        bulk.end_import_stage()

    def write_targets(self) -> None:
        if not self.targets:
            return
        self.valid = len(self.targets)
        if not self.writing:
            return
        before = queries.targets_at(self.targets)
        keys = [key for key in self.targets if self.replace or key not in before]
        self.skipped = len(self.targets) - len(keys)
        self.replaced = sum(1 for key in keys if key in before)
        changes = []
        for key in keys:
            old, old_high = before.get(key, (None, None))
            changes.append(
                ("target", key[0], key[1], key[2], old, old_high, self.targets[key], None)
            )
        queries.record_import_changes(self.batch_id, changes)
        queries.delete_targets(keys)
        queries.insert_targets((*key, self.targets[key], None) for key in sorted(keys, key=_key3))
        self.imported = len(keys)

    # the end -----------------------------------------------------------------------------------
    def finish(self, extraction: ExtractionResult) -> ImportResult:
        if not self.started:
            self.start()
        self.settle_other_kinds()
        if self.targets_mode:
            self.write_targets()
        else:
            self.merge()
        layout = extraction.layout
        problems = self._all_problems(extraction)
        problem_count = extraction.problem_count + self.problem_count
        stopped = problem_count > 0 and (not self.options.skip_invalid or self.valid == 0)
        mapping = ImportMapping(dict(self.final_kpis), dict(self.final_units))
        stored = not stopped and not self.options.dry_run
        profile_name = self.options.profile if stored else None
        if stored:
            for kpi_id, places in self.decimals.items():
                models.Kpi.update(decimals=min(6, places)).where(models.Kpi.id == kpi_id).execute()
            profile_id = None
            if profile_name:
                profile_id = save_profile(self._profile(profile_name, extraction, mapping))
            queries.finish_import_batch(
                self.batch_id,
                imported=self.imported,
                skipped=self.skipped,
                replaced=self.replaced,
                into=self.options.into.value,
            )
            ImportBatch.update(
                file_name=self.path.name, sheet=extraction.sheet, profile=profile_id
            ).where(ImportBatch.id == self.batch_id).execute()
        result = ImportResult(
            file_name=self.path.name,
            sheet=extraction.sheet,
            layout=layout,
            into=self.options.into,
            rows_read=extraction.rows_read,
            values_read=self.values,
            valid=self.valid,
            imported=0 if stopped else self.imported,
            skipped=0 if stopped else self.skipped,
            replaced=0 if stopped else self.replaced,
            ignored=self.ignored,
            batch_id=self.batch_id if stored else None,
            problems=problems,
            problem_count=problem_count,
            notes=(*extraction.notes, *self.notes),
            created_kpis=() if stopped else tuple(name for _id, name in self.created_kpis),
            created_units=() if stopped else tuple(name for _id, name in self.created_units),
            new_kpis=() if stopped else self._new_kpi_details(),
            roll_ups=tuple(self.roll_ups),
            dry_run=self.options.dry_run,
            stopped=stopped,
            mapping=mapping,
            profile=profile_name,
            backup=self.backup,
        )
        if not stored:
            raise _Rollback(result)
        return result

    def _new_kpi_details(self) -> tuple[dict[str, Any], ...]:
        """The kind of each KPI this import created (read in its transaction)."""
        details = []
        for kpi_id, _name in self.created_kpis:
            kpi = models.Kpi.get_by_id(kpi_id)
            details.append(
                {
                    "name": kpi.name,
                    "code": kpi.code,
                    "measure_unit": kpi.measure_unit,
                    "time_aggregation": kpi.time_aggregation,
                    "unit_aggregation": kpi.unit_aggregation,
                    "direction": kpi.direction,
                    "frequency": kpi.frequency,
                    "decimals": min(6, self.decimals.get(kpi_id, kpi.decimals)),
                }
            )
        return tuple(details)

    def _profile(
        self, name: str, extraction: ExtractionResult, mapping: ImportMapping
    ) -> ProfileData:
        kpis = {key: d for key, d in self.mapping.kpis.items() if d.choice is Choice.IGNORE}
        kpis.update(mapping.kpis)
        units_ = {key: d for key, d in self.mapping.units.items() if d.choice is Choice.IGNORE}
        units_.update(mapping.units)
        forced = self.options.layout
        kind = forced.kind if isinstance(forced, Layout) else forced
        return ProfileData(
            name=name,
            signature=layout_signature(extraction.layout),
            layout=LayoutKind(kind).value if kind else None,
            sheet=extraction.sheet,
            year=self.options.year,
            into=self.options.into.value,
            on_conflict=self.options.on_conflict.value,
            default_unit_id=self.options.unit_id,
            kpis=kpis,
            units=units_,
        )

    def _all_problems(self, extraction: ExtractionResult) -> tuple[ImportProblem, ...]:
        layout = extraction.layout
        located: list[ImportProblem] = []
        for kind, record, reason in self.label_problems:
            label = record.kpi if kind == "kpi" else str(record.unit)
            row: int | None = record.row
            column: str | None = record.column
            if kind == "kpi" and layout.kind is LayoutKind.WIDE:
                row = layout.header_row_number
            elif kind == "kpi" and layout.column(ColumnRole.KPI) is not None:
                column = column_letter(layout.column(ColumnRole.KPI))  # type: ignore[arg-type]
            elif kind == "unit" and layout.column(ColumnRole.UNIT) is not None:
                column = column_letter(layout.column(ColumnRole.UNIT))  # type: ignore[arg-type]
            located.append(ImportProblem(record.sheet, row, column, label, reason))
        every = sorted([*extraction.problems, *located, *self.problems], key=_problem_order)
        return tuple(every[:MAX_PROBLEMS])


def _key3(key: tuple[int, int | None, str]) -> tuple[int, int, str]:
    return (key[0], key[1] or 0, key[2])


def _problem_order(problem: ImportProblem) -> tuple[int, int]:
    column = column_index(problem.column) if problem.column else -1
    return (problem.row or 0, column)


def _value_text(record: RawRecord) -> str:
    value = record.value * 100 if record.format_percent else record.value
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = repr(value)
    return f"{text} %" if record.is_percent else text


def run_import(
    workspace: Workspace,
    path: str | os.PathLike[str],
    options: ImportOptions | None = None,
    mapping: ImportMapping | None = None,
    *,
    scan: ScanResult | None = None,
    progress: Progress | None = None,
    cancelled: CancelFlag | None = None,
    started: ChildRun | None = None,
) -> ImportResult:
    """Import one sheet of ``path`` into ``workspace``, all or nothing.

    ``mapping`` holds decisions for labels (see :class:`ImportMapping`); what it does not
    decide is matched to the workspace. With ``scan`` (from :func:`scan_file` of the same
    file, sheet and layout) its records are used instead of reading the file again.

    Returns the result also when problems stopped the import or it was a dry run (nothing is
    stored then; ``result.batch_id`` is None). Raises ``SpreadsheetError`` for a file that
    cannot be read, :class:`Cancelled` when cancelled (nothing is stored), ``MappingError``
    for a unit that is not there, and the store's errors for a workspace it cannot write.
    ``started``: the reading of ``path`` begun earlier (see :func:`start_reading`).
    """
    try:
        return _run_import(workspace, path, options, mapping, scan, progress, cancelled, started)
    finally:
        if started is not None:
            started.close()  # not taken (a scan's records were used, or it failed before)


def _run_import(
    workspace: Workspace,
    path: str | os.PathLike[str],
    options: ImportOptions | None,
    mapping: ImportMapping | None,
    scan: ScanResult | None,
    progress: Progress | None,
    cancelled: CancelFlag | None,
    started: ChildRun | None,
) -> ImportResult:
    options = options or ImportOptions()
    mapping = mapping or ImportMapping()
    path = Path(path)
    if scan is not None and options.layout is None:
        options = replace(options, layout=scan.layout, sheet=scan.extraction.sheet)
    try:
        with contextlib.ExitStack() as stack:
            run = _Run(workspace, path, options, mapping, stack)
            if scan is not None and scan.records is not None:
                extraction = scan.extraction
                _feed(run, scan.records, progress, cancelled)
            else:
                try:
                    extraction = read_records(
                        path,
                        sheet=options.sheet,
                        layout=options.layout,
                        default_year=options.year,
                        on_chunk=run.take,
                        progress=run.reading(progress),
                        cancelled=cancelled,
                        started=started,
                    )
                except ReadCancelled as error:
                    raise Cancelled() from error
            result = run.finish(extraction)
    except _Rollback as rollback:
        return rollback.result
    if result.imported > BACKUP_THRESHOLD:
        workspace.checkpoint()
    log.info(
        "imported %s (%s): %s values, %s skipped, %s replaced, batch %s",
        result.file_name,
        result.sheet,
        result.imported,
        result.skipped,
        result.replaced,
        result.batch_id,
    )
    return result


def _feed(
    run: _Run,
    records: Sequence[RawRecord],
    progress: Progress | None,
    cancelled: CancelFlag | None,
) -> None:
    step = 50_000
    total = len(records)
    for start in range(0, total, step):
        if cancelled is not None and cancelled():
            raise Cancelled()
        run.take(list(records[start : start + step]))
        if progress is not None:
            progress(min(total, start + step), total)
    if cancelled is not None and cancelled():
        raise Cancelled()


# Undo -------------------------------------------------------------------------------------


def _batch_info(row: queries.ImportBatchRow) -> BatchInfo:
    batch_id, file_name, sheet, profile, imported, skipped, replaced, into, at, undone = row
    return BatchInfo(
        batch_id,
        file_name,
        sheet or "",
        profile,
        imported or 0,
        skipped or 0,
        replaced or 0,
        Into(into or "actuals"),
        str(at)[:19],
        str(undone)[:19] if undone else None,
    )


def list_batches() -> list[BatchInfo]:
    """Every import into the workspace, newest first (empty if none has been made)."""
    return [_batch_info(row) for row in queries.import_batches()]


def batch_info(batch_id: int) -> BatchInfo | None:
    rows = queries.import_batches(batch_id)
    return _batch_info(rows[0]) if rows else None


def undo_import(workspace: Workspace, batch_id: int) -> UndoResult:
    """Undo one import: remove the values it stored, put back those it replaced, and remove
    the KPIs, units and aliases it created (a KPI or unit that holds other data by now is
    kept). One transaction; raises :class:`ImportFailed` for an unknown or undone batch."""
    with workspace.atomic():
        info = batch_info(batch_id)
        if info is None:
            raise NoSuchBatchError(N_("There is no import number {id}."), id=batch_id)
        if info.undone:
            raise ImportFailed(
                N_("The import number {id} ({file}) was undone already."),
                id=batch_id,
                file=info.file_name,
            )
        if info.into is Into.TARGETS:
            removed, restored = _undo_targets(batch_id)
        else:
            removed, restored = _undo_measurements(batch_id)
        _undo_aliases(batch_id)
        removed_kpis, kept_kpis = _undo_created_kpis(batch_id)
        removed_units, kept_units = _undo_created_units(batch_id)
        queries.mark_batch_undone(batch_id)
    return UndoResult(
        batch_id,
        info.file_name,
        removed,
        restored,
        tuple(removed_kpis),
        tuple(removed_units),
        tuple(kept_kpis),
        tuple(kept_units),
    )


def _undo_measurements(batch_id: int) -> tuple[int, int]:
    removed = queries.delete_batch_measurements(batch_id)
    undone = queries.undone_batches()
    restore = []
    for change in queries.import_changes(batch_id, "measurement"):
        kpi_id, unit_id, period, value, _high, _new, comment, source, old_batch, at, _a = change
        if kpi_id is None or unit_id is None or period is None:
            continue
        hops = 0
        # A value an undone import had stored: put back what that import replaced instead.
        while old_batch is not None and old_batch in undone and hops < 100:
            earlier = queries.replaced_measurement_of(old_batch, (kpi_id, unit_id, period))
            if earlier is None:
                value = None
                break
            value, comment, source, old_batch, at = earlier
            hops += 1
        if value is None:
            continue
        restore.append(
            (kpi_id, unit_id, period, value, comment, source or "typed", old_batch, at or "")
        )
    restored = queries.restore_measurements(restore) if restore else 0
    return removed, restored


def _undo_targets(batch_id: int) -> tuple[int, int]:
    changes = queries.import_changes(batch_id, "target")
    keys = [(c[0], c[1], c[2]) for c in changes if c[0] is not None and c[2] is not None]
    current = queries.targets_at(keys)  # type: ignore[arg-type]
    remove = []
    put_back = []
    for change in changes:
        kpi_id, unit_id, period, old, old_high, new, *_rest = change
        if kpi_id is None or period is None:
            continue
        key = (kpi_id, unit_id, period)
        now = current.get(key)
        if now is not None and now[0] == new:
            remove.append(key)
            if old is not None:
                put_back.append((*key, old, old_high))
        elif now is None and old is not None:
            put_back.append((*key, old, old_high))
    if remove:
        queries.delete_targets(remove)
    # What was deleted since (a KPI, a unit) cannot get its target back.
    kpi_ids = {row[0] for row in models.Kpi.select(models.Kpi.id).tuples()}
    unit_ids = {row[0] for row in models.Unit.select(models.Unit.id).tuples()}
    put_back = [row for row in put_back if row[0] in kpi_ids and row[1] in (None, *unit_ids)]
    if put_back:
        queries.insert_targets(put_back)
    return len(remove), len(put_back)


def _undo_aliases(batch_id: int) -> None:
    for change in queries.import_changes(batch_id, "kpi_alias"):
        kpi_id, previous, alias = change[0], change[3], change[10]
        row = models.KpiAlias.get_or_none(models.KpiAlias.alias == alias)
        if row is None or row.kpi_id != kpi_id:
            continue
        if previous is not None and models.Kpi.get_or_none(models.Kpi.id == int(previous)):
            row.kpi = int(previous)
            row.save()
        else:
            row.delete_instance()
    for change in queries.import_changes(batch_id, "unit_alias"):
        unit_id, previous, alias = change[1], change[3], change[10]
        row = models.UnitAlias.get_or_none(models.UnitAlias.alias == alias)
        if row is None or row.unit_id != unit_id:
            continue
        if previous is not None and models.Unit.get_or_none(models.Unit.id == int(previous)):
            row.unit = int(previous)
            row.save()
        else:
            row.delete_instance()


def _undo_created_kpis(batch_id: int) -> tuple[list[str], list[str]]:
    removed, kept = [], []
    for change in reversed(queries.import_changes(batch_id, "kpi")):
        kpi = models.Kpi.get_or_none(models.Kpi.id == change[0])
        if kpi is None:
            continue
        if queries.kpi_holds_data(kpi.id):
            kept.append(kpi.name)
        else:
            removed.append(kpi.name)
            kpi.delete_instance()
    return removed, kept


def _undo_created_units(batch_id: int) -> tuple[list[str], list[str]]:
    removed, kept = [], []
    for change in reversed(queries.import_changes(batch_id, "unit")):
        unit = models.Unit.get_or_none(models.Unit.id == change[1])
        if unit is None:
            continue
        if units.unit_usage(unit.id).is_empty:
            removed.append(unit.name)
            unit.delete_instance()
        else:
            kept.append(unit.name)
    return removed, kept


def error_text(error: BaseException) -> str:
    """One line for an error an import raised."""
    if isinstance(error, SpreadsheetError | DomainError):
        return error.message
    return str(error)


def sorted_labels(labels: Iterable[LabelStats]) -> list[LabelStats]:
    """Labels in the order the sheet shows them first."""
    return sorted(labels, key=lambda s: (s.row, column_index(s.column) if s.column else 0))
