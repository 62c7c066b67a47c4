"""Every stored value appears exactly once in the CSV export and in the pack's KPI sheets."""

from collections import Counter

import openpyxl

from kpidesk.domain.periods import Period, PeriodKind, parse_period
from kpidesk.io.review_pack import write_review_pack
from kpidesk.services.report_content import build_report_content
from kpidesk.store import models
from kpidesk.store.workspace import opened


def stored_values():
    rows = (
        models.Measurement.select(
            models.Kpi.code, models.Unit.name, models.Measurement.period, models.Measurement.value
        )
        .join(models.Kpi)
        .switch(models.Measurement)
        .join(models.Unit)
        .tuples()
    )
    return Counter((code, unit, period, round(value, 6)) for code, unit, period, value in rows)


def pack_values(path, kpis):
    """(code, unit, period key, value) of every row of every KPI sheet's unit blocks."""
    book = openpyxl.load_workbook(path)
    found = Counter()
    for title in book.sheetnames[3:-2]:  # after the cover, the strategy and the scorecard
        code = title.split(" ")[0]
        kpi = kpis[code]
        unit = None
        in_table = False
        previous = None
        for row in book[title].iter_rows(values_only=True):
            if row[0] == "Period" and row[1] == "Actual":
                unit, in_table = previous, True
            elif in_table and row[0] is None:
                in_table = False
            elif in_table and row[1] is not None:
                period = parse_period(row[0], frequency=PeriodKind(kpi.frequency))
                value = row[1] * 100 if kpi.measure_unit == "percent" else row[1]
                found[(code, unit, period.key, round(value, 6))] += 1
            if row[0] is not None:
                previous = row[0]
    return found


def test_every_value_appears_exactly_once_in_the_pack(demo_location, tmp_path):
    with opened(demo_location, read_only=True):
        kpis = {kpi.code: kpi for kpi in models.Kpi.select()}
        stores = tuple(u.id for u in models.Unit.select().where(models.Unit.parent.is_null(False)))
        content = build_report_content(Period.month(2026, 10), unit_ids=stores, history=36)
        expected = stored_values()
    path = tmp_path / "pack.xlsx"
    write_review_pack(content, path, language="en")
    assert pack_values(path, kpis) == expected
    assert sum(expected.values()) > 1500
