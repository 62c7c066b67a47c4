"""Reading a SIE file (types 1–4 and 4I) into a :class:`~kpidesk.io.sie.model.SieFile`.

A file is SIE by its content: its first record is ``#FLAGGA`` (or, leniently, a ``#FLAGGA``
or ``#SIETYP`` comes among its first records), whatever its name. The text is CP437
(``#FORMAT PC8``) as the specification asks; a file that is valid UTF-8 or plainly
Windows-1252 instead is read as such, with a note. Lines end in CRLF or LF.

What is read: ``#FLAGGA``, ``#FORMAT``, ``#SIETYP``, ``#PROGRAM``, ``#GEN``, ``#FNAMN``,
``#ORGNR``, ``#VALUTA``, ``#KPTYP``, ``#RAR``, ``#KONTO``, ``#KTYP``, ``#DIM``, ``#UNDERDIM``,
``#OBJEKT``, ``#IB``, ``#UB``, ``#RES``, ``#OIB``, ``#OUB``, ``#PSALDO``, ``#PBUDGET``,
``#VER`` with ``#TRANS``, ``#RTRANS`` and ``#BTRANS``, and ``#KSUMMA``. Every other record
is skipped and counted by label.

Vouchers as the specification defines them: ``#TRANS`` rows count; a ``#BTRANS`` row was
removed and does not; an ``#RTRANS`` row was added and is followed by an identical
``#TRANS`` for programs that do not know ``#RTRANS``, so it counts once (an ``#RTRANS``
without its ``#TRANS`` counts by itself, with a note). A voucher whose rows do not add up to
zero is listed in :attr:`SieFile.unbalanced`. A row without a date is booked on its
voucher's date.

``#KSUMMA``: the first (empty) one starts a CRC-32 over every record up to the second,
which holds the sum; each record adds its label and its fields' characters in the file's
encoding, without spaces, quotes or braces. A mismatch is a note, not an error.

A file that is not SIE, or whose records a KPI needs cannot be read (an amount that is not a
number, a date that is not a date, an object list left open, a voucher never closed), raises
:class:`~kpidesk.io.sie.errors.SieError` with one line naming the file and the line.

The common ``#TRANS`` row is read by one regular expression; everything else goes through
:func:`~kpidesk.io.sie.tokens.split_fields`.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kpidesk.io.errors import (
    MSG_EMPTY,
    MSG_NOT_FOUND,
    Message,
    SpreadsheetErrorKind,
)
from kpidesk.io.sie import errors as E
from kpidesk.io.sie.errors import Phrase, SieError
from kpidesk.io.sie.model import (
    Account,
    Dimension,
    FiscalYear,
    Objects,
    SieFile,
    UnbalancedVoucher,
)
from kpidesk.io.sie.tokens import Field, SieSyntaxError, checksum_update, split_fields

__all__ = ["MAX_BYTES", "looks_like_sie", "read_sie", "read_sie_bytes"]

MAX_BYTES = 2 * 1024**3
"""A larger file is refused (a year of a large company's vouchers is far smaller)."""
SNIFF_BYTES = 64 * 1024
SNIFF_RECORDS = 30
"""A #FLAGGA or #SIETYP must come among this many first records."""
PROGRESS_LINES = 200_000

_SWEDISH_PC8 = (b"\x86", b"\x84", b"\x94", b"\x8f", b"\x8e", b"\x99")
_SWEDISH_LATIN = (b"\xe5", b"\xe4", b"\xf6", b"\xc5", b"\xc4", b"\xd6")
_ENCODING_NAMES = {"cp437": "PC8 (CP437)", "utf-8": "UTF-8", "cp1252": "Windows-1252"}

# A #TRANS row as nearly every program writes it: a numeric account, an object list without
# escaped quotes, an amount, and a date or nothing (or "") after it. Groups: account,
# object list's inside, amount, month (YYYYMM) of the date.
_FAST_TRANS = re.compile(
    r'[ \t]*#TRANS[ \t]+"?(\d+)"?[ \t]+\{((?:[^}"]|"[^"\\]*")*)\}[ \t]*([-+]?\d+(?:\.\d+)?)'
    r'(?:[ \t]*$|[ \t]+""(?=[ \t]|$)|[ \t]+"?(\d{6})(?:0[1-9]|[12]\d|3[01])"?(?=[ \t]|$))'
)
_AMOUNT = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_INTEGER = re.compile(r"[-+]?\d+")
_DIGITS8 = re.compile(r"\d{8}")
_DIGITS6 = re.compile(r"\d{6}")

Cancelled = Callable[[], bool]
Progress = Callable[[int, int], None]


class ReadStopped(Exception):
    """``cancelled()`` turned True while reading."""


# Recognising and decoding --------------------------------------------------------------


def _first_records(text: str, count: int) -> list[tuple[int, str]]:
    records: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped:
            records.append((number, stripped))
            if len(records) >= count:
                break
    return records


def _sie_start(sample: bytes) -> tuple[int, str] | None:
    """None when ``sample`` (the file's first bytes) begins like a SIE file, else the first
    line that shows it does not: (line number, text)."""
    text = sample.removeprefix(codecs.BOM_UTF8).decode("cp437")
    records = _first_records(text, SNIFF_RECORDS)
    if not records:
        return (1, "")
    first = records[0]
    if not first[1].startswith("#"):
        return first
    for _number, record in records:
        label = record.split(None, 1)[0].upper()
        if label in ("#FLAGGA", "#SIETYP"):
            return None
    return first


def looks_like_sie(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a SIE file, judged by its first records (never by its name)."""
    try:
        with open(path, "rb") as handle:
            sample = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return b"\0" not in sample and _sie_start(sample) is None


def _encoding(data: bytes) -> tuple[str, int]:
    """The encoding to read ``data`` with, and the length of a BOM to skip."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if data.isascii():
        return "cp437", 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        sample = data[: 4 * 1024 * 1024]
        pc8 = sum(sample.count(byte) for byte in _SWEDISH_PC8)
        latin = sum(sample.count(byte) for byte in _SWEDISH_LATIN)
        return ("cp1252" if latin > pc8 else "cp437"), 0
    return "utf-8", 0


# Fields ----------------------------------------------------------------------------------


def _cents(text: str) -> int | None:
    if not _AMOUNT.fullmatch(text):
        return None
    return round(float(text.replace(",", ".")) * 100)


def _date(text: str) -> date | None:
    if not _DIGITS8.fullmatch(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _month_ok(text: str) -> bool:
    return (
        bool(_DIGITS6.fullmatch(text))
        and 1900 <= int(text[:4]) <= 2200
        and (1 <= int(text[4:]) <= 12)
    )


class _Line:
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
        value = _cents(text)
        if value is None:
            raise self.bad(E.AN_AMOUNT, text)
        return value

    def year(self, index: int) -> int:
        text = self.text(index, E.A_YEAR)
        if not _INTEGER.fullmatch(text) or not -99 <= int(text) <= 99:
            raise self.bad(E.A_YEAR, text)
        return int(text)

    def date(self, index: int, *, required: bool = True) -> date | None:
        text = self.text(index, E.A_DATE, required=required)
        if not text and not required:
            return None
        value = _date(text)
        if value is None:
            raise self.bad(E.A_DATE, text)
        return value

    def month(self, index: int) -> str:
        text = self.text(index, E.A_PERIOD)
        if not _month_ok(text):
            raise self.bad(E.A_PERIOD, text)
        return text

    def objects(self, index: int) -> Objects:
        value = self.raw(index, E.AN_OBJECT_LIST)
        if not isinstance(value, tuple):
            raise self.bad(E.AN_OBJECT_LIST, value)
        objects = _pairs(value)
        if objects is None:
            raise self.bad(E.PAIRS, "{" + " ".join(value) + "}")
        return objects


def _pairs(items: tuple[str, ...]) -> Objects | None:
    """``("1", "10", "6", "P1")`` → ``(("1", "10"), ("6", "P1"))``; None for an odd count."""
    if len(items) % 2:
        return None
    pairs = [(items[i].strip(), items[i + 1].strip()) for i in range(0, len(items), 2)]
    if any(not dimension for dimension, _code in pairs):
        return None
    return tuple(sorted(pairs, key=lambda pair: (len(pair[0]), pair[0])))


# The reader -----------------------------------------------------------------------------


class _Reader:
    def __init__(self, file: str, lines: list[str], encoding: str) -> None:
        self.file = file
        self.lines = lines
        self.sie = SieFile(file_name=file, encoding=encoding, lines=len(lines))
        self.raw_totals: dict[tuple[str, str | tuple[str, ...], str], int] = {}
        # the voucher being read
        self.voucher_line = 0  # its #VER line; 0: none
        self.voucher_name = ""
        self.voucher_month: str | None = None
        self.in_block = False
        self.balance = 0
        self.pending: tuple[str, Objects, int, str, int] | None = None  # an #RTRANS row
        self.added_alone = 0
        self.checksum: int | None = None  # running CRC after the first #KSUMMA
        self.checksum_done = False
        self.repeated: dict[str, list[int]] = {}  # label → [count, first line]

    # errors -------------------------------------------------------------------------------
    def error(self, template: str, number: int, **params: object) -> SieError:
        return SieError(
            SpreadsheetErrorKind.DAMAGED, template, file=self.file, line=number, **params
        )

    # the loop --------------------------------------------------------------------------------
    def run(self, cancelled: Cancelled | None, progress: Progress | None) -> SieFile:
        lines = self.lines
        total = len(lines)
        fast = _FAST_TRANS.match
        totals = self.raw_totals
        get = totals.get
        rows = 0
        slow = self.record
        fast_now = False
        next_check = PROGRESS_LINES
        for number, line in enumerate(lines, 1):
            if number >= next_check:
                next_check += PROGRESS_LINES
                if cancelled is not None and cancelled():
                    raise ReadStopped()
                if progress is not None:
                    progress(number, total)
            if fast_now:
                found = fast(line)
                if found is not None:
                    account, objects, amount, month = found.groups()
                    cents = round(float(amount) * 100)
                    if month is None:
                        month = self.voucher_month
                        if month is None:
                            raise self.error(E.MSG_NO_DATE, number)
                    key = (account, objects, month)
                    totals[key] = get(key, 0) + cents
                    self.balance += cents
                    rows += 1
                    continue
            slow(number, line)
            fast_now = self.in_block and self.pending is None and self.checksum is None
        self.sie.transaction_rows += rows
        self.finish()
        if progress is not None:
            progress(total, total)
        return self.sie

    def record(self, number: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            return
        if stripped == "{":
            self.open_block(number)
            return
        if stripped == "}":
            self.close_block(number)
            return
        try:
            fields = split_fields(stripped)
        except SieSyntaxError as error:
            if not stripped.startswith("#") or stripped.split(None, 1)[0].upper() in _HANDLERS:
                raise self.error(E.MSG_SYNTAX, number, reason=error.reason) from None
            self.sie.skipped[stripped.split(None, 1)[0].upper()] += 1
            return
        first = fields[0]
        if not isinstance(first, str) or not first.startswith("#"):
            if stripped.strip("\x1a") == "":  # DOS's end-of-file mark
                return
            raise self.error(E.MSG_SYNTAX, number, reason=E.NOT_A_RECORD)
        record = _Line(self.file, number, fields)
        label = record.label
        if label == "#KSUMMA":
            self.ksumma(record)
            return
        if self.checksum is not None:
            self.checksum = checksum_update(self.checksum, fields, self.sie.encoding)
        if self.pending is not None and label != "#TRANS":
            self.count_pending()
        handler = _HANDLERS.get(label)
        if handler is None:
            self.sie.skipped[label] += 1
            return
        handler(self, record)

    # vouchers --------------------------------------------------------------------------------
    def ver(self, record: _Line) -> None:
        if self.voucher_line and self.in_block:
            raise self.error(
                E.MSG_UNCLOSED_VOUCHER,
                self.voucher_line,
                voucher=self.voucher_name,
                end=record.number,
            )
        series = record.optional(1)
        number = record.optional(2)
        when = record.date(3, required=False)
        self.voucher_line = record.number
        self.voucher_name = f"{series} {number}".strip()
        self.voucher_month = f"{when.year:04d}{when.month:02d}" if when else None
        self.in_block = False
        self.balance = 0

    def open_block(self, number: int) -> None:
        if not self.voucher_line or self.in_block:
            raise self.error(E.MSG_STRAY_OPEN, number)
        self.in_block = True

    def close_block(self, number: int) -> None:
        if not self.in_block:
            raise self.error(E.MSG_STRAY_CLOSE, number)
        if self.pending is not None:
            self.count_pending()
        if self.balance:
            series, _space, voucher_number = self.voucher_name.partition(" ")
            self.sie.unbalanced.append(
                UnbalancedVoucher(series, voucher_number, self.voucher_line, number, self.balance)
            )
        self.sie.vouchers += 1
        self.in_block = False
        self.voucher_line = 0
        self.voucher_name = ""
        self.voucher_month = None
        self.balance = 0

    def _row(self, record: _Line) -> tuple[str, Objects, int, str]:
        if not self.in_block:
            raise self.error(E.MSG_OUTSIDE_VOUCHER, record.number, label=record.label)
        account = record.account(1)
        objects = record.objects(2)
        cents = record.cents(3)
        when = record.date(4, required=False) if record.optional(4) else None
        if when is not None:
            month = f"{when.year:04d}{when.month:02d}"
        elif self.voucher_month is not None:
            month = self.voucher_month
        else:
            raise self.error(E.MSG_NO_DATE, record.number)
        return account, objects, cents, month

    def add_row(self, account: str, objects: Objects | str, cents: int, month: str) -> None:
        key = (account, objects, month)
        self.raw_totals[key] = self.raw_totals.get(key, 0) + cents
        self.balance += cents
        self.sie.transaction_rows += 1

    def trans(self, record: _Line) -> None:
        account, objects, cents, month = self._row(record)
        pending = self.pending
        if pending is not None:
            self.pending = None
            if pending[:3] != (account, objects, cents):
                self.add_pending(pending)
        self.add_row(account, objects, cents, month)

    def rtrans(self, record: _Line) -> None:
        account, objects, cents, month = self._row(record)
        self.sie.added_rows += 1
        self.pending = (account, objects, cents, month, record.number)

    def btrans(self, record: _Line) -> None:
        self._row(record)  # checked, not counted
        self.sie.removed_rows += 1

    def count_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            self.add_pending(pending)

    def add_pending(self, pending: tuple[str, Objects, int, str, int]) -> None:
        account, objects, cents, month, _line = pending
        self.added_alone += 1
        self.add_row(account, objects, cents, month)

    # the rest ------------------------------------------------------------------------------
    def ksumma(self, record: _Line) -> None:
        if self.checksum is None and not self.checksum_done:
            self.checksum = 0
            return
        if self.checksum is None:
            return
        expected = record.optional(1)
        actual = self.checksum & 0xFFFFFFFF
        self.checksum = None
        self.checksum_done = True
        if not _INTEGER.fullmatch(expected):
            self.sie.notes.append(Message.of(E.NOTE_CHECKSUM_MISSING))
            self.sie.checksum_ok = False
            return
        wanted = int(expected) & 0xFFFFFFFF  # some programs write it as a signed number
        self.sie.checksum_ok = wanted == actual
        if not self.sie.checksum_ok:
            self.sie.notes.append(Message.of(E.NOTE_CHECKSUM, expected=expected, actual=actual))

    def repeat(self, record: _Line) -> None:
        seen = self.repeated.get(record.label)
        if seen is None:
            self.repeated[record.label] = [1, record.number]
        else:
            seen[0] += 1

    def put(self, table: dict, key: object, value: int, record: _Line) -> None:  # type: ignore[type-arg]
        if key in table:
            self.repeat(record)
        else:
            table[key] = value

    def finish(self) -> None:
        sie = self.sie
        if self.voucher_line:
            raise self.error(E.MSG_UNCLOSED_AT_END, self.voucher_line, voucher=self.voucher_name)
        if self.checksum is not None:
            sie.notes.append(Message.of(E.NOTE_CHECKSUM_MISSING))
            sie.checksum_ok = False
        if self.added_alone:
            sie.notes.append(Message.of(E.NOTE_ADDED_ALONE, count=self.added_alone))
        for label, (count, line) in self.repeated.items():
            sie.notes.append(Message.of(E.NOTE_REPEATED, count=count, label=label, line=line))
        self.fold_transactions()

    def fold_transactions(self) -> None:
        """The rows summed by raw object list become rows summed by object pairs, once
        every month and object list is known to be sound."""
        normal: dict[str | tuple[str, ...], Objects] = {}
        months: set[str] = set()
        result = self.sie.transactions
        for (account, raw, month), cents in self.raw_totals.items():
            objects = normal.get(raw)
            if objects is None:
                # a tuple comes from _row() and is already pairs
                objects = raw if isinstance(raw, tuple) else self.objects_of(raw)
                normal[raw] = objects
            if month not in months:
                if not _month_ok(month):
                    raise self.find_bad_date(month)
                months.add(month)
            key = (account, objects, month)
            result[key] = result.get(key, 0) + cents

    def objects_of(self, raw: str) -> Objects:
        if not raw.strip():
            return ()
        try:
            items = split_fields("{" + raw + "}")
        except SieSyntaxError:
            items = []
        found = _pairs(items[0]) if len(items) == 1 and isinstance(items[0], tuple) else None
        if found is None:
            number = self.find_line(lambda line: "{" + raw + "}" in line)
            raise self.error(
                E.MSG_BAD_FIELD, number, label="#TRANS", what=E.PAIRS, text="{" + raw + "}"
            )
        return found

    def find_bad_date(self, month: str) -> SieError:
        number = self.find_line(lambda line: "#TRANS" in line and month in line)
        return self.error(E.MSG_BAD_FIELD, number, label="#TRANS", what=E.A_DATE, text=month)

    def find_line(self, test: Callable[[str], bool]) -> int:
        for number, line in enumerate(self.lines, 1):
            if test(line):
                return number
        return 0  # pragma: no cover - the text came from some line


# Record handlers ---------------------------------------------------------------------------


def _flagga(reader: _Reader, record: _Line) -> None:
    text = record.optional(1)
    reader.sie.flag = int(text) if _INTEGER.fullmatch(text) else None


def _sietyp(reader: _Reader, record: _Line) -> None:
    text = record.text(1, E.A_TYPE)
    if not _INTEGER.fullmatch(text) or not 1 <= int(text) <= 4:
        raise record.bad(E.A_TYPE, text)
    reader.sie.sie_type = int(text)


def _program(reader: _Reader, record: _Line) -> None:
    reader.sie.program = record.optional(1)
    reader.sie.program_version = record.optional(2)


def _gen(reader: _Reader, record: _Line) -> None:
    reader.sie.generated = _date(record.optional(1))


def _omfattn(reader: _Reader, record: _Line) -> None:
    reader.sie.extent = _date(record.optional(1))


def _fnamn(reader: _Reader, record: _Line) -> None:
    reader.sie.company = record.optional(1)


def _orgnr(reader: _Reader, record: _Line) -> None:
    reader.sie.org_number = record.optional(1)


def _valuta(reader: _Reader, record: _Line) -> None:
    reader.sie.currency = record.optional(1).upper() or "SEK"


def _kptyp(reader: _Reader, record: _Line) -> None:
    reader.sie.chart_of_accounts = record.optional(1)


def _format(reader: _Reader, record: _Line) -> None:
    declared = record.optional(1).upper()
    actual = reader.sie.encoding
    if declared == "PC8" and actual != "cp437":
        reader.sie.notes.append(
            Message.of(E.NOTE_ENCODING, declared="PC8", actual=_ENCODING_NAMES[actual])
        )


def _rar(reader: _Reader, record: _Line) -> None:
    index = record.year(1)
    if not record.optional(2) and not record.optional(3):
        return  # a year without dates (some import files): nothing to learn from it
    start = record.date(2)
    end = record.date(3)
    assert start is not None and end is not None
    if end < start:
        raise record.bad(E.A_DATE, record.optional(3))
    if index in reader.sie.years:
        reader.repeat(record)
        return
    reader.sie.years[index] = FiscalYear(index, start, end)


def _konto(reader: _Reader, record: _Line) -> None:
    number = record.account(1)
    old = reader.sie.accounts.get(number)
    reader.sie.accounts[number] = Account(number, record.optional(2), old.kind if old else "")


def _ktyp(reader: _Reader, record: _Line) -> None:
    number = record.account(1)
    old = reader.sie.accounts.get(number)
    kind = record.optional(2).upper()[:1]
    reader.sie.accounts[number] = Account(number, old.name if old else "", kind)


def _dim(reader: _Reader, record: _Line) -> None:
    number = record.text(1, E.A_DIMENSION)
    reader.sie.dimensions[number] = Dimension(number, record.optional(2))


def _underdim(reader: _Reader, record: _Line) -> None:
    number = record.text(1, E.A_DIMENSION)
    reader.sie.dimensions[number] = Dimension(number, record.optional(2), record.optional(3))


def _objekt(reader: _Reader, record: _Line) -> None:
    dimension = record.text(1, E.A_DIMENSION)
    code = record.text(2, E.AN_OBJECT)
    reader.sie.objects[(dimension, code)] = record.optional(3)


def _balance(table: str) -> Callable[[_Reader, _Line], None]:
    def handle(reader: _Reader, record: _Line) -> None:
        key = (record.year(1), record.account(2))
        reader.put(getattr(reader.sie, table), key, record.cents(3), record)

    return handle


def _object_balance(table: str) -> Callable[[_Reader, _Line], None]:
    def handle(reader: _Reader, record: _Line) -> None:
        key = (record.year(1), record.account(2), record.objects(3))
        reader.put(getattr(reader.sie, table), key, record.cents(4), record)

    return handle


def _period(table: str) -> Callable[[_Reader, _Line], None]:
    def handle(reader: _Reader, record: _Line) -> None:
        year = record.year(1)
        month = record.month(2)
        account = record.account(3)
        # Some programs leave the object list out when it is empty.
        if isinstance(record.raw(4, E.AN_AMOUNT), tuple):
            objects = record.objects(4)
            cents = record.cents(5)
        else:
            objects = ()
            cents = record.cents(4)
        reader.put(getattr(reader.sie, table), (year, month, account, objects), cents, record)

    return handle


_HANDLERS: dict[str, Callable[[_Reader, _Line], None]] = {
    "#FLAGGA": _flagga,
    "#SIETYP": _sietyp,
    "#PROGRAM": _program,
    "#GEN": _gen,
    "#OMFATTN": _omfattn,
    "#FNAMN": _fnamn,
    "#ORGNR": _orgnr,
    "#VALUTA": _valuta,
    "#KPTYP": _kptyp,
    "#FORMAT": _format,
    "#RAR": _rar,
    "#KONTO": _konto,
    "#KTYP": _ktyp,
    "#DIM": _dim,
    "#UNDERDIM": _underdim,
    "#OBJEKT": _objekt,
    "#IB": _balance("opening"),
    "#UB": _balance("closing"),
    "#RES": _balance("results"),
    "#OIB": _object_balance("object_opening"),
    "#OUB": _object_balance("object_closing"),
    "#PSALDO": _period("period_balances"),
    "#PBUDGET": _period("period_budgets"),
    "#VER": _Reader.ver,
    "#TRANS": _Reader.trans,
    "#RTRANS": _Reader.rtrans,
    "#BTRANS": _Reader.btrans,
}


# Entry points ----------------------------------------------------------------------------


def read_sie_bytes(
    data: bytes,
    file_name: str,
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> SieFile:
    """Read a SIE file's bytes; see the module's docstring. Raises :class:`SieError`."""
    if not data.strip():
        raise SieError(SpreadsheetErrorKind.EMPTY, MSG_EMPTY, file=file_name)
    if b"\0" in data[:SNIFF_BYTES]:
        raise SieError(SpreadsheetErrorKind.NOT_SPREADSHEET, E.MSG_BINARY, file=file_name)
    wrong = _sie_start(data[:SNIFF_BYTES])
    if wrong is not None:
        number, text = wrong
        raise SieError(
            SpreadsheetErrorKind.NOT_SPREADSHEET,
            E.MSG_NOT_SIE,
            file=file_name,
            line=number,
            text=_shorten(text),
        )
    encoding, skip = _encoding(data)
    text = data[skip:].decode(encoding, errors="replace")
    del data
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    del text
    reader = _Reader(file_name, lines, encoding)
    return reader.run(cancelled, progress)


def read_sie(
    path: str | os.PathLike[str],
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> SieFile:
    """Read the SIE file at ``path``; see the module's docstring. Raises :class:`SieError`
    for a file that is missing, not SIE, or broken, and :class:`ReadStopped` when
    ``cancelled()`` turned True."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SieError(
                SpreadsheetErrorKind.TOO_LARGE,
                E.MSG_TOO_LARGE,
                file=path.name,
                size=size // 1024**2,
                limit=MAX_BYTES // 1024**2,
            )
        data = path.read_bytes()
    except OSError:
        raise SieError(SpreadsheetErrorKind.NOT_FOUND, MSG_NOT_FOUND, file=path.name) from None
    return read_sie_bytes(data, path.name, cancelled=cancelled, progress=progress)


def _shorten(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
