"""Storing measurements: the store's executemany path beside peewee's insert_many."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace


def _rows(kpi_ids: list[int], unit_ids: list[int], months: int) -> list[queries.MeasurementRow]:
    return [
        (kpi, unit, f"{2000 + m // 12:04d}-{m % 12 + 1:02d}", float(m * 1.5), "", "import", None)
        for kpi in kpi_ids
        for unit in unit_ids
        for m in range(months)
    ]


def _prepare(path: Path) -> tuple[Workspace, list[int], list[int]]:
    workspace = Workspace.create(path, "Bench")
    root = models.Unit.get()
    with workspace.atomic():
        units = [models.Unit.create(name=f"Unit {i}", parent=root).id for i in range(20)]
        kpis = [models.Kpi.create(code=f"K{i}", name=f"KPI {i}").id for i in range(30)]
    return workspace, kpis, units


def bench_bulk_insert(months: int = 167) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workspace, kpis, units = _prepare(Path(folder) / "a.kpidesk")
        rows = _rows(kpis, units, months)
        start = time.perf_counter()
        with workspace.atomic():
            queries.insert_measurements(rows)
        ours = time.perf_counter() - start
        workspace.close()

        workspace, kpis, units = _prepare(Path(folder) / "b.kpidesk")
        fields = [
            models.Measurement.kpi,
            models.Measurement.unit,
            models.Measurement.period,
            models.Measurement.value,
            models.Measurement.comment,
            models.Measurement.source,
            models.Measurement.batch,
            models.Measurement.entered_at,
        ]
        stamped = [(*row, models.utcnow()) for row in rows]
        start = time.perf_counter()
        with workspace.atomic():
            for index in range(0, len(stamped), 5000):
                models.Measurement.insert_many(stamped[index : index + 5000], fields).execute()
        baseline = time.perf_counter() - start
        workspace.close()
    print(
        f"store {len(rows):,} measurements: executemany {ours:.2f} s, "
        f"peewee insert_many {baseline:.2f} s, ratio {ours / baseline:.2f}"
    )
