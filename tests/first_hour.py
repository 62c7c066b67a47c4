"""A small chain's own workbook, as a new user brings it: not the demo.

Three stores, 24 months (2024–2025) of "Omsättning (kr)" and "Snittköp" in currency formats,
"NPS", "Antal kunder", "Andel nöjda %" in a percent format and "Antal anställda" (a head
count: the month's last figure counts), on the sheet "Månad"; and a sheet "Vecka" with the
first 13 weeks of 2025's takings per store. Written with openpyxl
when a test needs it, so no binary file is kept. The numbers are fixed (a seeded random),
so tests can compute what the app must show from :func:`monthly_rows`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

STORES = {"Umeå": 1.0, "Luleå": 0.8, "Skellefteå": 0.6}
MONTH_HEADERS = ("Månad", "Butik", "Omsättning (kr)", "Snittköp", "NPS", "Antal kunder")
PERCENT_HEADER = "Andel nöjda %"
STAFF_HEADER = "Antal anställda"


def monthly_rows() -> list[tuple[dt.date, str, int, float, int, int, float, int]]:
    """(first day of the month, store, takings, average purchase, NPS, customers, share
    satisfied as a fraction, staff) for every store and month of 2024 and 2025."""
    rnd = random.Random(7)
    rows = []
    for index in range(24):
        year, month = 2024 + index // 12, index % 12 + 1
        for store, size in STORES.items():
            season = 1 + 0.2 * math.sin(month / 12 * 2 * math.pi)
            customers = round(1500 * size * season + rnd.randint(-50, 50))
            average = round(240 + 10 * size + rnd.uniform(-8, 8), 1)
            nps = rnd.randint(20, 40)
            satisfied = round(rnd.uniform(0.7, 0.9), 3)
            staff = round(10 * size) + index // 6
            rows.append(
                (
                    dt.date(year, month, 1),
                    store,
                    round(customers * average),
                    average,
                    nps,
                    customers,
                    satisfied,
                    staff,
                )
            )
    return rows


def weekly_rows() -> list[tuple[str, str, int]]:
    """(ISO week, store, takings) for weeks 1–13 of 2025."""
    rnd = random.Random(11)
    return [
        (f"2025-W{week:02d}", store, round(90000 * size + rnd.randint(-5000, 5000)))
        for week in range(1, 14)
        for store, size in STORES.items()
    ]


def write_chain_workbook(path: Path) -> Path:
    """Write the workbook to ``path`` (an .xlsx) and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Månad"
    sheet.append([*MONTH_HEADERS, PERCENT_HEADER, STAFF_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in monthly_rows():
        sheet.append(list(row))
        number = sheet.max_row
        sheet.cell(number, 1).number_format = "yyyy-mm"
        sheet.cell(number, 3).number_format = '#,##0 "kr"'
        sheet.cell(number, 4).number_format = '#,##0.0 "kr"'
        sheet.cell(number, 7).number_format = "0.0%"
    weeks = book.create_sheet("Vecka")
    weeks.append(["Vecka", "Butik", "Omsättning (kr)"])
    for row in weekly_rows():
        weeks.append(list(row))
        weeks.cell(weeks.max_row, 3).number_format = '#,##0 "kr"'
    book.save(path)
    return path
