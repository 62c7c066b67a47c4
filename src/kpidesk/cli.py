"""The ``kpidesk`` command: open the app, or work on a workspace from the shell.

Errors are one line on stderr, never a traceback; the exit codes are listed in the README
and in ``EXIT_CODES`` below.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from kpidesk import __version__, i18n
from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import PeriodKind, parse_period
from kpidesk.i18n import _

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BAD_WORKSPACE = 3
EXIT_NEWER_WORKSPACE = 4
EXIT_LOCKED = 5
EXIT_NO_DISPLAY = 6
EXIT_INTERRUPTED = 130

COMMANDS = ("new", "demo", "check", "export")

log = logging.getLogger("kpidesk")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _command_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kpidesk",
        description=_("Work on a KPI Desk workspace from the command line."),
    )
    _add_language_option(parser)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    new = commands.add_parser("new", help=_("write an empty workspace"))
    new.add_argument("path", type=Path, help=_("the workspace file to write (.kpidesk)"))
    new.add_argument("--name", help=_("the organisation's name (default: the file name)"))
    new.add_argument("--currency", default="SEK", help=_("currency code (default: SEK)"))
    _add_language_option(new)

    demo = commands.add_parser("demo", help=_("write the demo workspace"))
    demo.add_argument("path", type=Path, help=_("the workspace file to write (.kpidesk)"))
    demo.add_argument(
        "--until", help=_("the last month with data, e.g. 2026-10 (default: last month)")
    )
    demo.add_argument("--force", action="store_true", help=_("replace an existing file"))
    _add_language_option(demo)

    check = commands.add_parser("check", help=_("check a workspace and count its rows"))
    check.add_argument("path", type=Path, help=_("the workspace file"))
    _add_language_option(check)

    export = commands.add_parser("export", help=_("export data from a workspace"))
    export.add_argument("path", type=Path, help=_("the workspace file"))
    formats = export.add_mutually_exclusive_group(required=True)
    formats.add_argument(
        "--csv", type=Path, metavar="OUT.csv", help=_("every stored measurement as CSV")
    )
    _add_language_option(export)
    return parser


def _add_language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=argparse.SUPPRESS,
        help=_("language of messages (and of a new workspace); default: the system's"),
    )


def _app_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kpidesk",
        description=_(
            "KPI Desk: goals, KPIs, follow-up meetings and review packs. Without a command, "
            "opens the app. Commands: {commands}."
        ).format(commands=", ".join(COMMANDS)),
    )
    parser.add_argument("path", nargs="?", type=Path, help=_("a workspace to open"))
    parser.add_argument("--read-only", action="store_true", help=_("open without writing"))
    _add_language_option(parser)
    parser.add_argument("--version", action="store_true", help=_("print the version and exit"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if hasattr(signal, "SIGPIPE") and argv is None:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `kpidesk check X | head` ends quietly
    i18n.set_language(_language_option(args))
    try:
        if _first_word(args) in COMMANDS:
            return _run_command(_command_parser().parse_args(args))
        options = _app_parser().parse_args(args)
        if options.version:
            print(f"KPI Desk {__version__}")
            return EXIT_OK
        from kpidesk.app import run_app  # Qt is loaded only when the app is wanted

        return run_app(options.path, read_only=options.read_only, language=_language_option(args))
    except UsageError as error:
        _fail(_("usage error: {message} (see kpidesk --help)").format(message=error))
        return EXIT_USAGE
    except DomainError as error:
        _fail(error.message)
        return int(getattr(error, "exit_code", EXIT_ERROR))
    except KeyboardInterrupt:
        _fail(_("Interrupted."))
        return EXIT_INTERRUPTED
    except OSError as error:
        _fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
        return EXIT_ERROR


def _first_word(args: list[str]) -> str | None:
    """The first argument that is neither an option nor an option's value."""
    index = 0
    while index < len(args):
        if args[index] == "--lang":
            index += 2
        elif args[index].startswith("-"):
            index += 1
        else:
            return args[index]
    return None


def _language_option(args: list[str]) -> str | None:
    for index, arg in enumerate(args):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
    return None


def _fail(message: str) -> None:
    print(f"kpidesk: {message}", file=sys.stderr)


def _run_command(options: argparse.Namespace) -> int:
    handler = {
        "new": _cmd_new,
        "demo": _cmd_demo,
        "check": _cmd_check,
        "export": _cmd_export,
    }[options.command]
    return handler(options)


def _cmd_new(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import create_workspace

    workspace = create_workspace(
        options.path,
        options.name,
        language=i18n.current_language(),
        currency=options.currency,
    )
    path = workspace.path
    workspace.close()
    print(_("Wrote {path}.").format(path=path))
    return EXIT_OK


def _cmd_demo(options: argparse.Namespace) -> int:
    from kpidesk.services.demo import build_demo, default_until

    try:
        until = (
            parse_period(options.until, frequency=PeriodKind.MONTH).to(PeriodKind.MONTH)
            if options.until
            else default_until()
        )
    except DomainError as error:
        raise UsageError(f"--until: {error.message}") from error
    path: Path = options.path
    if path.exists():
        if not options.force:
            from kpidesk.store.errors import WorkspaceExistsError

            raise WorkspaceExistsError(path)
        path.unlink()
    build_demo(path, until=until, language=i18n.current_language())
    print(
        _("Wrote the demo workspace {path} (data until {period}).").format(
            path=path, period=until.key
        )
    )
    return EXIT_OK


def _cmd_check(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import check_workspace

    report = check_workspace(options.path)
    if not report.sound:
        _fail(
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


def _cmd_export(options: argparse.Namespace) -> int:
    from kpidesk.services.workspaces import export_measurements_csv
    from kpidesk.store.workspace import opened

    with opened(options.path, read_only=True) as workspace:
        count = export_measurements_csv(workspace, options.csv)
    print(_("Wrote {count} measurements to {path}.").format(count=count, path=options.csv))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
