"""The ``kpidesk`` command: open the app, or work on a workspace from the shell.

Each command lives in its own module under ``kpidesk.commands``. Errors are one line on
stderr, never a traceback; the exit codes are listed in the README and in
``kpidesk.commands.base``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence

import kpidesk
from kpidesk import i18n
from kpidesk.commands import COMMANDS, command_module
from kpidesk.commands.base import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    UsageError,
    add_language_option,
    fail,
)
from kpidesk.domain.errors import DomainError
from kpidesk.i18n import _

log = logging.getLogger("kpidesk")


def _command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of the command ``name`` (only its module is imported)."""
    parser = Parser(
        prog="kpidesk",
        description=_("Work on a KPI Desk workspace from the command line."),
    )
    add_language_option(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in (command_module(name),):
        command = module.add_parser(subparsers)
        add_language_option(command)
        command.set_defaults(handler=module.run)
    return parser


def _app_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="kpidesk",
        description=_(
            "KPI Desk: goals, KPIs, follow-up meetings and review packs. Without a command, "
            "opens the app. Commands: {commands}."
        ).format(commands=", ".join(COMMANDS)),
    )
    parser.add_argument(
        "path", nargs="?", help=_("a workspace to open: a file, or a postgresql:// URL")
    )
    parser.add_argument("--read-only", action="store_true", help=_("open without writing"))
    add_language_option(parser)
    parser.add_argument("--version", action="store_true", help=_("print the version and exit"))
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_("check this installation offscreen on a demo workspace, print one line, exit"),
    )
    return parser


def _log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An error in a library's clean-up (openpyxl's writer after a full disk) goes to the
    log, not to stderr: the command's own one-line message says what went wrong."""
    log.debug(
        "ignored in %r: %s", unraisable.object, unraisable.exc_value, exc_info=unraisable.exc_value
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if hasattr(signal, "SIGPIPE") and argv is None:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `kpidesk check X | head` ends quietly
    if argv is None:
        sys.unraisablehook = _log_unraisable
    i18n.set_language(_language_option(args))
    try:
        name = _first_word(args)
        if name in COMMANDS:
            options = _command_parser(name).parse_args(args)
            return int(options.handler(options))
        options = _app_parser().parse_args(args)
        if options.version:
            print(f"KPI Desk {kpidesk.__version__}")
            return EXIT_OK
        if options.self_test:
            from kpidesk import selftest

            return selftest.run()
        from kpidesk.app import run_app  # Qt is loaded only when the app is wanted

        return run_app(options.path, read_only=options.read_only, language=_language_option(args))
    except UsageError as error:
        fail(_("usage error: {message} (see kpidesk --help)").format(message=error))
        return EXIT_USAGE
    except DomainError as error:
        fail(error.message)
        return int(getattr(error, "exit_code", EXIT_ERROR))
    except KeyboardInterrupt:
        fail(_("Interrupted."))
        return EXIT_INTERRUPTED
    except OSError as error:
        from kpidesk.files import os_reason

        fail(f"{error.filename or ''}: {os_reason(error)}".lstrip(": "))
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
