"""The atomic writer and the output guard, with faults injected where the OS would raise them.

A full disk (ENOSPC), a failing disk (EIO) and a quota (EDQUOT) are raised in this process
by replacing ``os.fsync`` or by a writer that fails half-way; nothing here depends on the
machine's disks being full or slow.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesk import files
from kpidesk.files import (
    FileWriteError,
    OutputRefusedError,
    clean_stray_temporaries,
    is_temporary_name,
    write_atomically,
)
from kpidesk.store.backups import backup_dir_for, backup_file
from kpidesk.store.outputs import check_output, in_backups_folder, is_workspace_file
from kpidesk.store.workspace import Workspace

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file semantics")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_temporary_name(p.name))


def fail_with(number: int):
    def fail(*_args, **_kwargs):
        raise OSError(number, os.strerror(number))

    return fail


# writing whole or not at all ---------------------------------------------------------------


def test_a_finished_file_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old")
    os.chmod(out, 0o640)
    assert write_atomically(out, lambda partial: partial.write_text("new")) == out
    assert out.read_text() == "new" and leftovers(tmp_path) == []
    assert os.stat(out).st_mode & 0o777 == 0o640  # the replaced file's permissions kept


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EIO, "input/output error"),
        (getattr(errno, "EDQUOT", errno.ENOSPC), "quota" if hasattr(errno, "EDQUOT") else "full"),
    ],
)
def test_an_os_error_at_fsync_leaves_the_old_file_and_no_piece(
    tmp_path, monkeypatch, number, words
):
    out = tmp_path / "out.csv"
    out.write_text("old")
    monkeypatch.setattr(files.os, "fsync", fail_with(number))
    with pytest.raises(FileWriteError) as raised:
        write_atomically(out, lambda partial: partial.write_text("new"))
    assert words in raised.value.message and "out.csv" in raised.value.message
    assert out.read_text() == "old" and leftovers(tmp_path) == []


def test_a_writer_that_fails_half_way_leaves_nothing(tmp_path):
    out = tmp_path / "out.pdf"

    def half(partial: Path) -> None:
        partial.write_bytes(b"%PDF-1.4 half a page")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(FileWriteError, match="the disk is full"):
        write_atomically(out, half)
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("r.pdf", b"%PDF-1.4\n1 0 obj", "the PDF was cut short"),
        ("p.xlsx", b"PK\x03\x04 only the start of a zip", "the workbook was cut short"),
        ("c.png", b"\x89PNG\r\n\x1a\n no end chunk", "the image was cut short"),
        ("c.svg", b"<svg><g>", "the drawing was cut short"),
        ("w.kpidesk", b"SQLite format 3\x00" + b"\x00" * 40, "the copy was cut short"),
        ("e.csv", b"", "the file is empty"),
    ],
)
def test_a_short_file_is_caught_before_it_replaces_anything(tmp_path, name, content, words):
    """A writer that ignores a full disk (Qt's PDF writer does) leaves a short file."""
    out = tmp_path / name
    out.write_bytes(b"the old one")
    with pytest.raises(FileWriteError, match=words):
        write_atomically(out, lambda partial: partial.write_bytes(content))
    assert out.read_bytes() == b"the old one" and leftovers(tmp_path) == []


def test_whole_files_pass_their_checks(tmp_path, demo_file):
    pack = tmp_path / "p.xlsx"
    with zipfile.ZipFile(pack, "w") as book:
        book.writestr("xl/workbook.xml", "<workbook/>")
    assert files.check_zip(pack) is None
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4\n...\n%%EOF\n")
    assert files.check_pdf(pdf) is None
    assert files.check_sqlite(demo_file) is None


def test_a_cancelled_write_leaves_nothing(tmp_path):
    class Stop(Exception):
        pass

    def cancelled(partial: Path) -> None:
        partial.write_text("some")
        raise Stop

    with pytest.raises(Stop):
        write_atomically(tmp_path / "out.csv", cancelled)
    assert list(tmp_path.iterdir()) == []


@posix_only
def test_a_symlink_is_written_through_and_a_device_or_folder_refused(tmp_path):
    real = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert write_atomically(link, lambda p: p.write_text("x")) == real
    assert link.is_symlink() and real.read_text() == "x"
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OutputRefusedError, match="not a regular file"):
        write_atomically(tmp_path / "pipe", lambda p: p.write_text("x"))
    assert (tmp_path / "pipe").exists() and not (tmp_path / "pipe").is_file()
    with pytest.raises(OutputRefusedError, match="is a folder"):
        write_atomically(tmp_path, lambda p: p.write_text("x"))


@posix_only
def test_stray_temporaries_of_a_dead_writer_go_and_a_live_ones_stay(tmp_path):
    dead = files.temporary_path(tmp_path / "a.csv")
    dead.write_text("left by a killed run")
    Path(f"{dead}-journal").write_text("its journal")
    live = files.temporary_path(tmp_path / "b.csv")
    fd = os.open(live, os.O_WRONLY | os.O_CREAT)
    files._try_lock(fd)  # as a running writer holds it
    (tmp_path / "mine.partial.csv").write_text("not ours: another program's name")
    try:
        removed = clean_stray_temporaries(tmp_path, force=True)
        assert sorted(p.name for p in removed) == sorted([dead.name, f"{dead.name}-journal"])
        assert live.exists() and (tmp_path / "mine.partial.csv").exists()
    finally:
        os.close(fd)
    clean_stray_temporaries(tmp_path, force=True)
    assert leftovers(tmp_path) == []


