"""``kpidesk demo PATH [--until 2026-10] [--force]``: the demo company."""

from __future__ import annotations

import argparse
from pathlib import Path

from kpidesk import i18n
from kpidesk.commands.base import EXIT_OK, Subparsers, UsageError
from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PeriodKind, parse_period
from kpidesk.i18n import _


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("demo", help=_("write the demo workspace"))
    parser.add_argument("path", type=Path, help=_("the workspace file to write (.kpidesk)"))
    parser.add_argument(
        "--until", help=_("the last month with data, e.g. 2026-10 (default: last month)")
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=_("replace an existing workspace (it is backed up first)"),
    )
    return parser


def run(options: argparse.Namespace) -> int:
    from kpidesk.services.demo import default_until
    from kpidesk.services.workspaces import write_demo

    try:
        until = (
            parse_period(options.until, frequency=PeriodKind.MONTH).to(PeriodKind.MONTH)
            if options.until
            else default_until()
        )
    except DomainError as error:
        raise UsageError(f"--until: {error.message}") from error
    path: Path = options.path
    write_demo(path, until=until, language=i18n.current_language(), force=options.force)
    print(
        _("Wrote the demo workspace {path} (data until {period}).").format(
            path=path, period=until.key
        )
    )
    return EXIT_OK
