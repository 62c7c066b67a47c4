"""What kind of KPI an imported column becomes: unit of measure, aggregations, direction."""

from __future__ import annotations

import pytest

from kpidesk.domain.aggregation import Aggregation
from kpidesk.domain.naming import kpi_title
from kpidesk.domain.numbers import MeasureUnit
from kpidesk.domain.periods import PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.io._cellinfo import is_currency_format
from kpidesk.services.import_mapping import new_kpi_for
from kpidesk.services.kpi_inference import (
    CellEvidence,
    LibraryNames,
    default_library_names,
    infer_kpi,
    looks_like_currency_text,
)

SUM, AVG, LAST = Aggregation.SUM, Aggregation.AVERAGE, Aggregation.LAST
NO_LIBRARY = LibraryNames(None)
PLAIN = CellEvidence(values=10)
CURRENCY_CELLS = CellEvidence(values=10, currency=10)
PERCENT_CELLS = CellEvidence(values=10, percent=10, decimals=1)


def kind(label: str, cells: CellEvidence = PLAIN, library: LibraryNames | None = NO_LIBRARY):
    proposal = infer_kpi(
        label, name=label, frequency=PeriodKind.MONTH, cells=cells, library=library
    )
    return proposal.measure_unit, proposal.time_aggregation, proposal.unit_aggregation


@pytest.mark.parametrize(
    ("label", "cells", "expected"),
    [
        # currency: by the header's unit, by its words, by the cells' format
        ("Omsättning (kr)", PLAIN, (MeasureUnit.CURRENCY, SUM, SUM)),
        ("Försäljning SEK", PLAIN, (MeasureUnit.CURRENCY, SUM, SUM)),
        ("Sales €", PLAIN, (MeasureUnit.CURRENCY, SUM, SUM)),
        ("Intäkter", CURRENCY_CELLS, (MeasureUnit.CURRENCY, SUM, SUM)),
        # an average of an amount stays an amount, averaged
        ("Snittköp", CURRENCY_CELLS, (MeasureUnit.CURRENCY, AVG, AVG)),
        ("Genomsnittligt kvitto (kr)", PLAIN, (MeasureUnit.CURRENCY, AVG, AVG)),
        ("Average basket (SEK)", PLAIN, (MeasureUnit.CURRENCY, AVG, AVG)),
        ("Medelvärde order", CURRENCY_CELLS, (MeasureUnit.CURRENCY, AVG, AVG)),
        ("Försäljning per kund", CURRENCY_CELLS, (MeasureUnit.CURRENCY, AVG, AVG)),
        ("Avg ticket", CURRENCY_CELLS, (MeasureUnit.CURRENCY, AVG, AVG)),
        ("Mean order", CURRENCY_CELLS, (MeasureUnit.CURRENCY, AVG, AVG)),
        # percentages: by the sign, the word, or the cells
        ("Andel nöjda %", PLAIN, (MeasureUnit.PERCENT, AVG, AVG)),
        ("Marginal i procent", PLAIN, (MeasureUnit.PERCENT, AVG, AVG)),
        ("Marginal", PERCENT_CELLS, (MeasureUnit.PERCENT, AVG, AVG)),
        ("Andel återköp", PLAIN, (MeasureUnit.COUNT, AVG, AVG)),
        # scores, indexes, ratios
        ("Kundscore", PLAIN, (MeasureUnit.COUNT, SUM, SUM)),
        ("Service score", PLAIN, (MeasureUnit.SCORE, AVG, AVG)),
        ("Kvalitetsindex", PLAIN, (MeasureUnit.SCORE, AVG, AVG)),
        ("Lönsamhet ratio", PLAIN, (MeasureUnit.RATIO, AVG, AVG)),
        # counts
        ("Antal kunder", PLAIN, (MeasureUnit.COUNT, SUM, SUM)),
        ("Number of orders", PLAIN, (MeasureUnit.COUNT, SUM, SUM)),
        ("Order count", PLAIN, (MeasureUnit.COUNT, SUM, SUM)),
        ("Besökare", PLAIN, (MeasureUnit.COUNT, SUM, SUM)),
        # durations: a time is averaged, hours worked are summed
        ("Ledtid (dagar)", PLAIN, (MeasureUnit.DAYS, AVG, AVG)),
        ("Övertid (h)", PLAIN, (MeasureUnit.HOURS, SUM, SUM)),
        ("Svarstid", PLAIN, (MeasureUnit.COUNT, AVG, AVG)),
        ("Response time (hours)", PLAIN, (MeasureUnit.HOURS, AVG, AVG)),
        ("Utbildning (h)", PLAIN, (MeasureUnit.HOURS, SUM, SUM)),
    ],
)
def test_kind_from_header_words_and_cells(label, cells, expected):
    assert kind(label, cells) == expected


