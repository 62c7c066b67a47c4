"""Backups: automatic and by hand, rotation, what a listing shows, and restoring."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kpidesk.services import backups as service
from kpidesk.store import backups, models
from kpidesk.store.backups import (
    BackupCounts,
    BackupError,
    RestoreWhileOpenError,
    backup_dir_for,
    backup_file,
    backup_on_open,
    list_backups,
    make_backup,
    parse_backup_name,
    read_backup_info,
    restore_backup,
)
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    DamagedBackupError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    WorkspaceLockedError,
    WorkspaceMissingError,
)
from kpidesk.store.file_lock import lock_path_for
from kpidesk.store.migrations import SCHEMA_VERSION
from kpidesk.store.workspace import Workspace


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def counts_of(path: Path) -> BackupCounts:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return BackupCounts(
            *(
                connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("kpi", "unit", "measurement")
            )
        )
    finally:
        connection.close()


def add_units(workspace: Workspace, *names: str) -> None:
    root = models.Unit.get(models.Unit.parent.is_null())
    with workspace.atomic():
        for name in names:
            models.Unit.create(name=name, parent=root)


def unit_names(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM unit")}
    finally:
        connection.close()


@contextlib.contextmanager
def held_by_another_process(path: Path, *, write: str = ""):
    """A real second process that has ``path`` open for writing until the block ends."""
    script = textwrap.dedent(
        f"""
        import time
        from kpidesk.store import models
        from kpidesk.store.workspace import Workspace
        workspace = Workspace.open({str(path)!r})
        {write}
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        yield process
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


# Making copies ------------------------------------------------------------------------------


def test_opening_for_writing_makes_one_backup_per_interval(demo_copy, monkeypatch):
    Workspace.open(demo_copy).close()
    Workspace.open(demo_copy).close()  # again within ten minutes: no second copy
    copies = list_backups(demo_copy)
    assert [copy.reason for copy in copies] == ["open"]
    assert copies[0].counts == counts_of(demo_copy)

    monkeypatch.setattr(backups, "OPEN_INTERVAL", timedelta(0))
    Workspace.open(demo_copy).close()
    assert [copy.reason for copy in list_backups(demo_copy)] == ["open", "open"]


def test_the_interval_is_measured_from_the_newest_copy(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        first = list_backups(demo_copy)[0].created
        assert backup_on_open(workspace, now=first + timedelta(minutes=9)) is None
        later = backup_on_open(workspace, now=first + timedelta(minutes=11))
        assert later is not None
        # a copy stamped in the future (the clock was turned back) does not stop copies
        assert backup_on_open(workspace, now=first - timedelta(days=1)) is not None


def test_reading_read_only_makes_no_backup(demo_copy):
    Workspace.open(demo_copy, read_only=True).close()
    assert list_backups(demo_copy) == []


def test_a_new_empty_workspace_is_not_copied(workspace_path):
    Workspace.create(workspace_path, "Acme").close()
    Workspace.open(workspace_path).close()
    assert list_backups(workspace_path) == []
    with Workspace.open(workspace_path) as workspace:
        add_units(workspace, "Store 1")
    Workspace.open(workspace_path).close()
    assert [copy.reason for copy in list_backups(workspace_path)] == ["open"]


def test_a_backup_that_cannot_be_made_does_not_stop_the_open(demo_copy, caplog):
    folder = backup_dir_for(demo_copy)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING), Workspace.open(demo_copy) as workspace:
        assert not workspace.read_only
    assert "no backup" in caplog.text


