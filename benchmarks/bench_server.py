"""A workspace on a PostgreSQL server beside the same workspace in a file.

The workspace of ``bench_charts`` (100 KPIs × 20 units × 120 months: 240,000 values and as
many targets) is written as a file and published onto a throw-away PostgreSQL server started
for the run (as the tests start theirs: ``tests/pgserver.py``; skipped where PostgreSQL is not
installed). Then, in the same run, on both:

- a scorecard refresh's reading and roll-up (``build_scorecard`` for the newest month at the
  root);
- a chart switch's (``chart_data`` for another KPI with all 20 units, the KPI definitions
  kept as the chart window keeps them);

each the median of several runs, with the server's figure as a ratio of the file's (goal
≤ 1.5), and the round trips each makes to the server, counted in libpq's own trace of the
connection (a client message answered by the server is one; goal ≤ 5). On a LAN a round trip
costs about 0.5 ms; over a VPN 20 ms or more, so every one saved counts there.

Then ``kpidesk import URL FILE --create-missing`` of the long workbooks of ``bench_import``
(100,000 and 1,000,000 rows) into a new workspace on the server, as a process, beside the
bare calamine read of the same file (goal for 1,000,000 rows: at most 1.5×). On the server an
import is ``COPY`` into a temporary stage and one merge (``store/bulk.py``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_charts import KPIS, MONTHS, NEWEST, UNITS, Timing, generate  # noqa: E402

_WAITS = ("Sync", "Query")


class RoundTrips:
    """Counts the round trips of one connection through libpq's trace (``PQtrace``): each
    time the client asks the server to answer (a ``Sync`` after extended-protocol messages,
    or a simple ``Query``) it waits for a ``ReadyForQuery``, however many statements a
    pipeline sent before it."""

    def __init__(self, workspace) -> None:
        import psycopg

        self.connection = workspace.connection
        self.file = tempfile.NamedTemporaryFile("w+", prefix="kpidesk-trace-", delete=False)  # noqa: SIM115 - kept open across counts
        self.flags = psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE

    def count(self, action) -> int:
        self.file.seek(0)
        self.file.truncate()
        pgconn = self.connection.pgconn
        pgconn.trace(self.file.fileno())
        pgconn.set_trace_flags(self.flags)
        try:
            action()
        finally:
            pgconn.untrace()
        self.file.flush()
        with open(self.file.name, encoding="utf-8", errors="replace") as trace:
            fields = [line.split("\t") for line in trace]
        return sum(1 for f in fields if len(f) > 2 and f[0] == "F" and f[2].strip() in _WAITS)

    def close(self) -> None:
        self.file.close()
        os.unlink(self.file.name)


def bench_server() -> None:
    try:
        from tests.pgserver import start_server

        server = start_server()
    except (LookupError, RuntimeError, ImportError) as error:
        print(f"server: skipped ({error})")
        return
    try:
        _bench(server)
        _bench_import(server)
    finally:
        server.stop()


def _bench(server) -> None:
    from kpidesk.domain.periods import PeriodKind
    from kpidesk.services.charts import chart_data, load_specs
    from kpidesk.services.scorecard import build_scorecard
    from kpidesk.services.servers import publish
    from kpidesk.store import models
    from kpidesk.store.workspace import Workspace

    print(f"server: PostgreSQL started in {server.started_in:.1f} s")
    with tempfile.TemporaryDirectory(prefix="kpidesk-bench-server-") as folder:
        path = Path(folder) / "bench.kpidesk"
        generate(path).close()
        url = server.url(server.new_database(schema=False))
        started = time.perf_counter()
        publish(path, url)
        print(
            f"publish {KPIS} KPIs × {UNITS} units × {MONTHS} months onto the server: "
            f"{time.perf_counter() - started:.1f} s"
        )
        figures = {}
        trips = {}
        for name, location in (("file", path), ("server", url)):
            workspace = Workspace.open(location, read_only=True)
            with workspace.bound():
                root = models.Unit.get(models.Unit.parent.is_null()).id
                units = [u.id for u in models.Unit.select().where(models.Unit.parent == root)]
                kpis = [k.id for k in models.Kpi.select().order_by(models.Kpi.sort_order)]
                specs = load_specs()
                cycle = iter(range(10**9))

                def refresh(root=root) -> None:
                    build_scorecard(NEWEST, root)

                def switch(kpis=kpis, units=units, specs=specs, cycle=cycle) -> None:
                    chart_data(
                        kpis[1 + next(cycle) % (len(kpis) - 1)],
                        units,
                        PeriodKind.MONTH,
                        until=NEWEST,
                        forecast_units=units[:1],
                        specs=specs,
                    )

                figures[name] = (Timing(refresh), Timing(switch))
                if name == "server":
                    counter = RoundTrips(workspace)
                    trips = {"refresh": counter.count(refresh), "switch": counter.count(switch)}
                    trips["fresh chart"] = counter.count(
                        lambda kpis=kpis, units=units: chart_data(
                            kpis[3], units, PeriodKind.MONTH, until=NEWEST
                        )
                    )
                    counter.close()
            workspace.close()
    (file_refresh, file_switch), (server_refresh, server_switch) = (
        figures["file"],
        figures["server"],
    )
    print(
        f"scorecard refresh on the server: {server_refresh}, in a file {file_refresh} (ratio "
        f"{server_refresh.wall / file_refresh.wall:.2f}; goal ≤ 1.5); "
        f"{trips['refresh']} round trips (goal ≤ 5)"
    )
    print(
        f"chart switch on the server: {server_switch}, in a file {file_switch} (ratio "
        f"{server_switch.wall / file_switch.wall:.2f}; goal ≤ 1.5); "
        f"{trips['switch']} round trips (goal ≤ 5; {trips['fresh chart']} when the KPI "
        "definitions are read too)"
    )


IMPORT_SIZES = (100_000, 1_000_000)


def _bench_import(server) -> None:
    import subprocess

    from bench_import import BARE_READ, timed, write_workbook

    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        print("server import: skipped (xlsxwriter is not installed: the bench extra has it)")
        return
    python = sys.executable
    env = dict(os.environ, LANGUAGE="en")
    with tempfile.TemporaryDirectory(prefix="kpidesk-bench-server-import-") as folder:
        for rows in IMPORT_SIZES:
            book = Path(folder) / f"long-{rows}.xlsx"
            write_workbook(book, rows)
            url = server.url(server.new_database(schema=True))
            created = subprocess.run(
                [python, "-m", "kpidesk.cli", "new", url], env=env, capture_output=True, text=True
            )
            if created.returncode:
                print(f"server import: could not create a workspace: {created.stderr.strip()}")
                return
            read_s, _read_mb, read_code = timed([python, "-c", BARE_READ, str(book)], env)
            command = [python, "-m", "kpidesk.cli", "import", url, str(book), "--create-missing"]
            import_s, import_mb, code = timed(command, env)
            if code or read_code:
                print(f"server import {rows:,} rows: failed (exit {code}, bare read {read_code})")
                continue
            print(
                f"server import {rows:,} rows: kpidesk import into PostgreSQL {import_s:.2f} s "
                f"({import_mb:.0f} MB peak), calamine to_python {read_s:.2f} s, "
                f"ratio {import_s / read_s:.2f} (goal ≤ 1.5 for 1,000,000)"
            )
            book.unlink()


if __name__ == "__main__":
    os.environ.setdefault("KPIDESK_HOME", tempfile.mkdtemp(prefix="kpidesk-bench-home-"))
    bench_server()
