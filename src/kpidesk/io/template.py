"""A data template: a workbook for a client to fill in with chosen KPIs, units and periods.

The data sheet is a plain *long* table, the layout every importer reads: a header row
(``Period``, ``KPI``, ``Unit``, ``Value``, ``Comment`` — in Swedish ``Period``,
``Nyckeltal``, ``Enhet``, ``Värde``, ``Kommentar``) and one row per KPI, unit and period, with
the period as its key (``2026-03``, ``2026-Q1``), the KPI as its code and the unit by name.
Only the value and comment cells can be edited: the header and the three key columns are
protected (without a password, against slips rather than people). Value cells accept numbers
only and show the KPI's unit; a percent KPI's cells are percent-formatted, so typing ``81,5``
gives 81,5 % and the importer reads 81.5 back. An instructions sheet explains it all and
lists the KPIs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk import palette
from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, MeasureUnit, format_number, format_value
from kpidesk.domain.periods import Period, PeriodKind, format_day, format_period
from kpidesk.i18n import gettext_for, pgettext_for
from kpidesk.io.report_model import FREQUENCY_LABELS
from kpidesk.io.round_stamp import RoundStamp, stamp_workbook
from kpidesk.io.xlsx_formats import (
    LINE_HEIGHT,
    number_format,
    to_cell_value,
    wrapped_line_count,
)
from kpidesk.io.xlsx_safety import set_text, sheet_title

Progress = Callable[[int, int], None]

DATA_COLUMNS = 5
VALUE_LIMIT = 1e12
FONT_NAME = "Calibri"
KEY_FILL = "F6F8FA"  # the protected key columns, a shade off white


@dataclass(frozen=True, slots=True)
class TemplateKpi:
    code: str
    name: str
    measure_unit: str
    decimals: int
    frequency: PeriodKind
    unit_label: str = ""
    definition: str = ""


@dataclass(frozen=True, slots=True)
class TemplateRow:
    period: Period
    kpi: TemplateKpi
    unit: str
    value: float | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    workspace_name: str
    period: Period
    kpis: tuple[TemplateKpi, ...]
    units: tuple[str, ...]
    rows: tuple[TemplateRow, ...]
    currency: str = "SEK"
    stamp: RoundStamp | None = None
    """A reporting round's template: whose figures, due when (see :mod:`round_stamp`)."""


def data_headers(language: str) -> tuple[str, str, str, str, str]:
    """The data sheet's column titles in ``language``."""
    p_ = pgettext_for(language)
    return (
        p_("template column", "Period"),
        p_("template column", "KPI"),
        p_("template column", "Unit"),
        p_("template column", "Value"),
        p_("template column", "Comment"),
    )


def _hex(color: str) -> str:
    return color.lstrip("#").upper()