def test_make_backup_names_the_reason_and_lists_it_first(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        add_units(workspace, "Pop-up store")
        copy = make_backup(workspace, reason="before-import")
    when, reason = parse_backup_name(copy)
    assert reason == "before-import" and abs(datetime.now() - when) < timedelta(minutes=1)
    assert copy.parent == backup_dir_for(demo_copy)
    newest = list_backups(demo_copy)[0]
    assert newest.path == copy and newest.reason == "before-import"
    assert newest.size == copy.stat().st_size and newest.usable
    assert newest.schema_version == SCHEMA_VERSION
    assert newest.counts == counts_of(demo_copy)
    assert "Pop-up store" in unit_names(copy)
    assert os.fspath(newest) == str(copy) and newest.name == copy.name


def test_copies_are_kept_in_rotation(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        made = [make_backup(workspace, reason=f"r{index}", keep=5) for index in range(8)]
    listed = list_backups(demo_copy)
    assert [copy.path for copy in listed] == made[::-1][:5]
    assert not [p for p in backup_dir_for(demo_copy).iterdir() if p.suffix != ".kpidesk"]


def test_a_copy_holds_what_is_committed_even_while_another_process_writes(demo_copy):
    write = 'with workspace.atomic(): models.Unit.create(name="Held", parent=models.Unit.get())'
    with held_by_another_process(demo_copy, write=write):
        copy = service.create_backup(demo_copy)  # the file is never written
        assert "Held" in unit_names(copy)
    assert parse_backup_name(copy)[1] == "manual"


def test_backup_to_a_folder_of_ones_choice(demo_copy, tmp_path):
    copy = service.create_backup(demo_copy, directory=tmp_path / "usb" / "backups")
    assert copy.parent == tmp_path / "usb" / "backups"
    assert counts_of(copy) == counts_of(demo_copy)
    assert list_backups(demo_copy) == []  # not one of the rotating copies


@pytest.mark.parametrize("kind", ["missing", "not-a-workspace", "newer", "damaged"])
def test_backup_of_a_bad_file_is_refused(tmp_path, demo_file, kind):
    path = tmp_path / "bad.kpidesk"
    expected = {
        "missing": WorkspaceMissingError,
        "not-a-workspace": NotAWorkspaceError,
        "newer": NewerWorkspaceError,
        "damaged": CorruptWorkspaceError,
    }[kind]
    if kind == "not-a-workspace":
        path.write_text("kpi;value\n")
    elif kind == "newer":
        shutil.copyfile(demo_file, path)
        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
        connection.close()
    elif kind == "damaged":
        data = bytearray(demo_file.read_bytes())
        data[4096 * 3 : 4096 * 3 + 400] = b"\x5a" * 400
        path.write_bytes(bytes(data))
    before = digest(path) if path.exists() else None
    with pytest.raises(expected):
        backup_file(path, reason="manual")
    assert (digest(path) if path.exists() else None) == before
    assert list_backups(path) == []


def test_a_copy_that_cannot_be_written_leaves_nothing_half_written(demo_copy, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(BackupError) as raised:
        service.create_backup(demo_copy, directory=blocker / "sub")
    assert "Could not write the backup" in raised.value.message
    assert raised.value.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([demo_copy.name, blocker.name])


# Listing ----------------------------------------------------------------------------------


def test_listing_shows_damaged_and_foreign_copies_without_failing(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        good = make_backup(workspace, reason="manual")
    folder = backup_dir_for(demo_copy)
    (folder / "demo 20200101-000000-000000 manual.kpidesk").write_bytes(b"")
    (folder / "stray name.kpidesk").write_bytes(b"not sqlite at all, but long enough " * 10)
    listed = {info.name: info for info in list_backups(demo_copy)}
    assert listed[good.name].usable
    empty = listed["demo 20200101-000000-000000 manual.kpidesk"]
    assert not empty.usable and empty.counts is None and "empty" in empty.problem
    assert empty.created == datetime(2020, 1, 1)
    stray = listed["stray name.kpidesk"]
    assert not stray.usable and stray.reason == ""  # date from the file's time
    assert abs(stray.created - datetime.now()) < timedelta(minutes=1)
    assert list_backups(demo_copy)[-1].name == empty.name  # oldest last


def test_listing_does_not_write_the_copies(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        copy = make_backup(workspace, reason="manual")
    before = digest(copy)
    read_backup_info(copy)
    list_backups(demo_copy)
    assert digest(copy) == before
    assert sorted(p.name for p in copy.parent.iterdir()) == sorted(
        p.name for p in copy.parent.glob("*.kpidesk")
    )


def test_reason_labels_and_counts_read_well():
    assert service.reason_label("open") == "opened"
    assert service.reason_label("before-restore") == "before a restore"
    assert service.reason_label("before-migration-v3") == "before update from schema 3"
    assert service.reason_label("custom") == "custom"
    assert service.describe_counts(BackupCounts(1, 2, 1584)) == (
        "1 KPI, 2 units, 1584 measurements"
    )


def test_find_backup_by_number_or_path(demo_copy, tmp_path, monkeypatch):
    with Workspace.open(demo_copy) as workspace:
        older = make_backup(workspace, reason="a")
        newer = make_backup(workspace, reason="b")
    assert service.find_backup(demo_copy, "1") == newer
    assert service.find_backup(demo_copy, " 2 ") == older
    assert service.find_backup(demo_copy, str(older)) == older
    with pytest.raises(service.NoSuchBackupError) as raised:
        service.find_backup(demo_copy, "4")  # 1 and 2 above, 3 made when it was opened
    assert raised.value.exit_code == 2 and "1 to 3" in raised.value.message
    monkeypatch.chdir(tmp_path)
    (tmp_path / "7").write_bytes(b"")
    assert service.find_backup(demo_copy, "7") == Path("7")  # an existing file wins


# Restoring --------------------------------------------------------------------------------


def test_restore_puts_the_copy_back_and_keeps_the_state_before(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        copy = make_backup(workspace, reason="manual")
        add_units(workspace, "Added after the backup")
    assert "Added after the backup" in unit_names(demo_copy)

    previous = service.restore_backup(demo_copy, copy)

    assert "Added after the backup" not in unit_names(demo_copy)
    assert counts_of(demo_copy) == counts_of(copy)
    assert previous is not None and parse_backup_name(previous)[1] == "before-restore"
    assert "Added after the backup" in unit_names(previous)
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == [demo_copy.name]
    assert not lock_path_for(demo_copy).exists()
    with Workspace.open(demo_copy) as workspace:
        assert workspace.integrity_problems() == []
    # and the restore can itself be undone from the copy it kept
    restore_backup(demo_copy, previous)
    assert "Added after the backup" in unit_names(demo_copy)


def test_restore_by_number(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        make_backup(workspace, reason="manual")
        add_units(workspace, "Later")
    service.restore_backup(demo_copy, service.find_backup(demo_copy, "1"))
    assert "Later" not in unit_names(demo_copy)


def test_restore_is_refused_while_another_process_has_the_workspace(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        copy = make_backup(workspace, reason="manual")
    with held_by_another_process(demo_copy) as holder:
        before = digest(demo_copy)
        with pytest.raises(RestoreWhileOpenError) as raised:
            restore_backup(demo_copy, copy)
        assert isinstance(raised.value, WorkspaceLockedError) and raised.value.exit_code == 5
        assert raised.value.holder.pid == holder.pid
        assert "close it there before restoring" in raised.value.message
        assert str(holder.pid) in raised.value.message
        assert digest(demo_copy) == before
    assert not any(p.name.endswith(".restoring") for p in demo_copy.parent.iterdir())


def test_restore_is_refused_while_this_process_has_it_open(demo_copy):
    with Workspace.open(demo_copy) as workspace:
        copy = make_backup(workspace, reason="manual")
        with pytest.raises(RestoreWhileOpenError):
            restore_backup(demo_copy, copy)
        assert workspace.integrity_problems() == []


@pytest.mark.parametrize("kind", ["damaged", "truncated", "not-a-workspace", "newer", "missing"])
def test_a_bad_backup_is_refused_and_the_workspace_stays(demo_copy, demo_file, tmp_path, kind):
    bad = tmp_path / "backups" / "bad.kpidesk"
    bad.parent.mkdir()
    data = bytearray(demo_file.read_bytes())
    if kind == "damaged":
        data[4096 * 3 : 4096 * 3 + 400] = b"\x5a" * 400
        bad.write_bytes(bytes(data))
    elif kind == "truncated":
        bad.write_bytes(bytes(data[: len(data) // 2]))
    elif kind == "not-a-workspace":
        bad.write_text("kpi;value\n")
    elif kind == "newer":
        bad.write_bytes(bytes(data))
        connection = sqlite3.connect(bad)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
        connection.close()
    before = digest(demo_copy)
    refusals = (
        DamagedBackupError,
        NotAWorkspaceError,
        NewerWorkspaceError,
        WorkspaceMissingError,
    )
    with pytest.raises(refusals) as raised:
        restore_backup(demo_copy, bad)
    assert "bad.kpidesk" in raised.value.message
    assert digest(demo_copy) == before
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == ["backups", demo_copy.name]
    assert list_backups(demo_copy) == []  # refused before anything was copied


def test_restore_the_workspace_onto_itself_is_refused(demo_copy):
    with pytest.raises(BackupError):
        restore_backup(demo_copy, demo_copy)


def test_restore_over_a_damaged_workspace_keeps_the_damaged_bytes(demo_copy, demo_file):
    copy = service.create_backup(demo_file)
    data = bytearray(demo_copy.read_bytes())
    data[4096 * 3 : 4096 * 3 + 400] = b"\x5a" * 400
    demo_copy.write_bytes(bytes(data))
    damaged = digest(demo_copy)
    with pytest.raises(CorruptWorkspaceError):
        Workspace.open(demo_copy)

    previous = restore_backup(demo_copy, copy)

    assert digest(previous) == damaged  # nothing lost, not even the damaged file
    assert previous.parent == demo_copy.parent  # moved aside beside it, not copied
    assert previous.name.startswith(f"{demo_copy.name}.damaged-")
    with Workspace.open(demo_copy) as workspace:
        assert workspace.integrity_problems() == []


def test_restore_where_the_workspace_was_deleted(demo_copy, tmp_path):
    with Workspace.open(demo_copy) as workspace:
        copy = make_backup(workspace, reason="manual")
    demo_copy.unlink()
    assert service.list_backups(demo_copy)  # the copies outlive the workspace
    assert restore_backup(demo_copy, copy) is None
    assert counts_of(demo_copy) == counts_of(copy)


def test_restore_after_a_crash_replaces_the_stale_wal(demo_copy):
    """A killed writer leaves a WAL beside the file; it belongs to the old file, not the copy."""
    with Workspace.open(demo_copy) as workspace:
        copy = make_backup(workspace, reason="manual")
    write = (
        "workspace.connection.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "        with workspace.atomic(): "
        "models.Unit.create(name='Only in the WAL', parent=models.Unit.get())"
    )
    with held_by_another_process(demo_copy, write=write):
        pass  # killed: its last transaction lives only in the -wal file
    assert Path(f"{demo_copy}-wal").stat().st_size > 0

    previous = restore_backup(demo_copy, copy)

    assert "Only in the WAL" in unit_names(previous)  # kept, through the backup API
    assert not Path(f"{demo_copy}-wal").exists() and not Path(f"{demo_copy}-shm").exists()
    assert "Only in the WAL" not in unit_names(demo_copy)
    with Workspace.open(demo_copy) as workspace:
        assert workspace.integrity_problems() == []
        assert counts_of(demo_copy) == counts_of(copy)


def test_restoring_an_older_schema_migrates_on_the_next_open(tmp_path):
    old = Path(__file__).resolve().parents[1] / "data" / "workspaces" / "schema-1.kpidesk"
    workspace_path = tmp_path / "client.kpidesk"
    Workspace.create(workspace_path, "Client").close()
    restore_backup(workspace_path, old)
    with Workspace.open(workspace_path) as workspace:
        assert workspace.schema_version == SCHEMA_VERSION
    assert counts_of(workspace_path) == counts_of(old)
