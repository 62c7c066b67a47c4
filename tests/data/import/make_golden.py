"""Write the golden spreadsheets the importer's tests read (run it from anywhere).

    python tests/data/import/make_golden.py

The ``.xlsx`` files are written with openpyxl (real workbooks, with merged cells, number
formats and error cells, ``t="e"``, as Excel writes them); the ``.ods`` file is written as
its XML zip (LibreOffice is not needed); the CSV files in the encodings Excel uses. The
tests assert exact records for each file, so change both together.
"""

from __future__ import annotations

import random
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
MONTHS_SV = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def _fixed_times(workbook: openpyxl.Workbook) -> None:
    """The same bytes on every run: no creation time from the clock."""
    workbook.properties.created = datetime(2026, 1, 1)
    workbook.properties.modified = datetime(2026, 1, 1)


def long_sv(path: Path) -> None:
    """Long layout under a merged title and a blank row; Swedish text numbers and real
    numbers, a percent cell, a total row, an #N/A error, an empty value, a fill-down."""
    wb = openpyxl.Workbook()
    _fixed_times(wb)
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Nyckeltal per butik och månad"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    # row 2 blank
    ws.append([])
    ws.append(["Månad", "Butik", "Nyckeltal", "Värde", "Kommentar"])
    rows = [
        ["2026-01", "Sthlm", "Omsättning (kr)", "1 234,5", "Rea"],  # 4
        ["2026-01", "Sthlm", "Kunder (st)", 312, None],  # 5
        ["2026-01", "Sthlm", "Andel nöjda", "81,5 %", None],  # 6
        ["feb 2026", "Sthlm", "Omsättning (kr)", 2000.25, None],  # 7
        ["2026-02", None, "Kunder (st)", "1 024", "samma butik"],  # 8: unit filled from above
        ["2026-02", "Sthlm", "Summa", 3024.25, None],  # 9: total row
        ["2026-02", "Gbg", "Andel nöjda", 0.815, None],  # 10: percent-formatted
        ["2026-02", "Gbg", "NPS", "#N/A", None],  # 11: error cell
        ["2026-02", "Gbg", "Kunder (st)", None, None],  # 12: empty value, skipped
        ["2026-03", "Gbg", "Kunder (st)", "tolv", None],  # 13: not a number
        ["Q5 2026", "Gbg", "Kunder (st)", 7, None],  # 14: not a period
    ]
    for row in rows:
        ws.append(row)
    ws["D10"].number_format = "0.0%"
    wb.save(path)


def wide(path: Path) -> None:
    """Wide layout: a date column shown as yyyy-mm, a unit column, KPI columns (one
    percent-formatted), a total column, a #DIV/0! error and an empty cell."""
    wb = openpyxl.Workbook()
    _fixed_times(wb)
    ws = wb.active
    ws.title = "Månadsdata"
    ws.append(["Period", "Enhet", "Omsättning (kr)", "Kunder", "Konvertering", "Totalt"])
    data = [
        (datetime(2026, 1, 1), "Norr", 1500.0, 30, 0.25),
        (datetime(2026, 2, 1), "Norr", 1600.0, "#DIV/0!", 0.3),
        (datetime(2026, 3, 1), "Norr", None, 35, 0.275),
        (datetime(2026, 1, 1), "Syd", 900.5, 18, 0.2),
    ]
    for row, (day, unit, revenue, customers, conversion) in enumerate(data, start=2):
        ws.cell(row, 1, day).number_format = "yyyy-mm"
        ws.cell(row, 2, unit)
        ws.cell(row, 3, revenue)
        ws.cell(row, 4, customers)
        ws.cell(row, 5, conversion).number_format = "0%"
        ws.cell(row, 6, 9999)
    wb.save(path)


def across(path: Path) -> None:
    """Budget sheets with the periods across the columns."""
    wb = openpyxl.Workbook()
    _fixed_times(wb)
    # 1. The year in the sheet name; jan…dec and a total column; a subtotal row; a unit
    #    column filled only on the first row of each store.
    ws = wb.active
    ws.title = "Budget 2026"
    ws.append(["Butik", "Nyckeltal", *MONTHS_SV, "Summa"])
    ws.append(["Sthlm", "Omsättning (kr)", *[100 * m for m in range(1, 13)], 7800])
    ws.append([None, "Kostnader (kr)", *[50] * 12, 600])
    ws.append([None, "Summa kostnader", *[50] * 12, 600])
    ws.append(["Gbg", "Omsättning (kr)", 10, "20,5", None, *[None] * 9, 30.5])
    # 2. The year in a title row, a blank row, the header on row 3.
    ws = wb.create_sheet("Prognos")
    ws["A1"] = "Prognos för 2027"
    ws.append([])
    ws.append(["Nyckeltal", "Jan", "Feb", "Mar", "Totalt"])
    ws.append(["NPS", 40, 42, "#DIV/0!", None])
    ws.append(["Sjukfrånvaro (%)", "4,5 %", "3,9 %", 4.1, None])
    # 3. Date cells shown as mmm-yy.
    ws = wb.create_sheet("Plan")
    ws.append(["KPI", *[datetime(2025, m, 1) for m in (11, 12)], datetime(2026, 1, 1)])
    for column in range(2, 5):
        ws.cell(1, column).number_format = "mmm-yy"
    ws.append(["Leads", 5, 6, 7])
    # 4. Months without a year, and no year anywhere.
    ws = wb.create_sheet("Utan år")
    ws.append(["Nyckeltal", "jan", "feb"])
    ws.append(["Kunder", 1, 2])
    wb.save(path)


