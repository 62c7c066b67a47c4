"""What an import is asked to do and what it reports: options, results, errors, messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PeriodKind
from kpidesk.i18n import N_, _, ngettext
from kpidesk.io.errors import ImportProblem, Message
from kpidesk.io.extract import (
    ExtractionResult,
    RawRecord,
)
from kpidesk.io.layout import Layout, LayoutKind
from kpidesk.services.import_mapping import (
    ImportMapping,
    LabelStats,
    layout_signature,
)

BACKUP_THRESHOLD = 10_000
"""More values than this and the workspace is backed up before the import."""
KEEP_RECORDS = 200_000
"""A scan keeps at most this many records in memory for the import that follows."""
MAX_PROBLEMS = 1000
SAMPLE_RECORDS = 200


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
