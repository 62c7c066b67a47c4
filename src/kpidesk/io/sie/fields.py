"""Reading one record's fields with messages that name the file, the line and the label.

Amounts become whole öre, dates :class:`datetime.date`, months ``YYYYMM`` texts and object
lists sorted ``(dimension, object)`` pairs; anything else raises
:class:`~kpidesk.io.sie.errors.SieError` saying what the field should have held.
"""

from __future__ import annotations

import re
from datetime import date

from kpidesk.io.errors import SpreadsheetErrorKind
from kpidesk.io.sie import errors as E
from kpidesk.io.sie.errors import Phrase, SieError
from kpidesk.io.sie.model import Objects
from kpidesk.io.sie.tokens import Field

__all__ = ["Record", "cents_of", "date_of", "month_ok", "pairs"]

_AMOUNT = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
INTEGER = re.compile(r"[-+]?\d+")
_DIGITS8 = re.compile(r"\d{8}")
_DIGITS6 = re.compile(r"\d{6}")


def cents_of(text: str) -> int | None:
    if not _AMOUNT.fullmatch(text):
        return None
    return round(float(text.replace(",", ".")) * 100)


def date_of(text: str) -> date | None:
    """``20250131`` → a date (years 1900–2200, as periods have); None for anything else."""
    if not _DIGITS8.fullmatch(text) or not 1900 <= int(text[:4]) <= 2200:
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def month_ok(text: str) -> bool:
    return (
        bool(_DIGITS6.fullmatch(text))
        and 1900 <= int(text[:4]) <= 2200
        and (1 <= int(text[4:]) <= 12)
    )


class Record:
    """One record's fields, read with messages that name the file, the line and the label."""

    __slots__ = ("fields", "file", "label", "number")

    def __init__(self, file: str, number: int, fields: list[Field]) -> None:
        self.file = file
        self.number = number
        self.fields = fields
        self.label = str(fields[0]).upper()

    def bad(self, what: Phrase, text: str) -> SieError:
        return SieError(
            SpreadsheetErrorKind.DAMAGED,
            E.MSG_BAD_FIELD,
            file=self.file,
            line=self.number,
            label=self.label,
            what=what,
            text=text[:60],
        )

    def missing(self, what: Phrase) -> SieError:
        return SieError(
            SpreadsheetErrorKind.DAMAGED,
            E.MSG_MISSING_FIELD,
            file=self.file,
            line=self.number,
            label=self.label,
            what=what,
        )

    def raw(self, index: int, what: Phrase) -> Field:
        if index >= len(self.fields):
            raise self.missing(what)
        return self.fields[index]

    def text(self, index: int, what: Phrase, *, required: bool = True) -> str:
        if index >= len(self.fields):
            if required:
                raise self.missing(what)
            return ""
        value = self.fields[index]
        if isinstance(value, tuple):
            raise self.bad(what, "{" + " ".join(value) + "}")
        return value

    def optional(self, index: int) -> str:
        value = self.fields[index] if index < len(self.fields) else ""
        return value if isinstance(value, str) else ""

    def account(self, index: int) -> str:
        value = self.text(index, E.AN_ACCOUNT).strip()
        if not value:
            raise self.bad(E.AN_ACCOUNT, value)
        return value

    def cents(self, index: int) -> int:
        text = self.text(index, E.AN_AMOUNT)
        value = cents_of(text)
        if value is None:
            raise self.bad(E.AN_AMOUNT, text)
        return value

    def year(self, index: int) -> int:
        text = self.text(index, E.A_YEAR)
        if not INTEGER.fullmatch(text) or not -99 <= int(text) <= 99:
            raise self.bad(E.A_YEAR, text)
        return int(text)

    def date(self, index: int, *, required: bool = True) -> date | None:
        text = self.text(index, E.A_DATE, required=required)
        if not text and not required:
            return None
        value = date_of(text)
        if value is None:
            raise self.bad(E.A_DATE, text)
        return value

    def month(self, index: int) -> str:
        text = self.text(index, E.A_PERIOD)
        if not month_ok(text):
            raise self.bad(E.A_PERIOD, text)
        return text

    def objects(self, index: int) -> Objects:
        value = self.raw(index, E.AN_OBJECT_LIST)
        if not isinstance(value, tuple):
            raise self.bad(E.AN_OBJECT_LIST, value)
        objects = pairs(value)
        if objects is None:
            raise self.bad(E.PAIRS, "{" + " ".join(value) + "}")
        return objects


def pairs(items: tuple[str, ...]) -> Objects | None:
    """``("1", "10", "6", "P1")`` → ``(("1", "10"), ("6", "P1"))``; None for an odd count."""
    if len(items) % 2:
        return None
    pairs = [(items[i].strip(), items[i + 1].strip()) for i in range(0, len(items), 2)]
    if any(not dimension for dimension, _code in pairs):
        return None
    return tuple(sorted(pairs, key=lambda pair: (len(pair[0]), pair[0])))
