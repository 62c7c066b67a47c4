"""What the importer tells the user: messages, cell problems and unreadable files.

Every text is a gettext msgid (marked with ``N_``) plus the values to put in it, and is
translated only when shown, so the same problem reads in the user's language in the app and
on the command line, and code can still look at ``template`` and ``params``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, _


@dataclass(frozen=True, slots=True)
class Message:
    """An untranslated message: a gettext msgid and the values to format it with."""

    template: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, template: str, **params: Any) -> Message:
        return cls(template, tuple(params.items()))

    @classmethod
    def from_error(cls, error: DomainError) -> Message:
        return cls(error.template, tuple(error.params.items()))

    @property
    def text(self) -> str:
        """The message in the current language."""
        return _(self.template).format(**dict(self.params))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A cell (or a row, or a column) the importer cannot use, and why.

    ``row`` is the row number as the spreadsheet shows it (1-based) and ``column`` the column
    letter as Excel shows it; either is None when the problem concerns a whole column or row.
    ``value`` is the cell's content as displayed. ``reason`` is an untranslated
    :class:`Message` (the domain parsers' messages where they apply); ``str(problem)`` gives
    one line in the current language.
    """

    sheet: str
    row: int | None
    column: str | None
    value: str
    reason: Message

    @property
    def location(self) -> str:
        """``Blad1!B7``, ``Blad1!B`` (a column), ``Blad1!7`` (a row) or ``Blad1``."""
        where = f"{self.column or ''}{self.row or ''}"
        return f"{self.sheet}!{where}" if where else self.sheet

    @property
    def text(self) -> str:
        return _("{location}: {reason}").format(location=self.location, reason=self.reason.text)

    def __str__(self) -> str:
        return self.text


class SpreadsheetErrorKind(StrEnum):
    """Why a file cannot be read at all; lets the UI and the command line react by kind."""

    NOT_FOUND = "not_found"
    EMPTY = "empty"
    NOT_SPREADSHEET = "not_spreadsheet"
    UNSUPPORTED = "unsupported"
    PASSWORD = "password"
    DAMAGED = "damaged"
    TOO_LARGE = "too_large"
    MEMORY = "memory"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    NO_SHEET = "no_sheet"
    NO_LAYOUT = "no_layout"


class SpreadsheetError(DomainError):
    """A file (or a sheet of it) that cannot be read; the message names the file."""

    def __init__(self, kind: SpreadsheetErrorKind, template: str, **params: Any) -> None:
        super().__init__(template, **params)
        self.kind = kind

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across the reader process
        return (_rebuild_error, (self.kind, self.template, self.params))


def _rebuild_error(
    kind: SpreadsheetErrorKind, template: str, params: dict[str, Any]
) -> SpreadsheetError:
    return SpreadsheetError(kind, template, **params)


class ReadCancelled(Exception):
    """The caller's ``cancelled()`` returned True; the reader process has been stopped."""


# The messages for unreadable files, in one place -------------------------------------------

MSG_NOT_FOUND = N_("{file} does not exist or cannot be opened.")
MSG_FOLDER = N_("{file} is a folder, not a spreadsheet; name a spreadsheet file.")
MSG_NOT_A_FILE = N_(
    "{file} is not a file but a device, a pipe or a socket; name a spreadsheet file."
)
MSG_EMPTY = N_("{file} is empty.")
MSG_NOT_SPREADSHEET = N_("{file} is not a spreadsheet KPI Desk can read.")
MSG_WEB_PAGE = N_(
    "{file} is a web page or XML file, not a spreadsheet; open it in Excel and save it as .xlsx."
)
MSG_OLD_BIFF = N_(
    "{file} is in an old Excel format (Excel 2.x–4.0) that KPI Desk cannot read; "
    "open it in Excel and save it as .xlsx."
)
MSG_PASSWORD = N_("{file} is password-protected; save an unprotected copy and import that.")
MSG_DAMAGED = N_("{file} could not be read; it may be damaged ({detail}).")
MSG_ZIP_BOMB = N_("{file} was refused: it would unpack to far more data than a spreadsheet holds.")
MSG_XML_BOMB = N_("{file} was refused: it contains XML entity definitions, which can hide attacks.")
MSG_MEMORY = N_("{file} could not be read: it needs more memory than allowed.")
MSG_TIMEOUT = N_("{file} could not be read: it took too long.")
MSG_CRASHED = N_("{file} could not be read: the reader stopped unexpectedly ({detail}).")
MSG_NO_SHEET = N_("{file} has no sheet named “{sheet}”.")
MSG_NO_SHEETS = N_("{file} has no sheet with data.")


def spreadsheet_error(kind: SpreadsheetErrorKind, template: str, **params: Any) -> SpreadsheetError:
    return SpreadsheetError(kind, template, **params)


def check_input_file(path: Any) -> None:
    """Refuse, in words, an import file that is missing, a folder or a device."""
    path = Path(path)
    file = path.name or str(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_FOUND, MSG_NOT_FOUND, file=file) from None
    if stat.S_ISDIR(mode):
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_FOUND, MSG_FOLDER, file=str(path))
    if not stat.S_ISREG(mode):
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_FOUND, MSG_NOT_A_FILE, file=str(path))


def one_line(text: object, limit: int = 160) -> str:
    """A library's error text shortened to one line, for the ``{detail}`` of a message."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
