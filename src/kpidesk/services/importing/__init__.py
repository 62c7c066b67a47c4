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

The package's rooms: ``model`` (options, results, errors, messages), ``scan`` (reading before
importing), ``resolve`` (labels to KPI and unit ids), ``validate`` (each value checked),
``write`` (the strategies that store them; the backend's part is ``store/bulk.py``), ``run``
(one import from start to end) and ``undo``. Everything callers use is importable from here.
"""

from __future__ import annotations

from kpidesk.services.importing.model import (
    BACKUP_THRESHOLD,
    KEEP_RECORDS,
    MAX_PROBLEMS,
    MSG_AMBIGUOUS_UNIT,
    MSG_CALCULATED,
    MSG_CANNOT_CREATE,
    MSG_COARSER_KIND,
    MSG_DUPLICATE,
    MSG_DUPLICATE_ROLLED,
    MSG_FINER_KIND,
    MSG_GONE_KPI,
    MSG_GONE_UNIT,
    MSG_NOT_FINITE,
    MSG_PARTIAL,
    MSG_ROLLED_UP,
    MSG_UNKNOWN_KPI,
    MSG_UNKNOWN_UNIT,
    MSG_WEEKS_BY_THURSDAY,
    MSG_WRONG_KIND,
    BatchInfo,
    ImportFailed,
    ImportOptions,
    ImportResult,
    Into,
    NoSuchBatchError,
    OnConflict,
    RollUp,
    ScanResult,
    UndoResult,
)
from kpidesk.services.importing.run import _Run, run_import
from kpidesk.services.importing.scan import (
    currency_cells_of,
    error_text,
    preview_file,
    scan_file,
    sorted_labels,
)
from kpidesk.services.importing.undo import batch_info, list_batches, undo_import
from kpidesk.services.importing.write import BULK_ROWS, MERGE_ROWS, SOURCE

__all__ = [
    "BACKUP_THRESHOLD",
    "BULK_ROWS",
    "KEEP_RECORDS",
    "MAX_PROBLEMS",
    "MERGE_ROWS",
    "MSG_AMBIGUOUS_UNIT",
    "MSG_CALCULATED",
    "MSG_CANNOT_CREATE",
    "MSG_COARSER_KIND",
    "MSG_DUPLICATE",
    "MSG_DUPLICATE_ROLLED",
    "MSG_FINER_KIND",
    "MSG_GONE_KPI",
    "MSG_GONE_UNIT",
    "MSG_NOT_FINITE",
    "MSG_PARTIAL",
    "MSG_ROLLED_UP",
    "MSG_UNKNOWN_KPI",
    "MSG_UNKNOWN_UNIT",
    "MSG_WEEKS_BY_THURSDAY",
    "MSG_WRONG_KIND",
    "SOURCE",
    "BatchInfo",
    "ImportFailed",
    "ImportOptions",
    "ImportResult",
    "Into",
    "NoSuchBatchError",
    "OnConflict",
    "RollUp",
    "ScanResult",
    "UndoResult",
    "_Run",
    "batch_info",
    "currency_cells_of",
    "error_text",
    "list_batches",
    "preview_file",
    "run_import",
    "scan_file",
    "sorted_labels",
    "undo_import",
]