@given(st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "\x00" not in s))
def test_temporary_names_are_recognised_and_ordinary_names_are_not(name):
    assert is_temporary_name(files.temporary_path(Path("/x") / name).name)
    assert not is_temporary_name(name) or name.startswith(".")


# the output guard -------------------------------------------------------------------------


@posix_only
def test_the_guard_knows_a_workspace_however_it_is_spelled(demo_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(demo_copy.parent)
    os.link(demo_copy, tmp_path / "hard.csv")
    (tmp_path / "soft.csv").symlink_to(demo_copy)
    for spelling in (demo_copy.name, f"./{demo_copy.name}", "hard.csv", "soft.csv"):
        with pytest.raises(OutputRefusedError, match="workspace itself"):
            check_output(Path(spelling), workspace=demo_copy)
    twin = tmp_path / "twin.xlsx"
    shutil.copyfile(demo_copy, twin)
    assert is_workspace_file(twin)
    with pytest.raises(OutputRefusedError, match="is a KPI Desk workspace"):
        check_output(twin, workspace=demo_copy)
    for side in ("-wal", "-shm", "-journal", ".lock"):
        with pytest.raises(OutputRefusedError, match="belongs to the workspace"):
            check_output(Path(f"{demo_copy}{side}"))
    assert check_output(tmp_path / "fine.csv", workspace=demo_copy) == tmp_path / "fine.csv"


def test_the_guard_refuses_the_backups_folder_and_all_in_it(demo_copy, tmp_path):
    copy = backup_file(demo_copy, reason="manual")
    folder = backup_dir_for(demo_copy)
    assert in_backups_folder(copy) and in_backups_folder(folder / "new.csv")
    assert in_backups_folder(folder.parent)  # the backups folder itself
    for target in (folder / "new.csv", folder.parent / "x.pdf", copy):
        with pytest.raises(OutputRefusedError, match="backups folder"):
            check_output(target)
    relative = Path(os.path.relpath(folder / "new.csv"))
    with pytest.raises(OutputRefusedError, match="backups folder"):
        check_output(relative)
    assert not in_backups_folder(tmp_path / "elsewhere.csv")


def test_a_case_variant_is_the_same_file_where_the_disk_ignores_case(demo_copy):
    probe = demo_copy.with_name("CASE.probe")
    probe.write_text("x")
    insensitive = demo_copy.with_name("case.probe").exists()
    probe.unlink()
    if not insensitive:
        pytest.skip("this disk tells case apart; a hard link is the same test of identity")
    upper = demo_copy.with_name(demo_copy.name.upper())
    with pytest.raises(OutputRefusedError, match="workspace itself"):
        check_output(upper, workspace=demo_copy)


def test_save_a_copy_and_new_pass_the_guard(demo_copy, tmp_path):
    other = tmp_path / "other.kpidesk"
    shutil.copyfile(demo_copy, other)
    before = other.read_bytes()
    with Workspace.open(demo_copy) as workspace:
        with pytest.raises(OutputRefusedError, match="KPI Desk workspace"):
            workspace.save_copy(other)
        with pytest.raises(OutputRefusedError, match="workspace itself"):
            workspace.save_copy(demo_copy)
        copy = workspace.save_copy(tmp_path / "copy.kpidesk")
    assert other.read_bytes() == before and is_workspace_file(copy)
    with pytest.raises(OutputRefusedError, match="backups folder"):
        Workspace.create(backup_dir_for(demo_copy) / "new.kpidesk", "X")


def test_a_new_workspace_on_a_full_disk_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(files.os, "fsync", fail_with(errno.ENOSPC))
    with pytest.raises(FileWriteError, match="the disk is full"):
        Workspace.create(tmp_path / "new.kpidesk", "X")
    assert list(tmp_path.iterdir()) == []


@posix_only
def test_a_device_is_refused_without_being_touched():
    for device in (Path("/dev/null"), Path("/dev/full")):
        if device.exists():
            with pytest.raises(OutputRefusedError, match="not a regular file"):
                check_output(device)  # looked at with stat, never opened


def test_the_file_and_then_its_folder_are_flushed(tmp_path, monkeypatch):
    flushed: list[int] = []
    real = os.fsync

    def record(fd: int) -> None:
        flushed.append(os.fstat(fd).st_mode)
        real(fd)

    monkeypatch.setattr(files.os, "fsync", record)
    write_atomically(tmp_path / "out.csv", lambda partial: partial.write_text("x"))
    import stat

    kinds = ["file" if stat.S_ISREG(mode) else "folder" for mode in flushed]
    expected = ["file", "folder"] if hasattr(os, "O_DIRECTORY") else ["file"]
    assert kinds == expected


@posix_only
def test_every_name_of_one_workspace_shares_one_lock(demo_copy, tmp_path):
    from kpidesk.store.errors import WorkspaceLockedError

    link = tmp_path / "shortcut.kpidesk"
    link.symlink_to(demo_copy)
    with Workspace.open(link), pytest.raises(WorkspaceLockedError):
        Workspace.open(demo_copy)


def test_a_disk_without_hard_links_still_never_replaces_a_newcomer(tmp_path, monkeypatch):
    """FAT and some network shares have no hard links: a look, then a rename."""
    monkeypatch.setattr(files.os, "link", fail_with(errno.EPERM))
    new = write_atomically(tmp_path / "a.kpidesk", lambda p: p.write_bytes(b"x"), check=_whole)
    assert new.read_bytes() == b"x"
    with pytest.raises(FileWriteError, match="already exists"):
        write_atomically(new, lambda p: p.write_bytes(b"y"), check=_whole, exclusive=True)
    assert new.read_bytes() == b"x" and leftovers(tmp_path) == []


def _whole(_path: Path) -> None:
    return None
