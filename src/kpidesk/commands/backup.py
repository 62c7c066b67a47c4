"""``kpidesk backup WORKSPACE [--to DIR]``: a backup copy now; prints where it went."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import EXIT_OK, WORKSPACE_HELP, Subparsers, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "backup", help=_("copy a workspace into its backups (safe while it is open)")
    )
    parser.add_argument("path", type=workspace_argument, help=_(WORKSPACE_HELP))
    parser.add_argument(
        "--to",
        type=Path,
        metavar="DIR",
        help=_("write the copy to this folder instead of the workspace's backups"),
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.backups import create_backup

    copy = create_backup(options.path, directory=options.to)
    print(copy)
    return EXIT_OK
