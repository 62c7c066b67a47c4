"""Reading SIE lines, in order, into a :class:`~kpidesk.io.sie.model.SieFile`.

:class:`LineReader` takes the file's lines as bytes (without their line ends). The lines of
a voucher as nearly every program writes them (``#VER``, ``{``, ``#TRANS``, ``}``) are read
straight from the bytes; every other line, or any line in doubt, is decoded and read field
by field (:func:`~kpidesk.io.sie.tokens.split_fields`) by :meth:`LineReader.record`, which
raises :class:`~kpidesk.io.sie.errors.SieError` naming the line for anything a KPI needs
that cannot be read. A reader may start at any line that begins a record outside a voucher
(``first_line``), so a large file can be read in pieces that are merged afterwards.

Voucher rows are summed by (account, object list, month) while they are read; their sums
are in kronor as floats until :meth:`LineReader.finish` makes them whole öre.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kpidesk.io.errors import Message, SpreadsheetErrorKind
from kpidesk.io.sie import errors as E
from kpidesk.io.sie.errors import SieError
from kpidesk.io.sie.fields import INTEGER, Record, date_of, month_ok, pairs
from kpidesk.io.sie.model import (
    Account,
    Dimension,
    FiscalYear,
    Objects,
    SieFile,
    UnbalancedVoucher,
)
from kpidesk.io.sie.tokens import SieSyntaxError, checksum_update, split_fields

__all__ = ["ENCODING_NAMES", "LineReader", "ReadStopped", "finish_notes"]

ENCODING_NAMES = {"cp437": "PC8 (CP437)", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
PROGRESS_LINES = 200_000
HALF_ORE = 0.005
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS = frozenset(
    f"{month:02d}{day:02d}".encode()
    for month in range(1, 13)
    for day in range(1, _MONTH_DAYS[month - 1] + 1)
)
"""Every ``MMDD`` of a year (29 February too): a cheap check of a date's month and day."""

# A #TRANS row whose object list holds spaces ({1 "10"}): account, the list's inside,
# amount, and the month (YYYYMM) of a date that may follow.
_TRANS_WITH_OBJECTS = re.compile(
    rb'[ \t]*#TRANS[ \t]+("?)(\d+)\1[ \t]+\{((?:[^}"]|"[^"\\]*")*)\}[ \t]*([-+]?\d+(?:\.\d+)?)'
    rb'(?:[ \t]*$|[ \t]+""(?=[ \t]|$)|[ \t]+"?(\d{6})(?:0[1-9]|[12]\d|3[01])"?(?=[ \t]|$))'
)

Cancelled = Callable[[], bool]
Progress = Callable[[int, int], None]

type RawKey = tuple[bytes | str, bytes | Objects, bytes | str]
"""A voucher row's sum key as read: (account, object list, month), as bytes straight from
the line or as text and pairs from :meth:`LineReader.record`."""


def _plain(first: bytes, second: bytes) -> bool:
    """Whether both fields are whole as split at spaces: unquoted, or one quoted word."""
    if b'"' not in first and b'"' not in second:
        return True
    return all(
        b'"' not in field or (field.count(b'"') == 2 and field[:1] == field[-1:] == b'"')
        for field in (first, second)
    )


class ReadStopped(Exception):
    """``cancelled()`` turned True while reading."""