def write_template(
    spec: TemplateSpec,
    destination: Path | str,
    *,
    language: str,
    progress: Progress | None = None,
) -> None:
    """Write the template for ``spec`` at ``destination`` (overwritten).

    ``progress(done, total)`` is called as rows are written; it may raise to stop the work.
    """
    progress = progress or (lambda _done, _total: None)
    _ = gettext_for(language)
    workbook = Workbook()
    taken: set[str] = set()
    data = workbook.active
    assert data is not None
    data.title = sheet_title(_("Data"), taken)
    instructions = workbook.create_sheet(sheet_title(_("Instructions"), taken))

    header_font = Font(name=FONT_NAME, bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=_hex(palette.ACTUAL_LINE))
    key_fill = PatternFill("solid", fgColor=KEY_FILL)
    rule = Border(bottom=Side(style="thin", color="D0D7DE"))
    open_cell = Protection(locked=False)
    top = Alignment(vertical="top")

    for column, title in enumerate(data_headers(language), start=1):
        cell = data.cell(row=1, column=column)
        set_text(cell, title)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    data.row_dimensions[1].height = 20

    formats: dict[str, str] = {}
    ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
    kpis_by_code: dict[str, TemplateKpi] = {}
    total = len(spec.rows)
    for index, line in enumerate(spec.rows):
        row = index + 2
        kpi = line.kpi
        kpis_by_code.setdefault(kpi.code, kpi)
        if kpi.code not in formats:
            formats[kpi.code] = number_format(
                kpi.measure_unit,
                kpi.decimals,
                language,
                currency=spec.currency,
                unit_label=kpi.unit_label,
            )
        for column, text in ((1, line.period.key), (2, kpi.code), (3, line.unit)):
            cell = data.cell(row=row, column=column)
            set_text(cell, text)
            cell.number_format = "@"
            cell.fill = key_fill
            cell.border = rule
            cell.alignment = top
        value_cell = data.cell(row=row, column=4)
        value_cell.value = to_cell_value(line.value, kpi.measure_unit)
        value_cell.number_format = formats[kpi.code]
        value_cell.protection = open_cell
        value_cell.border = rule
        value_cell.alignment = top
        comment_cell = data.cell(row=row, column=5)
        if line.comment:
            set_text(comment_cell, line.comment)
        comment_cell.number_format = "@"
        comment_cell.protection = open_cell
        comment_cell.border = rule
        comment_cell.alignment = top
        spans = ranges[kpi.code]
        if spans and spans[-1][1] == row - 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
        if index % 2000 == 1999:
            progress(index + 1, total + 1)

    for code, spans in ranges.items():
        kpi = kpis_by_code[code]
        validation = DataValidation(
            type="decimal",
            operator="between",
            formula1=f"{-VALUE_LIMIT:.0f}",
            formula2=f"{VALUE_LIMIT:.0f}",
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorStyle="stop",
            errorTitle=_("Not a number")[:32],
            error=_(
                "Type a number, such as 1234,5 or 81,5 %. Leave the cell empty if there is "
                "no value."
            )[:255],
            promptTitle=kpi.code[:32],
            prompt=_prompt(kpi, language, spec.currency)[:255],
        )
        for first, last in spans:
            validation.add(f"D{first}:D{last}" if first != last else f"D{first}")
        data.add_data_validation(validation)

    last_row = max(len(spec.rows) + 1, 2)
    data.freeze_panes = "A2"
    data.auto_filter.ref = f"A1:E{last_row}"
    widths = {
        "A": 12,
        "B": _fit((kpi.code for kpi in spec.kpis), 14, 28),
        "C": _fit(spec.units, 14, 40),
    }
    widths.update({"D": 18, "E": 50})
    for letter, width in widths.items():
        data.column_dimensions[letter].width = width
    protection = data.protection
    protection.sheet = True
    protection.autoFilter = False
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False
    _print_setup(data, "1:1")

    _write_instructions(instructions, spec, language, data.title)
    workbook.active = 1
    properties = workbook.properties
    properties.title = _("Data template – {period}").format(
        period=format_period(spec.period, language)
    )
    properties.subject = spec.workspace_name
    properties.creator = "KPI Desk"
    properties.language = language
    if spec.stamp is not None:
        stamp_workbook(workbook, spec.stamp)
    progress(total, total + 1)
    workbook.save(Path(destination))
    progress(total + 1, total + 1)


def _prompt(kpi: TemplateKpi, language: str, currency: str) -> str:
    _ = gettext_for(language)
    unit = _unit_words(kpi, language, currency)
    return f"{kpi.name} ({unit})" if unit else kpi.name


def _fit(texts: Iterable[str], least: float, most: float) -> float:
    """A column width that shows the longest of ``texts`` whole, within ``least``–``most``."""
    return max(least, min(most, max((len(text) for text in texts), default=0) + 2))


def _unit_words(kpi: TemplateKpi, language: str, currency: str) -> str:
    _ = gettext_for(language)
    if kpi.measure_unit == MeasureUnit.PERCENT:
        return "%"
    if kpi.measure_unit == MeasureUnit.CURRENCY:
        return currency
    if kpi.unit_label:
        return kpi.unit_label
    label = MEASURE_UNIT_LABELS.get(kpi.measure_unit)  # type: ignore[call-overload]
    return _(label).lower() if label else ""