@pytest.mark.parametrize("label", ["NPS", "CSAT", "NKI"])
def test_score_names_are_averaged_even_outside_the_library(label):
    measure, over_time, over_units = kind(label)
    assert (over_time, over_units) == (AVG, AVG)
    assert measure in (MeasureUnit.SCORE, MeasureUnit.COUNT)


@pytest.mark.parametrize(
    ("label", "direction"),
    [
        ("Kostnader (kr)", Direction.LOWER_IS_BETTER),
        ("Personalkostnad", Direction.LOWER_IS_BETTER),
        ("Sjukfrånvaro %", Direction.LOWER_IS_BETTER),
        ("Kundbortfall", Direction.LOWER_IS_BETTER),
        ("Reklamationer", Direction.LOWER_IS_BETTER),
        ("Ledtid (dagar)", Direction.LOWER_IS_BETTER),
        ("Cost per lead", Direction.LOWER_IS_BETTER),
        ("Average response time", Direction.LOWER_IS_BETTER),
        ("Omsättning (kr)", Direction.HIGHER_IS_BETTER),
        ("Antal kunder", Direction.HIGHER_IS_BETTER),
    ],
)
def test_direction_from_words(label, direction):
    proposal = infer_kpi(label, name=label, frequency=PeriodKind.MONTH, library=NO_LIBRARY)
    assert proposal.direction is direction


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Omsättning", "REV"),
        ("Omsättning (kr)", "REV"),
        ("Revenue", "REV"),
        ("Net sales", "REV"),
        ("Nettoomsättning", "REV"),
        ("Snittköp", "AOV"),
        ("Average order value", "AOV"),
        ("NPS", "NPS"),
        ("Net Promoter Score (NPS)", "NPS"),
        ("Rekommendationsvilja", "NPS"),
        ("Kundnöjdhet (CSAT)", "CSAT"),
        ("CSAT", "CSAT"),
        ("Customer satisfaction", "CSAT"),
        ("Kundnöjdhet", "CSAT"),
        ("NKI", "NKI"),
        ("eNPS", "ENPS"),
        ("Sjukfrånvaro", "SICK_LEAVE"),
        ("Sick leave", "SICK_LEAVE"),
        ("Personalomsättning", "TURNOVER"),
    ],
)
def test_library_names_in_either_language_find_the_library_entry(label, code):
    entry = default_library_names().entry_for(label)
    assert entry is not None and entry.code == code


@pytest.mark.parametrize("label", ["Antal kunder", "Besökare", "Andel nöjda", "Omsättningsmål"])
def test_names_that_are_not_in_the_library_find_nothing(label):
    assert default_library_names().entry_for(label) is None