class LineReader:
    """Reads lines (bytes) into :attr:`sie`; see the module's docstring."""

    def __init__(
        self,
        file: str,
        lines: list[bytes],
        encoding: str,
        *,
        first_line: int = 1,
        checksum: bool = False,
    ) -> None:
        self.file = file
        self.lines = lines
        self.encoding = encoding
        self.first_line = first_line
        self.checksum_wanted = checksum
        self.sie = SieFile(file_name=file, encoding=encoding, lines=len(lines))
        self.raw_totals: dict[RawKey, float] = {}
        # the voucher being read
        self.voucher_line = 0  # its #VER line; 0: none
        self.voucher_month: str | None = None
        self.in_block = False
        self.balance = 0.0
        self.pending: tuple[str, Objects, int, str] | None = None  # an #RTRANS row
        self.checksum: int | None = None  # running CRC after the first #KSUMMA
        self.checksum_done = False
        self.last_line = first_line - 1

    # errors -------------------------------------------------------------------------------
    def error(self, template: str, number: int, **params: object) -> SieError:
        return SieError(
            SpreadsheetErrorKind.DAMAGED, template, file=self.file, line=number, **params
        )

    # the loop --------------------------------------------------------------------------------
    def run(self, cancelled: Cancelled | None = None, progress: Progress | None = None) -> None:
        """Read every line, then :meth:`finish`.

        The voucher's state lives in local variables while lines take the quick way, and
        goes to and from the attributes around every line :meth:`record` reads."""
        lines = self.lines
        total = len(lines)
        with_objects = _TRANS_WITH_OBJECTS.match
        totals = self.raw_totals
        get = totals.get
        days = _DAYS
        rows = 0
        vouchers = 0
        number = self.first_line - 1
        quick = True  # no #RTRANS waiting and no checksum running
        block = False  # in a voucher's { }
        voucher = 0  # the voucher's #VER line, 0 for none
        balance = 0.0
        month: bytes | str | None = None  # the voucher's date (bytes) or month (text)
        first = self.first_line
        for base in range(0, max(total, 1), PROGRESS_LINES):
            if base:
                if cancelled is not None and cancelled():
                    raise ReadStopped()
                if progress is not None:
                    progress(base, total)
            for number, line in enumerate(lines[base : base + PROGRESS_LINES], first + base):
                if quick:
                    if block:
                        fields = line.split(None, 5)
                        try:
                            if fields[0] == b"#TRANS":
                                if fields[2][-1] == 125:  # the object list ends in its field
                                    amount = float(fields[3])
                                    day = fields[4] if len(fields) > 4 else b'""'
                                    if len(day) != 8:  # a date's digits: see finish()
                                        day = month if day == b'""' else None  # type: ignore[assignment]
                                    key = (fields[1], fields[2], day) if day else None
                                else:
                                    found = with_objects(line)
                                    key = None
                                    if found is not None:
                                        _quote, account, inside, text, day = found.groups()
                                        amount = float(text)
                                        if day or month:
                                            key = (account, b"{" + inside + b"}", day or month)  # type: ignore[assignment]
                                if key is not None:
                                    totals[key] = get(key, 0.0) + amount
                                    balance += amount
                                    rows += 1
                                    continue
                            elif line == b"}":
                                if not -HALF_ORE < balance < HALF_ORE:
                                    self.voucher_line = voucher
                                    self.add_unbalanced(number, balance)
                                vouchers += 1
                                block = False
                                voucher = 0
                                month = None
                                continue
                        except (IndexError, ValueError):
                            pass  # read field by field below
                    elif line[:4] == b"#VER":
                        fields = line.split(None, 4)
                        if len(fields) > 3 and fields[0] == b"#VER":
                            day = fields[3]
                            if (
                                len(day) == 8
                                and day[4:] in days
                                and day.isdigit()
                                and (
                                    (b'"' not in fields[1] and b'"' not in fields[2])
                                    or _plain(fields[1], fields[2])
                                )
                            ):
                                voucher = number
                                month = day
                                balance = 0.0
                                continue
                    elif line == b"{" and voucher:
                        block = True
                        continue
                self.in_block = block
                self.voucher_line = voucher
                self.voucher_month = month[:6].decode("ascii") if type(month) is bytes else month  # type: ignore[assignment]
                self.balance = balance
                self.record(number, line)
                block = self.in_block
                voucher = self.voucher_line
                month = self.voucher_month
                balance = self.balance
                quick = self.pending is None and self.checksum is None
        self.in_block = block
        self.voucher_line = voucher
        self.sie.transaction_rows += rows
        self.sie.vouchers += vouchers
        self.last_line = number
        self.finish()

    def record(self, number: int, raw: bytes) -> None:
        """One line read field by field."""
        stripped = raw.decode(self.encoding, "replace").strip()
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
            label = stripped.split(None, 1)[0].upper()
            if not stripped.startswith("#") or label in HANDLERS:
                raise self.error(E.MSG_SYNTAX, number, reason=error.reason) from None
            self.sie.skipped[label] += 1
            return
        first = fields[0]
        if not isinstance(first, str) or not first.startswith("#"):
            if stripped.strip("\x1a") == "":  # DOS's end-of-file mark
                return
            raise self.error(E.MSG_SYNTAX, number, reason=E.NOT_A_RECORD)
        record = Record(self.file, number, fields)
        label = record.label
        if label == "#KSUMMA":
            self.ksumma(record)
            return
        if self.checksum is not None:
            self.checksum = checksum_update(self.checksum, fields, self.encoding)
        if self.pending is not None and label != "#TRANS":
            self.count_pending()
        handler = HANDLERS.get(label)
        if handler is None:
            self.sie.skipped[label] += 1
            return
        handler(self, record)

    # vouchers --------------------------------------------------------------------------------
    def add_unbalanced(self, last_line: int, balance: float) -> None:
        """Note the voucher that ends on ``last_line``, whose rows add up to ``balance``."""
        if balance - balance != 0:  # an amount that is no number (nan, inf) is to blame
            again = LineReader(
                self.file,
                self.lines[self.voucher_line - self.first_line : last_line - self.first_line],
                self.encoding,
                first_line=self.voucher_line,
            )
            for number, line in enumerate(again.lines, again.first_line):
                again.record(number, line)  # raises for the row with the bad amount
        series, voucher_number = self.voucher_name()
        self.sie.unbalanced.append(
            UnbalancedVoucher(
                series, voucher_number, self.voucher_line, last_line, round(balance * 100)
            )
        )

    def voucher_name(self) -> tuple[str, str]:
        """The series and number of the voucher begun on :attr:`voucher_line`."""
        try:
            raw = self.lines[self.voucher_line - self.first_line]
            fields = split_fields(raw.decode(self.encoding, "replace").strip())
        except (SieSyntaxError, IndexError):
            return "", ""
        texts = [field if isinstance(field, str) else "" for field in fields]
        return (texts[1] if len(texts) > 1 else ""), (texts[2] if len(texts) > 2 else "")

    def voucher_text(self) -> str:
        return " ".join(part for part in self.voucher_name() if part)

    def ver(self, record: Record) -> None:
        if self.voucher_line and self.in_block:
            raise self.error(
                E.MSG_UNCLOSED_VOUCHER,
                self.voucher_line,
                voucher=self.voucher_text(),
                end=record.number,
            )
        when = record.date(3, required=False)
        self.voucher_line = record.number
        self.voucher_month = f"{when.year:04d}{when.month:02d}" if when else None
        self.in_block = False
        self.balance = 0.0

    def open_block(self, number: int) -> None:
        if not self.voucher_line or self.in_block:
            raise self.error(E.MSG_STRAY_OPEN, number)
        self.in_block = True

    def close_block(self, number: int) -> None:
        if not self.in_block:
            raise self.error(E.MSG_STRAY_CLOSE, number)
        if self.pending is not None:
            self.count_pending()
        if not -HALF_ORE < self.balance < HALF_ORE:
            self.add_unbalanced(number, self.balance)
        self.sie.vouchers += 1
        self.in_block = False
        self.voucher_line = 0
        self.voucher_month = None
        self.balance = 0.0

    def _row(self, record: Record) -> tuple[str, Objects, int, str]:
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

    def add_row(self, account: str, objects: Objects, cents: int, month: str) -> None:
        key = (account, objects, month)
        self.raw_totals[key] = self.raw_totals.get(key, 0.0) + cents / 100
        self.balance += cents / 100
        self.sie.transaction_rows += 1

    def trans(self, record: Record) -> None:
        account, objects, cents, month = self._row(record)
        pending = self.pending
        if pending is not None:
            self.pending = None
            if pending[:3] != (account, objects, cents):
                self.add_pending(pending)
        self.add_row(account, objects, cents, month)

    def rtrans(self, record: Record) -> None:
        self.count_pending()
        account, objects, cents, month = self._row(record)
        self.sie.added_rows += 1
        self.pending = (account, objects, cents, month)

    def btrans(self, record: Record) -> None:
        self._row(record)  # checked, not counted
        self.sie.removed_rows += 1

    def count_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            self.add_pending(pending)

    def add_pending(self, pending: tuple[str, Objects, int, str]) -> None:
        self.sie.added_alone += 1
        self.add_row(*pending)

    # the rest ------------------------------------------------------------------------------
    def ksumma(self, record: Record) -> None:
        if not self.checksum_wanted:
            return
        if self.checksum is None and not self.checksum_done:
            self.checksum = 0
            return
        if self.checksum is None:
            return
        expected = record.optional(1)
        actual = self.checksum & 0xFFFFFFFF
        self.checksum = None
        self.checksum_done = True
        if not INTEGER.fullmatch(expected):
            self.sie.notes.append(Message.of(E.NOTE_CHECKSUM_MISSING))
            self.sie.checksum_ok = False
            return
        wanted = int(expected) & 0xFFFFFFFF  # some programs write it as a signed number
        self.sie.checksum_ok = wanted == actual
        if not self.sie.checksum_ok:
            self.sie.notes.append(Message.of(E.NOTE_CHECKSUM, expected=expected, actual=actual))

    def repeat(self, record: Record) -> None:
        seen = self.sie.repeated.get(record.label)
        if seen is None:
            self.sie.repeated[record.label] = [1, record.number]
        else:
            seen[0] += 1

    def put(self, table: dict, key: object, value: int, record: Record) -> None:  # type: ignore[type-arg]
        if key in table:
            self.repeat(record)
        else:
            table[key] = value

    def finish(self) -> None:
        if self.voucher_line:
            raise self.error(E.MSG_UNCLOSED_AT_END, self.voucher_line, voucher=self.voucher_text())
        if self.checksum is not None:
            self.sie.notes.append(Message.of(E.NOTE_CHECKSUM_MISSING))
            self.sie.checksum_ok = False
        self.fold_transactions()

    def fold_transactions(self) -> None:
        """The rows summed by the object list as written become rows summed by object
        pairs, in öre, once every month and object list is known to be sound."""
        normal: dict[bytes | Objects, Objects] = {}
        months: dict[bytes | str, str] = {}
        accounts: dict[bytes | str, str] = {}
        result = self.sie.transactions
        for (raw_account, raw_objects, raw_month), amount in self.raw_totals.items():
            objects = normal.get(raw_objects)
            if objects is None:
                objects = (
                    self.objects_of(raw_objects) if isinstance(raw_objects, bytes) else raw_objects
                )
                normal[raw_objects] = objects
            month = months.get(raw_month)
            if month is None:
                month = self.month_of(raw_month)
                months[raw_month] = month
            account = accounts.get(raw_account)
            if account is None:
                account = (
                    raw_account.decode(self.encoding, "replace").strip('"')
                    if isinstance(raw_account, bytes)
                    else raw_account
                )
                accounts[raw_account] = account
            key = (account, objects, month)
            result[key] = result.get(key, 0) + round(amount * 100)
        self.raw_totals = {}

    def month_of(self, raw: bytes | str) -> str:
        """``YYYYMM`` of a row's date (``YYYYMMDD`` bytes) or month, checked."""
        text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
        if len(text) == 8:
            if date_of(text) is None:
                raise self.find_bad_date(text)
            return text[:6]
        if not month_ok(text):
            raise self.find_bad_date(text)
        return text

    def objects_of(self, raw: bytes) -> Objects:
        if raw[:1] != b"{":
            number = self.find_line(lambda line: raw in line)
            text = raw.decode(self.encoding, "replace")
            raise self.error(
                E.MSG_BAD_FIELD, number, label="#TRANS", what=E.AN_OBJECT_LIST, text=text
            )
        inside = raw[1:-1].decode(self.encoding, "replace")
        if not inside.strip():
            return ()
        try:
            items = split_fields("{" + inside + "}")
        except SieSyntaxError:
            items = []
        found = pairs(items[0]) if len(items) == 1 and isinstance(items[0], tuple) else None
        if found is None:
            number = self.find_line(lambda line: raw in line)
            raise self.error(
                E.MSG_BAD_FIELD, number, label="#TRANS", what=E.PAIRS, text="{" + inside + "}"
            )
        return found

    def find_bad_date(self, month: str) -> SieError:
        """The error for a month no period can have, on the first voucher line with it."""
        wanted = month.encode("ascii", "replace")
        number = self.find_line(
            lambda line: wanted in line and (b"#TRANS" in line or b"#VER" in line)
        )
        line = self.lines[number - self.first_line] if number >= self.first_line else b""
        label = "#VER" if b"#VER" in line else "#TRANS"
        return self.error(E.MSG_BAD_FIELD, number, label=label, what=E.A_DATE, text=month)

    def find_line(self, test: Callable[[bytes], bool]) -> int:
        for number, line in enumerate(self.lines, self.first_line):
            if test(line):
                return number
        return self.first_line  # pragma: no cover - the text came from some line


