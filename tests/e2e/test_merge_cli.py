"""``kpidesk merge`` end to end: two plain copies of the demo (``shutil.copy``, as a file
mailed and opened elsewhere), each given its own import and one value changed differently."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

from tests.e2e.test_server_cli import kpidesk, ok, one_line_error

CELL = ("REV", "Luleå store", "2026-05")


def _sheet(path: Path, rows: list[tuple[str, str, str, float]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi_code", "kpi", "unit", "period", "value", "comment"])
        for code, unit, period, value in rows:
            writer.writerow([code, "", unit, period, value, ""])
    return path


def _values(location, tmp_path: Path) -> dict[tuple[str, str, str], float]:
    target = tmp_path / "values.csv"
    target.unlink(missing_ok=True)
    ok(kpidesk("export", location, "--csv", target))
    with target.open(encoding="utf-8") as handle:
        return {
            (row["kpi_code"], row["unit"], row["period"]): float(row["value"])
            for row in csv.DictReader(handle)
        }


def _batches(location) -> list[str]:
    listed = json.loads(ok(kpidesk("import", location, "--list", "--json")))
    return sorted(batch["file_name"] for batch in listed["imports"])


def _fork(mine, theirs: Path, tmp_path: Path) -> None:
    """Each side imports a sheet of its own holding new values and ``CELL`` changed."""
    a = _sheet(
        tmp_path / "march-a.csv",
        [
            ("REV", "Luleå store", "2026-11", 1000.0),
            ("REV", "Umeå store", "2026-11", 1100.0),
            (*CELL, 111.0),
        ],
    )
    b = _sheet(
        tmp_path / "march-b.csv",
        [
            ("REV", "Luleå store", "2026-12", 2000.0),
            ("REV", "Umeå store", "2026-12", 2100.0),
            (*CELL, 222.0),
        ],
    )
    ok(kpidesk("import", mine, a, "--on-conflict", "replace"))
    ok(kpidesk("import", theirs, b, "--on-conflict", "replace"))


def _scenario(mine, theirs: Path, tmp_path: Path) -> None:
    before = _values(mine, tmp_path)
    assert before[CELL] == 111.0
    refused = kpidesk("merge", mine, theirs)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "1 conflict" in refused.stderr
    assert "Luleå store" in refused.stderr and "May 2026" in refused.stderr
    assert "111" in refused.stderr and "222" in refused.stderr
    assert _values(mine, tmp_path) == before
    assert _batches(mine) == ["march-a.csv"]

    merged = ok(kpidesk("merge", mine, theirs, "--prefer", "theirs"))
    assert "Merged" in merged
    after = _values(mine, tmp_path)
    assert after[CELL] == 222.0
    assert after[("REV", "Luleå store", "2026-11")] == 1000.0
    assert after[("REV", "Luleå store", "2026-12")] == 2000.0
    assert after[("REV", "Umeå store", "2026-12")] == 2100.0
    assert _batches(mine) == ["march-a.csv", "march-b.csv"]
    assert len(after) == len(before) + 2

    again = json.loads(ok(kpidesk("merge", mine, theirs, "--json")))
    assert again == {"applied": {}, "conflicts": []}
    assert _values(mine, tmp_path) == after
    ok(kpidesk("check", mine))


def test_two_plain_copies_merged(demo_file, tmp_path):
    a, b = tmp_path / "a.kpidesk", tmp_path / "b.kpidesk"
    shutil.copy(demo_file, a)
    shutil.copy(demo_file, b)
    _fork(a, b, tmp_path)
    _scenario(a, b, tmp_path)


def test_a_server_workspace_merged_with_a_file_taken_out(demo_file, pg_url, tmp_path):
    ok(kpidesk("publish", demo_file, pg_url))
    trip = tmp_path / "trip.kpidesk"
    ok(kpidesk("copy", pg_url, trip))
    _fork(pg_url, trip, tmp_path)
    _scenario(pg_url, trip, tmp_path)


def test_json_and_dry_run_report_every_conflict_and_change_nothing(demo_file, tmp_path):
    a, b = tmp_path / "a.kpidesk", tmp_path / "b.kpidesk"
    shutil.copy(demo_file, a)
    shutil.copy(demo_file, b)
    _fork(a, b, tmp_path)
    bytes_before = a.read_bytes()
    result = kpidesk("merge", a, b, "--json", "--dry-run")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert set(report) == {"applied", "conflicts"}
    assert report["applied"] == {"import_batch": 1, "import_change": 1, "measurement": 2}
    (conflict,) = report["conflicts"]
    assert set(conflict) == {"table", "what", "mine", "theirs", "changed_by", "changed_at"}
    assert conflict["mine"]["value"] == 111.0 and conflict["theirs"]["value"] == 222.0
    assert set(conflict["changed_by"]) == {"mine", "theirs"}
    preferred = json.loads(ok(kpidesk("merge", a, b, "--json", "--dry-run", "--prefer", "mine")))
    assert preferred["applied"] == {"import_batch": 1, "import_change": 1, "measurement": 2}
    assert len(preferred["conflicts"]) == 1
    assert a.read_bytes() == bytes_before

    ok(kpidesk("merge", a, b, "--prefer", "mine"))
    assert _values(a, tmp_path)[CELL] == 111.0


def test_not_copies_and_a_missing_copy_are_refused(demo_file, tmp_path):
    a, other = tmp_path / "a.kpidesk", tmp_path / "other.kpidesk"
    shutil.copy(demo_file, a)
    ok(kpidesk("new", other, "--name", "Another AB"))
    line = one_line_error(kpidesk("merge", a, other), 1)
    assert "not copies of one workspace" in line
    one_line_error(kpidesk("merge", a, tmp_path / "missing.kpidesk"), 3)
    sv = one_line_error(kpidesk("merge", a, other, env_extra={"LANGUAGE": "sv"}), 1)
    assert "inte kopior" in sv
    with sqlite3.connect(a) as connection:
        assert connection.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
