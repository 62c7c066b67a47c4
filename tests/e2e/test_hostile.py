"""Hostile but ordinary actions: typos in paths, full disks, killed processes, damaged files,
odd text in a spreadsheet. Issue #15, item by item.

Every case runs the real command line and takes a witness before and after (``kpidesk
check``, a CSV export, the sha256 of every file that must not change; see
``tests/safety.py``). A full disk is stood in for by a file-size limit (``RLIMIT_FSIZE``):
the OS then refuses any write past that size, as it refuses writes on a full disk.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.dom import minidom

import openpyxl
import pytest

from tests.safety import (
    damage_a_page,
    damage_an_index,
    hold_open_for_writing,
    is_case_insensitive,
    kpidesk,
    kpidesk_here,
    release,
    set_user_version,
    sha256,
    strays,
    unchanged,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file semantics")


@pytest.fixture
def workspace(demo_file: Path, tmp_path: Path) -> Path:
    """The demo in a client folder of its own, with one backup."""
    folder = tmp_path / "client"
    folder.mkdir()
    path = folder / "ws.kpidesk"
    shutil.copyfile(demo_file, path)
    result = kpidesk("backup", path)
    assert result.returncode == 0, result.stderr
    return path


def backups_of(workspace: Path) -> list[Path]:
    from kpidesk.services.backups import list_backups

    return [info.path for info in list_backups(workspace)]


def one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, result.stderr
    for word in words:
        assert word in line, (word, line)
    return line


def csv_file(path: Path, rows: list[list[object]], delimiter: str = ";") -> Path:
    path.write_text(
        "\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\n",
        encoding="utf-8",
    )
    return path


# 1. No command writes onto a workspace or its backups --------------------------------------


@posix_only
@pytest.mark.parametrize(
    ("spelling", "code", "words"),
    [
        ("same-name", 2, ("--csv", ".csv")),
        ("dot-slash", 2, ("--csv", ".csv")),
        ("symlink", 1, ("workspace itself",)),
        ("hard-link", 1, ("workspace itself",)),
        ("other-workspace", 1, ("is a KPI Desk workspace",)),
        ("backup", 1, ("backups folder",)),
        ("folder", 1, ("is a folder",)),
        ("dot", 2, (".csv",)),
        ("fifo", 1, ("not a regular file",)),
    ],
)
def test_export_csv_never_writes_onto_a_workspace_backup_folder_or_device(
    workspace, spelling, code, words
):
    folder = workspace.parent
    other = folder.parent / "other.kpidesk"
    shutil.copyfile(workspace, other)
    [backup] = backups_of(workspace)
    protected = [other, backup]
    cwd = folder
    if spelling == "same-name":
        target = workspace.name
    elif spelling == "dot-slash":
        target = f"./{workspace.name}"
    elif spelling == "symlink":
        (folder / "link.csv").symlink_to(workspace.name)
        target = "link.csv"
    elif spelling == "hard-link":
        os.link(workspace, folder / "hard.csv")
        target = "hard.csv"
    elif spelling == "other-workspace":
        renamed = folder.parent / "renamed.csv"
        shutil.copyfile(workspace, renamed)
        protected.append(renamed)
        target = str(renamed)
    elif spelling == "backup":
        in_backups = backup.with_name("numbers.csv")
        os.link(backup, in_backups)
        target = str(in_backups)
    elif spelling == "folder":
        (folder.parent / "out.csv").mkdir()
        target = str(folder.parent / "out.csv")
    elif spelling == "dot":
        target = "."
    else:
        os.mkfifo(folder.parent / "pipe")
        (folder / "device.csv").symlink_to(folder.parent / "pipe")
        target = "device.csv"
    before_names = sorted(p.name for p in folder.iterdir())
    with unchanged(workspace, *protected):
        result = kpidesk("export", workspace.name, "--csv", target, cwd=cwd)
        one_line(result, code, *words)
    assert sorted(p.name for p in folder.iterdir()) == before_names
    if spelling == "fifo":
        assert (folder / "device.csv").is_symlink()


@pytest.mark.parametrize("kind", ["pack", "pdf", "template"])
def test_every_export_kind_refuses_a_workspace_however_named(workspace, kind):
    suffix = ".pdf" if kind == "pdf" else ".xlsx"
    alias = workspace.parent.parent / f"alias{suffix}"
    os.link(workspace, alias)
    with unchanged(workspace):
        one_line(kpidesk("export", workspace, f"--{kind}", alias), 1, "workspace itself")
    twin = workspace.parent.parent / f"twin{suffix}"
    shutil.copyfile(workspace, twin)
    with unchanged(workspace, twin):
        one_line(kpidesk("export", workspace, f"--{kind}", twin), 1, "KPI Desk workspace")


def test_an_export_whose_name_does_not_fit_its_kind_is_a_usage_error(workspace, tmp_path):
    with unchanged(workspace):
        one_line(kpidesk("export", workspace, "--pdf", tmp_path / "r.xlsx"), 2, ".pdf")
        one_line(kpidesk("export", workspace, "--pack", tmp_path / "r.pdf"), 2, ".xlsx")
        one_line(kpidesk("export", workspace, "--csv", tmp_path / "r.txt"), 2, ".csv")
    assert not list(tmp_path.glob("r.*"))


def test_backup_to_refuses_a_file_and_the_backups_folder(workspace):
    other = workspace.parent.parent / "other.kpidesk"
    shutil.copyfile(workspace, other)
    [backup] = backups_of(workspace)
    with unchanged(workspace, other, backup):
        one_line(kpidesk("backup", workspace, "--to", other), 1, "is a file", "--to")
        one_line(kpidesk("backup", workspace, "--to", workspace), 1, "is a file")
        one_line(kpidesk("backup", workspace, "--to", backup.parent), 1, "backups folder")
    assert backups_of(workspace) == [backup]


def test_new_and_demo_refuse_what_exists_and_the_backups_folder(workspace):
    [backup] = backups_of(workspace)
    spreadsheet = workspace.parent.parent / "budget.xlsx"
    spreadsheet.write_bytes(b"PK\x03\x04 somebody's workbook")
    with unchanged(workspace, backup, spreadsheet):
        one_line(kpidesk("new", workspace), 1, "already exists")
        one_line(kpidesk("demo", workspace), 1, "already exists")
        one_line(kpidesk("demo", spreadsheet, "--force"), 1, "not a KPI Desk workspace")
        one_line(kpidesk("new", backup.parent / "fresh.kpidesk"), 1, "backups folder")
        one_line(kpidesk("demo", backup.parent / "fresh.kpidesk"), 1, "backups folder")
        one_line(kpidesk("check", workspace.parent), 3, "is a folder")
    assert backups_of(workspace) == [backup]


def test_another_case_on_a_case_insensitive_disk_is_the_same_file(workspace):
    if not is_case_insensitive(workspace.parent):
        pytest.skip("this disk tells case apart; the hard-link case covers the same check")
    with unchanged(workspace):
        result = kpidesk("export", workspace, "--csv", workspace.with_name("WS.KPIDESK.csv"))
        assert result.returncode == 0  # another file: allowed
        upper = workspace.with_name(workspace.name.upper())
        one_line(kpidesk("backup", workspace, "--to", upper), 1, "is a file")


# 2. Writes are whole or absent, and never silently short -----------------------------------


@posix_only
@pytest.mark.parametrize(
    ("kind", "limit"), [("pdf", 60_000), ("pack", 20_000), ("template", 4_000), ("csv", 20_000)]
)
def test_a_full_disk_fails_the_export_and_leaves_the_old_file(workspace, kind, limit):
    """Before: the PDF exited 0 and left a truncated file."""
    suffix = {"pdf": ".pdf", "csv": ".csv"}.get(kind, ".xlsx")
    out = workspace.parent.parent / f"report{suffix}"
    out.write_bytes(b"the previous export")
    with unchanged(workspace, out):
        result = kpidesk("export", workspace, f"--{kind}", out, file_size_limit=limit)
        line = one_line(result, 1, "Could not write", out.name)
        assert re.search(r"cut short|larger than the disk|disk", line), line
    assert strays(out.parent) == []
    out.unlink()
    result = kpidesk("export", workspace, f"--{kind}", out, file_size_limit=limit)
    one_line(result, 1, "Could not write")
    assert not out.exists() and strays(out.parent) == []


@posix_only
def test_a_full_disk_fails_a_backup_and_leaves_no_piece(workspace):
    [backup] = backups_of(workspace)
    with unchanged(workspace, backup):
        result = kpidesk("backup", workspace, file_size_limit=100_000)
        one_line(result, 1, "Could not write the backup")
    assert backups_of(workspace) == [backup]
    assert strays(backup.parent) == []


@posix_only
def test_a_killed_export_leaves_the_old_file_and_the_next_run_clears_its_temporary(
    workspace, tmp_path
):
    from kpidesk.store import models, queries
    from kpidesk.store.workspace import Workspace

    big = tmp_path / "big.kpidesk"
    shutil.copyfile(workspace, big)
    with Workspace.open(big) as opened:
        kpis = [k.id for k in models.Kpi.select()]
        units = [u.id for u in models.Unit.select()]
        rows = (
            (kpis[i % len(kpis)], units[i % len(units)], f"p{i:07d}", i * 0.5, "", "x", None)
            for i in range(300_000)
        )
        with opened.atomic():
            queries.insert_measurements(rows)
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    out = out_folder / "all.csv"
    out.write_text("the previous export\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "kpidesk.cli", "export", str(big), "--csv", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not strays(out_folder) and process.poll() is None:
            assert time.monotonic() < deadline, "the export never began writing"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    if process.returncode == -signal.SIGKILL:
        assert out.read_text() == "the previous export\n"  # old or none, never a piece
        assert strays(out_folder)  # what the killed run left
    result = kpidesk("export", workspace, "--csv", out_folder / "other.csv")
    assert result.returncode == 0, result.stderr
    assert strays(out_folder) == []  # the next run into the folder cleared it
    assert out.read_text() == "the previous export\n"


@posix_only
def test_an_output_that_is_a_symlink_is_written_through_to_its_target(workspace, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with unchanged(workspace):
        assert kpidesk("export", workspace, "--csv", link).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("kpi_code,kpi,unit,period,value,comment\n")


@posix_only
def test_restore_through_a_symlinked_workspace_restores_the_target(workspace, tmp_path):
    [backup] = backups_of(workspace)
    link = tmp_path / "shortcut.kpidesk"
    link.symlink_to(workspace)
    kpidesk_here("import", workspace, csv_file(tmp_path / "x.csv", _rows(12)), "--create-missing")
    assert kpidesk("check", workspace).stdout != kpidesk("check", backup).stdout
    result = kpidesk("restore", link, backup)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == workspace
    assert _counts(workspace) == _counts(backup)


# 3. Destructive commands check first and back up first -------------------------------------


def test_demo_force_with_a_bad_until_leaves_the_workspace(workspace):
    """Before: the workspace was unlinked first, then --until failed: an empty folder."""
    with unchanged(workspace, *backups_of(workspace)):
        one_line(kpidesk("demo", workspace, "--force", "--until", "2026-13"), 2, "--until")


def test_demo_force_while_the_workspace_is_open_leaves_it(workspace):
    holder = hold_open_for_writing(workspace)
    try:
        with unchanged(workspace, *backups_of(workspace), held=True):
            one_line(kpidesk("demo", workspace, "--force"), 5, "open in another KPI Desk")
    finally:
        release(holder)


@posix_only
def test_demo_force_on_a_full_disk_leaves_the_workspace(workspace):
    with unchanged(workspace):
        result = kpidesk("demo", workspace, "--force", file_size_limit=300_000)
        one_line(result, 1, "Could not write")


def test_demo_force_backs_up_first_then_replaces(workspace, tmp_path):
    kpidesk_here("import", workspace, csv_file(tmp_path / "x.csv", _rows(12)), "--create-missing")
    before = _counts(workspace)
    result = kpidesk("demo", workspace, "--force", "--until", "2025-06")
    assert result.returncode == 0, result.stderr
    kept = [p for p in backups_of(workspace) if "before-demo" in p.name]
    assert len(kept) == 1 and _counts(kept[0]) == before
    assert kpidesk("check", workspace).returncode == 0
    assert strays(workspace.parent) == []


@posix_only
def test_a_killed_demo_force_leaves_the_old_workspace_or_the_new_one(workspace):
    old = sha256(workspace)
    rng = random.Random(1512)
    for _kill in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "kpidesk.cli", "demo", str(workspace), "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert kpidesk("check", workspace).returncode == 0
        if sha256(workspace) != old:  # it finished before the kill
            break
    assert kpidesk("demo", workspace, "--force").returncode == 0  # the next run clears up
    assert strays(workspace.parent) == []
    assert kpidesk("check", workspace).returncode == 0


def test_demo_force_over_a_damaged_workspace_moves_it_aside_whole(workspace):
    damage_a_page(workspace)
    damaged = sha256(workspace)
    result = kpidesk("demo", workspace, "--force")
    assert result.returncode == 0, result.stderr
    [aside] = list(workspace.parent.glob("ws.kpidesk.damaged-*"))
    assert sha256(aside) == damaged
    assert kpidesk("check", workspace).returncode == 0


def test_restore_while_open_elsewhere_leaves_the_workspace(workspace):
    [backup] = backups_of(workspace)
    holder = hold_open_for_writing(workspace)
    try:
        with unchanged(workspace, backup, held=True):
            one_line(kpidesk("restore", workspace, "1"), 5, "close it there")
    finally:
        release(holder)


def test_restore_over_a_damaged_workspace_moves_it_aside_whole(workspace):
    [backup] = backups_of(workspace)
    damage_a_page(workspace)
    damaged = sha256(workspace)
    result = kpidesk("restore", workspace, "1")
    assert result.returncode == 0, result.stderr
    [aside] = list(workspace.parent.glob("ws.kpidesk.damaged-*"))
    assert sha256(aside) == damaged and aside.name in result.stdout
    assert sha256(workspace) != damaged and kpidesk("check", workspace).returncode == 0
    assert _counts(workspace) == _counts(backup)


# 4. A damaged workspace is never written ---------------------------------------------------


@pytest.mark.parametrize("damage", ["index", "page"])
def test_a_damaged_workspace_is_never_written(workspace, tmp_path, damage):
    """Before: an import into a file check calls damaged ran, and left it in WAL mode."""
    (damage_an_index if damage == "index" else damage_a_page)(workspace)
    data = csv_file(tmp_path / "data.csv", _rows(6))
    with unchanged(workspace, *backups_of(workspace)):
        line = one_line(kpidesk("import", workspace, data, "--create-missing"), 3, "damaged")
        assert "read-only" in line and "restored from its backup" in line
        one_line(kpidesk("import", workspace, "--undo", "1"), 3, "damaged")
        one_line(kpidesk("demo", workspace), 1, "already exists")
        one_line(kpidesk("check", workspace), 3, "damaged")
        one_line(kpidesk("backup", workspace), 3, "damaged")


def test_a_damaged_workspace_without_backups_is_not_pointed_at_one(tmp_path, demo_file):
    path = tmp_path / "lone.kpidesk"
    shutil.copyfile(demo_file, path)
    damage_an_index(path)
    with unchanged(path):
        line = one_line(kpidesk("import", path, csv_file(tmp_path / "d.csv", _rows(3))), 3)
        assert "There is no backup of it" in line and "restored from" not in line
        line = one_line(kpidesk("check", path), 3, "damaged")
        assert "restored from" not in line


@pytest.mark.parametrize("kind", ["damaged", "foreign", "schema-minus-one", "schema-zero"])
def test_restore_refuses_a_bad_backup(workspace, tmp_path, kind):
    """Before: a backup with user_version -1 was called sound (schema -1) and restored."""
    bad = tmp_path / f"{kind}.kpidesk"
    if kind == "foreign":
        connection = sqlite3.connect(bad)
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        connection.close()
    else:
        shutil.copyfile(workspace, bad)
        if kind == "damaged":
            damage_a_page(bad)
        else:
            set_user_version(bad, -1 if kind == "schema-minus-one" else 0)
    with unchanged(workspace, bad, *backups_of(workspace)):
        result = kpidesk("restore", workspace, bad)
        words = ("not a KPI Desk workspace",) if kind == "foreign" else ("damaged", bad.name)
        one_line(result, 3, *words)
    if kind.startswith("schema"):
        one_line(kpidesk("check", bad), 3, "schema version is impossible")


# 5. Import never drops data silently -------------------------------------------------------


def test_columns_past_the_cap_are_a_problem_not_dropped(workspace, tmp_path):
    """Before: every column after the 2000th was dropped with exit 0."""
    header = ["Period", *(f"K{i}" for i in range(2100))]
    rows = [header, *([f"2020-0{m}", *range(2100)] for m in range(1, 4))]
    data = csv_file(tmp_path / "wide.csv", rows)
    with unchanged(workspace):
        result = kpidesk("import", workspace, data, "--create-missing")
        assert result.returncode == 1
        assert "beyond column BXX" in result.stderr and "wide!BXY1" in result.stderr


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("1e16", "is too large"),
        ("-2000000000000000", "is too large"),
        ("5%", "A percentage cannot be an amount of money"),
    ],
)
def test_values_that_cannot_be_held_are_problems_with_the_cell(workspace, tmp_path, value, words):
    data = csv_file(
        tmp_path / "v.csv",
        [["Period", "KPI", "Unit", "Value"], ["2020-01", "Revenue", "Umeå store", value]],
    )
    with unchanged(workspace):
        result = kpidesk("import", workspace, data)
        assert result.returncode == 1 and "v!D2: " in result.stderr and words in result.stderr


def test_ambiguous_dates_are_settled_by_their_column_or_are_problems(workspace, tmp_path):
    rows = [["Date", "KPI", "Unit", "Value"], ["3/4/2020", "Revenue", "Umeå store", 1]]
    unsettled = csv_file(tmp_path / "a.csv", [*rows, ["4/5/2020", "Revenue", "Umeå store", 2]])
    with unchanged(workspace):
        result = kpidesk("import", workspace, unsettled)
        assert result.returncode == 1 and "may be 2020-04-03 (day first)" in result.stderr
    settled = csv_file(tmp_path / "b.csv", [*rows, ["13/5/2020", "Revenue", "Umeå store", 2]])
    result = kpidesk("import", workspace, settled, "--json")
    assert result.returncode == 0 and '"imported": 2' in result.stdout
    assert "read day first" in result.stdout
    kpidesk_here("export", workspace, "--csv", tmp_path / "all.csv")
    text = (tmp_path / "all.csv").read_text()
    assert ",Umeå store,2020-04,1," in text and ",Umeå store,2020-05,2," in text


# 6. Text that can hurt an export is handled at the door ------------------------------------

HOSTILE_NAMES = ["=SUM(A1:A9)", "+46 70 123", "-10% churn", "@home", "'quoted", "''twice"]


def test_control_characters_are_removed_with_a_note_and_every_export_stays_valid(
    workspace, tmp_path
):
    """Before: a \\x07 in a KPI name made the review pack and template unreadable XML."""
    rows = [["Period", "KPI", "Unit", "Value", "Comment"]]
    rows += [[f"2020-0{m}", "Bell\x07 KPI\u202e", "Umeå store", m, "a\x0bb"] for m in (1, 2)]
    data = csv_file(tmp_path / "ctl.csv", rows)
    result = kpidesk("import", workspace, data, "--create-missing")
    assert result.returncode == 0 and "U+0007" in result.stderr and "were removed" in result.stderr
    connection = sqlite3.connect(workspace)  # and what an older version may have stored
    connection.execute("UPDATE unit SET name = 'Luleå\x01 store' WHERE name = 'Luleå store'")
    connection.commit()
    connection.close()
    for kind, name in (("pack", "p.xlsx"), ("template", "t.xlsx")):
        result = kpidesk("export", workspace, f"--{kind}", tmp_path / name, "--period", "2020-02")
        assert result.returncode == 0, result.stderr
        with zipfile.ZipFile(tmp_path / name) as book:
            for part in book.namelist():
                if part.endswith(".xml"):
                    minidom.parseString(book.read(part))  # raises on unreadable XML
    assert kpidesk("export", workspace, "--pdf", tmp_path / "r.pdf").returncode == 0


def test_the_csv_guards_formulas_and_reads_back_exactly(workspace, tmp_path):
    stores = ("Umeå store", "Luleå store", "Sundsvall store", "Online shop")
    names = dict(zip(stores, HOSTILE_NAMES[:4], strict=True))
    connection = sqlite3.connect(workspace)
    for old, new in names.items():
        connection.execute("UPDATE unit SET name = ? WHERE name = ?", (new, old))
    for code, new in (("REV", HOSTILE_NAMES[4]), ("GM", HOSTILE_NAMES[5]), ("NPS", "=1+1")):
        connection.execute("UPDATE kpi SET name = ? WHERE code = ?", (new, code))
    connection.execute(
        "UPDATE measurement SET value = -value - 0.25, comment = ? WHERE id % 7 = 0",
        ('=HYPERLINK("http://x")',),
    )
    connection.execute("UPDATE measurement SET comment = '@SUM(1)' WHERE id % 7 = 1")
    connection.execute("UPDATE measurement SET comment = '-2 vs plan' WHERE id % 7 = 2")
    connection.commit()
    connection.close()
    first = tmp_path / "first.csv"
    assert kpidesk("export", workspace, "--csv", first).returncode == 0
    text = first.read_text(encoding="utf-8")
    for guarded in ("'=SUM(A1:A9)", "'+46 70 123", "'@home", "'-10% churn", "'''twice"):
        assert f",{guarded}," in text, guarded
    assert ",'quoted," in text and ",'=1+1," in text  # 'quoted needs no guard
    assert ",'@SUM(1)\n" in text and ",'-2 vs plan\n" in text
    assert re.search(r",-\d+\.25,\"'=HYPERLINK", text)  # a negative value stays a number

    again = tmp_path / "again" / "ws.kpidesk"
    again.parent.mkdir()
    shutil.copyfile(workspace, again)
    connection = sqlite3.connect(again)
    connection.execute("DELETE FROM measurement")
    connection.commit()
    connection.close()
    result = kpidesk("import", again, first)
    assert result.returncode == 0, result.stderr
    second = tmp_path / "second.csv"
    assert kpidesk("export", again, "--csv", second).returncode == 0
    assert second.read_bytes() == first.read_bytes()  # read back exactly


# 7. Failures change nothing, byte for byte -------------------------------------------------


def test_a_dry_run_leaves_the_file_byte_for_byte(workspace, tmp_path):
    """Before: a dry run rewrote the header's change counter."""
    data = csv_file(tmp_path / "d.csv", _rows(24))
    with unchanged(workspace):
        result = kpidesk("import", workspace, data, "--create-missing", "--dry-run")
        assert result.returncode == 0 and "Dry run" in result.stdout


