"""The command line as a user runs it: a real process, real files, exit codes and stderr."""

import csv
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kpidesk.store.migrations import SCHEMA_VERSION


def kpidesk(*args, env_extra=None, cwd=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    env.setdefault("LANGUAGE", "en")
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(result, code):
    assert result.returncode == code, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_version():
    result = kpidesk("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("KPI Desk ")


def test_demo_check_and_export(tmp_path):
    demo = tmp_path / "demo.kpidesk"
    result = kpidesk("demo", demo, "--until", "2026-10")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.kpidesk"]

    checked = kpidesk("check", demo)
    assert checked.returncode == 0, checked.stderr
    counts = dict(
        (line.split()[0], int(line.split()[1])) for line in checked.stdout.splitlines()[1:]
    )
    assert counts["unit"] >= 4 and counts["kpi"] >= 12 and counts["review"] == 1
    assert counts["measurement"] > 1000 and counts["action"] >= 3

    out = tmp_path / "measurements.csv"
    exported = kpidesk("export", demo, "--csv", out)
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["kpi_code", "kpi", "unit", "period", "value", "comment"]
    assert len(rows) - 1 == counts["measurement"]
    connection = sqlite3.connect(demo)
    stored = connection.execute(
        "SELECT k.code, u.name, m.period, m.value FROM measurement m JOIN kpi k ON k.id = m.kpi_id"
        " JOIN unit u ON u.id = m.unit_id"
    ).fetchall()
    connection.close()
    assert sorted((r[0], r[2], r[3], float(r[4])) for r in rows[1:]) == sorted(stored)
    periods = {r[3] for r in rows[1:]}
    assert "2026-10" in periods and "2026-Q3" in periods
    assert "2026-Q4" not in periods  # the quarter is not complete until December


def test_demo_is_deterministic(tmp_path):
    a, b = tmp_path / "a.kpidesk", tmp_path / "b.kpidesk"
    kpidesk("demo", a, "--until", "2026-06")
    kpidesk("demo", b, "--until", "2026-06")
    ca, cb = tmp_path / "a.csv", tmp_path / "b.csv"
    kpidesk("export", a, "--csv", ca)
    kpidesk("export", b, "--csv", cb)
    assert ca.read_text() == cb.read_text()


def test_new_workspace_has_one_root_unit_named_after_it(tmp_path):
    path = tmp_path / "Bageriet i Lund.kpidesk"
    result = kpidesk("new", path)
    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT name FROM unit").fetchall() == [("Bageriet i Lund",)]
    assert connection.execute("SELECT name FROM workspace_settings").fetchone() == (
        "Bageriet i Lund",
    )
    connection.close()
    again = kpidesk("new", path, "--name", "Other")
    assert "already exists" in assert_one_line_error(again, 1)


def test_new_with_name(tmp_path):
    path = tmp_path / "client.kpidesk"
    assert kpidesk("new", path, "--name", "Kund AB").returncode == 0
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT name FROM unit").fetchone() == ("Kund AB",)
    connection.close()


@pytest.mark.parametrize("kind", ["not-a-workspace", "truncated", "newer", "empty"])
def test_check_refuses_bad_files_and_leaves_them_unchanged(tmp_path, demo_file, kind):
    path = tmp_path / "bad.kpidesk"
    if kind == "not-a-workspace":
        path.write_text("kpi;value\nREV;100\n")
        expected, code = "not a KPI Desk workspace", 3
    elif kind == "truncated":
        data = demo_file.read_bytes()
        path.write_bytes(data[: len(data) // 3])
        expected, code = "damaged", 3
    elif kind == "empty":
        path.write_bytes(b"")
        expected, code = "empty", 3
    else:
        path.write_bytes(demo_file.read_bytes())
        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
        connection.close()
        expected, code = "newer version", 4
    before = digest(path)
    line = assert_one_line_error(kpidesk("check", path), code)
    assert expected in line and "bad.kpidesk" in line
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.kpidesk"]


def test_check_and_export_of_a_missing_file(tmp_path):
    line = assert_one_line_error(kpidesk("check", tmp_path / "nope.kpidesk"), 3)
    assert "no such file" in line
    line = assert_one_line_error(
        kpidesk("export", tmp_path / "nope.kpidesk", "--csv", tmp_path / "x.csv"), 3
    )
    assert not (tmp_path / "x.csv").exists()


def test_export_to_an_unwritable_place(tmp_path, demo_file):
    line = assert_one_line_error(
        kpidesk("export", demo_file, "--csv", tmp_path / "no-such-dir" / "x.csv"), 1
    )
    assert "Could not write" in line


def test_usage_errors_are_one_line(tmp_path):
    line = assert_one_line_error(kpidesk("export", tmp_path / "x.kpidesk"), 2)
    assert "usage error" in line
    line = assert_one_line_error(kpidesk("demo", tmp_path / "d.kpidesk", "--until", "someday"), 2)
    assert "someday" in line


def test_messages_follow_the_language(tmp_path):
    result = kpidesk("check", tmp_path / "saknas.kpidesk", env_extra={"LANGUAGE": "sv"})
    assert "filen finns inte" in result.stderr
    result = kpidesk("--lang", "sv", "check", tmp_path / "saknas.kpidesk")
    assert "filen finns inte" in result.stderr
    result = kpidesk(
        "check", tmp_path / "saknas.kpidesk", "--lang", "en", env_extra={"LANGUAGE": "sv"}
    )
    assert "no such file" in result.stderr


def test_a_workspace_held_by_a_killed_process_opens(tmp_path):
    path = tmp_path / "w.kpidesk"
    assert kpidesk("new", path).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time\nfrom kpidesk.store.workspace import Workspace\n"
            f"w = Workspace.open({str(path)!r})\nprint('ready', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        blocked = kpidesk("new", tmp_path / "other.kpidesk")  # unrelated file still works
        assert blocked.returncode == 0
    finally:
        holder.kill()
        holder.wait()
    assert kpidesk("check", path).returncode == 0
    from kpidesk.store.workspace import Workspace

    Workspace.open(path).close()


def test_check_health_prints_the_findings(tmp_path):
    demo = tmp_path / "demo.kpidesk"
    kpidesk("demo", demo, "--until", "2026-10")
    result = kpidesk("check", demo, "--health")
    assert result.returncode == 0, result.stderr
    assert "Health: " in result.stdout
    assert "has only lagging KPIs" in result.stdout
