"""Backup copies of a workspace, made with SQLite's backup API and kept in rotation.

Copies live in the user's data folder, one folder per workspace, so a consultant's client
folder holds only the workspace itself.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk.paths import user_data_dir
from kpidesk.store.sqlite import copy_database

if TYPE_CHECKING:
    from kpidesk.store.workspace import Workspace

KEEP = 20


def backup_dir_for(workspace_path: Path) -> Path:
    resolved = Path(workspace_path).resolve()
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:8]
    return user_data_dir() / "backups" / f"{resolved.stem}-{digest}"


def make_backup(
    workspace: Workspace, *, reason: str, directory: Path | None = None, keep: int = KEEP
) -> Path:
    folder = directory or backup_dir_for(workspace.path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    safe_reason = re.sub(r"[^A-Za-z0-9_-]+", "-", reason)
    destination = folder / f"{workspace.path.stem} {stamp} {safe_reason}.kpidesk"
    copy_database(workspace.connection, destination)
    if directory is None:
        prune(folder, keep)
    return destination


def list_backups(workspace_path: Path) -> list[Path]:
    folder = backup_dir_for(workspace_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.kpidesk"), reverse=True)


def prune(folder: Path, keep: int) -> None:
    copies = sorted(folder.glob("*.kpidesk"), reverse=True)
    for old in copies[keep:]:
        old.unlink(missing_ok=True)
