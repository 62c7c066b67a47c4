"""What every data-safety test looks at before and after a hostile action.

A :class:`Witness` is the workspace as ``kpidesk check`` reports it, its measurements as
``kpidesk export --csv`` writes them, and the sha256 of every file that must not change.
``with unchanged(workspace, *files):`` takes one before and one after the block and asserts
they are equal, and that no temporary, journal or WAL file was left beside the workspace.

The command line is run for real: :func:`kpidesk` in a subprocess (exit codes, messages,
a file-size limit standing in for a full disk), :func:`kpidesk_here` in this process for
the before-and-after witnesses (the same ``kpidesk.cli.main``, faster).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SIDE_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")


def sha256(path: Path | str) -> str | None:
    """The file's sha256, or None when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kpidesk(
    *args: object,
    file_size_limit: int | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``kpidesk ARGS`` in a subprocess, English unless ``--lang`` is given.

    ``file_size_limit``: ``RLIMIT_FSIZE`` for the process, so the OS refuses any write past
    that many bytes into one file (with EFBIG, as it refuses with ENOSPC on a full disk).
    """
    words = [str(arg) for arg in args]
    if "--lang" not in words:
        words += ["--lang", "en"]

    def limit() -> None:
        if file_size_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *words],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        preexec_fn=limit if file_size_limit is not None else None,
        check=False,
    )


def kpidesk_here(*args: object) -> tuple[int, str, str]:
    """``kpidesk ARGS`` through ``kpidesk.cli.main`` in this process: (code, out, err)."""
    from kpidesk import i18n
    from kpidesk.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args] + ["--lang", "en"])
    i18n.set_language("en")
    return code, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Witness:
    check: tuple[int, str, str]
    csv: tuple[int, bytes | None, str]
    digests: tuple[tuple[str, str | None], ...]


def witness(workspace: Path, *files: Path) -> Witness:
    """``kpidesk check``, ``kpidesk export --csv`` and the sha256 of ``workspace`` and
    ``files``."""
    check = kpidesk_here("check", workspace)
    folder = Path(tempfile.mkdtemp(prefix="witness-"))
    try:
        code, _out, err = kpidesk_here("export", workspace, "--csv", folder / "all.csv")
        written = folder / "all.csv"
        csv = (code, written.read_bytes() if written.exists() else None, err)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    digests = tuple((str(path), sha256(path)) for path in (workspace, *files))
    return Witness(check, csv, digests)


def strays(folder: Path) -> list[str]:
    """Temporary, journal, WAL and lock files in ``folder``."""
    from kpidesk.files import is_temporary_name

    return sorted(
        entry.name
        for entry in folder.iterdir()
        if is_temporary_name(entry.name) or entry.name.endswith(SIDE_SUFFIXES)
    )


@contextlib.contextmanager
def unchanged(workspace: Path, *files: Path, held: bool = False):
    """Assert that the block changes nothing the witnesses can see, and leaves no stray
    file beside the workspace; yields the witness taken before. ``held``: another process
    has the workspace open, so its WAL and lock files are there before and after."""
    found_before = strays(workspace.parent)
    before = witness(workspace, *files)
    assert before.digests[0][1] is not None, "the workspace must exist"
    yield before
    after = witness(workspace, *files)
    assert after.check == before.check
    assert after.csv == before.csv
    assert after.digests == before.digests
    assert strays(workspace.parent) == (found_before if held else [])


def damage_an_index(path: Path) -> None:
    """Change a unit's name in its table row but not in its index: SQLite's quick check
    still passes (pages are sound), the full integrity check (``kpidesk check``) fails."""
    data = bytearray(path.read_bytes())
    needle = "Luleå store".encode()
    start = 0
    while (spot := data.find(needle, start)) >= 0:
        start = spot + 1
        trial = bytearray(data)
        trial[spot : spot + 1] = b"X"
        path.write_bytes(bytes(trial))
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            quick = connection.execute("PRAGMA quick_check").fetchall()
            full = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
        if quick == [("ok",)] and full != [("ok",)]:
            return
    path.write_bytes(bytes(data))
    raise AssertionError("no spot found that damages only an index")


def damage_a_page(path: Path, page: int = 3) -> None:
    """Overwrite 400 bytes of a page: SQLite's quick check fails."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * page : page_size * page + 400] = b"\x5a" * 400
    path.write_bytes(bytes(data))


def set_user_version(path: Path, version: int) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA user_version = {int(version)}")
        connection.commit()
    finally:
        connection.close()


def is_case_insensitive(folder: Path) -> bool:
    probe = folder / "CaseProbe.tmp"
    probe.write_text("x")
    try:
        return (folder / "caseprobe.tmp").exists()
    finally:
        probe.unlink()


def hold_open_for_writing(path: Path) -> subprocess.Popen[str]:
    """Another KPI Desk process holding ``path`` open for writing until it is killed."""
    code = (
        "import sys, time\n"
        "from kpidesk.store.workspace import Workspace\n"
        "w = Workspace.open(sys.argv[1])\n"
        "print('open', flush=True)\n"
        "time.sleep(600)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "open"
    return process


def release(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait(timeout=30)
    if process.stdout is not None:
        process.stdout.close()
