"""Large data stays fluid: a scorecard refresh and a chart switch on a big generated workspace.

100 KPIs × 20 units × 120 months (240,000 measurements and as many targets), under one root
unit. Timed, median of several runs, offscreen:

- a scorecard refresh: the real Scorecard page's ``refresh()`` for the newest month at the
  root (query, roll-up, statuses, tree) and its paint (``grab()``); goal under 150 ms;
- a chart switch: the KPI chart window's ``show_kpi()`` to another KPI with all 20 units
  ticked (query, aggregation, forecast, curves, table) and its paint; goal under 50 ms.

Beside each, measured in the same run: the raw SQL read of the rows it needs.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kpidesk.domain.periods import Period, PeriodKind, period_range
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

KPIS = 100
UNITS = 20
MONTHS = 120
NEWEST = Period.month(2026, 10)
RUNS = 9


def generate(path: Path) -> Workspace:
    """Write the benchmark workspace: every KPI measured monthly for every unit, with targets."""
    rng = random.Random(7)
    workspace = Workspace.create(path, "Bench", language="en")
    first = NEWEST.shift(-(MONTHS - 1))
    keys = [first.shift(i).key for i in range(MONTHS)]
    directions = ("higher", "higher", "lower", "band")
    aggregations = ("sum", "average", "average", "last")
    # generated content: no change-log entry per row, as the demo's
    with workspace.atomic(), workspace.unlogged():
        root = models.Unit.get()
        units = [
            models.Unit.create(name=f"Unit {i + 1:02d}", parent=root, sort_order=i).id
            for i in range(UNITS)
        ]
        goals = [
            models.Goal.create(title=f"Goal {i + 1}", due_date=date(2027, 12, 31), sort_order=i)
            for i in range(10)
        ]
        kpis = []
        for index in range(KPIS):
            kpi = models.Kpi.create(
                code=f"K{index + 1:03d}",
                name=f"KPI {index + 1:03d}",
                owner=f"Owner {index % 7}",
                measure_unit=("count", "percent", "currency", "hours")[index % 4],
                decimals=1,
                direction=directions[index % 4],
                time_aggregation=aggregations[index % 4],
                unit_aggregation=aggregations[index % 4],
                sort_order=index,
            )
            models.KpiGoal.create(kpi=kpi, goal=goals[index % len(goals)])
            kpis.append(kpi.id)
        measurements: list[queries.MeasurementRow] = []
        targets: list[tuple[int, int | None, str, float, float | None]] = []
        for index, kpi_id in enumerate(kpis):
            band = directions[index % 4] == "band"
            for unit_id in units:
                level = rng.uniform(50, 150)
                for month, key in enumerate(keys):
                    value = level * (1 + 0.002 * month) + rng.gauss(0, level * 0.05)
                    measurements.append((kpi_id, unit_id, key, round(value, 2), "", "bench", None))
                    goal = round(level * (1 + 0.002 * month) * 1.02, 1)
                    targets.append((kpi_id, unit_id, key, goal, goal * 1.1 if band else None))
        queries.insert_measurements(measurements)
        queries.insert_targets(targets)
    workspace.checkpoint()
    return workspace


class Timing:
    """Median wall-clock and CPU time of several runs, in milliseconds.

    CPU time (this process's) is printed beside wall time: on a busy machine the wall time
    also counts the time other processes held the CPU.
    """

    def __init__(self, action: Callable[[], object], runs: int = RUNS) -> None:
        action()  # warm: caches, first paint, lazy imports
        walls, cpus = [], []
        for _run in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        self.wall = statistics.median(walls) * 1000
        self.cpu = statistics.median(cpus) * 1000

    def __str__(self) -> str:
        return f"{self.wall:.0f} ms (CPU {self.cpu:.0f} ms)"


def bench_charts() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("KPIDESK_HOME", tempfile.mkdtemp(prefix="kpidesk-bench-home-"))
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])

    from kpidesk.services.charts import chart_data
    from kpidesk.services.scorecard import build_scorecard, needed_range
    from kpidesk.ui.charts.kpi_chart import KpiChartWindow
    from kpidesk.ui.pages.scorecard import ScorecardPage
    from kpidesk.ui.session import WorkspaceSession
    from kpidesk.ui.settings import AppSettings

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        workspace = generate(Path(folder) / "bench.kpidesk")
        made = time.perf_counter() - started
        session = WorkspaceSession(AppSettings())
        session.attach(workspace)
        root = models.Unit.get(models.Unit.parent.is_null()).id
        units = [u.id for u in models.Unit.select().where(models.Unit.parent == root)]
        kpis = [k.id for k in models.Kpi.select().order_by(models.Kpi.sort_order)]
        session.set_period(NEWEST)
        session.set_unit(root)
        size = f"{KPIS} KPIs × {UNITS} units × {MONTHS} months"
        print(f"generated {size} ({KPIS * UNITS * MONTHS:,} values and targets) in {made:.1f} s")

        page = ScorecardPage(session)
        page.resize(1280, 800)
        page.show()
        app.processEvents()

        def refresh() -> None:
            page.refresh()
            page.grab()

        scorecard = Timing(refresh)
        built = Timing(lambda: build_scorecard(NEWEST, root))
        keys = [
            period.key
            for kind in PeriodKind
            for period in period_range(*needed_range(NEWEST, kind))
        ]
        raw = Timing(
            lambda: (queries.measurements_for_periods(keys), queries.targets_for_periods(keys))
        )
        print(
            f"scorecard refresh ({size}): {scorecard} (goal < 150 ms); "
            f"build_scorecard alone {built}; raw SQL read of the rows it loads {raw}"
        )
        page.hide()

        window = KpiChartWindow(session)
        window.resize(1280, 720)
        window.show()
        window.show_kpi(kpis[0], units)
        app.processEvents()
        window.grab()
        cycle = iter(range(10**9))
        shows: list[float] = []
        paints: list[float] = []

        def switch() -> None:
            started = time.perf_counter()
            window.show_kpi(kpis[1 + next(cycle) % (len(kpis) - 1)])
            shown = time.perf_counter()
            window.grab()
            shows.append(shown - started)
            paints.append(time.perf_counter() - shown)

        switched = Timing(switch)
        show_ms, paint_ms = (statistics.median(part[1:]) * 1000 for part in (shows, paints))
        counter = iter(range(10**9))
        data_only = Timing(
            lambda: chart_data(
                kpis[1 + next(counter) % (len(kpis) - 1)],
                units,
                PeriodKind.MONTH,
                until=NEWEST,
                forecast_units=units[:1],
            )
        )
        rows = iter(range(10**9))
        raw_chart = Timing(
            lambda: (
                queries.measurements_of_kpis([kpis[1 + next(rows) % (len(kpis) - 1)]]),
                queries.targets_of_kpis([kpis[1 + next(rows) % (len(kpis) - 1)]]),
            )
        )
        curves = sum(curve.isVisible() for curve in window.unit_curves)
        print(
            f"chart switch to another KPI ({UNITS} units × {MONTHS} months, {curves} curves, "
            f"forecast, table, paint): {switched} (goal < 50 ms; show {show_ms:.0f} + paint "
            f"{paint_ms:.0f}); chart data alone "
            f"{data_only}; raw SQL read of the KPI's rows {raw_chart}"
        )
        window.close()
        session.close()