def finish_notes(sie: SieFile) -> None:
    """The notes that count across the whole file (added after pieces are merged)."""
    if sie.added_alone:
        sie.notes.append(Message.of(E.NOTE_ADDED_ALONE, count=sie.added_alone))
    for label, (count, line) in sorted(sie.repeated.items(), key=lambda item: item[1][1]):
        sie.notes.append(Message.of(E.NOTE_REPEATED, count=count, label=label, line=line))


# Record handlers ---------------------------------------------------------------------------


def _flagga(reader: LineReader, record: Record) -> None:
    text = record.optional(1)
    reader.sie.flag = int(text) if INTEGER.fullmatch(text) else None


def _sietyp(reader: LineReader, record: Record) -> None:
    text = record.text(1, E.A_TYPE)
    if not INTEGER.fullmatch(text) or not 1 <= int(text) <= 4:
        raise record.bad(E.A_TYPE, text)
    reader.sie.sie_type = int(text)


def _program(reader: LineReader, record: Record) -> None:
    reader.sie.program = record.optional(1)
    reader.sie.program_version = record.optional(2)


def _gen(reader: LineReader, record: Record) -> None:
    reader.sie.generated = date_of(record.optional(1))


def _omfattn(reader: LineReader, record: Record) -> None:
    reader.sie.extent = date_of(record.optional(1))


