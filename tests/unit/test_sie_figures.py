"""KPI values from SIE files: account ranges, signs, periods, units, the readings of {} and
object rows, balance ratios and the notes where a file contradicts itself."""

from __future__ import annotations

import pytest

from kpidesk.domain.periods import PeriodKind
from kpidesk.io.sie import read_sie
from kpidesk.io.sie.accounts import AccountRanges, RangeError, SieSettings, Sign
from kpidesk.io.sie.figures import Parts, Reading, Source, compute_figures

from .sie_samples import VOUCHERS, sie_text, write_sie

# Account ranges ---------------------------------------------------------------------------


def test_ranges_read_dashes_commas_and_single_accounts():
    ranges = AccountRanges.parse("3000-3799, 3900;4000 – 4010")
    assert ranges.spans == ((3000, 3799), (3900, 3900), (4000, 4010))
    assert "3010" in ranges and "3900" in ranges and "4005" in ranges
    assert "3899" not in ranges and "DIFF" not in ranges and "30 10" not in ranges
    assert ranges.text == "3000–3799, 3900, 4000–4010"


@pytest.mark.parametrize("text", ["", "3000-", "tre", "3799-3000", "3000..3799"])
def test_bad_ranges_are_refused(text):
    with pytest.raises(RangeError):
        AccountRanges.parse(text)


def test_rules_are_set_from_text_with_a_sign_or_from_the_class():
    settings = SieSettings().with_assignment("REV=3000-3999")
    assert settings.rule("REV").accounts.text == "3000–3999"
    assert settings.rule("REV").sign is Sign.CREDIT  # kept from the rule it replaces
    settings = settings.with_assignment("hyra=5000-5099").with_assignment("OVR=3900")
    assert settings.rule("HYRA").sign is Sign.DEBIT and settings.rule("OVR").sign is Sign.CREDIT
    settings = settings.with_assignment("OVR=3900:debit")
    assert settings.rule("OVR").sign is Sign.DEBIT
    for bad in ("REV", "REV=3000:upp", "1X=3000"):
        with pytest.raises(RangeError):
            settings.with_assignment(bad)


def test_settings_survive_json_and_bad_json_keeps_defaults():
    settings = SieSettings(dimension="6").with_assignment("MARK=5900-5999")
    again = SieSettings.from_json(settings.to_json())
    assert again == settings
    bad = {"rules": [{"code": "REV", "accounts": "x", "sign": "up"}, "REV"]}
    assert SieSettings.from_json(bad) == SieSettings()
    assert SieSettings.from_json("nonsense") == SieSettings()


# Figures ------------------------------------------------------------------------------------


def _figures(tmp_path, kind, body, settings=None):
    return compute_figures(read_sie(write_sie(tmp_path / "f.se", sie_text(kind, body))), settings)


def test_vouchers_give_monthly_values_with_signs_and_units(tmp_path):
    figures = _figures(tmp_path, 4, VOUCHERS)
    assert figures.source is Source.TRANSACTIONS and figures.frequency is PeriodKind.MONTH
    assert figures.company("REV") == {"2025-01": 10000.0, "2025-02": 0.0}
    assert figures.company("COGS") == {"2025-01": 4000.0, "2025-02": 0.0}
    assert figures.company("STAFF") == {"2025-01": 0.0, "2025-02": 3000.5}
    assert figures.company("EBIT") == {"2025-01": 6000.0, "2025-02": -3000.5}
    assert figures.values[("REV", "Nord", "2025-01")] == 10000.0
    assert figures.values[("COGS", "Syd", "2025-01")] == 4000.0
    assert figures.values[("EBIT", "Syd", "2025-01")] == -4000.0
    assert set(figures.units) == {"Nord", "Syd"}
    assert figures.accounts["REV"] == ("3010",)


def test_account_ranges_can_be_changed_and_added(tmp_path):
    settings = SieSettings().with_assignment("REV=3010-3010").with_assignment("LON=7010:debit")
    figures = _figures(tmp_path, 4, VOUCHERS, settings)
    assert figures.company("LON") == {"2025-01": 0.0, "2025-02": 3000.5}


