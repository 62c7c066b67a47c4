"""Reading a workbook's sheets, row by row, whatever the format (runs in the reader process).

python-calamine reads ``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls`` and ``.ods`` (formulas give
their cached values; Strict OOXML works). openpyxl takes over only where calamine fails on a
zip-based workbook (UTF-16 parts, a macro sheet, odd relationships). CSV is read with the
standard library. Every reader yields ``(row, cells)`` with ``row`` the 0-based sheet row
and ``cells[k]`` the cell in column ``column_offset + k``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from kpidesk.domain.text import csv_unguard
from kpidesk.io._biff import XlsCellInfo, scan_or_nothing
from kpidesk.io._cellinfo import (
    CellInfo,
    OdsCellInfo,
    OoxmlPackage,
    PercentIndex,
    XlsxCellInfo,
    is_percent_format,
    scan_ods,
)
from kpidesk.io._extract_common import BATCH_ROWS, batches_of
from kpidesk.io._xlsx_pieces import PiecewiseSheet
from kpidesk.io.cells import CellValue
from kpidesk.io.errors import (
    MSG_DAMAGED,
    MSG_NO_SHEET,
    MSG_NOT_SPREADSHEET,
    MSG_PASSWORD,
    MSG_XML_BOMB,
    SpreadsheetError,
    SpreadsheetErrorKind,
    one_line,
)
from kpidesk.io.sniff import SpreadsheetFormat
from kpidesk.io.textfile import TextFormat, iter_text_rows, sniff_text

csv.field_size_limit(16 * 1024 * 1024)
STREAM_PREVIEW = 16 * 1024 * 1024  # a sheet part larger than this is previewed by streaming
ODS_REPAIR_LIMIT = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SheetInfo:
    name: str
    index: int
    hidden: bool
    kind: str = "worksheet"  # or "chart", "macro", "dialog"


class Sheet(Protocol):
    name: str
    column_offset: int
    height: int  # rows (an estimate for progress)
    decimal_hint: str | None

    def rows(self) -> Iterator[tuple[int, list[CellValue]]]: ...

    def batches(self) -> Iterator[tuple[int, list[list[CellValue]]]]: ...

    def cell_info(self) -> CellInfo: ...


class Book(Protocol):
    path: Path
    format: SpreadsheetFormat
    sheets: list[SheetInfo]
    reader: str

    def sheet(self, name: str) -> Sheet: ...

    def preview_sheet(self, name: str) -> Sheet:
        """The sheet for a look at its first rows (may be quicker than :meth:`sheet`)."""
        ...

    def close(self) -> None: ...


def open_book(path: Path, fmt: SpreadsheetFormat) -> Book:
    """The workbook at ``path`` (whose format :func:`sniff_format` found)."""
    if fmt is SpreadsheetFormat.CSV:
        return CsvBook(path)
    try:
        return CalamineBook(path, fmt)
    except SpreadsheetError as error:
        if fmt.is_ooxml and error.kind is SpreadsheetErrorKind.DAMAGED:
            try:
                return OpenpyxlBook(path, fmt)
            except SpreadsheetError:
                raise error from None
        raise


def _damaged(path: Path, error: BaseException) -> SpreadsheetError:
    text = str(error)
    if "password" in text.lower() or type(error).__name__ == "PasswordError":
        return SpreadsheetError(SpreadsheetErrorKind.PASSWORD, MSG_PASSWORD, file=path.name)
    if "entity" in text.lower() or "EntitiesForbidden" in type(error).__name__ or "DTD" in text:
        return SpreadsheetError(SpreadsheetErrorKind.TOO_LARGE, MSG_XML_BOMB, file=path.name)
    return SpreadsheetError(
        SpreadsheetErrorKind.DAMAGED, MSG_DAMAGED, file=path.name, detail=one_line(error)
    )


# calamine --------------------------------------------------------------------------------


class CalamineBook:
    reader = "calamine"

    def __init__(self, path: Path, fmt: SpreadsheetFormat) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        self.format = fmt
        self._handle: BinaryIO | None = None
        try:
            if path.suffix.lower().lstrip(".") == fmt.value and fmt is not SpreadsheetFormat.ODS:
                self._workbook = CalamineWorkbook.from_path(str(path))
            else:
                # calamine picks its reader by the extension; a file whose name lies about its
                # format is given as a stream, which calamine judges by its content.
                self._handle = _stream_for(path, fmt)
                self._workbook = CalamineWorkbook.from_filelike(self._handle)
            metadata = self._workbook.sheets_metadata
        except Exception as error:  # CalamineError, PasswordError, XmlError, ZipError…
            if self._handle is not None:
                self._handle.close()
            raise _damaged(path, error) from None
        self.sheets = [
            SheetInfo(
                m.name,
                i,
                "Visible" not in str(m.visible),
                _sheet_kind(str(m.typ)),
            )
            for i, m in enumerate(metadata)
        ]
        self._archive: zipfile.ZipFile | None = None
        self._package: OoxmlPackage | None = None
        self._ods: dict[str, Any] | None = None
        self._xls: dict[str, Any] | None = None
        self._fallback: OpenpyxlBook | None = None

    def sheet(self, name: str) -> Sheet:
        if name not in {s.name for s in self.sheets}:
            raise SpreadsheetError(
                SpreadsheetErrorKind.NO_SHEET, MSG_NO_SHEET, file=self.path.name, sheet=name
            )
        pieces = self._in_pieces(name)
        if pieces is not None:
            return pieces
        try:
            sheet = self._workbook.get_sheet_by_name(name)
        except Exception as error:
            if self.format.is_ooxml:
                if self._fallback is None:
                    try:
                        self._fallback = OpenpyxlBook(self.path, self.format)
                    except SpreadsheetError:
                        raise _damaged(self.path, error) from None
                return self._fallback.sheet(name)
            raise _damaged(self.path, error) from None
        return CalamineSheet(name, sheet, self._cell_info_for(name))

    def preview_sheet(self, name: str) -> Sheet:
        """calamine loads a whole sheet before giving its first row; a large ``.xlsx`` sheet
        is streamed by openpyxl instead, which stops after the rows looked at."""
        if self.format.is_ooxml and name in {s.name for s in self.sheets}:
            try:
                if self._package is None:
                    self._archive = zipfile.ZipFile(self.path)
                    self._package = OoxmlPackage(self._archive)
                member = self._package.sheet_parts.get(name)
                assert self._archive is not None
                if member is not None and self._archive.getinfo(member).file_size > STREAM_PREVIEW:
                    if self._fallback is None:
                        self._fallback = OpenpyxlBook(self.path, self.format)
                    if name in self._fallback.sheet_names:
                        sheet = self._fallback.sheet(name)
                        sheet.height = self._fallback.declared_rows(name)
                        return sheet
            except Exception:  # calamine reads it, slower
                pass
        return self.sheet(name)

    def _in_pieces(self, name: str) -> PiecewiseSheet | None:
        """A large ``.xlsx`` sheet read piece by piece (see :mod:`kpidesk.io._xlsx_pieces`)."""
        if not self.format.is_ooxml:
            return None
        try:
            if self._package is None:
                self._archive = zipfile.ZipFile(self.path)
                self._package = OoxmlPackage(self._archive)
            member = self._package.sheet_parts.get(name)
            if member is None or self._archive is None:
                return None
            return PiecewiseSheet(name, self._archive, member, self._package)
        except Exception:  # NotInPieces, or anything odd: calamine reads it whole
            return None

    def _cell_info_for(self, name: str) -> CellInfo:
        try:
            if self.format.is_ooxml:
                if self._package is None:
                    self._archive = zipfile.ZipFile(self.path)
                    self._package = OoxmlPackage(self._archive)
                member = self._package.sheet_parts.get(name)
                if member is not None:
                    assert self._archive is not None
                    return XlsxCellInfo(self._archive, member, self._package.percent_styles)
            elif self.format is SpreadsheetFormat.ODS:
                if self._ods is None:
                    with zipfile.ZipFile(self.path) as archive:
                        self._ods = scan_ods(archive)
                return OdsCellInfo(self._ods, name)
            elif self.format is SpreadsheetFormat.XLS:
                if self._xls is None:
                    self._xls = scan_or_nothing(self.path)
                return XlsCellInfo(self._xls, name)
        except Exception:  # the scan is a bonus: a sheet calamine reads stays readable
            return CellInfo()
        return CellInfo()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._workbook.close()
        if self._archive is not None:
            self._archive.close()
        if self._fallback is not None:
            self._fallback.close()
        if self._handle is not None:
            self._handle.close()


def _stream_for(path: Path, fmt: SpreadsheetFormat) -> BinaryIO:
    """The file as a stream; an ``.ods`` without its ``mimetype`` part gets one."""
    if fmt is SpreadsheetFormat.ODS:
        with zipfile.ZipFile(path) as archive:
            names = {info.filename for info in archive.infolist()}
            total = sum(info.file_size for info in archive.infolist())
            if "mimetype" not in names and total < ODS_REPAIR_LIMIT:
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as repaired:
                    repaired.writestr(
                        "mimetype",
                        "application/vnd.oasis.opendocument.spreadsheet",
                        compress_type=zipfile.ZIP_STORED,
                    )
                    for info in archive.infolist():
                        repaired.writestr(info, archive.read(info))
                buffer.seek(0)
                return buffer
    return open(path, "rb")


def _sheet_kind(typ: str) -> str:
    for word, kind in (
        ("Chart", "chart"),
        ("Macro", "macro"),
        ("Dialog", "dialog"),
        ("Vba", "vba"),
    ):
        if word in typ:
            return kind
    return "worksheet"


class CalamineSheet:
    decimal_hint: str | None = None

    def __init__(self, name: str, sheet: Any, info: CellInfo) -> None:
        self.name = name
        self._sheet = sheet
        self._info = info
        start = sheet.start
        self.column_offset = start[1] if start else 0
        end = sheet.end
        self.height = end[0] + 1 if end else 0

    def rows(self) -> Iterator[tuple[int, list[CellValue]]]:
        if self.height == 0:
            return iter(())
        # python-calamine's iter_rows starts at row 0 and at the first used column.
        return enumerate(self._sheet.iter_rows())

    def batches(self) -> Iterator[tuple[int, list[list[CellValue]]]]:
        if self.height == 0:
            return
        iterator = self._sheet.iter_rows()
        first = 0
        while True:
            cells = list(islice(iterator, BATCH_ROWS))
            if not cells:
                return
            yield first, cells
            first += len(cells)

    def cell_info(self) -> CellInfo:
        return self._info


# openpyxl (fallback for zip workbooks calamine cannot open) -----------------------------


class OpenpyxlBook:
    reader = "openpyxl"

    def __init__(self, path: Path, fmt: SpreadsheetFormat) -> None:
        import openpyxl

        self.path = path
        self.format = fmt
        try:
            self._workbook = openpyxl.load_workbook(
                path, read_only=True, data_only=True, keep_links=False
            )
            names = list(self._workbook.sheetnames)
        except Exception as error:
            raise _damaged(path, error) from None
        self.sheets = []
        for index, name in enumerate(names):
            sheet = self._workbook[name]
            kind = "worksheet" if hasattr(sheet, "_cells_by_row") else "chart"
            hidden = getattr(sheet, "sheet_state", "visible") != "visible"
            self.sheets.append(SheetInfo(name, index, hidden, kind))

    @property
    def sheet_names(self) -> list[str]:
        return list(self._workbook.sheetnames)

    def declared_rows(self, name: str) -> int:
        try:
            return int(self._workbook[name].max_row or 0)
        except Exception:
            return 0

    def preview_sheet(self, name: str) -> Sheet:
        return self.sheet(name)

    def sheet(self, name: str) -> OpenpyxlSheet:
        if name not in self._workbook.sheetnames:
            raise SpreadsheetError(
                SpreadsheetErrorKind.NO_SHEET, MSG_NO_SHEET, file=self.path.name, sheet=name
            )
        return OpenpyxlSheet(self.path, name, self._workbook[name])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._workbook.close()


class _InlineInfo(CellInfo):
    def __init__(self, percent: PercentIndex) -> None:
        self._percent = percent

    def percent(self) -> PercentIndex | None:
        return self._percent


class OpenpyxlSheet:
    decimal_hint: str | None = None
    column_offset = 0

    def __init__(self, path: Path, name: str, worksheet: Any) -> None:
        self.path = path
        self.name = name
        self._worksheet = worksheet
        self.height = 0
        self._percent = PercentIndex()

    def rows(self) -> Iterator[tuple[int, list[CellValue]]]:
        worksheet = self._worksheet
        if not hasattr(worksheet, "_get_source"):
            return
        from openpyxl.cell.read_only import ReadOnlyCell
        from openpyxl.worksheet._reader import WorkSheetParser

        workbook = worksheet.parent
        percent_ids: dict[int, bool] = {}
        try:
            with worksheet._get_source() as source:
                parser = WorkSheetParser(
                    source,
                    worksheet._shared_strings,
                    data_only=True,
                    epoch=workbook.epoch,
                    date_formats=workbook._date_formats,
                    timedelta_formats=workbook._timedelta_formats,
                )
                for index, cells in parser.parse():
                    row = index - 1
                    if not cells:
                        continue
                    width = max(cell["column"] for cell in cells)
                    values: list[CellValue] = [None] * width
                    for cell in cells:
                        column = cell["column"] - 1
                        value = cell["value"]
                        values[column] = value
                        if isinstance(value, int | float) and not isinstance(value, bool):
                            style = cell.get("style_id", 0)
                            if style not in percent_ids:
                                format_code = ReadOnlyCell(worksheet, **cell).number_format
                                percent_ids[style] = is_percent_format(format_code or "")
                            if percent_ids[style]:
                                self._percent.add(row, column)
                    yield row, values
        except SpreadsheetError:
            raise
        except Exception as error:
            raise _damaged(self.path, error) from None

    def batches(self) -> Iterator[tuple[int, list[list[CellValue]]]]:
        return batches_of(self.rows())

    def cell_info(self) -> CellInfo:
        return _InlineInfo(self._percent)


# CSV -----------------------------------------------------------------------------------


class CsvBook:
    reader = "csv"
    format = SpreadsheetFormat.CSV

    def __init__(self, path: Path) -> None:
        self.path = path
        text_format = sniff_text(path)
        if text_format is None:
            raise SpreadsheetError(
                SpreadsheetErrorKind.NOT_SPREADSHEET, MSG_NOT_SPREADSHEET, file=path.name
            )
        self.text_format = text_format
        self.sheets = [SheetInfo(path.stem or path.name, 0, False)]

    def sheet(self, name: str) -> Sheet:
        if name != self.sheets[0].name:
            raise SpreadsheetError(
                SpreadsheetErrorKind.NO_SHEET, MSG_NO_SHEET, file=self.path.name, sheet=name
            )
        return CsvSheet(self.path, name, self.text_format)

    def preview_sheet(self, name: str) -> Sheet:
        return self.sheet(name)

    def close(self) -> None:
        pass


class CsvSheet:
    column_offset = 0
    decimal_hint: str | None

    def __init__(self, path: Path, name: str, text_format: TextFormat) -> None:
        self.path = path
        self.name = name
        self.text_format = text_format
        # "1 234,5;2" is Swedish; with "," between fields the decimal point is a dot.
        self.decimal_hint = "." if text_format.delimiter == "," else ","
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        self.height = max(1, size // 40)  # a guess for progress; corrected as rows come

    def rows(self) -> Iterator[tuple[int, list[CellValue]]]:
        try:
            for index, fields in enumerate(iter_text_rows(self.path, self.text_format)):
                # a leading ' guards text against formula injection (kpidesk export --csv)
                yield (
                    index,
                    [
                        (csv_unguard(field) if field[:1] == "'" else field)
                        if field.strip()
                        else None
                        for field in fields
                    ],
                )
        except csv.Error as error:
            raise _damaged(self.path, error) from None

    def batches(self) -> Iterator[tuple[int, list[list[CellValue]]]]:
        return batches_of(self.rows())

    def cell_info(self) -> CellInfo:
        return CellInfo()
