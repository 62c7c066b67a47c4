"""``kpidesk backup``, ``backups`` and ``restore`` as a user runs them: real processes."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpidesk.store.migrations import SCHEMA_VERSION


def kpidesk(*args, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    env.setdefault("LANGUAGE", "en")
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(result, code: int) -> str:
    assert result.returncode == code, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and lines[0].startswith("kpidesk: ")
    return lines[0]


def units(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM unit")}
    finally:
        connection.close()


def add_unit(path: Path, name: str) -> None:
    script = (
        "import sys\nfrom kpidesk.store import models\n"
        "from kpidesk.store.workspace import Workspace\n"
        "with Workspace.open(sys.argv[1]) as w, w.atomic():\n"
        "    root = models.Unit.get(models.Unit.parent.is_null())\n"
        "    models.Unit.create(name=sys.argv[2], parent=root)"
    )
    subprocess.run([sys.executable, "-c", script, str(path), name], check=True)


def test_backup_then_list_then_restore(demo_copy, tmp_path):
    made = kpidesk("backup", demo_copy)
    assert made.returncode == 0, made.stderr
    copy = Path(made.stdout.strip())
    assert copy.is_file() and copy.name.endswith(" manual.kpidesk")
    assert units(copy) == units(demo_copy)

    add_unit(demo_copy, "Opened after the backup")  # no automatic copy: one was just made

    listed = kpidesk("backups", demo_copy)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "newest first" in lines[0] and str(demo_copy) in lines[0]
    assert lines[1].split() == ["#", "date", "reason", "KPIs", "units", "measurements", "size"]
    assert len(lines) == 3 and lines[2].split()[:4] == ["1", *lines[2].split()[1:3], "by"]

    restored = kpidesk("restore", demo_copy, "1")
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout and "before the restore was kept" in restored.stdout
    assert "Opened after the backup" not in units(demo_copy)
    assert units(demo_copy) == units(copy)
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == [demo_copy.name]

    rows = [line.split() for line in kpidesk("backups", demo_copy).stdout.splitlines()[2:]]
    assert [row[0] for row in rows] == ["1", "2"]
    assert rows[0][3:6] == ["before", "a", "restore"] and rows[1][3:5] == ["by", "hand"]
    assert (rows[0][1], rows[0][2]) >= (rows[1][1], rows[1][2])  # newest first
    kpis_units_measurements = slice(-5, -2)
    before_restore, by_hand = rows[0][kpis_units_measurements], rows[1][kpis_units_measurements]
    assert int(before_restore[1]) == int(by_hand[1]) + 1  # the unit added in between
    assert before_restore[0] == by_hand[0] and before_restore[2] == by_hand[2]

    undone = kpidesk("restore", demo_copy, "1")  # the restore can be undone
    assert undone.returncode == 0, undone.stderr
    assert "Opened after the backup" in units(demo_copy)


def test_backup_to_a_folder_and_restore_by_path(demo_copy, tmp_path):
    folder = tmp_path / "usb"
    made = kpidesk("backup", demo_copy, "--to", folder)
    assert made.returncode == 0, made.stderr
    copy = Path(made.stdout.strip())
    assert copy.parent == folder
    add_unit(demo_copy, "Later")
    restored = kpidesk("restore", demo_copy, copy)
    assert restored.returncode == 0, restored.stderr
    assert "Later" not in units(demo_copy)


def test_backups_of_a_workspace_without_any(demo_copy, tmp_path):
    result = kpidesk("backups", demo_copy)
    assert result.returncode == 0 and "has no backups yet" in result.stdout
    line = one_line_error(kpidesk("backups", tmp_path / "nope.kpidesk"), 3)
    assert "no such file" in line


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("missing", 3, "no such file"),
        ("empty", 3, "is empty"),
        ("text", 3, "not a KPI Desk workspace"),
        ("truncated", 3, "is damaged"),
        ("newer", 4, "newer version"),
    ],
)
def test_backup_of_a_bad_file(tmp_path, demo_file, kind, code, words):
    path = tmp_path / "bad.kpidesk"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("kpi;value\n")
    elif kind == "truncated":
        path.write_bytes(demo_file.read_bytes()[:50_000])
    elif kind == "newer":
        path.write_bytes(demo_file.read_bytes())
        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
        connection.close()
    before = digest(path) if path.exists() else None
    line = one_line_error(kpidesk("backup", path), code)
    assert words in line and "bad.kpidesk" in line
    assert (digest(path) if path.exists() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ([path.name] if before else [])


def test_backup_to_a_place_that_cannot_be_written(demo_copy, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    line = one_line_error(kpidesk("backup", demo_copy, "--to", blocker / "sub"), 1)
    assert "Could not write the backup" in line


def test_restore_refusals_are_one_line_and_change_nothing(demo_copy, demo_file, tmp_path):
    made = kpidesk("backup", demo_copy)
    assert made.returncode == 0, made.stderr
    before = digest(demo_copy)

    line = one_line_error(kpidesk("restore", demo_copy, "9"), 2)
    assert "no backup number 9" in line and "1 to 1" in line

    not_a_workspace = tmp_path / "notes.txt"
    not_a_workspace.write_text("hello")
    line = one_line_error(kpidesk("restore", demo_copy, not_a_workspace), 3)
    assert "not a KPI Desk workspace" in line

    newer = tmp_path / "newer.kpidesk"
    newer.write_bytes(demo_file.read_bytes())
    connection = sqlite3.connect(newer)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    one_line_error(kpidesk("restore", demo_copy, newer), 4)

    line = one_line_error(kpidesk("restore", demo_copy, tmp_path / "gone.kpidesk"), 3)
    assert "no such file" in line
    one_line_error(kpidesk("restore"), 2)

    assert digest(demo_copy) == before
    listed = kpidesk("backups", demo_copy).stdout.splitlines()
    assert len(listed) == 3  # title, header and the one backup: no restore was attempted


def test_restore_while_another_kpidesk_has_it_open(demo_copy):
    made = kpidesk("backup", demo_copy)
    copy = made.stdout.strip()
    script = textwrap.dedent(
        f"""
        import time
        from kpidesk.store.workspace import Workspace
        workspace = Workspace.open({str(demo_copy)!r})
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = digest(demo_copy)
        line = one_line_error(kpidesk("restore", demo_copy, copy), 5)
        assert "open in another KPI Desk" in line and f"process {holder.pid}" in line
        assert "close it there before restoring" in line
        assert digest(demo_copy) == before
        backed_up = kpidesk("backup", demo_copy)  # a copy can still be made while it is open
        assert backed_up.returncode == 0, backed_up.stderr
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    restored = kpidesk("restore", demo_copy, copy)  # a killed holder does not block it
    assert restored.returncode == 0, restored.stderr