def _fnamn(reader: LineReader, record: Record) -> None:
    reader.sie.company = record.optional(1)


def _orgnr(reader: LineReader, record: Record) -> None:
    reader.sie.org_number = record.optional(1)


def _valuta(reader: LineReader, record: Record) -> None:
    reader.sie.currency = record.optional(1).upper() or "SEK"


def _kptyp(reader: LineReader, record: Record) -> None:
    reader.sie.chart_of_accounts = record.optional(1)


def _format(reader: LineReader, record: Record) -> None:
    declared = record.optional(1).upper()
    actual = reader.encoding
    if declared == "PC8" and actual != "cp437":
        reader.sie.notes.append(
            Message.of(E.NOTE_ENCODING, declared="PC8", actual=ENCODING_NAMES[actual])
        )


def _rar(reader: LineReader, record: Record) -> None:
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


def _konto(reader: LineReader, record: Record) -> None:
    number = record.account(1)
    old = reader.sie.accounts.get(number)
    reader.sie.accounts[number] = Account(number, record.optional(2), old.kind if old else "")


def _ktyp(reader: LineReader, record: Record) -> None:
    number = record.account(1)
    old = reader.sie.accounts.get(number)
    kind = record.optional(2).upper()[:1]
    reader.sie.accounts[number] = Account(number, old.name if old else "", kind)


