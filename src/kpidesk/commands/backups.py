"""``kpidesk backups WORKSPACE``: the workspace's backups, newest first, numbered for restore."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import EXIT_OK, WORKSPACE_HELP, Subparsers, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "backups", help=_("list a workspace's backups with their dates, reasons and counts")
    )
    parser.add_argument("path", type=workspace_argument, help=_(WORKSPACE_HELP))
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.backups import backup_dir_for, list_backups, reason_label
    from kpidesk.store.errors import WorkspaceIsFolderError, WorkspaceMissingError

    path = options.path
    if isinstance(path, Path) and path.is_dir():
        raise WorkspaceIsFolderError(path)
    found = list_backups(path)
    if not found:
        if isinstance(path, Path) and not path.exists():
            raise WorkspaceMissingError(path)
        print(_("{path} has no backups yet.").format(path=path))
        return EXIT_OK

    header = (
        "#",
        _("date"),
        _("reason"),
        _("KPIs"),
        _("units"),
        _("measurements"),
        _("size"),
    )
    rows = []
    for number, info in enumerate(found, start=1):
        when = info.created.strftime("%Y-%m-%d %H:%M:%S")
        size = _("{size} KB").format(size=max(1, round(info.size / 1024)))
        if info.counts is None:
            counts = (_("damaged"), "", "")
        else:
            counts = tuple(
                str(n) for n in (info.counts.kpis, info.counts.units, info.counts.measurements)
            )
        rows.append((str(number), when, reason_label(info.reason), *counts, size))

    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    right = {0, 3, 4, 5, 6}
    print(
        _("Backups of {path}, newest first (in {folder}):").format(
            path=path, folder=backup_dir_for(path)
        )
    )
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())
    return EXIT_OK
