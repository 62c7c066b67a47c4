"""Undoing an import, and the list of imports made."""

from __future__ import annotations

from kpidesk.i18n import N_
from kpidesk.services import units
from kpidesk.services.importing.model import (
    BatchInfo,
    ImportFailed,
    Into,
    NoSuchBatchError,
    UndoResult,
)
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace


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
