"""``kpidesk copy URL FILE.kpidesk``: a server workspace copied exactly into a new file (to take
on a trip, to keep, to send)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import EXIT_OK, Subparsers, UsageError, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "copy", help=_("copy a server workspace into a new workspace file, exactly")
    )
    parser.add_argument(
        "url", type=workspace_argument, help=_("the server workspace: postgresql://user@host/db")
    )
    parser.add_argument("file", type=Path, help=_("the new workspace file (.kpidesk)"))
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services import servers
    from kpidesk.store.location import ServerAddress

    if not isinstance(options.url, ServerAddress):
        raise UsageError(_("{path} is not a postgresql:// URL").format(path=options.url))
    if options.file.suffix.lower() != ".kpidesk":
        raise UsageError(
            _("copy writes a workspace file; name it …{suffix}").format(suffix=".kpidesk")
        )
    result = servers.copy_to_file(options.url, options.file)
    print(
        _("Copied {url} to {file}: {kpis} KPIs, {units} units, {values} values.").format(
            url=options.url,
            file=options.file,
            kpis=result.kpis,
            units=result.units,
            values=result.measurements,
        )
    )
    return EXIT_OK
