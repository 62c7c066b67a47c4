"""``kpidesk server init URL`` and ``kpidesk server migrate URL``: a database on a PostgreSQL
server made ready for a workspace, and its schema brought up to this version."""

from __future__ import annotations

import argparse

from kpidesk.commands.base import EXIT_OK, Parser, Subparsers, UsageError, workspace_argument
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "server", help=_("prepare a PostgreSQL database for a workspace, or update its schema")
    )
    actions = parser.add_subparsers(dest="action", required=True, parser_class=Parser)
    init = actions.add_parser(
        "init", help=_("make the KPI Desk schema in an empty database (then: kpidesk publish)")
    )
    init.add_argument("url", type=workspace_argument, help=_("postgresql://user@host/database"))
    migrate = actions.add_parser(
        "migrate",
        help=_("update a server workspace's schema to this version (after a snapshot)"),
    )
    migrate.add_argument("url", type=workspace_argument, help=_("postgresql://user@host/database"))
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services import servers
    from kpidesk.store.location import ServerAddress

    if not isinstance(options.url, ServerAddress):
        raise UsageError(_("{path} is not a postgresql:// URL").format(path=options.url))
    if options.action == "init":
        servers.init_server(options.url)
        print(
            _(
                "Made the KPI Desk schema in {url}. Put a workspace there with "
                "kpidesk publish FILE.kpidesk {url}."
            ).format(url=options.url)
        )
        return EXIT_OK
    result = servers.migrate_server(options.url)
    if not result.changed:
        print(
            _("{url} is up to date (schema {version}).").format(
                url=options.url, version=result.to_version
            )
        )
    else:
        print(
            _("Updated {url} from schema {old} to {new}.").format(
                url=options.url, old=result.from_version, new=result.to_version
            )
        )
        if result.snapshot is not None:
            print(
                _("A copy of it before the update is kept as {copy}.").format(copy=result.snapshot)
            )
    return EXIT_OK
