"""The 65 real SIE files of shared/corpus/sie (see its README): every one ends in a preview
or a clear one-line error, and one company's exports of several types give the same
whole-company figures where they cover the same months.

Expected figures are computed here from the files' own lines with a few regular
expressions, independently of the reader.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal
from itertools import combinations

import pytest

from kpidesk.io.sie import SieError
from kpidesk.io.sie.figures import Source
from kpidesk.services.sie_import import SiePreview, preview_sie

from .sie_samples import CORPUS, FILES

pytestmark = pytest.mark.skipif(
    not FILES.is_dir(), reason=f"the SIE corpus is not at {CORPUS} (shared/ beside the repository)"
)

FLOW_CODES = ("REV", "COGS", "STAFF", "EBIT")
RANGES = {"REV": (3000, 3799, -1), "COGS": (4000, 4999, 1), "STAFF": (7000, 7699, 1)}
RANGES["EBIT"] = (3000, 7999, -1)


def _manifest() -> dict[str, dict[str, str]]:
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["file"].removeprefix("files/"): row for row in rows}


MANIFEST = _manifest() if FILES.is_dir() else {}
NAMES = sorted(MANIFEST)


@pytest.fixture(scope="module")
def previews() -> dict[str, SiePreview | SieError]:
    found: dict[str, SiePreview | SieError] = {}
    for name in NAMES:
        try:
            found[name] = preview_sie(FILES / name)
        except SieError as error:
            found[name] = error
    return found


def test_the_manifest_lists_every_file():
    assert len(NAMES) == 65
    assert sorted(path.name for path in FILES.iterdir()) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_file_ends_in_a_preview_or_a_one_line_error(previews, name):
    outcome = previews[name]
    if isinstance(outcome, SieError):
        text = str(outcome)
        assert "\n" not in text and name in text and len(text) < 300
        assert "line " in text
        assert MANIFEST[name]["sie_type"] == "none", text  # only the junk files fail
        return
    assert MANIFEST[name]["sie_type"] != "none"
    assert outcome.sie.sie_type == int(MANIFEST[name]["sie_type"])
    if outcome.figures.source is not Source.NONE:
        assert outcome.figures.periods
    for note in outcome.notes:
        assert "\n" not in note.text


def test_the_bad_balance_file_names_its_voucher(previews):
    preview = previews["transaktioner_ovnbolag-bad-balance.se"]
    [problem] = preview.problems()
    line = (FILES / preview.file_name).read_bytes().splitlines()[problem.row - 1]
    assert line.startswith(b"#VER") and b" 1 " in line
    assert "B 1" in problem.reason.text
    assert not previews["transaktioner_ovnbolag.se"].problems()


# One company, several types ----------------------------------------------------------------


def _company_groups(previews) -> dict[tuple[str, str, str], list[str]]:
    """Whole exports (not 4I) by company, organisation number and program: demo companies
    of different programs share names and numbers."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for name, outcome in previews.items():
        if isinstance(outcome, SieError) or outcome.sie.kind == "4I":
            continue
        sie = outcome.sie
        groups[(sie.company, sie.org_number, sie.program.split()[-1])].append(name)
    return {key: sorted(names) for key, names in groups.items() if len(names) > 1}


def test_the_companies_exported_as_several_types_are_found(previews):
    groups = sorted(_company_groups(previews).values())
    for expected in (
        ["BL0001_typ1.SE", "BL0001_typ2.SE", "BL0001_typ3.SE", "BL0001_typ4.SE"],
        ["MAMUT_SIE1_EXPORT.SE", "MAMUT_SIE2_EXPORT.SE", "MAMUT_SIE3_EXPORT.SE"],
        ["Sie2.se", "Sie3.se", "Sie4.se"],
        ["typ2.se", "typ3.se", "typ4.se"],
    ):
        assert expected in groups
    assert any({"periodsaldo_ovnbolag.se", "transaktioner_ovnbolag.se"} <= set(g) for g in groups)
    assert any(
        {"XE_SIE_2_20151125094903.SE", "XE_SIE_4_20151125095119.SE"} <= set(g) for g in groups
    )
    assert any(len([n for n in g if n.startswith("magenta")]) == 4 for g in groups)


def _contradicts_itself(preview: SiePreview) -> bool:
    return any(
        "#RES" in note.text and "do not add up" in note.text for note in preview.figures.notes
    )