def _print_setup(sheet: Worksheet, title_rows: str | None) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _write_instructions(
    sheet: Worksheet, spec: TemplateSpec, language: str, data_title: str
) -> None:
    _ = gettext_for(language)
    headers = data_headers(language)
    title_font = Font(name=FONT_NAME, size=16, bold=True, color=_hex(palette.ACTUAL_LINE))
    heading_font = Font(name=FONT_NAME, size=12, bold=True, color=_hex(palette.ACTUAL_LINE))
    header_font = Font(name=FONT_NAME, bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=_hex(palette.ACTUAL_LINE))
    muted = Font(name=FONT_NAME, color="57606A")
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.sheet_view.showGridLines = False
    widths = {
        "A": 3,
        "B": _fit((kpi.code for kpi in spec.kpis), 10, 28),
        "C": 30,
        "D": 16,
        "E": _fit((_unit_words(kpi, language, spec.currency) for kpi in spec.kpis), 12, 30),
        "F": 46,
    }
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    merged_width = widths["C"] + widths["D"] + widths["E"] + widths["F"]

    cell = sheet.cell(row=1, column=2)
    set_text(
        cell, _("Data template – {period}").format(period=format_period(spec.period, language))
    )
    cell.font = title_font
    sheet.row_dimensions[1].height = 26
    cell = sheet.cell(row=2, column=2)
    set_text(cell, spec.workspace_name)
    cell.font = muted
    if spec.stamp is not None:
        cell = sheet.cell(row=3, column=2)
        set_text(
            cell,
            _("Figures from {owner}, due {due} ({round})").format(
                owner=spec.stamp.owner,
                due=format_day(spec.stamp.due_date, language),
                round=spec.stamp.round_name,
            ),
        )
        cell.font = Font(name=FONT_NAME, bold=True, color="CF222E")

    steps = [
        _(
            "Type each value in the “{value}” column of the sheet “{sheet}”: one row per KPI, "
            "unit and period. Leave the cell empty when there is no value."
        ).format(value=headers[3], sheet=data_title),
        _(
            "Write numbers as you usually do, such as {plain} or {grouped}. Percentages go into "
            "cells that already show the percent sign: type {share} for {percent}."
        ).format(
            plain=format_number(1234.5, 1, language, grouping=False),
            grouped=format_number(1234.5, 1, language),
            share=format_number(81.5, 1, language),
            percent=format_value(81.5, MeasureUnit.PERCENT, decimals=1, language=language),
        ),
        _(
            "Do not change the columns “{period}”, “{kpi}” and “{unit}”, or the header row: "
            "they tell KPI Desk where each value belongs. They are protected, without a "
            "password, against slips."
        ).format(period=headers[0], kpi=headers[1], unit=headers[2]),
        _("Add a comment in the “{comment}” column when a value needs explaining.").format(
            comment=headers[4]
        ),
        _(
            "Save the file as it is (.xlsx) and send it back. It is read into KPI Desk with "
            "File → Import."
        ),
    ]
    row = 4
    cell = sheet.cell(row=row, column=2)
    set_text(cell, _("How to fill in this template"))
    cell.font = heading_font
    for number, step in enumerate(steps, start=1):
        row += 1
        cell = sheet.cell(row=row, column=2)
        cell.value = number
        cell.alignment = Alignment(horizontal="right", vertical="top")
        text = sheet.cell(row=row, column=3)
        set_text(text, step)
        text.alignment = wrap
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
        lines = wrapped_line_count(step, merged_width)
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 4

    row += 2
    cell = sheet.cell(row=row, column=2)
    set_text(cell, _("The KPIs"))
    cell.font = heading_font
    row += 1
    for column, title in enumerate(
        [_("Code"), _("KPI"), _("Unit of measure"), _("Frequency"), _("Definition")], start=2
    ):
        cell = sheet.cell(row=row, column=column)
        set_text(cell, title)
        cell.font = header_font
        cell.fill = header_fill
    for kpi in spec.kpis:
        row += 1
        texts = [
            kpi.code,
            kpi.name,
            _unit_words(kpi, language, spec.currency),
            _(FREQUENCY_LABELS[kpi.frequency]),
            kpi.definition,
        ]
        for column, text in enumerate(texts, start=2):
            set_text(sheet.cell(row=row, column=column), text).alignment = wrap
        lines = max(
            wrapped_line_count(kpi.name, widths["C"]),
            wrapped_line_count(kpi.definition, widths["F"]),
        )
        if lines > 1:
            sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 2

    row += 2
    cell = sheet.cell(row=row, column=2)
    set_text(cell, _("Units"))
    cell.font = heading_font
    for unit in spec.units:
        row += 1
        set_text(sheet.cell(row=row, column=3), unit)
    _print_setup(sheet, None)
    sheet.page_setup.orientation = "portrait"
