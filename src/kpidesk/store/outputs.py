"""The one check every output path passes before KPI Desk writes to it.

Every export, ``backup --to``, ``new``, ``demo``, Save a Copy and every save dialog asks
:func:`check_output` first. It refuses, however the path is spelled (relative, ``./``, a
symlink, a hard link, another case on a case-insensitive disk: what counts is the file the
OS finds, compared by device and inode):

- the open workspace, and any other KPI Desk workspace (recognised by its header, so a
  renamed copy or a backup kept elsewhere counts too), and the files SQLite and the lock
  keep beside a workspace (``-wal``, ``-shm``, ``-journal``, ``.lock``);
- anything in KPI Desk's backups folder, and the folder itself;
- a folder, a device, a pipe or a socket.
"""

from __future__ import annotations

import os
from pathlib import Path

from kpidesk.files import OutputRefusedError, real_destination
from kpidesk.i18n import N_
from kpidesk.paths import user_data_dir
from kpidesk.store.sqlite import APPLICATION_ID, SQLITE_MAGIC

SIDE_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")


def backups_root() -> Path:
    """The folder that holds every workspace's backups (one subfolder each)."""
    return user_data_dir() / "backups"


def is_workspace_file(path: Path | str) -> bool:
    """Whether ``path`` is a KPI Desk workspace by its header (read, never written)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(72)
    except OSError:
        return False
    return head.startswith(SQLITE_MAGIC) and int.from_bytes(head[68:72], "big") == APPLICATION_ID


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name one file (device and inode), as the OS resolves them."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def in_backups_folder(path: Path | str) -> bool:
    """Whether ``path`` is the backups folder or lies anywhere inside it."""
    try:
        root = os.stat(backups_root())
    except OSError:
        return False
    current = Path(os.path.realpath(path))
    for folder in (current, *current.parents):
        try:
            info = os.stat(folder)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (root.st_dev, root.st_ino):
            return True
    return False


def check_output(
    path: Path | str,
    *,
    workspace: Path | str | None = None,
    replacing_workspace: bool = False,
) -> Path:
    """Refuse an output KPI Desk must not write; return where writing ``path`` lands.

    ``workspace``: the workspace open now (refused even when ``replacing_workspace``).
    ``replacing_workspace``: the caller replaces a workspace on purpose (``demo --force``,
    ``restore``), so an existing workspace is allowed as the destination.
    Raises :class:`~kpidesk.files.OutputRefusedError`.
    """
    path = Path(path)
    target = real_destination(path)  # refuses folders and devices
    if in_backups_folder(target) or in_backups_folder(path):
        raise OutputRefusedError(
            N_("{path} is in KPI Desk's backups folder; choose a place outside it."), path
        )
    if workspace is not None and same_file(target, workspace):
        raise OutputRefusedError(
            N_("{path} is the open workspace itself; choose another file name."), path
        )
    if not replacing_workspace and is_workspace_file(target):
        raise OutputRefusedError(
            N_("{path} is a KPI Desk workspace; choose another file name."), path
        )
    for suffix in SIDE_SUFFIXES:
        name = target.name
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            base = target.with_name(name[: -len(suffix)])
            if is_workspace_file(base):
                raise OutputRefusedError(
                    N_("{path} belongs to the workspace {workspace}; choose another file name."),
                    path,
                    workspace=str(base),
                )
    return target
