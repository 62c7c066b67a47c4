"""Bad workspace files and bad disks: each gets a clear message, and nothing is changed.

Damaged, cut-short, empty, foreign, too new, locked by another process, read-only (the file
or its folder), and a disk that fills up in the middle of a write. Opening for writing a file
this process may not write is refused with ``WorkspaceNotWritableError`` (the app offers to
open it read-only, as for a locked file); opening it read-only works.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpidesk.domain.errors import DomainError
from kpidesk.services import backups as backup_service
from kpidesk.services.workspaces import check_workspace
from kpidesk.store import models, queries
from kpidesk.store.backups import BackupError
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    EmptyFileError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    WorkspaceError,
    WorkspaceLockedError,
    WorkspaceWriteError,
)
from kpidesk.store.migrations import SCHEMA_VERSION
from kpidesk.store.workspace import Workspace

POSIX = os.name == "posix"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def measurement_rows(path: Path) -> list[tuple]:
    """Every stored value, read without writing the file (a WAL beside it is read too)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT kpi_id, unit_id, period, value, comment FROM measurement ORDER BY id"
        ).fetchall()
    finally:
        connection.close()


def damage_page(data: bytearray, page: int) -> bytes:
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * page : page_size * page + 400] = b"\x5a" * 400
    return bytes(data)


