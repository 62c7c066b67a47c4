"""``kpidesk new PATH [--name NAME] [--currency SEK]``: an empty workspace."""

from __future__ import annotations

import argparse

from kpidesk import i18n
from kpidesk.commands.base import EXIT_OK, Subparsers, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("new", help=_("write an empty workspace"))
    parser.add_argument(
        "path",
        type=workspace_argument,
        help=_("the workspace file to write (.kpidesk), or an empty server database's URL"),
    )
    parser.add_argument("--name", help=_("the organisation's name (default: the file name)"))
    parser.add_argument("--currency", default="SEK", help=_("currency code (default: SEK)"))
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import create_workspace

    workspace = create_workspace(
        options.path, options.name, language=i18n.current_language(), currency=options.currency
    )
    path = workspace.location
    workspace.close()
    print(_("Wrote {path}.").format(path=path))
    return EXIT_OK
