"""Saving a workbook fast: openpyxl's writer, with the rows of each sheet serialised in one
pass of our own instead of one XML element object per cell."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel, to_ISO8601
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

_ROWS_MARK = "kpidesk-rows-f3c1a7"


_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#09;",
    }
)


def _rows_xml(sheet: Worksheet) -> str | None:
    """The rows of ``sheet`` as openpyxl's writer serialises them (without lxml).

    None when a cell needs what only openpyxl's writer does (formulas, rich text, comments,
    dates with a time zone); the sheet's rows are then left to it.
    """
    rows: dict[int, list[Cell]] = defaultdict(list)
    for (row, _column), cell in sorted(sheet._cells.items()):
        rows[row].append(cell)
    dimensions = sheet.row_dimensions
    for row in dimensions.keys() - rows.keys():
        rows[row] = []
    book = sheet.parent
    add_style = book._cell_styles.add
    styles: dict[int, str] = {}  # by id(): cells share StyleArrays, all alive while saving
    letters: dict[int, str] = {}
    hyperlinks: list[Hyperlink] = []
    out: list[str] = []
    write = out.append
    for index, cells in sorted(rows.items()):
        dimension = dimensions.get(index)
        if dimension is None:
            write(f'<row r="{index}">')
        else:
            extra = "".join(f' {k}="{str(v).translate(_ATTRIBUTE)}"' for k, v in dimension)
            write(f'<row r="{index}"{extra}>')
        for cell in cells:
            if cell._comment is not None:
                return None
            value = cell._value
            style = cell._style
            styled = styles.get(id(style))
            if styled is None:
                styled = f' s="{add_style(style)}"' if style is not None and any(style) else ""
                styles[id(style)] = styled
            if value is None and not styled:
                continue
            kind = cell.data_type
            column = cell.column
            letter = letters.get(column)
            if letter is None:
                letter = letters[column] = get_column_letter(column)
            head = f'<c r="{letter}{index}"{styled}'
            if kind == "s":
                if cell._hyperlink:
                    hyperlinks.append(cell._hyperlink)
                if value is None or value == "":
                    write(f'{head} t="inlineStr" />')
                    continue
                if type(value) is not str:
                    return None  # rich text
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and stripped != value else ""
                if "&" in value or "<" in value or ">" in value:
                    value = value.translate(_TEXT)
                write(f'{head} t="inlineStr"><is><t{space}>{value}</t></is></c>')
                continue
            if kind == "f":
                return None
            if kind == "d":
                if getattr(value, "tzinfo", None) is not None:
                    return None
                if book.iso_dates and not isinstance(value, timedelta):
                    value = to_ISO8601(value)
                else:
                    kind = "n"
                    value = to_excel(value, book.epoch)
            if cell._hyperlink:
                hyperlinks.append(cell._hyperlink)
            if value is None or value == "":
                write(f'{head} t="{kind}" />')
                continue
            text = safe_string(value).translate(_TEXT)
            write(
                f'{head} t="{kind}"><v>{text}</v></c>' if text else f'{head} t="{kind}"><v /></c>'
            )
        write("</row>")
    sheet._hyperlinks.extend(hyperlinks)
    return "".join(out)


class _SheetWriter(WorksheetWriter):  # type: ignore[misc]  # openpyxl has no types
    """openpyxl's sheet writer, with the rows from :func:`_rows_xml` where it can."""

    _rows: str | None = None

    def write_rows(self) -> None:
        self._rows = _rows_xml(self.ws)
        if self._rows is None:
            super().write_rows()
            return
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(_ROWS_MARK)
        self.xf.send(None)

    def read(self) -> bytes:
        data: bytes = super().read()
        if self._rows is None:
            return data
        head, mark, tail = data.partition(f"<sheetData>{_ROWS_MARK}</sheetData>".encode())
        if not mark:
            raise RuntimeError(f"no rows written for sheet {self.ws.title!r}")
        return b"".join((head, b"<sheetData>", self._rows.encode(), b"</sheetData>", tail))


class _BookWriter(ExcelWriter):  # type: ignore[misc]  # openpyxl has no types
    """openpyxl's workbook writer, with each sheet written in memory by :class:`_SheetWriter`."""

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws, out=BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def _save(workbook: Workbook, destination: Path) -> None:
    """What ``workbook.save(destination)`` does, through :class:`_BookWriter`."""
    with ZipFile(destination, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)
        _BookWriter(workbook, archive).save()
