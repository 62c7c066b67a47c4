"""The SIE reader's errors and notes, each one line in the user's language.

A file that cannot be read is a :class:`SieError`, a kind of
:class:`~kpidesk.io.errors.SpreadsheetError`, so the command line and the wizard treat it as
they treat a spreadsheet they cannot read. Every message names the file, and where a line is
to blame, the line.
"""

from __future__ import annotations

from typing import Any

from kpidesk.domain.numbers import format_number
from kpidesk.i18n import N_, _
from kpidesk.io.errors import SpreadsheetError, SpreadsheetErrorKind

__all__ = ["Phrase", "SieError", "amount_text"]


def amount_text(cents: int) -> str:
    """An amount in öre as the user writes it: ``-1 234,50`` (Swedish), ``-1,234.50``."""
    return format_number(cents / 100, 0 if cents % 100 == 0 else 2)


class Phrase(str):
    """A phrase inside a message (``an amount``), translated when the message is shown."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(_(str(self)), spec)


class SieError(SpreadsheetError):
    """A file that is not SIE, or a SIE file that cannot be read; the message names the line."""

    def __init__(self, kind: SpreadsheetErrorKind, template: str, **params: Any) -> None:
        super().__init__(kind, template, **params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.kind, self.template, self.params))


def _rebuild(kind: SpreadsheetErrorKind, template: str, params: dict[str, Any]) -> SieError:
    return SieError(kind, template, **params)


MSG_NOT_SIE = N_(
    "{file} is not a SIE file: line {line} reads “{text}”, but a SIE file begins with #FLAGGA."
)
MSG_BINARY = N_("{file} is not a SIE file: it holds binary data, not text.")
MSG_TOO_LARGE = N_("{file} is too large for a SIE file ({size} MB; at most {limit} MB).")
MSG_BAD_FIELD = N_("{file}, line {line}: {label} needs {what} here, not “{text}”.")
MSG_MISSING_FIELD = N_("{file}, line {line}: {label} lacks {what}.")
MSG_SYNTAX = N_("{file}, line {line}: {reason}.")
MSG_OUTSIDE_VOUCHER = N_("{file}, line {line}: {label} stands outside a voucher’s “{{ }}”.")
MSG_STRAY_OPEN = N_("{file}, line {line}: a “{{” that follows no #VER.")
MSG_STRAY_CLOSE = N_("{file}, line {line}: a “}}” that closes no voucher.")
MSG_UNCLOSED_VOUCHER = N_(
    "{file}, line {line}: the voucher {voucher} is not closed with “}}” before line {end}."
)
MSG_UNCLOSED_AT_END = N_(
    "{file}, line {line}: the voucher {voucher} is not closed with “}}”; the file ends first."
)
MSG_NO_DATE = N_("{file}, line {line}: the row has no date, and its voucher has none either.")

# What a field should hold (the {what} of MSG_BAD_FIELD and MSG_MISSING_FIELD).
AN_AMOUNT = Phrase(N_("an amount"))
A_DATE = Phrase(N_("a date (YYYYMMDD)"))
A_YEAR = Phrase(N_("a fiscal year number (0, -1 …)"))
A_PERIOD = Phrase(N_("a month (YYYYMM)"))
AN_ACCOUNT = Phrase(N_("an account"))
AN_OBJECT_LIST = Phrase(N_("an object list ({…})"))
PAIRS = Phrase(N_("pairs of a dimension and an object"))
A_DIMENSION = Phrase(N_("a dimension number"))
AN_OBJECT = Phrase(N_("an object code"))
A_TYPE = Phrase(N_("a SIE type (1–4)"))

# Reasons a line cannot be split (the {reason} of MSG_SYNTAX).
OPEN_LIST = Phrase(N_("an object list “{” is not closed on its line"))
NESTED_LIST = Phrase(N_("an object list holds another “{”"))
STRAY_BRACE = Phrase(N_("a “}” closes no object list"))
NOT_A_RECORD = Phrase(N_("a record must begin with a #label"))

# Notes ---------------------------------------------------------------------------------
NOTE_ENCODING = N_(
    "The file says it is written in {declared} but is {actual}; it was read as {actual}."
)
NOTE_CHECKSUM = N_(
    "The file’s checksum (#KSUMMA {expected}) does not match its content ({actual}): it may "
    "have been changed after it was written."
)
NOTE_CHECKSUM_MISSING = N_("The file begins a checksum (#KSUMMA) but never gives its value.")
NOTE_REPEATED = N_(
    "{label} rows that repeat an earlier row’s year, account and objects were left out "
    "({count}, the first on line {line})."
)
NOTE_ADDED_ALONE = N_(
    "Added voucher rows (#RTRANS) without the identical #TRANS the specification asks for "
    "after them were counted as rows of their vouchers ({count})."
)