def test_no_unit_dimension_gives_the_company_only(tmp_path):
    figures = _figures(tmp_path, 4, VOUCHERS, SieSettings(dimension=""))
    assert not figures.units and all(unit is None for _c, unit, _p in figures.values)


def test_a_type_1_file_gives_the_years_of_its_results(tmp_path):
    text = sie_text(1, "#RES 0 3010 -1200.00\n#RES -1 3010 -900\n#RES 0 4010 500\n")
    text = text.replace("#RAR 0 20250101 20251231", "#RAR 0 20250701 20260630")
    text = text.replace("#RAR -1 20240101 20241231", "#RAR -1 20240701 20250630")
    figures = compute_figures(read_sie(write_sie(tmp_path / "f.se", text)))
    assert figures.source is Source.YEAR_RESULTS and figures.frequency is PeriodKind.YEAR
    assert figures.company("REV") == {"2025": 1200.0, "2024": 900.0}
    assert figures.company("COGS") == {"2025": 500.0, "2024": 0.0}


def test_period_balances_are_used_where_the_file_has_them(tmp_path):
    body = """#RES 0 3010 -300
#PSALDO 0 202501 3010 {} -100
#PSALDO 0 202502 3010 {} -200
#PSALDO 0 202501 1930 {} 100
#PSALDO 0 202502 1930 {} 200
#VER A 1 20250105
{
#TRANS 3010 {} -100
#TRANS 1930 {} 100
}
#VER A 2 20250205
{
#TRANS 3010 {} -200
#TRANS 1930 {} 200
}
"""
    figures = _figures(tmp_path, 4, body)
    assert figures.source is Source.PERIOD_BALANCES
    assert figures.company("REV") == {"2025-01": 100.0, "2025-02": 200.0}
    assert not figures.notes


def test_period_balances_and_vouchers_that_disagree_get_a_note(tmp_path):
    body = """#PSALDO 0 202501 3010 {} -100
#PSALDO 0 202501 1930 {} 100
#VER A 1 20250105
{
#TRANS 3010 {} -150
#TRANS 1930 {} 150
}
"""
    figures = _figures(tmp_path, 4, body)
    assert figures.source is Source.PERIOD_BALANCES
    assert figures.company("REV") == {"2025-01": 100.0}
    assert any("disagree" in note.text and "3010" in note.text for note in figures.notes)


def test_vouchers_are_used_where_the_period_balances_cover_less(tmp_path):
    body = """#PSALDO 0 202501 3010 {} -100
#VER A 1 20250105
{
#TRANS 3010 {} -100
#TRANS 4010 {} 100
}
"""
    figures = _figures(tmp_path, 4, body)
    assert figures.source is Source.TRANSACTIONS
    assert figures.company("COGS") == {"2025-01": 100.0}


def test_sums_that_miss_the_years_result_get_a_note(tmp_path):
    body = "#RES 0 3010 -500\n#PSALDO 0 202501 3010 {} -100\n#PSALDO 0 202502 3010 {} -200\n"
    figures = _figures(tmp_path, 2, body)
    assert figures.company("REV") == {"2025-01": 100.0, "2025-02": 200.0}
    [note] = [note for note in figures.notes if "#RES" in note.text]
    assert "3010" in note.text and "2025" in note.text


def test_a_year_written_as_one_month_is_left_out(tmp_path):
    body = """#OMFATTN 20250331
#RES -1 3010 -5000
#RES -1 4010 2000
#PSALDO -1 202412 3010 {} -5000
#PSALDO -1 202412 4010 {} 2000
#PSALDO 0 202501 3010 {} -100
"""
    figures = _figures(tmp_path, 2, body)
    assert figures.company("REV") == {"2025-01": 100.0}
    assert any("2024" in note.text and "one month" in note.text for note in figures.notes)


def test_the_only_month_of_a_year_just_begun_is_kept(tmp_path):
    body = "#OMFATTN 20250131\n#RES 0 3010 -100\n#RES 0 4010 40\n"
    body += "#PSALDO 0 202501 3010 {} -100\n#PSALDO 0 202501 4010 {} 40\n"
    figures = _figures(tmp_path, 2, body)
    assert figures.company("REV") == {"2025-01": 100.0}


