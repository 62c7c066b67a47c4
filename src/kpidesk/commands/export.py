"""``kpidesk export PATH --csv OUT.csv``: data out of a workspace."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import EXIT_OK, Subparsers
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("export", help=_("export data from a workspace"))
    parser.add_argument("path", type=Path, help=_("the workspace file"))
    formats = parser.add_mutually_exclusive_group(required=True)
    formats.add_argument(
        "--csv", type=Path, metavar="OUT.csv", help=_("every stored measurement as CSV")
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import export_measurements_csv
    from kpidesk.store.workspace import opened

    with opened(options.path, read_only=True) as workspace:
        count = export_measurements_csv(workspace, options.csv)
    print(_("Wrote {count} measurements to {path}.").format(count=count, path=options.csv))
    return EXIT_OK