def test_a_refused_import_leaves_the_file_byte_for_byte(workspace, tmp_path):
    data = csv_file(tmp_path / "d.csv", [*_rows(24), ["2020-01", "Nobody", "Umeå store", 1]])
    with unchanged(workspace):
        result = kpidesk("import", workspace, data)
        assert result.returncode == 1 and "Nothing was imported" in result.stderr


@posix_only
def test_an_import_that_hits_a_full_disk_leaves_the_file_byte_for_byte(workspace, tmp_path):
    data = csv_file(tmp_path / "many.csv", _rows(30_000))
    limit = workspace.stat().st_size + 64 * 1024
    with unchanged(workspace):
        result = kpidesk("import", workspace, data, "--create-missing", file_size_limit=limit)
        one_line(result, 1, "could not be written", "Nothing was changed")


def test_check_and_export_leave_the_file_byte_for_byte(workspace, tmp_path):
    with unchanged(workspace):
        assert kpidesk("check", workspace, "--health").returncode == 0
        for kind, name in (("pack", "p.xlsx"), ("pdf", "r.pdf"), ("template", "t.xlsx")):
            assert kpidesk("export", workspace, f"--{kind}", tmp_path / name).returncode == 0


# 8. Clear messages -------------------------------------------------------------------------


def test_clear_messages_for_ordinary_mistakes(workspace, tmp_path):
    folder_ws = tmp_path / "x.kpidesk"
    folder_ws.mkdir()
    serials = tmp_path / "serials.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["Period", "KPI", "Unit", "Value"])
    for month in range(1, 10):
        sheet.append([f"2020-0{month}", "Revenue", "Umeå store", 1])
    for serial in (0, -1):
        sheet.append([serial, "Revenue", "Umeå store", 1])
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
    book.save(serials)
    with unchanged(workspace):
        one_line(kpidesk("check", folder_ws), 3, "is a folder, not a workspace file")
        one_line(kpidesk("import", folder_ws, serials), 3, "is a folder")
        one_line(kpidesk("import", workspace, tmp_path), 3, "is a folder, not a spreadsheet")
        one_line(kpidesk("import", workspace, "."), 3, "is a folder, not a spreadsheet")
        if sys.platform != "win32":
            os.mkfifo(tmp_path / "pipe.csv")
            one_line(kpidesk("import", workspace, tmp_path / "pipe.csv"), 3, "not a file")
        result = kpidesk("import", workspace, serials)
        assert result.returncode == 1
        assert result.stderr.count("a time of day, not a date") == 2
        assert "Data!A11" in result.stderr and "Data!A12" in result.stderr
        result = kpidesk("import", workspace, serials, "--profile", "Monthly", "--dry-run")
        assert "no saved import profile named “Monthly”" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("export", "{ws}", "--pdf", "{tmp}/r.pdf", "--period", "2026-13"),
        ("export", "{ws}", "--pdf", "{tmp}/r.pdf", "--period", "someday"),
        ("demo", "{tmp}/d.kpidesk", "--until", "2026-13"),
        ("import", "{ws}", "{tmp}/x.csv", "--year", "1800"),
        ("import", "{ws}", "{tmp}/x.csv", "--into", "budget"),
        ("export", "{ws}", "--csv", "{tmp}/x.csv", "--period", "2026-01"),
        ("restore", "{ws}", "7"),
        ("export", "{ws}", "--pdf", "{tmp}/r.xlsx"),
        ("check", "{ws}", "--bogus"),
    ],
)
def test_every_usage_error_has_exit_code_2(workspace, tmp_path, args):
    words = [arg.format(ws=workspace, tmp=tmp_path) for arg in args]
    with unchanged(workspace):
        one_line(kpidesk(*words), 2)


