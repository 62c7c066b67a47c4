"""What every command shares: exit codes, the parser that raises instead of exiting."""

from __future__ import annotations

import argparse
import sys

from kpidesk import i18n
from kpidesk.commands import argparse_text
from kpidesk.i18n import N_, _

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BAD_WORKSPACE = 3
EXIT_NEWER_WORKSPACE = 4
EXIT_LOCKED = 5
EXIT_NO_DISPLAY = 6
EXIT_INTERRUPTED = 130


argparse_text.install()


class UsageError(Exception):
    """Wrong arguments: reported as a usage error with exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def add_language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=argparse.SUPPRESS,
        help=_("language of messages (and of a new workspace); default: the system's"),
    )


def workspace_argument(text: str) -> object:
    """A workspace named on the command line: a file's path, or a ``postgresql://`` URL."""
    from kpidesk.store.location import ServerUrlError, workspace_location

    try:
        return workspace_location(text)
    except ServerUrlError as error:
        raise argparse.ArgumentTypeError(error.message) from None


WORKSPACE_HELP = N_(
    "the workspace: a file, or a server's database as postgresql://user@host:port/database"
)


def fail(message: str) -> None:
    print(f"kpidesk: {message}", file=sys.stderr)


Subparsers = argparse._SubParsersAction  # argparse has no public name for it