def csv_files(directory: Path) -> None:
    semicolon = (
        "Månad;Butik;Nyckeltal;Värde\r\n"
        "2026-01;Malmö;Omsättning;1 234,5\r\n"
        "2026-02;Malmö;Omsättning;2 000\r\n"
        "2026-02;Malmö;Kundnöjdhet;81,5 %\r\n"
        "2026-03;Malmö;Omsättning;#DIV/0!\r\n"
    )
    (directory / "semicolon_cp1252.csv").write_bytes(semicolon.encode("cp1252"))
    comma = (
        "Month,Store,Revenue,Customers\n"
        "2026-01,North,1234.5,12\n"
        '2026-02,North,"2,500.75",\n'
        "2026-03,South,99,#N/A\n"
    )
    (directory / "comma_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + comma.encode("utf-8"))


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)


def _ods_cell(value: object, kind: str = "") -> str:
    if value is None:
        return "<table:table-cell/>"
    if kind == "error":
        return (
            '<table:table-cell table:formula="of:=1/0" office:value-type="float" '
            f'office:value="0" calcext:value-type="error"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )
    if kind == "percentage":
        return (
            f'<table:table-cell office:value-type="percentage" office:value="{value}">'
            f"<text:p>{float(value) * 100:g} %</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def ods(path: Path) -> None:
    """An across sheet as LibreOffice writes it: an error stored as 0, a percentage cell,
    repeated empty columns and rows."""
    rows = [
        [("Kvartalsrapport 2026", "")],
        [],
        [("Nyckeltal", ""), ("Q1", ""), ("Q2", ""), ("Q3", "")],
        [("Omsättning", ""), (100, ""), (110.5, ""), ("#DIV/0!", "error")],
        [("Marginal", ""), (0.125, "percentage"), (None, ""), (0.14, "percentage")],
    ]
    body = []
    for row in rows:
        cells = "".join(_ods_cell(value, kind) for value, kind in row)
        if not row:
            body.append(
                '<table:table-row table:number-rows-repeated="1">'
                "<table:table-cell/></table:table-row>"
            )
        else:
            body.append(
                f"<table:table-row>{cells}"
                '<table:table-cell table:number-columns-repeated="3"/></table:table-row>'
            )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {_ODS_NS} office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="Kvartal">'
        + "".join(body)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    stamp = (2026, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype", stamp),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(
            zipfile.ZipInfo("content.xml", stamp), content, compress_type=zipfile.ZIP_DEFLATED
        )
        archive.writestr(
            zipfile.ZipInfo("META-INF/manifest.xml", stamp),
            manifest,
            compress_type=zipfile.ZIP_DEFLATED,
        )


def junk(path: Path) -> None:
    """Random bytes with a spreadsheet's name."""
    path.write_bytes(random.Random(2026).randbytes(4096))


def main() -> None:
    long_sv(HERE / "long_sv.xlsx")
    wide(HERE / "wide.xlsx")
    across(HERE / "across_budget.xlsx")
    csv_files(HERE)
    ods(HERE / "across_quarters.ods")
    junk(HERE / "junk.xlsx")


if __name__ == "__main__":
    main()


# The importer's mapping and the wizard (services/importing/, ui/import_wizard/) -------


def demo_stores(path: Path) -> None:
    """A wide monthly report for the demo company as a store manager might send it: a title
    row, English headers with unit suffixes, store names that are not quite the workspace's
    (``Umeå`` for ``Butik Umeå``), a KPI the workspace does not have (``Returns``), a
    percent-formatted column, a #DIV/0! error, text that is no number and a total row."""
    wb = openpyxl.Workbook()
    _fixed_times(wb)
    ws = wb.active
    ws.title = "Stores"
    ws["A1"] = "Store report, autumn 2026"
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["Month", "Store", "Revenue (SEK)", "Gross margin %", "CSAT", "Returns (pcs)"])
    stores = [("Umeå", 1.0), ("Luleå", 0.82), ("Butik Sundsvall", 0.91), ("E-handel", 0.64)]
    for month in (9, 10, 11):
        for index, (store, factor) in enumerate(stores):
            revenue = round(1_200_000 * factor + month * 1000 + index * 37, 0)
            margin = round(0.37 + 0.004 * index + 0.001 * month, 3)
            csat = round(78.5 + index + month / 10, 1)
            returns = 40 + index * 3 + month
            ws.append([datetime(2026, month, 1), store, revenue, margin, csat, returns])
            row = ws.max_row
            ws.cell(row, 1).number_format = "yyyy-mm"
            ws.cell(row, 3).number_format = "#,##0"
            ws.cell(row, 4).number_format = "0.0%"
    ws["E5"] = "#DIV/0!"  # Luleå's CSAT in September: an error cell
    ws["F9"] = "n/a"  # E-handel's returns in October: text
    ws.append(["Total", None, 12_345_678, None, None, 534])
    wb.save(path)


def main_importer() -> None:
    demo_stores(HERE / "demo_stores.xlsx")


if __name__ == "__main__":
    main_importer()
