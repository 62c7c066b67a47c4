"""The review pack's cells: numbers, statuses, dates and text written with their styles,
header and title rows, links, column widths and print set-up."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from copy import deepcopy
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.descriptors.serialisable import Serialisable
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import Element

from kpidesk import palette
from kpidesk.domain.periods import Period, format_period
from kpidesk.domain.status import STATUS_LABELS, Status
from kpidesk.i18n import gettext_for
from kpidesk.io.report_model import KpiInfo, ReportContent
from kpidesk.io.xlsx_formats import (
    LINE_HEIGHT,
    number_format,
    to_cell_value,
    wrapped_line_count,
)
from kpidesk.io.xlsx_safety import quote_sheet_name, set_text

Progress = Callable[[int, int], None]

DATE_FORMAT = "yyyy-mm-dd"
MUTED_TEXT = "57606A"


def _escape_header(text: str) -> str:
    """Header and footer text treat ``&`` as a code; a literal one is doubled."""
    return text.replace("&", "&&")


def _serialised_once[T: Serialisable](part: T) -> T:
    """``part`` with its XML built on first use and copied after.

    For the parts every chart or sheet shares (line styles, markers, axes, legend, margins,
    header and footer): openpyxl's generic ``to_tree`` was most of the time spent on charts.
    Nothing changes such a part once made.
    """
    trees: dict[tuple[object, ...], Element] = {}
    build = type(part).to_tree

    def to_tree(
        tagname: str | None = None, idx: int | None = None, namespace: str | None = None
    ) -> Element:
        key = (tagname, idx, namespace, getattr(part, "namespace", None))
        tree = trees.get(key)
        if tree is None:
            tree = trees[key] = build(part, tagname, idx, namespace)
        return deepcopy(tree)  # lxml's elements have one parent each

    part.to_tree = to_tree
    return part


FONT_NAME = "Calibri"


HEADER_FILL = palette.ACTUAL_LINE


RULE_COLOR = "D0D7DE"


def _hex(color: str) -> str:
    return color.lstrip("#").upper()


class _Styles:
    """Every font, fill and border the pack uses, made once (openpyxl hashes each on use)."""

    def __init__(self) -> None:
        self.title = Font(name=FONT_NAME, size=16, bold=True, color=_hex(palette.ACTUAL_LINE))
        self.cover_title = Font(name=FONT_NAME, size=24, bold=True, color=_hex(palette.ACTUAL_LINE))
        self.subtitle = Font(name=FONT_NAME, size=11, color=MUTED_TEXT)
        self.cover_subtitle = Font(name=FONT_NAME, size=14, color=MUTED_TEXT)
        self.heading = Font(name=FONT_NAME, size=12, bold=True, color=_hex(palette.ACTUAL_LINE))
        self.label = Font(name=FONT_NAME, size=11, bold=True, color=MUTED_TEXT)
        self.body = Font(name=FONT_NAME, size=11)
        self.muted = Font(name=FONT_NAME, size=10, italic=True, color=MUTED_TEXT)
        self.header = Font(name=FONT_NAME, size=11, bold=True, color="FFFFFF")
        self.link = Font(
            name=FONT_NAME, size=11, color=_hex(palette.ACTUAL_LINE), underline="single"
        )
        self.header_fill = PatternFill("solid", fgColor=_hex(HEADER_FILL))
        self.band_fill = PatternFill("solid", fgColor=_hex(palette.ACTUAL_LINE))
        self.status_fonts = {
            status: Font(name=FONT_NAME, size=11, bold=True, color=_hex(color))
            for status, color in palette.SYMBOL_COLORS.items()
        }
        self.status_fills = {
            status: PatternFill("solid", fgColor=_hex(color))
            for status, color in palette.FILL_COLORS.items()
        }
        rule = Side(style="thin", color=RULE_COLOR)
        self.row_border = Border(bottom=rule)
        self.header_alignment = Alignment(vertical="center", wrap_text=True)
        self.header_alignment_right = Alignment(
            horizontal="right", vertical="center", wrap_text=True
        )
        self.top = Alignment(vertical="top")
        self.indented = Alignment(horizontal="left", vertical="top", indent=1)
        self.top_left = Alignment(horizontal="left", vertical="top")
        self.wrap = Alignment(vertical="top", wrap_text=True)
        self.center = Alignment(horizontal="center", vertical="top")


class PackCells:
    """A pack writer's state, and how it fills and styles cells (the base of
    ``review_pack._PackWriter``, which writes the sheets)."""

    def __init__(self, content: ReportContent, language: str, progress: Progress) -> None:
        self.content = content
        self.language = language
        self._ = gettext_for(language)
        self.progress = progress
        self.styles = _Styles()
        self.workbook = Workbook()
        self.taken: set[str] = set()
        self.kpi_sheets: dict[int, str] = {}
        self.period_text = format_period(content.period, language)
        self.formats: dict[tuple[int, bool], str] = {}
        self.row_lines = 1
        self._styles: dict[Hashable, StyleArray] = {}
        self._page: tuple[PageMargins, HeaderFooter] | None = None
        self._status_texts: dict[Status, str] = {}
        self._period_texts: dict[Period, str] = {}

    def document_title(self) -> str:
        if self.content.review is not None:
            return self._("Review pack")
        return self._("Review pack")

    def fmt(self, kpi: KpiInfo, *, signed: bool = False) -> str:
        key = (kpi.id, signed)
        if key not in self.formats:
            self.formats[key] = number_format(
                kpi.measure_unit,
                kpi.decimals,
                self.language,
                currency=self.content.currency,
                unit_label=kpi.unit_label,
                signed=signed,
            )
        return self.formats[key]

    def status_text(self, status: Status) -> str:
        text = self._status_texts.get(status)
        if text is None:
            text = self._status_texts[status] = f"{status.symbol} {self._(STATUS_LABELS[status])}"
        return text

    def short_period(self, period: Period) -> str:
        text = self._period_texts.get(period)
        if text is None:
            text = self._period_texts[period] = format_period(period, self.language, short=True)
        return text

    def style(self, cell: Cell, key: Hashable, **attributes: object) -> None:
        """Give ``cell`` the style ``attributes`` make, built once per ``key``."""
        cell._style = self.style_array(cell.parent, key, **attributes)

    def style_array(self, sheet: Worksheet, key: Hashable, **attributes: object) -> StyleArray:
        """The style ``attributes`` make, built once per ``key`` and shared by every cell.

        openpyxl hashes every font, fill and border on each assignment, which made styling
        most of the pack's writing time; a finished style is shared instead. Nothing here
        changes a cell's style afterwards except through ``set_text`` (which copies first)
        or by assigning a new one.
        """
        array = self._styles.get(key)
        if array is None:
            probe = Cell(sheet)  # not placed in the sheet
            for name, value in attributes.items():
                setattr(probe, name, value)
            array = self._styles[key] = probe._style
        return array

    def status_style(self, sheet: Worksheet, status: Status) -> StyleArray:
        styles = self.styles
        return self.style_array(
            sheet,
            ("status", status),
            font=styles.status_fonts[status],
            fill=styles.status_fills[status],
            border=styles.row_border,
            alignment=styles.indented,
        )

    def number_style(self, sheet: Worksheet, kpi: KpiInfo, *, signed: bool = False) -> StyleArray:
        number_format = self.fmt(kpi, signed=signed)
        return self.style_array(
            sheet,
            ("number", number_format),
            number_format=number_format,
            border=self.styles.row_border,
            alignment=self.styles.top,
        )

    def text_style(self, sheet: Worksheet, *, wrapped: bool = False) -> StyleArray:
        return self.style_array(
            sheet,
            ("text", wrapped),
            border=self.styles.row_border,
            alignment=self.styles.wrap if wrapped else self.styles.top,
        )

    def put_status(self, cell: Cell, status: Status) -> None:
        cell._style = self.status_style(cell.parent, status)
        cell.value = self.status_text(status)

    def put_number(
        self, cell: Cell, value: float | None, kpi: KpiInfo, *, signed: bool = False
    ) -> None:
        cell._style = self.number_style(cell.parent, kpi, signed=signed)
        cell.value = to_cell_value(value, kpi.measure_unit, signed=signed)

    def put_text(self, cell: Cell, text: str, *, wrap: bool = False) -> None:
        wrapped = wrap and bool(text)
        cell._style = self.text_style(cell.parent, wrapped=wrapped)
        set_text(cell, text)
        if wrapped:
            width = cell.parent.column_dimensions[cell.column_letter].width or 10
            self.row_lines = max(self.row_lines, wrapped_line_count(text, width))

    def end_row(self, sheet: Worksheet, row: int) -> None:
        """Give a row with wrapped text the height it needs: spreadsheets do not on opening."""
        if self.row_lines > 1:
            sheet.row_dimensions[row].height = LINE_HEIGHT * self.row_lines + 2
        self.row_lines = 1

    def put_date(self, cell: Cell, value: date | None) -> None:
        self.style(
            cell,
            ("date",),
            number_format=DATE_FORMAT,
            border=self.styles.row_border,
            alignment=self.styles.top_left,
        )
        cell.value = value

    def header_row(
        self,
        sheet: Worksheet,
        row: int,
        titles: list[str],
        numeric: Collection[int] = frozenset(),
        *,
        lines: int = 1,
    ) -> None:
        for column, title in enumerate(titles, start=1):
            cell = sheet.cell(row=row, column=column)
            right = column in numeric
            self.style(
                cell,
                ("header", right),
                font=self.styles.header,
                fill=self.styles.header_fill,
                alignment=(
                    self.styles.header_alignment_right if right else self.styles.header_alignment
                ),
            )
            set_text(cell, title)
        sheet.row_dimensions[row].height = 6 + LINE_HEIGHT * lines

    def put_font_text(self, cell: Cell, text: str, font: Font) -> None:
        self.style(cell, ("font", id(font)), font=font)
        set_text(cell, text)

    def title_rows(self, sheet: Worksheet, title: str, subtitle: str) -> None:
        self.put_font_text(sheet.cell(row=1, column=1), title, self.styles.title)
        sheet.row_dimensions[1].height = 24
        self.put_font_text(sheet.cell(row=2, column=1), subtitle, self.styles.subtitle)

    def link(self, cell: Cell, text: str, sheet_name: str, *, border: bool = False) -> None:
        styles = self.styles
        if border:
            self.style(cell, ("link", True), font=styles.link, border=styles.row_border)
        else:
            self.style(cell, ("link", False), font=styles.link)
        set_text(cell, text)
        cell.hyperlink = Hyperlink(
            ref=cell.coordinate, location=f"{quote_sheet_name(sheet_name)}!A1", display=text
        )

    def widths(self, sheet: Worksheet, widths: Sequence[float]) -> None:
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width

    def print_setup(self, sheet: Worksheet, title_rows: str | None) -> None:
        setup = sheet.page_setup
        setup.orientation = "landscape"
        setup.paperSize = sheet.PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        if title_rows:
            sheet.print_title_rows = title_rows
        if self._page is None:
            self._page = self.page_parts()
        sheet.page_margins, sheet.HeaderFooter = self._page

    def page_parts(self) -> tuple[PageMargins, HeaderFooter]:
        """The margins, header and footer every sheet shares, each serialised once."""
        margins = PageMargins(left=0.5, right=0.5, top=0.8, bottom=0.8, header=0.3, footer=0.3)
        header_footer = HeaderFooter()
        header, footer = header_footer.oddHeader, header_footer.oddFooter
        for part, text in (
            (header.left, _escape_header(self.content.workspace_name)),
            (header.right, _escape_header(f"{self.document_title()} · {self.period_text}")),
            (footer.left, "&A"),
            (footer.right, self._("Page {page} of {pages}").format(page="&P", pages="&N")),
        ):
            part.text = text
            part.size = 9
            part.color = MUTED_TEXT
        return _serialised_once(margins), _serialised_once(header_footer)