def test_an_entity_bomb_worksheet_is_unreadable_exit_3(workspace, tmp_path):
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Period", "KPI", "Unit", "Value"])
    book.active.append(["2020-01", "Revenue", "Umeå store", 1])
    book.save(plain)
    bomb = tmp_path / "bomb.xlsx"
    declaration = (
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                data = (declaration + body).encode()
            target.writestr(item, data)
    with unchanged(workspace):
        one_line(kpidesk("import", workspace, bomb), 3, "entity definitions")


SWEDISH_CASES = [
    ("check", "{tmp}/x.kpidesk"),
    ("import", "{ws}", "{tmp}"),
    ("export", "{ws}", "--csv", "{ws}"),
    ("export", "{ws}", "--pdf", "{tmp}/r.pdf", "--period", "someday"),
    ("backup", "{ws}", "--to", "{ws}"),
    ("import", "{ws}", "{tmp}/x.csv", "--into", "budget"),
    ("check", "{ws}", "--bogus"),
    ("restore", "{ws}", "{tmp}/trasig.kpidesk"),
    ("import", "{damaged}", "{tmp}/x.csv"),
    ("export", "{ws}", "--csv", "{tmp}/saknas/x.csv"),
]
ENGLISH_WORDS = re.compile(
    r"\b(the|is|a|an|of|not|file|folder|workspace|backup|damaged|could|write|usage|error|"
    r"invalid|choice|choose|from|unrecognized|arguments|required|expected)\b"
)


@pytest.mark.parametrize("args", SWEDISH_CASES)
def test_messages_in_swedish_are_wholly_swedish(workspace, tmp_path, args):
    (tmp_path / "x.kpidesk").mkdir()
    csv_file(tmp_path / "x.csv", _rows(3))
    shutil.copyfile(workspace, tmp_path / "trasig.kpidesk")
    damage_a_page(tmp_path / "trasig.kpidesk")
    damaged = tmp_path / "kund" / "ws.kpidesk"
    damaged.parent.mkdir()
    shutil.copyfile(workspace, damaged)
    damage_an_index(damaged)
    words = [arg.format(ws=workspace, tmp=tmp_path, damaged=damaged) for arg in args]
    english = kpidesk(*words)
    swedish = kpidesk(*words, "--lang", "sv")
    assert swedish.returncode == english.returncode != 0
    assert swedish.stderr != english.stderr
    message = swedish.stderr
    for path in (str(workspace), str(tmp_path), str(damaged)):
        message = message.replace(path, "PATH")
    found = ENGLISH_WORDS.findall(re.sub(r"“[^”]*”|”[^”]*”|'[^']*'|--\w+", "", message))
    assert found == [], (message, found)


# helpers ---------------------------------------------------------------------------------


def _rows(count: int) -> list[list[object]]:
    rows: list[list[object]] = [["Period", "KPI", "Unit", "Value"]]
    for i in range(count):
        rows.append([f"{1990 + i // 12 % 30}-{i % 12 + 1:02d}", f"New {i // 360}", "Umeå store", i])
    return rows


def _counts(path: Path) -> str:
    result = kpidesk("check", path)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n", 1)[1]
