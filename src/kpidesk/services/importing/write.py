"""Storing an import's valid values: the strategies behind one interface.

Actual values go through a :class:`MeasurementWriter`: :class:`StagedWriter` stages each
chunk and merges it into ``measurement`` (keeping or replacing what is stored, recording what
it replaces for undo); on a server it stages them all (``COPY``) and merges once at the end.
:class:`DirectWriter`, for a bulk load into a file that keeps stored values, inserts straight
into ``measurement`` with its secondary indexes suspended.
:func:`measurement_writer` picks one. Targets are few and go through :class:`TargetWriter`.
How each is done in the database is ``store/bulk.py``'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kpidesk.store import bulk, queries

SOURCE = "import"
MERGE_ROWS = 50_000
"""Staged rows are moved into the store about this often (one chunk of the reader)."""
BULK_ROWS = 100_000
"""An import of at least this many rows (and as many as the store holds) is a bulk load."""


def is_bulk_load(expected_rows: int) -> bool:
    """Whether to load in bulk (see :func:`kpidesk.store.bulk.bulk_loading`) and build the
    covering index after the rows instead of with them: worth it for a large import into a
    table not much larger than what it brings."""
    return expected_rows >= BULK_ROWS and expected_rows >= queries.measurement_count()


class MeasurementWriter:
    """Stores checked rows of actual values, chunk by chunk, in the import's transaction.

    ``write`` takes (kpi id, unit id, period key, value, comment) rows, or rows without the
    comment where :attr:`needs_comments` is False; ``finish`` ends the load (``writing``
    False: the import will not be stored, so nothing more is written). Then ``imported``,
    ``replaced`` and ``skipped`` count what happened.
    """

    needs_comments = True

    def __init__(self, batch_id: int, *, replace: bool, suspended: list[str]) -> None:
        self.batch_id = batch_id
        self.replace = replace
        self.suspended = suspended
        self.staged = 0
        self.imported = 0
        self.replaced = 0
        self.skipped = 0

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Store what is still waiting."""

    def finish(self, writing: bool) -> None:
        if writing:
            self.flush()
        if writing and self.suspended:
            bulk.restore_indexes(self.suspended)
            self.suspended = []
        self.skipped = 0 if self.replace else self.staged - self.imported
        bulk.end_import_stage()


class StagedWriter(MeasurementWriter):
    """Each chunk staged in a temporary table, then moved into ``measurement`` by one
    statement, so that the database, not Python, builds and orders the rows."""

    def __init__(
        self,
        batch_id: int,
        *,
        replace: bool,
        suspended: list[str],
        merge_rows: int | None = MERGE_ROWS,
    ) -> None:
        super().__init__(batch_id, replace=replace, suspended=suspended)
        self.merge_rows = merge_rows
        """Merge after this many staged rows; None: once, when the import ends."""
        self.unmerged = 0

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        bulk.stage_import_rows(rows)  # type: ignore[arg-type]
        self.staged += len(rows)
        self.unmerged += len(rows)
        if self.merge_rows is not None and self.unmerged >= self.merge_rows:
            self.flush()

    def flush(self) -> None:
        if not self.unmerged:
            return
        stored, replaced = bulk.merge_import_stage(
            batch_id=self.batch_id, source=SOURCE, replace=self.replace
        )
        self.imported += stored
        self.replaced += replaced
        self.unmerged = 0


class DirectWriter(MeasurementWriter):
    """A bulk load that keeps stored values: straight into ``measurement`` (faster than the
    stage with the secondary indexes suspended, and nothing replaced needs a copy)."""

    needs_comments = False

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.staged += len(rows)
        self.imported += bulk.insert_new_import_rows(
            rows,  # type: ignore[arg-type]
            batch_id=self.batch_id,
            source=SOURCE,
        )


def measurement_writer(batch_id: int, *, replace: bool, in_bulk: bool) -> MeasurementWriter:
    """The writer for an import's actual values; call inside its transaction."""
    bulk.start_import_stage()
    suspended = bulk.suspend_measurement_indexes() if in_bulk else []
    if bulk.stages_whole_import():
        return StagedWriter(batch_id, replace=replace, suspended=suspended, merge_rows=None)
    if not replace and suspended:
        return DirectWriter(batch_id, replace=replace, suspended=suspended)
    return StagedWriter(batch_id, replace=replace, suspended=suspended)


class TargetWriter:
    """Stores an import's targets at its end, keeping or replacing those already set, and
    records what it replaces for undo."""

    def __init__(self, batch_id: int, *, replace: bool) -> None:
        self.batch_id = batch_id
        self.replace = replace
        self.imported = 0
        self.replaced = 0
        self.skipped = 0

    def finish(self, targets: dict[tuple[int, int | None, str], float], writing: bool) -> None:
        if not targets or not writing:
            return
        before = queries.targets_at(targets)
        keys = [key for key in targets if self.replace or key not in before]
        self.skipped = len(targets) - len(keys)
        self.replaced = sum(1 for key in keys if key in before)
        changes = []
        for key in keys:
            old, old_high = before.get(key, (None, None))
            changes.append(("target", key[0], key[1], key[2], old, old_high, targets[key], None))
        queries.record_import_changes(self.batch_id, changes)
        queries.delete_targets(keys)
        queries.insert_targets((*key, targets[key], None) for key in sorted(keys, key=_key3))
        self.imported = len(keys)


def _key3(key: tuple[int, int | None, str]) -> tuple[int, int, str]:
    return (key[0], key[1] or 0, key[2])
