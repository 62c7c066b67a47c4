"""Importing a long-format workbook: ``kpidesk import`` as a process beside a bare read.

A workbook of 20 units × 30 KPIs × months (one row per value, in the order a monthly export
has them: month by month) is written with xlsxwriter, then, in the same run:

- the whole ``kpidesk import WORKSPACE FILE --create-missing`` command into a new workspace
  (reading in its reader process, checking, storing, folding the WAL back on close);
- a process that only reads the same file with python-calamine (``to_python()``).

Each is timed as a process, with its peak memory (``wait4``'s ``ru_maxrss``: the process and
the children it waited for, so the import's reader process counts too). Goal for 1,000,000
rows: at most 1.5× the bare read, under 500 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (10_000, 100_000, 1_000_000)
UNITS = 20
KPIS = 30
BARE_READ = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()\n"
    "assert len(rows) > 1\n"
)


def write_workbook(path: Path, rows: int) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Data")
    sheet.write_row(0, 0, ["Månad", "Butik", "Nyckeltal", "Värde"])
    units = [f"Butik {n + 1}" for n in range(UNITS)]
    kpis = [f"Nyckeltal {n + 1}" for n in range(KPIS)]
    written = 0
    month = 0
    while written < rows:
        period = f"{1900 + month // 12:04d}-{month % 12 + 1:02d}"
        for unit in units:
            for kpi in kpis:
                if written >= rows:
                    break
                written += 1
                sheet.write_row(written, 0, [period, unit, kpi, (written * 7919 % 100_000) / 10])
        month += 1
    workbook.close()


MEASURE = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "errors = process.stderr.read()\n"
    "_pid, status, usage = os.wait4(process.pid, 0)\n"
    "elapsed = time.perf_counter() - start\n"
    "code = os.waitstatus_to_exitcode(status)\n"
    "sys.stderr.write(errors.decode('utf-8', 'replace')[-500:] if code else '')\n"
    "print(json.dumps([elapsed, usage.ru_maxrss / 1024, code]))\n"
)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak MB of the process and its children, exit code).

    Measured by a small process that starts ``command``: a child forked from this large
    one would count this process's memory in its peak (Linux counts a child's resident
    memory before it runs the new program).
    """
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], env=env, capture_output=True, text=True
    )
    if measured.stderr.strip():
        print(measured.stderr.strip()[-500:], file=sys.stderr)
    elapsed, peak, code = json.loads(measured.stdout)
    return elapsed, peak, code


def bench_import() -> None:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        print("import: skipped (xlsxwriter is not installed: make bench installs the bench extra)")
        return
    python = sys.executable
    env = dict(os.environ, LANGUAGE="en")
    with tempfile.TemporaryDirectory(prefix="kpidesk-bench-import-") as folder:
        for rows in SIZES:
            book = Path(folder) / f"long-{rows}.xlsx"
            write_workbook(book, rows)
            workspace = Path(folder) / f"bench-{rows}.kpidesk"
            created = subprocess.run(
                [python, "-m", "kpidesk.cli", "new", str(workspace)],
                env=env,
                capture_output=True,
                text=True,
            )
            if created.returncode:
                print(f"import: could not create a workspace: {created.stderr.strip()}")
                return
            read_s, read_mb, read_code = timed([python, "-c", BARE_READ, str(book)], env)
            import_s, import_mb, code = timed(
                [
                    python,
                    "-m",
                    "kpidesk.cli",
                    "import",
                    str(workspace),
                    str(book),
                    "--create-missing",
                ],
                env,
            )
            if code or read_code:
                print(f"import {rows:,} rows: failed (exit {code}, bare read exit {read_code})")
                continue
            print(
                f"import {rows:,} rows: kpidesk import {import_s:.2f} s ({import_mb:.0f} MB peak), "
                f"calamine to_python {read_s:.2f} s ({read_mb:.0f} MB peak), "
                f"ratio {import_s / read_s:.2f}"
            )
            book.unlink()


if __name__ == "__main__":
    bench_import()
