"""``kpidesk check PATH``: integrity check and row counts, without writing anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk.commands.base import EXIT_BAD_WORKSPACE, EXIT_OK, Subparsers, fail
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("check", help=_("check a workspace and count its rows"))
    parser.add_argument("path", type=Path, help=_("the workspace file"))
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import check_workspace

    report = check_workspace(options.path)
    if not report.sound:
        fail(
            _("{path} is damaged: {problem}").format(path=options.path, problem=report.problems[0])
        )
        return EXIT_BAD_WORKSPACE
    print(
        _("{path}: sound (schema {version}).").format(
            path=options.path, version=report.schema_version
        )
    )
    width = max(len(name) for name in report.counts)
    for table, count in report.counts.items():
        print(f"  {table:<{width}}  {count:>9}")
    return EXIT_OK