def test_a_library_kpi_takes_the_library_definition_and_the_files_frequency():
    proposal = infer_kpi(
        "Omsättning",
        name="Omsättning",
        frequency=PeriodKind.WEEK,
        cells=CellEvidence(values=4, currency=4),
    )
    assert proposal.library_code == "REV"
    assert (proposal.measure_unit, proposal.time_aggregation, proposal.direction) == (
        MeasureUnit.CURRENCY,
        SUM,
        Direction.HIGHER_IS_BETTER,
    )
    assert proposal.frequency is PeriodKind.WEEK
    nps = infer_kpi("NPS", name="NPS", frequency=PeriodKind.MONTH, cells=PLAIN)
    assert (nps.measure_unit, nps.time_aggregation, nps.unit_aggregation) == (
        MeasureUnit.SCORE,
        AVG,
        AVG,
    )
    churn = infer_kpi("Kundbortfall %", name="Kundbortfall", frequency=PeriodKind.MONTH)
    assert (churn.library_code, churn.direction) == ("CHURN", Direction.LOWER_IS_BETTER)


def test_stock_kpis_from_the_library_take_the_last_value_and_add_up_across_units():
    proposal = infer_kpi("Antal anställda", name="Antal anställda", frequency=PeriodKind.MONTH)
    assert (proposal.time_aggregation, proposal.unit_aggregation) == (LAST, SUM)


def test_new_kpi_for_a_library_name_carries_its_code_definition_and_benchmark():
    new = new_kpi_for("Kundnöjdhet (%)", frequency=PeriodKind.MONTH, cells=PERCENT_CELLS)
    data = new.data(set(), "sv")
    assert (data.code, data.name, data.measure_unit, data.time_aggregation) == (
        "CSAT",
        "Kundnöjdhet",
        "percent",
        "average",
    )
    assert data.description and data.benchmark_value == 80
    taken = new.data({"CSAT"}, "en")
    assert taken.code != "CSAT" and taken.description.startswith("Share")


def test_a_new_kpi_from_a_profile_saved_before_aggregations_were_kept():
    from kpidesk.services.import_mapping import NewKpi

    old = NewKpi.from_json({"name": "Andel", "measure_unit": "percent"})
    assert (old.aggregation, old.across_units) == (AVG, AVG)
    again = NewKpi.from_json(
        new_kpi_for("Snittköp", frequency=PeriodKind.MONTH, cells=CURRENCY_CELLS).to_json()
    )
    assert (again.measure_unit, again.aggregation, again.library_code) == (
        MeasureUnit.CURRENCY,
        AVG,
        "AOV",
    )


@pytest.mark.parametrize(
    ("code", "currency"),
    [
        ('#,##0 "kr"', True),
        ('#,##0.00 "SEK"', True),
        ("[$€-407] #,##0.00", True),
        ("[$kr-41D] #,##0", True),
        ("_-* #,##0 kr_-;-* #,##0 kr_-", True),
        ("$#,##0.00", True),
        ("#,##0", False),
        ("0.0%", False),
        ("[$-41D]yyyy-mm-dd", False),
        ("[Red]0", False),
        ('0 "st"', False),
        ('0 "kronor"', True),
    ],
)
def test_currency_number_formats(code, currency):
    assert is_currency_format(code) is currency


@pytest.mark.parametrize(
    ("text", "currency"),
    [("1 234 kr", True), ("€ 12,50", True), ("99 SEK", True), ("kr", False), ("1 234", False)],
)
def test_currency_text(text, currency):
    assert looks_like_currency_text(text) is currency


@pytest.mark.parametrize(
    ("name", "code", "shown"),
    [
        ("Kundnöjdhet (CSAT)", "CSAT", "Kundnöjdhet (CSAT)"),
        ("Customer satisfaction (csat)", "CSAT", "Customer satisfaction (csat)"),
        ("NPS", "NPS", "NPS"),
        ("Antal kunder", "ANTAL_KUNDER", "Antal kunder"),
        ("Omsättning", "OMSATTNING", "Omsättning"),
        ("Revenue", "REV", "Revenue (REV)"),
        ("Member churn", "CHURN", "Member churn (CHURN)"),
    ],
)
def test_a_kpi_is_shown_with_its_code_only_where_the_code_adds_something(name, code, shown):
    assert kpi_title(name, code) == shown
