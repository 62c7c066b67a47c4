"""``kpidesk restore WORKSPACE BACKUP``: put a backup back (by path, or its number in
``kpidesk backups``); the state before is kept as a backup, so a restore can be undone."""

from __future__ import annotations

import argparse

from kpidesk.commands.base import EXIT_OK, Subparsers, UsageError, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("restore", help=_("replace a workspace with one of its backups"))
    parser.add_argument("path", type=workspace_argument, help=_("the workspace file"))
    parser.add_argument(
        "backup", help=_("a backup file, or its number in the list `kpidesk backups` prints")
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.backups import find_backup, restore_backup
    from kpidesk.store.location import ServerAddress, is_server_url

    if isinstance(options.path, ServerAddress) or is_server_url(options.backup):
        raise UsageError(
            _(
                "restore puts a backup back into a workspace file; to put one onto a server, "
                "publish it into an empty database (kpidesk publish BACKUP URL)"
            )
        )
    backup = find_backup(options.path, options.backup)
    previous = restore_backup(options.path, backup)
    print(_("Restored {path} from {backup}.").format(path=options.path, backup=backup))
    if previous is not None:
        print(_("The state before the restore was kept as {copy}.").format(copy=previous))
    return EXIT_OK
