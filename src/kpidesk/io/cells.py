"""Cell values as the readers hand them over, and small helpers around them."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

__all__ = [
    "EXCEL_ERRORS",
    "CellValue",
    "column_index",
    "column_letter",
    "display_value",
    "excel_error",
    "is_blank",
]

CellValue = str | float | int | bool | date | datetime | time | timedelta | None
"""What a reader yields for one cell: None (or ``""``) for an empty cell."""

# What Excel, LibreOffice and Google Sheets show for an error, and the older spellings.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#PYTHON!",
        "#EXTERNAL!",
        "#N/A!",
        "Err:502",
        "Err:504",
        "Err:508",
        "Err:509",
        "Err:510",
        "Err:511",
        "Err:512",
        "Err:522",
        "Err:523",
    }
)
_ERRORS_FOLDED = {error.casefold(): error for error in EXCEL_ERRORS}


def excel_error(value: object) -> str | None:
    """The error's text when ``value`` is an Excel error literal such as ``#DIV/0!``."""
    if isinstance(value, str) and 3 <= len(value) <= 16 and value[:1] in "#E":
        return _ERRORS_FOLDED.get(value.strip().casefold())
    return None


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``: the column as Excel shows it."""
    if index < 0:
        raise ValueError(index)
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def display_value(value: CellValue) -> str:
    """A cell as a short text for previews and problem reports."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)