# {} and object rows -----------------------------------------------------------------------------

OBJECT_ROWS = {
    # the specification: {} is the whole account
    "whole": """#RES 0 3010 -1000
#PSALDO 0 202501 3010 {} -1000
#PSALDO 0 202501 3010 {1 "N"} -600
#PSALDO 0 202501 3010 {1 "S"} -300
""",
    # {} holds only what was booked without an object
    "rest": """#RES 0 3010 -1000
#PSALDO 0 202501 3010 {} -100
#PSALDO 0 202501 3010 {1 "N"} -600
#PSALDO 0 202501 3010 {1 "S"} -300
""",
    # no {}: one partition over combined dimensions
    "partition": """#RES 0 3010 -1000
#PSALDO 0 202501 3010 {1 "N" 6 "P1"} -600
#PSALDO 0 202501 3010 {1 "S" 6 "P1"} -300
#PSALDO 0 202501 3010 {1 "S" 6 "P2"} -100
""",
    # no {}: one breakdown per dimension
    "per_dimension": """#RES 0 3010 -1000
#PSALDO 0 202501 3010 {1 "N"} -600
#PSALDO 0 202501 3010 {1 "S"} -400
#PSALDO 0 202501 3010 {6 "P1"} -700
#PSALDO 0 202501 3010 {6 "P2"} -300
""",
}


@pytest.mark.parametrize(
    ("case", "reading", "parts"),
    [
        ("whole", Reading.WHOLE, Parts.PARTITION),
        ("rest", Reading.REST, Parts.PARTITION),
        ("partition", Reading.WHOLE, Parts.PARTITION),
        ("per_dimension", Reading.WHOLE, Parts.PER_DIMENSION),
    ],
)
def test_the_reading_of_object_rows_is_the_one_the_years_result_confirms(
    tmp_path, case, reading, parts
):
    figures = _figures(tmp_path, 3, OBJECT_ROWS[case])
    assert (figures.reading, figures.parts) == (reading, parts)
    assert figures.company("REV") == {"2025-01": 1000.0}
    north = 600.0
    assert figures.values[("REV", "Nord", "2025-01")] == north


def test_without_a_result_the_specifications_reading_is_kept(tmp_path):
    body = OBJECT_ROWS["rest"].replace("#RES 0 3010 -1000\n", "")
    figures = _figures(tmp_path, 3, body)
    assert figures.reading is Reading.WHOLE
    assert figures.company("REV") == {"2025-01": 100.0}


# Balances --------------------------------------------------------------------------------


def test_balance_ratios_per_year_from_closing_balances(tmp_path):
    body = """#UB 0 1510 40000
#UB 0 1930 60000
#UB 0 1460 20000
#UB 0 2081 -50000
#UB 0 2150 -10000
#UB 0 2440 -50000
#UB 0 2099 -10000
#RES 0 3010 -100
"""
    text = sie_text(1, body.replace("#UB 0 1460 20000\n", "#UB 0 1460 20000\n#KONTO 1460 L\n"))
    figures = compute_figures(read_sie(write_sie(tmp_path / "f.se", text)))
    assert figures.balance_frequency is PeriodKind.YEAR
    assets = 40000 + 60000 + 20000
    equity = 50000 + 10000 + 10000 * (1 - 0.206)
    assert figures.balance_values[("EQUITY_RATIO", "2025")] == round(equity / assets * 100, 2)
    assert figures.balance_values[("QUICK_RATIO", "2025")] == round(100000 / 50000 * 100, 2)


def test_balance_ratios_per_month_from_opening_balances_and_vouchers(tmp_path):
    figures = _figures(tmp_path, 4, VOUCHERS)
    assert figures.balance_frequency is PeriodKind.MONTH
    # January: 1930 100 000, 1510 12 500; equity 100 000 and January's open result 6 000
    assets = 100000 + 12500
    assert figures.balance_values[("EQUITY_RATIO", "2025-01")] == round(
        (100000 + 6000) / assets * 100, 2
    )
    # current liabilities: 2440 4 000 and 2611 2 500; quick assets 112 500
    assert figures.balance_values[("QUICK_RATIO", "2025-01")] == round(112500 / 6500 * 100, 2)
