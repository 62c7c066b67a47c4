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
    users = actions.add_parser("users", help=_("list a server workspace's people and roles"))
    users.add_argument("url", type=workspace_argument, help=_("postgresql://user@host/database"))
    user = actions.add_parser("user", help=_("add or remove a person of a server workspace"))
    user_actions = user.add_subparsers(dest="user_action", required=True, parser_class=Parser)
    add = user_actions.add_parser(
        "add", help=_("add a person: a login of the server in one of the four roles")
    )
    add.add_argument("url", type=workspace_argument, help=_("postgresql://user@host/database"))
    add.add_argument("name", help=_("the login name"))
    add.add_argument(
        "--role",
        required=True,
        choices=["viewer", "updater", "editor", "admin"],
        help=_("viewer reads; updater enters values of their units; editor edits; admin manages"),
    )
    add.add_argument("--units", nargs="+", default=[], metavar="UNIT", help=_("an updater's units"))
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the person's password from the first line of standard input"),
    )
    remove = user_actions.add_parser("remove", help=_("remove a person from the workspace"))
    remove.add_argument("url", type=workspace_argument, help=_("postgresql://user@host/database"))
    remove.add_argument("name", help=_("the login name"))
    return parser


def _run_people(options: argparse.Namespace) -> int:
    import sys

    from kpidesk.services import people

    if options.action == "users":
        rows = people.people_at(options.url)
        if not rows:
            print(_("{url} has no people yet.").format(url=options.url))
        for row in rows:
            units = ", ".join(row.units)
            print(f"{row.name}\t{row.role.value}" + (f"\t{units}" if units else ""))
        return EXIT_OK
    if options.user_action == "remove":
        people.remove_person_at(options.url, options.name)
        print(_("Removed {name} from {url}.").format(name=options.name, url=options.url))
        return EXIT_OK
    if options.units and options.role != "updater":
        raise UsageError(_("--units is for an updater only."))
    if options.role == "updater" and not options.units:
        raise UsageError(_("An updater needs --units: the units whose values they enter."))
    password = None
    if options.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError(_("No password on standard input."))
    people.add_person_at(options.url, options.name, options.role, options.units, password)
    print(
        _("Added {name} to {url} as {role}.").format(
            name=options.name, url=options.url, role=options.role
        )
    )
    return EXIT_OK


def run(options: argparse.Namespace) -> int:
    from kpidesk.services import servers
    from kpidesk.store.location import ServerAddress

    if not isinstance(options.url, ServerAddress):
        raise UsageError(_("{path} is not a postgresql:// URL").format(path=options.url))
    if options.action in ("users", "user"):
        return _run_people(options)
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
