"""Reading a large ``.xlsx`` sheet piece by piece, so that its first records leave early.

calamine parses a whole sheet before it gives its first row: on a million rows that is four
seconds in which nothing else can happen. Here the sheet's XML is decompressed as a stream
and cut between rows into pieces of about 4 MB; each piece goes to calamine as a small
package of its own (the same styles, shared strings and 1904 date setting, the rows keeping
their ``r`` numbers), so the app stores one piece's records while the next is parsed, and
the reader process never holds more than a few pieces.

Percent formats and errors, which calamine does not report, are found in each piece's
bytes (see :mod:`kpidesk.io._cellinfo` and :class:`PieceCellInfo`) before any of its rows
are looked at.
"""

from __future__ import annotations

import gc
import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kpidesk.io._cellinfo import (
    ROW_NUMBER_ATTRIBUTE,
    CellInfo,
    OoxmlPackage,
    PercentIndex,
    _blocks,
    _last_row_start,
    _read_small,
    scan_positions,
    scan_rows,
)
from kpidesk.io._extract_common import BATCH_ROWS
from kpidesk.io.cells import CellValue

PIECE_BYTES = 4 * 1024 * 1024
"""About as fast as larger pieces on a million rows (6.2 s in all against 6.2-6.4 s with
16 MB), and the reader's peak memory falls from 350 to 190 MB."""
FIRST_PIECE_BYTES = 2 * 1024 * 1024
SPLIT_FROM = 16 * 1024 * 1024
"""A sheet part at least this large (uncompressed; some 70,000 rows) is read in pieces."""
MAX_SHARED_STRINGS = 4 * 1024 * 1024
STRINGS_FACTOR = 16
"""Each piece parses the shared strings again, so pieces grow with them (to at least this
many times their size) and a table over ``MAX_SHARED_STRINGS`` is read in one go."""

_ROOT = re.compile(rb"<((?:\w+:)?)worksheet\b")
_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_DIMENSION_END_ROW = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*?\bref="[^":]*:\$?[A-Za-z]{1,3}\$?(\d+)"'
)
_FIRST_ROW = re.compile(rb"\s*<(?:\w+:)?row\b([^>]*)>")
_HAS_R = re.compile(rb'\br="')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_DATE1904 = re.compile(rb'<(?:\w+:)?workbookPr\b[^>]*?\bdate1904="(?:1|true)"')

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">%s'
    b'<sheets><sheet name="Piece" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
)
_STYLES_REL = (
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/styles" Target="styles.xml"/>'
)
_STRINGS_REL = (
    b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)


class NotInPieces(Exception):
    """The sheet is read whole instead (too small, or written in a way pieces cannot keep)."""


class PieceCellInfo(CellInfo):
    """Errors and percent cells of the pieces read so far.

    Percent cells are found as each piece is made, before its rows are looked at. Error
    cells (which calamine shows as empty) only matter for an empty value cell, so pieces are
    searched for them when :meth:`errors` is first asked for after they came (the extractor
    asks for each empty value cell): most sheets have none and are never searched. A
    piece's bytes are let go once its rows are done.
    """

    def __init__(self, percent_styles: frozenset[int]) -> None:
        self.percent_styles = percent_styles
        self.found_errors: dict[tuple[int, int], str] = {}
        self.found_percent = PercentIndex()
        self._pending: dict[int, list[tuple[bytes, int]]] = {}

    def errors(self) -> dict[tuple[int, int], str]:
        """The error cells, after searching the pieces not searched yet."""
        self._scan_pending()
        return self.found_errors

    def percent(self) -> PercentIndex | None:
        return self.found_percent if self.percent_styles else None

    def add(self, number: int, parts: list[tuple[bytes, int]]) -> None:
        """Piece ``number``'s XML: parts of whole rows, each with the row before it."""
        styles = self.percent_styles
        if styles:
            for part, row_before in parts:
                scan_rows(part, None, self.found_percent, styles, row_before)
        self._pending[number] = parts

    def done_through(self, number: int) -> None:
        """The rows of pieces up to ``number`` are done: their bytes are not needed."""
        for done in [n for n in self._pending if n <= number]:
            del self._pending[done]

    def _scan_pending(self) -> None:
        errors = self.found_errors
        while self._pending:
            _number, parts = self._pending.popitem()
            for part, row_before in parts:
                scan_rows(part, errors, PercentIndex(), frozenset(), row_before)


