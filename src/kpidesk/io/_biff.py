"""Error and percent cells of an ``.xls`` (BIFF5/BIFF8), which calamine does not report.

One pass over the ``Workbook`` stream's records: ``FORMULA`` results and ``BOOLERR`` cells
that hold an error, and number cells (``NUMBER``, ``RK``, ``MULRK``, ``FORMULA``) whose
format is a percentage. Every length is checked, so a damaged file only ends the scan.
"""

from __future__ import annotations

import struct
from pathlib import Path

from kpidesk.io._cellinfo import CellInfo, PercentIndex, is_percent_format
from kpidesk.io._cfb import CfbError, CompoundFile

MAX_STREAM = 512 * 1024 * 1024

_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_BUILTIN_PERCENT = frozenset({9, 10})

_BOF = 0x0809
_EOF = 0x000A
_BOUNDSHEET = 0x0085
_FORMAT = 0x041E
_XF = 0x00E0
_FORMULA = 0x0006
_BOOLERR = 0x0205
_NUMBER = 0x0203
_RK = 0x027E
_MULRK = 0x00BD

SheetCells = tuple[dict[tuple[int, int], str], PercentIndex]


def scan_workbook(path: Path) -> dict[str, SheetCells]:
    """Error cells and percent cells of each sheet, by sheet name."""
    with open(path, "rb") as handle:
        size = path.stat().st_size
        compound = CompoundFile(handle, size)
        entry = compound.find("Workbook", "Book")
        if entry is None:
            return {}
        data = compound.read(entry, MAX_STREAM)
    return _scan(data)


def _scan(data: bytes) -> dict[str, SheetCells]:
    sheets: dict[int, str] = {}  # BOF offset → name
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    biff8 = True
    result: dict[str, SheetCells] = {}
    current: SheetCells | None = None
    percent_xfs: set[int] | None = None
    position = 0
    end = len(data)
    globals_done = False
    while position + 4 <= end:
        record, length = struct.unpack_from("<HH", data, position)
        body = position + 4
        if body + length > end:
            break
        if record == _BOF:
            if length >= 2 and not globals_done and position == 0:
                version = struct.unpack_from("<H", data, body)[0]
                biff8 = version == 0x0600
            elif position in sheets:
                name = sheets[position]
                current = result[name] = ({}, PercentIndex())
                if percent_xfs is None:
                    percent_xfs = {
                        index
                        for index, fmt in enumerate(xf_formats)
                        if fmt in _BUILTIN_PERCENT or is_percent_format(formats.get(fmt, ""))
                    }
            else:
                current = None
        elif record == _EOF:
            globals_done = True
            current = None
        elif not globals_done:
            if record == _BOUNDSHEET and length >= 8:
                offset = struct.unpack_from("<I", data, body)[0]
                sheet_name = _short_string(data, body + 6, body + length, biff8)
                if sheet_name is not None:
                    sheets[offset] = sheet_name
            elif record == _FORMAT and length >= 3:
                index = struct.unpack_from("<H", data, body)[0]
                text = (
                    _long_string(data, body + 2, body + length)
                    if biff8
                    else _short_string(data, body + 2, body + length, False)
                )
                if text is not None:
                    formats[index] = text
            elif record == _XF and length >= 4:
                xf_formats.append(struct.unpack_from("<H", data, body + 2)[0])
        elif current is not None and percent_xfs is not None:
            errors, percent = current
            if record == _FORMULA and length >= 14:
                row, column, xf = struct.unpack_from("<HHH", data, body)
                result_bytes = data[body + 6 : body + 14]
                if result_bytes[6:8] == b"\xff\xff":
                    if result_bytes[0] == 2:
                        errors[(row, column)] = _ERRORS.get(result_bytes[2], "#VALUE!")
                elif xf in percent_xfs:
                    percent.add(row, column)
            elif record == _BOOLERR and length >= 8:
                row, column, _xf, value, is_error = struct.unpack_from("<HHHBB", data, body)
                if is_error:
                    errors[(row, column)] = _ERRORS.get(value, "#VALUE!")
            elif record in (_NUMBER, _RK) and length >= 6 and percent_xfs:
                row, column, xf = struct.unpack_from("<HHH", data, body)
                if xf in percent_xfs:
                    percent.add(row, column)
            elif record == _MULRK and length >= 6 and percent_xfs:
                row, first = struct.unpack_from("<HH", data, body)
                count = (length - 6) // 6
                for k in range(count):
                    xf = struct.unpack_from("<H", data, body + 4 + 6 * k)[0]
                    if xf in percent_xfs:
                        percent.add(row, first + k)
        position = body + length
    return result


def _short_string(data: bytes, start: int, stop: int, biff8: bool) -> str | None:
    if start >= stop:
        return None
    count = data[start]
    if not biff8:
        return data[start + 1 : start + 1 + count].decode("cp1252", "replace")
    if start + 2 > stop:
        return None
    wide = data[start + 1] & 1
    raw = data[start + 2 : start + 2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _long_string(data: bytes, start: int, stop: int) -> str | None:
    if start + 3 > stop:
        return None
    count = struct.unpack_from("<H", data, start)[0]
    wide = data[start + 2] & 1
    raw = data[start + 3 : start + 3 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


class XlsCellInfo(CellInfo):
    def __init__(self, scan: dict[str, SheetCells], sheet: str) -> None:
        found = scan.get(sheet)
        self._errors = found[0] if found else {}
        self._percent = found[1] if found and found[1] else None

    def errors(self) -> dict[tuple[int, int], str]:
        return self._errors

    def percent(self) -> PercentIndex | None:
        return self._percent


def scan_or_nothing(path: Path) -> dict[str, SheetCells]:
    try:
        return scan_workbook(path)
    except (CfbError, OSError, ValueError, struct.error, IndexError):
        return {}
