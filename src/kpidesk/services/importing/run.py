"""One import from start to end: reading (or a scan's records) in, the transaction, the
backup before a large import, and the result; the checks are ``validate``'s, the names
``resolve``'s and the storing ``write``'s."""

from __future__ import annotations

import contextlib
import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kpidesk.domain.periods import PeriodKind
from kpidesk.i18n import N_
from kpidesk.io.cells import column_index, column_letter
from kpidesk.io.errors import ImportProblem, Message, ReadCancelled
from kpidesk.io.extract import (
    ChildRun,
    ExtractionResult,
    RawRecord,
    read_records,
)
from kpidesk.io.layout import ColumnRole, Layout, LayoutKind
from kpidesk.services import backups
from kpidesk.services.import_mapping import (
    Choice,
    ImportMapping,
    MappingError,
    ProfileData,
    WorkspaceNames,
    check_profile_kind,
    layout_signature,
    save_profile,
)
from kpidesk.services.importing.model import (
    BACKUP_THRESHOLD,
    MAX_PROBLEMS,
    ImportOptions,
    ImportResult,
    Into,
    OnConflict,
    RollUp,
    ScanResult,
)
from kpidesk.services.importing.resolve import Resolver
from kpidesk.services.importing.validate import Checking
from kpidesk.services.importing.write import (
    MeasurementWriter,
    TargetWriter,
    is_bulk_load,
    measurement_writer,
)
from kpidesk.services.progress import CancelFlag, Cancelled, Progress
from kpidesk.store import bulk, models, queries
from kpidesk.store.models import ImportBatch
from kpidesk.store.workspace import Workspace

log = logging.getLogger("kpidesk.services.importing")

TEMPLATE_SUFFIXES = frozenset({".xlsx", ".xlsm"})
"""The files a reporting round's template can be (its stamp is in the workbook's properties)."""


class _Rollback(Exception):  # a control-flow signal, not an error
    def __init__(self, result: ImportResult) -> None:
        super().__init__("rolled back")
        self.result = result


class _Run(Checking):
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
        self.pending: list[RawRecord] = []
        self.batch_id = 0
        self.backup: Path | None = None
        self.writing = True
        self.resolver = Resolver(
            workspace,
            path,
            mapping,
            self.names,
            targets_mode=self.targets_mode,
            default_unit=self.default_unit,
            year=options.year,
            on_problem=self._problem_found,
        )
        self.writer: MeasurementWriter | None = None
        self.target_writer: TargetWriter | None = None
        self.period_index: dict[str, int] = {}
        self.seen: set[int] = set()
        self.targets: dict[tuple[int, int | None, str], float] = {}
        # values of another period kind than their KPI's, by (KPI id, kind)
        self.other_kinds: dict[tuple[int, PeriodKind], list[tuple[RawRecord, int, float]]] = (
            defaultdict(list)
        )
        self.roll_ups: list[RollUp] = []
        self.notes: list[Message] = []
        # counts and problems
        self.values = 0
        self.valid = 0
        self.imported = 0
        self.skipped = 0
        self.replaced = 0
        self.ignored = 0
        self.problems: list[ImportProblem] = []
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
        self.batch_id = self.resolver.batch_id = int(batch.id)
        if self.targets_mode:
            self.target_writer = TargetWriter(self.batch_id, replace=self.replace)
        else:
            self.writer = measurement_writer(self.batch_id, replace=self.replace, in_bulk=in_bulk)
        self.started = True
        pending, self.pending = self.pending, []
        self.process(pending)

    def _bulk_load(self) -> bool:
        expected = max(len(self.pending), self.expected_rows)
        return is_bulk_load(expected)

    def reading(self, progress: Progress | None) -> Progress:
        """The reader's progress callback, also noting how many rows the sheet has."""

        def report(done: int, total: int) -> None:
            self.expected_rows = total
            if progress is not None:
                progress(done, total)

        return report

    # the end -----------------------------------------------------------------------------------
    def finish(self, extraction: ExtractionResult) -> ImportResult:
        if not self.started:
            self.start()
        self.settle_other_kinds()
        writer: MeasurementWriter | TargetWriter
        if self.targets_mode:
            assert self.target_writer is not None
            writer = self.target_writer
            if self.targets:
                self.valid = len(self.targets)
            writer.finish(self.targets, self.writing)
        else:
            assert self.writer is not None
            writer = self.writer
            writer.finish(self.writing)
        self.imported, self.skipped, self.replaced = (
            writer.imported,
            writer.skipped,
            writer.replaced,
        )
        layout = extraction.layout
        problems = self._all_problems(extraction)
        problem_count = extraction.problem_count + self.problem_count
        stopped = problem_count > 0 and (not self.options.skip_invalid or self.valid == 0)
        mapping = ImportMapping(dict(self.resolver.final_kpis), dict(self.resolver.final_units))
        stored = not stopped and not self.options.dry_run
        profile_name = self.options.profile if stored else None
        if stored:
            for kpi_id, places in self.resolver.decimals.items():
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
            if not self.targets_mode and self.path.suffix.lower() in TEMPLATE_SUFFIXES:
                from kpidesk.services.reporting import note_returned_template

                returned = note_returned_template(self.path, self.path.name)
                if returned is not None:
                    self.notes.append(returned)
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
            created_kpis=() if stopped else tuple(name for _id, name in self.resolver.created_kpis),
            created_units=()
            if stopped
            else tuple(name for _id, name in self.resolver.created_units),
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
        for kpi_id, _name in self.resolver.created_kpis:
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
                    "decimals": min(6, self.resolver.decimals.get(kpi_id, kpi.decimals)),
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
        for kind, record, reason in self.resolver.label_problems:
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


def _problem_order(problem: ImportProblem) -> tuple[int, int]:
    column = column_index(problem.column) if problem.column else -1
    return (problem.row or 0, column)


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
    if options.profile:  # a spreadsheet's (a SIE import saves its profile itself)
        check_profile_kind(options.profile, sie=False)
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
