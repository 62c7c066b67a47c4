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

Lines are read by :class:`~kpidesk.io.sie.records.LineReader`. A large file (without
``#KSUMMA``) is cut between vouchers into pieces that reader processes read at the same time
as this one reads the first; their results are merged in the file's order, so errors and
notes name the same lines as a reading in one piece would.
"""

from __future__ import annotations

import codecs
import dataclasses
import itertools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kpidesk.io.errors import (
    MSG_EMPTY,
    MSG_NOT_FOUND,
    ReadCancelled,
    SpreadsheetError,
    SpreadsheetErrorKind,
)
from kpidesk.io.sie import errors as E
from kpidesk.io.sie.errors import SieError
from kpidesk.io.sie.model import SieFile, UnbalancedVoucher
from kpidesk.io.sie.records import LineReader, ReadStopped, finish_notes

__all__ = [
    "MAX_BYTES",
    "PARALLEL_BYTES",
    "PendingRead",
    "ReadStopped",
    "begin_read",
    "looks_like_sie",
    "read_sie",
    "read_sie_bytes",
    "without_vouchers",
]

MAX_BYTES = 2 * 1024**3
"""A larger file is refused (a year of a large company's vouchers is far smaller)."""
PARALLEL_BYTES = 16 * 1024**2
"""A file at least this large is read in pieces by several processes."""
MAX_PIECES = 4
SNIFF_BYTES = 64 * 1024
SNIFF_RECORDS = 30
"""A #FLAGGA or #SIETYP must come among this many first records."""

_SWEDISH_PC8 = (b"\x86", b"\x84", b"\x94", b"\x8f", b"\x8e", b"\x99")
_SWEDISH_LATIN = (b"\xe5", b"\xe4", b"\xf6", b"\xc5", b"\xc4", b"\xd6")
_VOUCHER_END = re.compile(rb"\n[ \t]*\}[ \t]*\r?\n")

Cancelled = Callable[[], bool]
Progress = Callable[[int, int], None]


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


def _check_start(data: bytes, file_name: str) -> None:
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


def _lines(data: bytes) -> list[bytes]:
    """The lines of ``data``, ended by CRLF, LF or CR (and nothing else)."""
    return data.splitlines()


# Pieces ------------------------------------------------------------------------------------


def read_piece(
    data: bytes,
    file_name: str,
    encoding: str,
    *,
    first_line: int = 1,
    checksum: bool = False,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> SieFile:
    """Read ``data``, a whole file or a piece of one that begins a record outside a voucher
    on line ``first_line``; raises :class:`SieError` naming the line."""
    reader = LineReader(file_name, _lines(data), encoding, first_line=first_line, checksum=checksum)
    reader.run(cancelled, progress)
    return reader.sie


def _cuts(data: bytes, pieces: int) -> list[int]:
    """Offsets that cut ``data`` into about ``pieces`` pieces, each just after a voucher."""
    cuts = [0]
    size = len(data)
    for index in range(1, pieces):
        found = _VOUCHER_END.search(data, max(cuts[-1], size * index // pieces))
        if found is None:
            break
        cuts.append(found.end())
    cuts.append(size)
    return sorted(set(cuts))


def piece_task(payload: dict[str, Any], send: Callable[[Any], None]) -> SieFile:
    """The reader process's ``sie`` task: one piece of a file (see :func:`read_piece`)."""
    path = Path(payload["path"])
    with open(path, "rb") as handle:
        handle.seek(payload["start"])
        data = handle.read(payload["end"] - payload["start"])
    return read_piece(
        data, payload["file_name"], payload["encoding"], first_line=payload["first_line"]
    )


def _merge(parts: list[SieFile]) -> SieFile:
    """Pieces read apart, in the file's order, as one file."""
    sie = parts[0]
    for part in parts[1:]:
        for name in ("flag", "sie_type", "generated", "extent"):
            if getattr(sie, name) is None:
                setattr(sie, name, getattr(part, name))
        for name in ("program", "program_version", "company", "org_number", "chart_of_accounts"):
            if not getattr(sie, name):
                setattr(sie, name, getattr(part, name))
        for name in ("accounts", "dimensions", "objects"):
            getattr(sie, name).update(getattr(part, name))
        for name in (
            "years",
            "opening",
            "closing",
            "results",
            "object_opening",
            "object_closing",
            "period_balances",
            "period_budgets",
        ):
            table = getattr(sie, name)
            for key, value in getattr(part, name).items():
                if key in table:
                    label = _LABELS[name]
                    seen = sie.repeated.setdefault(label, [0, 0])
                    seen[0] += 1
                else:
                    table[key] = value
        for key, amount in part.transactions.items():
            sie.transactions[key] = sie.transactions.get(key, 0) + amount
        for label, (count, line) in part.repeated.items():
            seen = sie.repeated.setdefault(label, [0, line])
            seen[0] += count
            seen[1] = seen[1] or line
        for name in ("vouchers", "transaction_rows", "added_rows", "added_alone", "removed_rows"):
            setattr(sie, name, getattr(sie, name) + getattr(part, name))
        sie.lines += part.lines
        sie.unbalanced.extend(part.unbalanced)
        sie.skipped.update(part.skipped)
        sie.notes.extend(part.notes)
    return sie


_LABELS = {
    "years": "#RAR",
    "opening": "#IB",
    "closing": "#UB",
    "results": "#RES",
    "object_opening": "#OIB",
    "object_closing": "#OUB",
    "period_balances": "#PSALDO",
    "period_budgets": "#PBUDGET",
}


class PendingRead:
    """A read begun by :func:`begin_read`: this process's piece is read, the reader
    processes may still be at work on the rest; :meth:`result` merges them."""

    def __init__(
        self,
        path: Path,
        parts: list[SieFile],
        children: list[Any] | None = None,
    ) -> None:
        self.path = path
        self.parts = parts
        self.children = children if children is not None else []

    def result(self, cancelled: Cancelled | None = None) -> SieFile:
        """The whole file; raises :class:`SieError` (the first piece's error first) and
        :class:`ReadStopped`."""
        try:
            for child in self.children:
                try:
                    self.parts.append(child.result(file_name=self.path.name, cancelled=cancelled))
                except ReadCancelled as error:
                    raise ReadStopped() from error
                except SieError:
                    raise
                except SpreadsheetError:  # a reader process that failed: read it all here
                    self.close()
                    return read_sie(self.path, cancelled=cancelled, parallel=False)
        finally:
            self.close()
        sie = _merge(self.parts) if len(self.parts) > 1 else self.parts[0]
        if self.children or len(self.parts) > 1:
            finish_notes(sie)
        return sie

    def close(self) -> None:
        """Stop the reader processes (a read not wanted after all)."""
        for child in self.children:
            child.close()
        self.children = []


def _free_cores() -> int:
    """How many pieces to read at once: the cores not busy already (pieces on a busy
    machine only wait for each other)."""
    cores = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0])
    except (AttributeError, OSError):  # Windows has no load average
        busy = 0
    return max(1, min(MAX_PIECES, cores - busy))


def begin_read(
    path: str | os.PathLike[str],
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
    parallel: bool = True,
) -> PendingRead:
    """Begin reading the SIE file at ``path``: a file of :data:`PARALLEL_BYTES` or more
    (without #KSUMMA) is cut between vouchers, reader processes start on the later pieces
    and this process reads the first, so the caller may load what it needs meanwhile.
    Raises :class:`SieError` for a file that is missing, not SIE or broken in the first
    piece."""
    path = Path(path)
    data = _read_bytes(path)
    if not parallel or len(data) < PARALLEL_BYTES or b"#KSUMMA" in data:
        return PendingRead(path, [_read_whole(data, path.name, cancelled, progress)])
    _check_start(data, path.name)
    encoding, skip = _encoding(data)
    pieces = _free_cores()
    cuts = _cuts(data, pieces)
    if len(cuts) < 3:
        return PendingRead(path, [_read_whole(data, path.name, cancelled, progress)])
    from kpidesk.io._process import READ_TIME_LIMIT, ChildRun

    children: list[ChildRun] = []
    pending = PendingRead(path, [], children)
    try:
        for start, end in itertools.pairwise(cuts[1:]):
            payload = {
                "path": str(path),
                "start": start,
                "end": end,
                "file_name": path.name,
                "encoding": encoding,
                "first_line": data.count(b"\n", 0, start) + 1,
            }
            children.append(ChildRun("sie", payload, time_limit=READ_TIME_LIMIT))
        pending.parts.append(
            read_piece(
                data[skip : cuts[1]], path.name, encoding, cancelled=cancelled, progress=progress
            )
        )
    except BaseException:
        pending.close()
        raise
    return pending


def without_vouchers(
    sie: SieFile, path: str | os.PathLike[str], vouchers: list[UnbalancedVoucher]
) -> SieFile:
    """A copy of ``sie`` whose voucher sums leave out ``vouchers`` (read again from
    ``path``, line by line)."""
    wanted = sorted(vouchers, key=lambda voucher: voucher.line)
    if not wanted:
        return sie
    data = Path(path).read_bytes()
    encoding, skip = _encoding(data)
    lines = _lines(data[skip:])
    transactions = dict(sie.transactions)
    for voucher in wanted:
        piece = lines[voucher.line - 1 : voucher.last_line]
        reader = LineReader(sie.file_name, piece, encoding, first_line=voucher.line)
        reader.run()
        for key, amount in reader.sie.transactions.items():
            left = transactions.get(key, 0) - amount
            if left:
                transactions[key] = left
            else:
                transactions.pop(key, None)
    return dataclasses.replace(sie, transactions=transactions, unbalanced=[])


# Entry points ----------------------------------------------------------------------------


def _read_whole(
    data: bytes, file_name: str, cancelled: Cancelled | None, progress: Progress | None
) -> SieFile:
    _check_start(data, file_name)
    encoding, skip = _encoding(data)
    sie = read_piece(
        data[skip:] if skip else data,
        file_name,
        encoding,
        checksum=b"#KSUMMA" in data,
        cancelled=cancelled,
        progress=progress,
    )
    finish_notes(sie)
    return sie


def read_sie_bytes(
    data: bytes,
    file_name: str,
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> SieFile:
    """Read a SIE file's bytes in this process; see the module's docstring. Raises
    :class:`SieError`, and :class:`ReadStopped` when ``cancelled()`` turned True."""
    return _read_whole(data, file_name, cancelled, progress)


def _read_bytes(path: Path) -> bytes:
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
        return path.read_bytes()
    except OSError:
        raise SieError(SpreadsheetErrorKind.NOT_FOUND, MSG_NOT_FOUND, file=path.name) from None


def read_sie(
    path: str | os.PathLike[str],
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
    parallel: bool = True,
) -> SieFile:
    """Read the SIE file at ``path``; see the module's docstring and :func:`begin_read`.

    Raises :class:`SieError` for a file that is missing, not SIE, or broken, and
    :class:`ReadStopped` when ``cancelled()`` turned True."""
    return begin_read(path, cancelled=cancelled, progress=progress, parallel=parallel).result(
        cancelled
    )


def _shorten(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
