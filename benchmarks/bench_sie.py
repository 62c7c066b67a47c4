"""Importing a SIE 4 file: the reader and ``kpidesk import`` beside a bare read of its lines.

A SIE 4 file of 1,000,000 ``#TRANS`` rows (250,000 vouchers of four rows over twelve months,
a quarter of the rows on one of eight cost centres, amounts with öre) is written, then, in
the same run:

- in this process: the SIE reader alone (``read_sie``, which sums the rows as it reads),
  beside Python reading the file (CP437) and splitting every line into fields;
- as processes: the whole ``kpidesk import WORKSPACE FILE --create-missing`` into a new
  workspace, beside a process that only reads and splits the lines.

Goal: the import at most 2× the bare read and split.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import timed

ROWS = 1_000_000
ROWS_PER_VOUCHER = 4
COST_CENTRES = 8
BARE_SPLIT = (
    "import sys\n"
    "with open(sys.argv[1], encoding='cp437') as handle:\n"
    "    fields = 0\n"
    "    for line in handle:\n"
    "        fields += len(line.split())\n"
    "assert fields > 0\n"
)


def write_sie(path: Path, rows: int = ROWS) -> None:
    """A SIE 4 file of ``rows`` #TRANS rows in balanced vouchers of four rows."""
    lines = [
        "#FLAGGA 0",
        '#PROGRAM "KPI Desk benchmark" 1.0',
        "#FORMAT PC8",
        "#GEN 20260105",
        "#SIETYP 4",
        '#FNAMN "Bänkföretaget AB"',
        "#ORGNR 556000-0000",
        "#RAR 0 20250101 20251231",
        "#RAR -1 20240101 20241231",
        "#KPTYP BAS2014",
        '#DIM 1 "Kostnadsställe"',
    ]
    lines += [f'#OBJEKT 1 "{n + 1}" "Butik {n + 1}"' for n in range(COST_CENTRES)]
    accounts = {
        "1510": "Kundfordringar",
        "1930": "Företagskonto",
        "2440": "Leverantörsskulder",
        "2611": "Utgående moms 25 %",
        "2641": "Ingående moms",
        "3010": "Försäljning",
        "4010": "Varuinköp",
        "5010": "Lokalhyra",
        "7010": "Löner",
    }
    lines += [f'#KONTO {number} "{name}"' for number, name in accounts.items()]
    lines += ["#IB 0 1930 250000.00", "#IB 0 2440 -50000.00", "#IB 0 2081 -200000.00"]
    with open(path, "w", encoding="cp437", newline="\r\n") as handle:
        handle.write("\n".join(lines) + "\n")
        vouchers = rows // ROWS_PER_VOUCHER
        chunk: list[str] = []
        for number in range(1, vouchers + 1):
            month = number * 12 // (vouchers + 1) + 1
            day = number % 28 + 1
            date = f"2025{month:02d}{day:02d}"
            net = 100 + number * 7919 % 900_000 / 100
            vat = round(net * 0.25, 2)
            gross = round(net + vat, 2)
            kind = number % 4
            centre = f'{{1 "{number % COST_CENTRES + 1}"}}' if number % 2 else "{}"
            chunk.append(f'#VER A {number} {date} "Verifikation {number}"')
            chunk.append("{")
            if kind == 0:  # a sale
                chunk.append(f"#TRANS 1510 {{}} {gross:.2f} {date}")
                chunk.append(f"#TRANS 2611 {{}} {-vat:.2f} {date}")
                chunk.append(f'#TRANS 3010 {centre} {-net:.2f} {date} "Försäljning"')
                chunk.append(f"#TRANS 1930 {{}} 0.00 {date}")
            elif kind == 1:  # a purchase
                chunk.append(f"#TRANS 2440 {{}} {-gross:.2f} {date}")
                chunk.append(f"#TRANS 2641 {{}} {vat:.2f} {date}")
                chunk.append(f"#TRANS 4010 {centre} {net:.2f} {date}")
                chunk.append(f"#TRANS 1930 {{}} 0.00 {date}")
            elif kind == 2:  # rent and a payment
                chunk.append(f"#TRANS 5010 {centre} {net:.2f} {date}")
                chunk.append(f"#TRANS 1930 {{}} {-net:.2f} {date}")
                chunk.append(f"#TRANS 1510 {{}} {-gross:.2f} {date}")
                chunk.append(f"#TRANS 1930 {{}} {gross:.2f} {date}")
            else:  # wages
                chunk.append(f"#TRANS 7010 {centre} {net:.2f} {date}")
                chunk.append(f"#TRANS 1930 {{}} {-net:.2f} {date}")
                chunk.append(f"#TRANS 2440 {{}} {gross:.2f} {date}")
                chunk.append(f"#TRANS 1930 {{}} {-gross:.2f} {date}")
            chunk.append("}")
            if len(chunk) > 60_000:
                handle.write("\n".join(chunk) + "\n")
                chunk = []
        handle.write("\n".join(chunk) + "\n")


def _bare_split(path: Path) -> float:
    started = time.perf_counter()
    fields = 0
    with open(path, encoding="cp437") as handle:
        for line in handle:
            fields += len(line.split())
    assert fields > 0
    return time.perf_counter() - started


def _reader(path: Path) -> float:
    from kpidesk.io.sie import read_sie

    started = time.perf_counter()
    sie = read_sie(path)
    elapsed = time.perf_counter() - started
    assert sie.transaction_rows == ROWS, sie.transaction_rows
    return elapsed


def bench_sie() -> None:
    python = sys.executable
    env = dict(os.environ, LANGUAGE="en")
    with tempfile.TemporaryDirectory(prefix="kpidesk-bench-sie-") as folder:
        path = Path(folder) / "bench.se"
        write_sie(path)
        size = path.stat().st_size / 1024**2
        gc.collect()
        bare = min(_bare_split(path) for _ in range(3))
        reader = min(_reader(path) for _ in range(3))
        print(
            f"SIE reader, {ROWS:,} #TRANS rows ({size:.0f} MB): read_sie {reader:.2f} s, "
            f"Python reading and splitting the lines {bare:.2f} s, ratio {reader / bare:.2f}"
        )
        workspace = Path(folder) / "bench.kpidesk"
        created = subprocess.run(
            [python, "-m", "kpidesk.cli", "new", str(workspace)],
            env=env,
            capture_output=True,
            text=True,
        )
        if created.returncode:
            print(f"SIE import: could not create a workspace: {created.stderr.strip()}")
            return
        split_s, split_mb, split_code = timed([python, "-c", BARE_SPLIT, str(path)], env)
        import_s, import_mb, code = timed(
            [python, "-m", "kpidesk.cli", "import", str(workspace), str(path), "--create-missing"],
            env,
        )
        if code or split_code:
            print(f"SIE import: failed (exit {code}, bare split exit {split_code})")
            return
        print(
            f"SIE import, {ROWS:,} #TRANS rows: kpidesk import {import_s:.2f} s "
            f"({import_mb:.0f} MB peak), a process reading and splitting the lines "
            f"{split_s:.2f} s ({split_mb:.0f} MB peak), ratio {import_s / split_s:.2f} (goal ≤ 2)"
        )


if __name__ == "__main__":
    bench_sie()
