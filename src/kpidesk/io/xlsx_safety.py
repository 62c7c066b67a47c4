"""What every file KPI Desk writes must respect: text stays text, names stay legal.

* Text that begins with ``=``, ``+``, ``-`` or ``@`` is what a spreadsheet reads as a formula
  when it is typed (and what CSV-injection attacks rely on). In a workbook it is written as a
  string cell with Excel's *quote prefix*, so Excel and LibreOffice show the literal text and
  keep it text even when the cell is edited; openpyxl reads the same literal back.
* Sheet names are unique (Excel compares them without case), at most 31 characters, without
  ``[ ] : * ? / \\``, do not begin or end with an apostrophe, and are never ``History``.
* File names the app proposes are legal on Windows, macOS and Linux.
"""

from __future__ import annotations

import re
import unicodedata
from copy import copy
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@")
"""Leading characters a spreadsheet may take as the start of a formula."""

SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_RESERVED_SHEET_NAMES = {"history"}

_FILE_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
FILE_STEM_MAX = 120

# Characters XML 1.0 cannot hold; openpyxl refuses them with IllegalCharacterError.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    """Whether ``text`` would be read as a formula if typed into a spreadsheet."""
    return text.startswith(FORMULA_PREFIXES)


def clean_text(text: str) -> str:
    """``text`` without the control characters a workbook cannot store."""
    return _ILLEGAL_XML.sub("", text)


def set_text(cell: Any, text: str) -> Any:
    """Write ``text`` into an openpyxl cell as a string, never as a formula.

    openpyxl takes any string that starts with ``=`` for a formula, and ``#N/A`` or
    ``#DIV/0!`` for an error; this forces the string type back, and marks risky text with
    the quote prefix so that editing the cell in Excel keeps it text too.
    """
    text = clean_text(text)
    cell.value = text
    if cell.data_type == "e":  # openpyxl takes "#N/A" and its kind for an error value
        cell.data_type = "s"
    if text and looks_like_formula(text):
        cell.data_type = "s"
        style = getattr(cell, "_style", None)
        if style is not None:  # the style may be shared with other cells: change a copy
            cell._style = copy(style)
        cell.quotePrefix = True
    return cell


def set_value(cell: Any, value: object) -> Any:
    """Write any value: strings through :func:`set_text`, everything else as it is."""
    if isinstance(value, str):
        return set_text(cell, value)
    cell.value = value
    return cell


def sheet_title(name: str, taken: set[str], *, fallback: str = "Sheet") -> str:
    """A legal, unique sheet name made from ``name``; adds it (case-folded) to ``taken``.

    ``taken`` holds the case-folded names already used in the workbook.
    """
    title = _SHEET_FORBIDDEN.sub(" ", unicodedata.normalize("NFC", name))
    title = re.sub(r"\s+", " ", title).strip().strip("'").strip()
    if not title or title.casefold() in _RESERVED_SHEET_NAMES:
        title = f"{title} ({fallback})" if title else fallback
    title = title[:SHEET_TITLE_MAX].rstrip().rstrip("'").rstrip() or fallback[:SHEET_TITLE_MAX]
    candidate = title
    number = 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate = title[: SHEET_TITLE_MAX - len(suffix)].rstrip().rstrip("'") + suffix
        number += 1
    taken.add(candidate.casefold())
    return candidate


def quote_sheet_name(title: str) -> str:
    """``title`` as a formula or hyperlink reference writes it: ``'Kund AB''s data'``."""
    return "'" + title.replace("'", "''") + "'"


def safe_file_name(name: str, suffix: str = "", *, fallback: str = "export") -> str:
    """A file name legal on every platform, made from ``name`` (plus ``suffix``, e.g. ``.xlsx``).

    Path separators, characters Windows forbids, control characters, leading dots and
    trailing dots or spaces go; Windows' reserved device names (``CON``, ``LPT1``…) get an
    underscore; the stem is kept under :data:`FILE_STEM_MAX` characters.
    """
    stem = _FILE_FORBIDDEN.sub(" ", unicodedata.normalize("NFC", name))
    stem = re.sub(r"\s+", " ", stem).strip(". ")
    if suffix and stem.lower().endswith(suffix.lower()):
        stem = stem[: -len(suffix)].rstrip(". ")
    if not stem:
        stem = fallback
    if stem.split(".")[0].strip().casefold() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = stem[:FILE_STEM_MAX].rstrip(". ") or fallback
    return stem + suffix