def test_one_companys_types_2_3_and_4_agree_month_by_month(previews):
    compared = 0
    for names in _company_groups(previews).values():
        monthly = [n for n in names if previews[n].figures.frequency is not None]
        monthly = [n for n in monthly if previews[n].figures.frequency.value == "month"]
        for first, second in combinations(sorted(monthly), 2):
            a, b = previews[first], previews[second]
            for code in FLOW_CODES:
                ours, theirs = a.figures.company(code), b.figures.company(code)
                shared = sorted(set(ours) & set(theirs))
                differ = [m for m in shared if round(ours[m] - theirs[m], 2) != 0]
                if differ:
                    assert _contradicts_itself(a) or _contradicts_itself(b), (
                        first,
                        second,
                        code,
                        [(m, ours[m], theirs[m]) for m in differ],
                    )
                else:
                    compared += len(shared)
    assert compared > 200


def test_a_type_1_year_equals_the_sum_of_the_same_companys_months(previews):
    compared = 0
    for names in _company_groups(previews).values():
        yearly = [n for n in names if previews[n].sie.kind == "1"]
        monthly = [n for n in names if previews[n].sie.kind in ("2", "3", "4")]
        for year_file in yearly:
            years = previews[year_file].sie.years
            for month_file in monthly:
                months = previews[month_file]
                if _contradicts_itself(months):
                    continue
                for fiscal in years.values():
                    wanted = _months_between(fiscal.start, fiscal.end)
                    for code in FLOW_CODES:
                        by_month = months.figures.company(code)
                        if not set(wanted) <= set(by_month):
                            continue
                        total = sum(by_month[m] for m in wanted)
                        year_value = previews[year_file].figures.company(code)
                        assert round(year_value[str(fiscal.label_year)] - total, 2) == 0, (
                            year_file,
                            month_file,
                            code,
                        )
                        compared += 1
    assert compared >= 4


def _months_between(start, end) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# The figures from the files' own lines -------------------------------------------------------


def _lines(name: str) -> list[str]:
    return (FILES / name).read_bytes().decode("cp437").splitlines()


_PSALDO = re.compile(r"^\s*#PSALDO\s+(-?\d+)\s+(\d{4})(\d\d)\s+(\d+)\s+\{\s*\}\s+(-?[\d.]+)")
_RES = re.compile(r"^\s*#RES\s+(-?\d+)\s+(\d+)\s+(-?[\d.]+)")


def _psaldo_sums(name: str) -> dict[str, dict[str, Decimal]]:
    sums: dict[str, dict[str, Decimal]] = {code: defaultdict(Decimal) for code in RANGES}
    for line in _lines(name):
        found = _PSALDO.match(line)
        if not found:
            continue
        _year, year, month, account, amount = found.groups()
        for code, (low, high, sign) in RANGES.items():
            if low <= int(account) <= high:
                sums[code][f"{year}-{month}"] += sign * Decimal(amount)
    return sums


def _res_sums(name: str, year: int) -> dict[str, Decimal]:
    sums = dict.fromkeys(RANGES, Decimal(0))
    for line in _lines(name):
        found = _RES.match(line)
        if found and int(found.group(1)) == year:
            for code, (low, high, sign) in RANGES.items():
                if low <= int(found.group(2)) <= high:
                    sums[code] += sign * Decimal(found.group(3))
    return sums


def test_periodsaldo_gives_exactly_what_its_period_balances_sum(previews):
    preview = previews["periodsaldo_ovnbolag.se"]
    expected = _psaldo_sums("periodsaldo_ovnbolag.se")
    for code in FLOW_CODES:
        got = preview.figures.company(code)
        assert set(got) == {p.key for p in preview.figures.periods}
        for month, value in got.items():
            assert Decimal(str(value)) == expected[code].get(month, Decimal(0)), (code, month)


def test_transaktioner_gives_the_same_as_periodsaldo_where_they_overlap(previews):
    periods = previews["periodsaldo_ovnbolag.se"].figures
    vouchers = previews["transaktioner_ovnbolag.se"].figures
    overlap = 0
    for code in FLOW_CODES:
        ours, theirs = periods.company(code), vouchers.company(code)
        for month in set(ours) & set(theirs):
            assert ours[month] == theirs[month], (code, month)
            overlap += 1
    assert overlap >= 4 * 3


@pytest.mark.parametrize("name", ["BL0001_typ2.SE", "BL0001_typ3.SE", "BL0001_typ4.SE"])
def test_bl0001_types_agree_with_their_own_result(previews, name):
    preview = previews[name]
    result = _res_sums(name, 0)
    months = _months_between(preview.sie.years[0].start, preview.sie.years[0].end)
    for code in FLOW_CODES:
        got = preview.figures.company(code)
        assert set(months) <= set(got)
        total = sum((Decimal(str(got[m])) for m in months), Decimal(0))
        assert total == result[code], (name, code)
    others = [previews[n].figures.company("EBIT") for n in ("BL0001_typ2.SE", "BL0001_typ4.SE")]
    assert preview.figures.company("EBIT") == others[0] == others[1]
