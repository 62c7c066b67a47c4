"""``kpidesk check PATH``: integrity check and row counts, without writing anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import (
    EXIT_BAD_WORKSPACE,
    EXIT_OK,
    WORKSPACE_HELP,
    Subparsers,
    fail,
    workspace_argument,
)
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("check", help=_("check a workspace and count its rows"))
    parser.add_argument("path", type=workspace_argument, help=_(WORKSPACE_HELP))
    parser.add_argument(
        "--health",
        action="store_true",
        help=_("also say where the goals and KPIs are weak (focus, owners, targets, data)"),
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import check_workspace
    from kpidesk.store.errors import CorruptWorkspaceError

    report = check_workspace(options.path)
    if not report.sound:
        fail(CorruptWorkspaceError(options.path, report.problems[0]).message)
        return EXIT_BAD_WORKSPACE
    print(
        _("{path}: sound (schema {version}).").format(
            path=options.path, version=report.schema_version
        )
    )
    width = max(len(name) for name in report.counts)
    for table, count in report.counts.items():
        print(f"  {table:<{width}}  {count:>9}")
    if options.health:
        _print_health(options.path)
    return EXIT_OK


def _print_health(path: Path) -> None:
    from kpidesk.services.health import workspace_health
    from kpidesk.store.workspace import opened

    with opened(path, read_only=True, older_ok=True) as _workspace:
        items = workspace_health()
    if not items:
        print(_("Health: nothing to improve was found."))
        return
    print(_("Health: {count} findings.").format(count=len(items)))
    for item in items:
        mark = "!" if item.finding.severity == "warning" else "i"
        print(f"  {mark} {item.message}")