class _Piece:
    __slots__ = ("first_row", "last_row", "number", "rows")

    def __init__(self, number: int, first_row: int, rows: list[list[CellValue]]) -> None:
        self.number = number
        self.first_row = first_row
        self.rows = rows
        self.last_row = first_row + len(rows) - 1


class PiecewiseSheet:
    """A :class:`~kpidesk.io.readers.Sheet` read in pieces (see the module's docs).

    Raises :class:`NotInPieces` when it cannot be, before anything was read for good.
    """

    decimal_hint: str | None = None
    column_offset = 0  # rows are padded from column A

    def __init__(
        self, name: str, archive: zipfile.ZipFile, member: str, package: OoxmlPackage
    ) -> None:
        size = archive.getinfo(member).file_size
        if size < SPLIT_FROM:
            raise NotInPieces("small")
        strings = b""
        if package.shared_strings_part is not None:
            if archive.getinfo(package.shared_strings_part).file_size > MAX_SHARED_STRINGS:
                raise NotInPieces("many shared strings")
            strings = _read_small(archive, package.shared_strings_part)
        self._piece_bytes = max(PIECE_BYTES, STRINGS_FACTOR * len(strings))
        styles = _read_small(archive, package.styles_part) if package.styles_part else b""
        workbook = _read_small(archive, package.workbook_part) if package.workbook_part else b""
        self.name = name
        self._archive = archive
        self._member = member
        self._info = PieceCellInfo(package.percent_styles)
        date1904 = b'<workbookPr date1904="1"/>' if _DATE1904.search(workbook) else b""
        self._parts = (styles, strings, date1904)
        self._kept: list[_Piece] = []
        self._declared_rows = 0
        self._first_bytes = 0
        self._stream = self._pieces()
        first = next(self._stream, None)  # checks the sheet's XML; NotInPieces if unusual
        if first is None:
            raise NotInPieces("empty")
        self._kept.append(first)
        self.height = self._declared_rows or int(
            (first.last_row + 1) * size / max(1, self._first_bytes)
        )

    # the Sheet protocol ----------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list[CellValue]]]:
        for piece in self._iter_pieces(keep=True):
            yield from enumerate(piece.rows, piece.first_row)

    def batches(self) -> Iterator[tuple[int, list[list[CellValue]]]]:
        """Consecutive rows in batches; rows between pieces that hold nothing come as empty
        lists, so each batch starts where the last one ended. Reads the pieces once."""
        next_row = 0
        for piece in self._iter_pieces(keep=False):
            if piece.first_row > next_row:
                gap = piece.first_row - next_row
                for start in range(0, gap, BATCH_ROWS):
                    yield next_row + start, [[] for _ in range(min(BATCH_ROWS, gap - start))]
            rows = piece.rows
            for start in range(0, len(rows), BATCH_ROWS):
                yield piece.first_row + start, rows[start : start + BATCH_ROWS]
            next_row = piece.last_row + 1
            self._info.done_through(piece.number)

    def cell_info(self) -> CellInfo:
        return self._info

    # pieces ----------------------------------------------------------------------------------
    def _iter_pieces(self, *, keep: bool) -> Iterator[_Piece]:
        yield from list(self._kept)
        if not keep:
            self._kept.clear()
        for piece in self._stream:
            if keep:
                self._kept.append(piece)
            yield piece

    def _pieces(self) -> Iterator[_Piece]:
        """The pieces in order. calamine lets go of the GIL while it parses, so the next
        piece is parsed on a second thread while this one's rows are turned into records."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpidesk-piece") as pool:
            queued: tuple[int, Future[Any]] | None = None
            for number, package in enumerate(self._packages()):
                parsing = number, pool.submit(_parse, package)
                if queued is not None and (piece := _piece_of(*queued)) is not None:
                    yield piece
                queued = parsing
            if queued is not None and (piece := _piece_of(*queued)) is not None:
                yield piece

    def _packages(self) -> Iterator[io.BytesIO]:
        """Each piece as a package of its own, its bytes handed to the cell info first."""
        blocks = _blocks(self._archive, self._member)
        head = b""
        opening = None
        for first_blocks in blocks:
            head += first_blocks
            opening = _SHEET_DATA.search(head)
            if opening is not None or len(head) > self._piece_bytes:
                break
        root = _ROOT.search(head)
        if opening is None or root is None or opening.group(2):
            raise NotInPieces("no sheetData")
        header = _DIMENSION.sub(b"", head[: opening.end()])
        dimension = _DIMENSION_END_ROW.search(head, 0, opening.start())
        self._declared_rows = int(dimension.group(1)) if dimension else 0
        prefix = opening.group(1)
        closing = b"</" + prefix + b"sheetData>"
        footer = closing + b"</" + root.group(1) + b"worksheet>"
        last_row = -1  # 0-based, of the rows so far
        row_end = b"</" + prefix + b"row>"
        rest, found = _before(head[opening.end() :], closing, row_end)
        block: bytes | None = None if found else next(blocks, None)
        pending = [rest]
        size = len(rest)
        limit = min(FIRST_PIECE_BYTES, self._piece_bytes)  # a small first piece: sent soon
        number = 0
        while True:
            if block is not None and size < limit:
                block, found = _before(block, closing, row_end)
                pending.append(block)
                size += len(block)
                block = None if found else next(blocks, None)
                continue
            parts, pending, size = [part for part in pending if part], [], 0
            if not parts:
                if block is None:
                    return
                continue
            if not self._first_bytes:
                self._first_bytes = len(header) + sum(map(len, parts))
            first = _FIRST_ROW.match(parts[0])
            if first is not None and not _HAS_R.search(first.group(1)):
                if last_row < 0:
                    raise NotInPieces("rows without numbers")
                # rows without r follow the one before: number the first as calamine would
                at = first.start(1)
                parts[0] = b'%s r="%d"%s' % (parts[0][:at], last_row + 2, parts[0][at:])
            numbered = []
            for part in parts:  # each part holds whole rows
                numbered.append((part, last_row))
                last_row = _last_row(part, last_row)
            self._info.add(number, numbered)
            number += 1
            limit = self._piece_bytes
            yield self._package([header, *parts, footer])
            if block is None:
                return

    def _package(self, sheet_xml: list[bytes]) -> io.BytesIO:
        styles, strings, workbook_pr = self._parts
        buffer = io.BytesIO()
        relations = _WORKBOOK_RELS_START
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
            package.writestr("[Content_Types].xml", _CONTENT_TYPES)
            package.writestr("_rels/.rels", _ROOT_RELS)
            package.writestr("xl/workbook.xml", _WORKBOOK % workbook_pr)
            if styles:
                package.writestr("xl/styles.xml", styles)
                relations += _STYLES_REL
            if strings:
                package.writestr("xl/sharedStrings.xml", strings)
                relations += _STRINGS_REL
            package.writestr("xl/_rels/workbook.xml.rels", relations + b"</Relationships>")
            with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
                for part in sheet_xml:
                    sheet.write(part)
        buffer.seek(0)
        return buffer


def _last_row(part: bytes, before: int) -> int:
    """The 0-based number of the last row that starts in ``part``; ``before`` is the row
    before the part's first."""
    start = _last_row_start(part)
    tag = _ROW_TAG.match(part, start) if start >= 0 else None
    number = ROW_NUMBER_ATTRIBUTE.search(tag.group(1)) if tag is not None else None
    if number is not None:
        return int(number.group(1)) - 1
    # rows without numbers: count them all
    return scan_positions([part], None, PercentIndex(), frozenset(), before)


def _before(block: bytes, closing: bytes, row_end: bytes) -> tuple[bytes, bool]:
    """``block`` up to the end of sheetData, and whether it ends there. The end comes after
    the last row, so only what follows the block's last ``</row>`` is searched."""
    end = block.find(closing, max(0, block.rfind(row_end)))
    return (block[:end], True) if end >= 0 else (block, False)


def _piece_of(number: int, parsing: Future[Any]) -> _Piece | None:
    sheet = parsing.result()
    start = sheet.start
    if not start:
        return None
    # A piece's rows are lists of cells, without cycles: no collection while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=True)
        if start[1]:
            padding = [""] * start[1]
            rows = [padding + row for row in rows]
        piece = _Piece(number, start[0], rows)
    finally:
        if collecting:
            gc.enable()
    return piece


def _parse(package: io.BytesIO) -> Any:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(package).get_sheet_by_index(0)
