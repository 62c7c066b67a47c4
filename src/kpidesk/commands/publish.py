"""``kpidesk publish FILE.kpidesk URL``: a workspace file copied exactly onto a PostgreSQL
server, into a database that is empty or holds only the schema ``kpidesk server init`` made."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import EXIT_OK, Subparsers, UsageError, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "publish", help=_("copy a workspace file onto a PostgreSQL server, exactly")
    )
    parser.add_argument("file", type=Path, help=_("the workspace file (.kpidesk)"))
    parser.add_argument(
        "url", type=workspace_argument, help=_("an empty database: postgresql://user@host/db")
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services import servers
    from kpidesk.store.location import ServerAddress

    if not isinstance(options.url, ServerAddress):
        raise UsageError(_("{path} is not a postgresql:// URL").format(path=options.url))
    result = servers.publish(options.file, options.url)
    print(
        _("Published {file} to {url}: {kpis} KPIs, {units} units, {values} values.").format(
            file=options.file,
            url=options.url,
            kpis=result.kpis,
            units=result.units,
            values=result.measurements,
        )
    )
    return EXIT_OK