def _dim(reader: LineReader, record: Record) -> None:
    number = record.text(1, E.A_DIMENSION)
    reader.sie.dimensions[number] = Dimension(number, record.optional(2))


def _underdim(reader: LineReader, record: Record) -> None:
    number = record.text(1, E.A_DIMENSION)
    reader.sie.dimensions[number] = Dimension(number, record.optional(2), record.optional(3))


def _objekt(reader: LineReader, record: Record) -> None:
    dimension = record.text(1, E.A_DIMENSION)
    code = record.text(2, E.AN_OBJECT)
    reader.sie.objects[(dimension, code)] = record.optional(3)


def _balance(table: str) -> Callable[[LineReader, Record], None]:
    def handle(reader: LineReader, record: Record) -> None:
        key = (record.year(1), record.account(2))
        reader.put(getattr(reader.sie, table), key, record.cents(3), record)

    return handle


def _object_balance(table: str) -> Callable[[LineReader, Record], None]:
    def handle(reader: LineReader, record: Record) -> None:
        key = (record.year(1), record.account(2), record.objects(3))
        reader.put(getattr(reader.sie, table), key, record.cents(4), record)

    return handle


def _period(table: str) -> Callable[[LineReader, Record], None]:
    def handle(reader: LineReader, record: Record) -> None:
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


HANDLERS: dict[str, Callable[[LineReader, Record], None]] = {
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
    "#VER": LineReader.ver,
    "#TRANS": LineReader.trans,
    "#RTRANS": LineReader.rtrans,
    "#BTRANS": LineReader.btrans,
}