def make_bad(kind: str, path: Path, demo_file: Path) -> None:
    data = bytearray(demo_file.read_bytes())
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("kpi;value\nREV;100\n" * 20)
    elif kind == "spreadsheet":
        path.write_bytes(b"PK\x03\x04" + random.Random(2).randbytes(300))
    elif kind == "other-sqlite":
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        connection.close()
    elif kind == "truncated":
        path.write_bytes(bytes(data[: len(data) // 3]))
    elif kind == "cut-in-the-header":
        path.write_bytes(bytes(data[:60]))
    elif kind == "damaged-page":
        path.write_bytes(damage_page(data, 3))
    elif kind == "damaged-schema":
        data[100:900] = random.Random(1).randbytes(800)  # page 1 holds the schema
        path.write_bytes(bytes(data))
    elif kind == "too-new":
        path.write_bytes(bytes(data))
        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
        connection.close()
    else:  # pragma: no cover
        raise AssertionError(kind)


BAD_FILES = {
    "empty": (EmptyFileError, "is empty"),
    "text": (NotAWorkspaceError, "is not a KPI Desk workspace"),
    "spreadsheet": (NotAWorkspaceError, "is not a KPI Desk workspace"),
    "other-sqlite": (NotAWorkspaceError, "is not a KPI Desk workspace"),
    "truncated": (CorruptWorkspaceError, "is damaged"),
    "cut-in-the-header": (NotAWorkspaceError, "is not a KPI Desk workspace"),
    "damaged-page": (CorruptWorkspaceError, "is damaged"),
    "damaged-schema": (CorruptWorkspaceError, "is damaged"),
    "too-new": (NewerWorkspaceError, "newer version of KPI Desk"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_gets_a_clear_message_and_stays_as_it_was(kind, tmp_path, demo_file):
    path = tmp_path / "client.kpidesk"
    make_bad(kind, path, demo_file)
    before, files = digest(path), listing(tmp_path)
    error_type, words = BAD_FILES[kind]

    for attempt in (
        lambda: Workspace.open(path),
        lambda: Workspace.open(path, read_only=True),
        lambda: check_workspace(path),
        lambda: backup_service.create_backup(path),
    ):
        with pytest.raises(error_type) as raised:
            attempt()
        message = raised.value.message
        assert words in message and "client.kpidesk" in message
        assert "\n" not in message and "Traceback" not in message
        assert digest(path) == before
        assert listing(tmp_path) == files  # no lock, journal, WAL or copy left behind
    assert backup_service.list_backups(path) == []


def test_randomly_damaged_files_are_refused_or_opened_never_crash(tmp_path, demo_file):
    """Bytes overwritten at random: opening raises a WorkspaceError or works, nothing else."""
    rng = random.Random(20261122)
    original = demo_file.read_bytes()
    page_size = int.from_bytes(original[16:18], "big")
    refused = 0
    for round_ in range(40):
        data = bytearray(original)
        how = round_ % 4
        if how == 0:  # a few random bytes anywhere
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:  # a whole page of noise
            page = rng.randrange(len(data) // page_size)
            data[page * page_size : (page + 1) * page_size] = rng.randbytes(page_size)
        elif how == 2:  # the header's fields
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(16, 100)] = rng.randrange(256)
        else:  # cut at a random length
            del data[rng.randrange(len(data)) :]
        path = tmp_path / f"r{round_}" / "client.kpidesk"
        path.parent.mkdir()
        path.write_bytes(bytes(data))
        for read_only in (True, False):
            before = digest(path)
            try:
                workspace = Workspace.open(path, read_only=read_only)
            except WorkspaceError as error:
                assert "client.kpidesk" in error.message
                assert digest(path) == before, (round_, read_only)
                refused += 1
            else:
                workspace.close()
    assert refused >= 20


# Locked --------------------------------------------------------------------------------------


@contextlib.contextmanager
def held_by_another_process(path: Path):
    script = textwrap.dedent(
        f"""
        import time
        from kpidesk.store.workspace import Workspace
        workspace = Workspace.open({str(path)!r})
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


def test_a_locked_workspace_names_its_holder_and_stays_as_it_was(demo_copy):
    with held_by_another_process(demo_copy) as holder:
        before, files = digest(demo_copy), listing(demo_copy.parent)
        with pytest.raises(WorkspaceLockedError) as raised:
            Workspace.open(demo_copy)
        assert raised.value.exit_code == 5 and raised.value.holder.pid == holder.pid
        assert f"process {holder.pid}" in raised.value.message
        assert "read-only" in raised.value.message
        with Workspace.open(demo_copy, read_only=True) as workspace:  # reading still works
            assert workspace.table_counts()["measurement"] > 1000
        assert digest(demo_copy) == before and listing(demo_copy.parent) == files


# Read-only files and folders -------------------------------------------------------------------

_OPEN_BOTH_WAYS = textwrap.dedent(
    """
    import json, sys
    from kpidesk.domain.errors import DomainError
    from kpidesk.store.workspace import Workspace
    result = {}
    try:
        Workspace.open(sys.argv[1]).close()
        result["write"] = None
    except DomainError as error:
        result["write"] = [type(error).__name__, error.message, error.exit_code]
    with Workspace.open(sys.argv[1], read_only=True) as workspace:
        result["read"] = workspace.table_counts()["measurement"]
    print(json.dumps(result))
    """
)


def unprivileged_python(read_only: Path) -> list[str]:
    """A Python that file permissions apply to: this one, or as root one without the
    capabilities that let root write anything; checked on ``read_only``."""
    if not POSIX:
        pytest.skip("POSIX file modes")
    command = [sys.executable]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop the override")
        command = [
            setpriv,
            "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-all",
            sys.executable,
        ]
    probe = subprocess.run(
        [*command, "-c", "import os, sys; print(os.access(sys.argv[1], os.W_OK))", read_only],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 or probe.stdout.strip() != "False":
        pytest.skip("cannot run a process that file permissions apply to")
    return command


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_workspace_is_refused_for_writing_and_opens_read_only(
    what, tmp_path, demo_file
):
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "client.kpidesk"
    shutil.copyfile(demo_file, path)
    target = path if what == "file" else folder
    mode = 0o444 if what == "file" else 0o555
    os.chmod(target, mode)
    try:
        python = unprivileged_python(target)
        before, files = digest(path), listing(folder)
        result = subprocess.run(
            [*python, "-c", _OPEN_BOTH_WAYS, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr  # no traceback
        outcome = json.loads(result.stdout)
        kind, message, exit_code = outcome["write"]
        assert kind == "WorkspaceNotWritableError" and exit_code == 1
        assert "client.kpidesk" in message and "read-only" in message
        assert outcome["read"] > 1000
        assert digest(path) == before and listing(folder) == files
    finally:
        os.chmod(target, 0o644 if what == "file" else 0o755)


# A full disk -----------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, size: int):
    """A tmpfs of ``size`` bytes mounted on ``folder``; skips where it cannot be mounted."""
    if not POSIX or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path, leave: int) -> None:
    """Fill the disk under ``folder`` until ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free - leave
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as stream:
        stream.write(b"\0" * max(0, free))


def many_rows(count: int, kpi: int, unit: int):
    for index in range(count):
        period = f"{1000 + index // 12:04d}-{index % 12 + 1:02d}"
        yield (kpi, unit, period, float(index), "x" * 40, "typed", None)


def test_a_write_that_fills_the_disk_is_rolled_back(tmp_path, demo_file):
    with small_disk(tmp_path / "disk", demo_file.stat().st_size + 160 * 1024) as disk:
        path = disk / "client.kpidesk"
        shutil.copyfile(demo_file, path)
        before = measurement_rows(path)
        with Workspace.open(path) as workspace:
            kpi, unit = models.Kpi.select().first().id, models.Unit.select().first().id
            with pytest.raises(WorkspaceWriteError) as raised, workspace.atomic():
                queries.insert_measurements(many_rows(20_000, kpi, unit))
            assert raised.value.disk_full and raised.value.exit_code == 1
            assert "disk is full" in raised.value.message
            assert "client.kpidesk" in raised.value.message
            assert queries.measurement_count() == len(before)  # the transaction rolled back
            with pytest.raises(WorkspaceWriteError), workspace.atomic(), workspace.atomic():
                models.Unit.create(name="x" * 2_000_000, parent=unit)  # nested as well
            assert workspace.integrity_problems() == []
        assert measurement_rows(path) == before
        assert check_workspace(path).sound


@pytest.mark.parametrize("free_kb", [0, 4, 16, 64])
def test_opening_on_a_full_disk_is_refused_or_works_and_loses_nothing(tmp_path, demo_file, free_kb):
    with small_disk(tmp_path / "disk", demo_file.stat().st_size + 256 * 1024) as disk:
        path = disk / "client.kpidesk"
        shutil.copyfile(demo_file, path)
        before_rows, before = measurement_rows(path), digest(path)
        fill(disk, free_kb * 1024)
        try:
            Workspace.open(path).close()
        except WorkspaceWriteError as error:
            assert "disk is full" in error.message
            assert digest(path) == before
            assert listing(disk) == ["client.kpidesk", "filler"]
        (disk / "filler").unlink()
        assert measurement_rows(path) == before_rows  # opened or not, nothing was lost
        with Workspace.open(path) as workspace:  # with room again, it opens and is sound
            assert workspace.integrity_problems() == []


def test_a_backup_onto_a_full_disk_leaves_nothing_half_written(tmp_path, demo_file):
    with small_disk(tmp_path / "disk", demo_file.stat().st_size // 2) as disk:
        with pytest.raises(BackupError) as raised:
            backup_service.create_backup(demo_file, directory=disk)
        assert "Could not write the backup" in raised.value.message
        assert "full" in raised.value.message
        assert listing(disk) == []


_WRITE_PAST_THE_LIMIT = textwrap.dedent(
    """
    import json, resource, signal, sys
    from kpidesk.store import models, queries
    from kpidesk.store.workspace import Workspace
    path, limit = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    result = {}
    with Workspace.open(path) as workspace:
        kpi, unit = models.Kpi.select().first().id, models.Unit.select().first().id
        rows = (
            (kpi, unit, f"{1000 + i // 12:04d}-{i % 12 + 1:02d}", float(i), "x" * 40, "t", None)
            for i in range(20000)
        )
        try:
            with workspace.atomic():
                queries.insert_measurements(rows)
            result["error"] = None
        except Exception as error:
            result["error"] = [type(error).__name__, str(error)]
        result["count"] = queries.measurement_count()
        result["problems"] = workspace.integrity_problems()
    print(json.dumps(result))
    """
)


def test_a_write_past_the_file_size_limit_is_rolled_back(demo_copy):
    """The portable full disk: RLIMIT_FSIZE makes the WAL's growth fail with EFBIG."""
    if not POSIX:
        pytest.skip("RLIMIT_FSIZE is POSIX")
    before = measurement_rows(demo_copy)
    limit = demo_copy.stat().st_size + 64 * 1024  # room for the copy made on open
    result = subprocess.run(
        [sys.executable, "-c", _WRITE_PAST_THE_LIMIT, str(demo_copy), str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    kind, message = outcome["error"]
    assert kind == "WorkspaceWriteError" and "could not be written" in message
    assert "Nothing was changed" in message
    assert outcome["count"] == len(before) and outcome["problems"] == []
    assert measurement_rows(demo_copy) == before
    assert check_workspace(demo_copy).sound


def test_write_errors_are_domain_errors_with_one_line_messages(tmp_path):
    error = WorkspaceWriteError(tmp_path / "a.kpidesk", disk_full=False, detail="disk I/O error")
    assert isinstance(error, DomainError) and error.exit_code == 1
    assert error.message == (
        "a.kpidesk could not be written: the disk reported an input/output error. "
        "Nothing was changed."
    ).replace("a.kpidesk", str(tmp_path / "a.kpidesk"))
