"""KPI values from a SIE file: per month (or year), for the whole company and per unit.

**Where the monthly figures come from.** The period balances (``#PSALDO``) when the file has
them and they cover what its vouchers cover; otherwise the vouchers (``#TRANS`` rows summed
by their date, or their voucher's); a file with neither gives yearly figures from ``#RES``.
Fiscal years 0 and -1 are both read; a yearly figure is stored under the calendar year in
which its fiscal year starts. A fiscal year whose period balances all fall in one month and
equal the year's ``#RES`` is a yearly sum written as a month and is left out, with a note.

**What a ``{}`` row means beside object rows.** The specification reads ``{}`` as the whole
account; some programs write only the part booked without an object there. Where no ``{}``
row is written, the object rows may be one partition over combined dimensions
(``{1 "Nord" 7 "4"}``: their sum is the whole) or one breakdown per dimension (the sum of one
dimension is the whole). Each reading is tried on the accounts for which the file also has
the year's ``#RES``, and the one that agrees with most of them is used for the whole file
(the specification's when none can tell). So one company's type-2, -3 and -4 exports give
the same whole-company figures.

**Units.** The objects of one dimension (1, cost centres, by default) become units: an
object's figure is the sum of the rows whose object list holds it.

**Balance ratios.** Equity ratio and quick ratio are made from balances: per month where the
file has opening balances and monthly movements (period balances or vouchers), else per
fiscal year from ``#UB``.

**Notes.** Where a file contradicts itself (period balances or vouchers that do not add up to
``#RES``, period balances that disagree with the vouchers) the figures are taken as the file
gives them and a note says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from kpidesk.domain.periods import Period, PeriodError, PeriodKind
from kpidesk.i18n import N_
from kpidesk.io.errors import Message
from kpidesk.io.sie.accounts import (
    EQUITY_RATIO,
    QUICK_RATIO,
    AccountRanges,
    BalanceParts,
    SieSettings,
)
from kpidesk.io.sie.errors import Phrase, amount_text
from kpidesk.io.sie.model import FiscalYear, Objects, SieFile

__all__ = [
    "Parts",
    "Reading",
    "SieFigures",
    "Source",
    "UnitObject",
    "compute_figures",
]

RESULT_ACCOUNTS = AccountRanges(((3000, 8999),))
BALANCE_ACCOUNTS = AccountRanges(((1000, 2999),))
SHOWN_ACCOUNTS = 3


class Source(StrEnum):
    PERIOD_BALANCES = "period_balances"  # #PSALDO
    TRANSACTIONS = "transactions"  # #TRANS
    YEAR_RESULTS = "year_results"  # #RES
    NONE = "none"


SOURCE_NAMES = {
    Source.PERIOD_BALANCES: N_("period balances (#PSALDO)"),
    Source.TRANSACTIONS: N_("vouchers (#TRANS)"),
    Source.YEAR_RESULTS: N_("year results (#RES)"),
    Source.NONE: N_("nothing"),
}


class Reading(StrEnum):
    """What a ``{}`` row means beside object rows for the same account and period."""

    WHOLE = "whole"  # the whole account (the specification)
    REST = "rest"  # only the part booked without an object


class Parts(StrEnum):
    """How object rows make the whole where no ``{}`` row is written."""

    PARTITION = "partition"  # every row is a part: sum them all
    PER_DIMENSION = "per_dimension"  # each dimension's rows are a breakdown: sum one


@dataclass(frozen=True, slots=True)
class UnitObject:
    """An object of the unit dimension, and the unit label it is imported under."""

    label: str
    dimension: str
    code: str
    name: str


type ValueKey = tuple[str, str | None, str]
"""(KPI code, unit label or None for the whole company, period key)."""


@dataclass
class SieFigures:
    """The KPI values a SIE file gives, with where they came from and what was noticed."""

    source: Source
    frequency: PeriodKind | None
    values: dict[ValueKey, float] = field(default_factory=dict)
    budgets: dict[ValueKey, float] = field(default_factory=dict)
    balance_values: dict[tuple[str, str], float] = field(default_factory=dict)
    balance_frequency: PeriodKind | None = None
    periods: tuple[Period, ...] = ()
    units: dict[str, UnitObject] = field(default_factory=dict)
    reading: Reading = Reading.WHOLE
    parts: Parts = Parts.PARTITION
    accounts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)

    def company(self, code: str) -> dict[str, float]:
        """``code``'s whole-company values by period key."""
        return {
            period: value
            for (kpi, unit, period), value in self.values.items()
            if kpi == code and unit is None
        }


# Notes --------------------------------------------------------------------------------------

NOTE_SOURCE_TRANSACTIONS = N_(
    "The file’s period balances (#PSALDO) cover {covered} of the {total} account-months its "
    "vouchers do, so the monthly figures come from the vouchers."
)
NOTE_YEAR_TOTAL = N_(
    "The period balances of fiscal year {year} all fall in {period} and equal the year’s "
    "result (#RES): they are the whole year written as one month, so they were left out."
)
NOTE_REST_READING = N_(
    "In this file a {{}} row beside object rows holds only the part booked without an "
    "object (as the year’s #RES shows), so the whole company’s figures add the object rows to it."
)
NOTE_PER_DIMENSION = N_(
    "In this file the object rows of each dimension are a breakdown of the whole account (as "
    "the year’s #RES shows), so the whole company’s figures sum one dimension, not all."
)
NOTE_NOT_RES = N_(
    "The {what} of fiscal year {year} do not add up to the year’s result (#RES) on {count} "
    "of its accounts, e.g. {examples}; the figures were imported as the {what} give them."
)
NOTE_DISAGREE = N_(
    "The period balances (#PSALDO) and the vouchers disagree on {count} account-months, "
    "e.g. {examples}; the figures come from the period balances."
)
NOTE_YEAR_UNKNOWN = N_(
    "The file has results for fiscal year {year} but no #RAR saying when that year was; "
    "they were left out."
)
NOTE_IMPORT_FILE = N_(
    "This is an import file (SIE 4I), not a whole ledger: its figures are the sums of the "
    "vouchers it holds ({count})."
)
NOTE_NO_FIGURES = N_("The file holds no balances, results or vouchers to make KPIs from.")
NOTE_NOT_NUMBERS = N_(
    "Accounts that are not numbers lie in no account range: {examples} ({count})."
)
WHAT_PERIOD_BALANCES = N_("period balances")
WHAT_VOUCHERS = N_("vouchers")


def _example(account: str, got: int, wanted: int) -> str:
    return f"{account}: {amount_text(got)} ≠ {amount_text(wanted)}"


# Months and years -------------------------------------------------------------------------


def _month_key(month: str) -> str:
    return f"{month[:4]}-{month[4:]}"


def _month_text(year: int, month: int) -> str:
    return f"{year:04d}{month:02d}"


def _months_of(year: FiscalYear) -> list[str]:
    months = []
    current_year, current_month = year.start.year, year.start.month
    while (current_year, current_month) <= (year.end.year, year.end.month):
        months.append(_month_text(current_year, current_month))
        current_month += 1
        if current_month > 12:
            current_year, current_month = current_year + 1, 1
    return months


def _year_of(month: str, years: Mapping[int, FiscalYear]) -> int | None:
    for index, year in years.items():
        if (
            _month_text(year.start.year, year.start.month)
            <= month
            <= _month_text(year.end.year, year.end.month)
        ):
            return index
    return None


def _period(key: str) -> Period | None:
    try:
        return Period.from_key(key)
    except PeriodError:
        return None


# Reading period tables ----------------------------------------------------------------------


type PeriodTable = Mapping[tuple[int, str, str, Objects], int]


@dataclass
class _Cells:
    """A period table grouped: per (year, month, account) its ``{}`` amount and object rows."""

    empty: dict[tuple[int, str, str], int] = field(default_factory=dict)
    objects: dict[tuple[int, str, str], list[tuple[Objects, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def of(cls, table: PeriodTable, skip_years: Iterable[int] = ()) -> _Cells:
        cells = cls()
        skipped = set(skip_years)
        for (year, month, account, objects), cents in table.items():
            if year in skipped:
                continue
            if objects:
                cells.objects[(year, month, account)].append((objects, cents))
            else:
                cells.empty[(year, month, account)] = cents
        return cells

    def cell_keys(self) -> set[tuple[int, str, str]]:
        return set(self.empty) | set(self.objects)

    def whole(self, key: tuple[int, str, str], reading: Reading, parts: Parts) -> int:
        rows = self.objects.get(key)
        empty = self.empty.get(key)
        if not rows:
            return empty or 0
        if reading is Reading.WHOLE and empty is not None:
            return empty
        if parts is Parts.PER_DIMENSION:
            first = min((objects[0][0] for objects, _cents in rows), key=lambda d: (len(d), d))
            total = sum(cents for objects, cents in rows if objects[0][0] == first)
        else:
            total = sum(cents for _objects, cents in rows)
        return (empty or 0) + total if reading is Reading.REST else total

    def has_objects(self) -> bool:
        return bool(self.objects)


def _choose_reading(cells: _Cells, sie: SieFile) -> tuple[Reading, Parts]:
    """The reading of ``{}`` and object rows that agrees with most of the year's #RES."""
    candidates = [
        (Reading.WHOLE, Parts.PARTITION),
        (Reading.WHOLE, Parts.PER_DIMENSION),
        (Reading.REST, Parts.PARTITION),
        (Reading.REST, Parts.PER_DIMENSION),
    ]
    if not cells.has_objects():
        return candidates[0]
    by_account: dict[tuple[int, str], list[tuple[int, str, str]]] = defaultdict(list)
    for key in cells.cell_keys():
        year, _month, account = key
        if (year, account) in sie.results:
            by_account[(year, account)].append(key)
    relevant = [
        (year_account, keys)
        for year_account, keys in by_account.items()
        if any(key in cells.objects for key in keys)
    ]
    if not relevant:
        return candidates[0]
    best, best_score = candidates[0], -1
    for reading, parts in candidates:
        score = sum(
            1
            for year_account, keys in relevant
            if sum(cells.whole(key, reading, parts) for key in keys) == sie.results[year_account]
        )
        if score > best_score:
            best, best_score = (reading, parts), score
    return best


def _year_totals(sie: SieFile, table: PeriodTable) -> dict[int, str]:
    """Fiscal years whose period balances are the year's #RES written in one month."""
    months: dict[int, set[str]] = defaultdict(set)
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for (year, month, account, objects), cents in table.items():
        if account in RESULT_ACCOUNTS:
            months[year].add(month)
            if not objects:
                sums[(year, account)] += cents
    found: dict[int, str] = {}
    for year, seen in months.items():
        fiscal = sie.years.get(year)
        if len(seen) != 1 or fiscal is None or len(_months_of(fiscal)) < 2:
            continue
        if not _year_is_over(sie, fiscal):
            continue
        accounts = [account for (index, account) in sums if index == year]
        nonzero = [account for account in accounts if sums[(year, account)]]
        if len(nonzero) >= 2 and all(
            sie.results.get((year, account)) == sums[(year, account)] for account in accounts
        ):
            found[year] = next(iter(seen))
    return found


def _year_is_over(sie: SieFile, fiscal: FiscalYear) -> bool:
    """Whether the file's balances reach past ``fiscal``'s end (so a single month of it
    cannot be a year that has only just begun)."""
    reach = sie.extent or sie.generated
    if reach is None:
        return fiscal.index < 0
    return reach >= fiscal.end


# The figures ----------------------------------------------------------------------------


class _Builder:
    def __init__(self, sie: SieFile, settings: SieSettings) -> None:
        self.sie = sie
        self.settings = settings
        self.rules_of: dict[str, list[tuple[str, int]]] = {}
        self.units: dict[str, UnitObject] = {}
        self.unit_labels = self._unit_labels()
        self.accounts: dict[str, set[str]] = defaultdict(set)

    # accounts and units ------------------------------------------------------------------
    def rules(self, account: str) -> list[tuple[str, int]]:
        """(KPI code, sign factor) of every rule ``account`` falls under."""
        found = self.rules_of.get(account)
        if found is None:
            found = [
                (rule.code, rule.sign.factor)
                for rule in self.settings.rules
                if account in rule.accounts
            ]
            self.rules_of[account] = found
        return found

    def _unit_labels(self) -> dict[str, str]:
        """Object code → unit label for the unit dimension: its name, made unique."""
        dimension = self.settings.dimension
        if not dimension:
            return {}
        codes: set[str] = {code for (dim, code) in self.sie.objects if dim == dimension}
        for objects in self._object_lists():
            codes.update(code for dim, code in objects if dim == dimension)
        names = {code: (self.sie.object_name(dimension, code) or code).strip() for code in codes}
        counts: dict[str, int] = defaultdict(int)
        for name in names.values():
            counts[name.casefold()] += 1
        labels = {}
        for code, name in names.items():
            label = name if counts[name.casefold()] == 1 and name else f"{name} ({code})".strip()
            labels[code] = label or code
        return labels

    def _object_lists(self) -> Iterable[Objects]:
        for _y, _m, _a, objects in self.sie.period_balances:
            yield objects
        for _y, _m, _a, objects in self.sie.period_budgets:
            yield objects
        for _a, objects, _m in self.sie.transactions:
            yield objects

    def unit_of(self, objects: Objects) -> str | None:
        dimension = self.settings.dimension
        for dim, code in objects:
            if dim == dimension:
                label = self.unit_labels.get(code)
                if label is not None and label not in self.units:
                    name = self.sie.object_name(dim, code)
                    self.units[label] = UnitObject(label, dim, code, name)
                return label
        return None

    # flows ---------------------------------------------------------------------------------
    def add_flow(
        self,
        cents: dict[ValueKey, int],
        account: str,
        unit: str | None,
        period: str,
        amount: int,
    ) -> None:
        for code, factor in self.rules(account):
            key = (code, unit, period)
            cents[key] = cents.get(key, 0) + factor * amount
            if amount:
                self.accounts[code].add(account)

    def fill(self, cents: dict[ValueKey, int], periods: Iterable[str]) -> dict[ValueKey, float]:
        """Every code for every period (0 where no account moved), units where they moved."""
        periods = sorted(set(periods))
        codes = self.settings.codes
        for code in codes:
            for period in periods:
                cents.setdefault((code, None, period), 0)
        moved: set[tuple[str, str]] = {
            (code, unit) for (code, unit, _p), amount in cents.items() if unit and amount
        }
        for code, unit in moved:
            for period in periods:
                cents.setdefault((code, unit, period), 0)
        return {
            key: amount / 100
            for key, amount in cents.items()
            if key[1] is None or (key[0], key[1]) in moved
        }


def _balances_ratios(balances: Mapping[str, int], parts: BalanceParts) -> dict[str, float | None]:
    def total(ranges: AccountRanges) -> int:
        return sum(amount for account, amount in balances.items() if account in ranges)

    assets = total(parts.assets)
    open_result = total(parts.balance_sheet)  # a result not yet closed into equity
    equity = (
        -total(parts.equity) + open_result - total(parts.untaxed_reserves) * (1 - parts.tax_rate)
    )
    quick = total(parts.quick_assets)
    liabilities = -total(parts.current_liabilities)
    return {
        EQUITY_RATIO: round(equity / assets * 100, 2) if assets > 0 else None,
        QUICK_RATIO: round(quick / liabilities * 100, 2) if liabilities > 0 else None,
    }


def compute_figures(sie: SieFile, settings: SieSettings | None = None) -> SieFigures:
    """The KPI values of ``sie`` under ``settings`` (the BAS defaults when None)."""
    settings = settings or SieSettings()
    builder = _Builder(sie, settings)
    notes: list[Message] = []
    if sie.kind == "4I" and sie.vouchers:
        notes.append(Message.of(NOTE_IMPORT_FILE, count=sie.vouchers))
    year_totals = _year_totals(sie, sie.period_balances)
    for year, month in sorted(year_totals.items()):
        fiscal = sie.years[year]
        notes.append(
            Message.of(NOTE_YEAR_TOTAL, year=fiscal.label_year, period=_period(_month_key(month)))
        )
    cells = _Cells.of(sie.period_balances, year_totals)
    source = _choose_source(sie, cells, notes)
    figures = SieFigures(source=source, frequency=None, notes=notes)
    flow_cents: dict[ValueKey, int] = {}
    months_covered: set[str] = set()
    company_by_month: dict[tuple[str, str], int] = defaultdict(int)  # (account, month)
    if source is Source.PERIOD_BALANCES:
        reading, parts = _choose_reading(cells, sie)
        figures.reading, figures.parts = reading, parts
        if reading is Reading.REST:
            notes.append(Message.of(NOTE_REST_READING))
        elif parts is Parts.PER_DIMENSION:
            notes.append(Message.of(NOTE_PER_DIMENSION))
        for key in cells.cell_keys():
            year, month, account = key
            amount = cells.whole(key, reading, parts)
            company_by_month[(account, month)] += amount
            months_covered.add(month)
            builder.add_flow(flow_cents, account, None, _month_key(month), amount)
        if cells.has_objects():
            for (_year, month, account), rows in cells.objects.items():
                for objects, amount in rows:
                    unit = builder.unit_of(objects)
                    if unit is not None:
                        builder.add_flow(flow_cents, account, unit, _month_key(month), amount)
        else:  # the vouchers may know the cost centres the period balances leave out
            for (account, objects, month), amount in sie.transactions.items():
                unit = builder.unit_of(objects)
                if unit is not None:
                    builder.add_flow(flow_cents, account, unit, _month_key(month), amount)
        _check_against_results(sie, company_by_month, WHAT_PERIOD_BALANCES, notes)
        if sie.transactions:
            _compare_with_vouchers(sie, company_by_month, notes)
        figures.frequency = PeriodKind.MONTH
    elif source is Source.TRANSACTIONS:
        for (account, objects, month), amount in sie.transactions.items():
            company_by_month[(account, month)] += amount
            months_covered.add(month)
            builder.add_flow(flow_cents, account, None, _month_key(month), amount)
            unit = builder.unit_of(objects)
            if unit is not None:
                builder.add_flow(flow_cents, account, unit, _month_key(month), amount)
        _check_against_results(sie, company_by_month, WHAT_VOUCHERS, notes)
        figures.frequency = PeriodKind.MONTH
    elif source is Source.YEAR_RESULTS:
        years_seen: set[str] = set()
        unknown: set[int] = set()
        for (year, account), amount in sie.results.items():
            found_year = sie.years.get(year)
            if found_year is None:
                unknown.add(year)
                continue
            fiscal = found_year
            period = str(fiscal.label_year)
            years_seen.add(period)
            builder.add_flow(flow_cents, account, None, period, amount)
        for year in sorted(unknown):
            notes.append(Message.of(NOTE_YEAR_UNKNOWN, year=year))
        months_covered = years_seen
        figures.frequency = PeriodKind.YEAR
    else:
        notes.append(Message.of(NOTE_NO_FIGURES))
    if figures.frequency is PeriodKind.MONTH:
        figures.values = builder.fill(flow_cents, (_month_key(m) for m in months_covered))
    elif figures.frequency is PeriodKind.YEAR:
        figures.values = builder.fill(flow_cents, months_covered)
    figures.periods = tuple(
        sorted(p for p in {_period(key) for (_c, _u, key) in figures.values} if p is not None)
    )
    figures.budgets = _budgets(sie, builder, figures.reading, figures.parts)
    _balances(sie, settings, figures, company_by_month, months_covered)
    figures.units = dict(sorted(builder.units.items()))
    figures.accounts = {code: tuple(sorted(found)) for code, found in builder.accounts.items()}
    odd = sorted(
        {account for account in sie.accounts if not account.isdigit()}
        | {account for (account, _o, _m) in sie.transactions if not account.isdigit()}
    )
    if odd:
        notes.append(
            Message.of(NOTE_NOT_NUMBERS, count=len(odd), examples=", ".join(odd[:SHOWN_ACCOUNTS]))
        )
    return figures


def _choose_source(sie: SieFile, cells: _Cells, notes: list[Message]) -> Source:
    if cells.cell_keys():
        if not sie.transactions:
            return Source.PERIOD_BALANCES
        sums: dict[tuple[str, str], int] = defaultdict(int)
        for (account, _objects, month), amount in sie.transactions.items():
            sums[(account, month)] += amount
        voucher_cells = {cell for cell, amount in sums.items() if amount}
        balance_cells = {(account, month) for (_y, month, account) in cells.cell_keys()}
        covered = len(voucher_cells & balance_cells)
        if covered == len(voucher_cells):
            return Source.PERIOD_BALANCES
        notes.append(
            Message.of(NOTE_SOURCE_TRANSACTIONS, covered=covered, total=len(voucher_cells))
        )
        return Source.TRANSACTIONS
    if sie.transactions:
        return Source.TRANSACTIONS
    if sie.results:
        return Source.YEAR_RESULTS
    return Source.NONE


def _check_against_results(
    sie: SieFile,
    company_by_month: Mapping[tuple[str, str], int],
    what: str,
    notes: list[Message],
) -> None:
    sums: dict[tuple[int, str], int] = defaultdict(int)
    years_with_data: set[int] = set()
    for (account, month), amount in company_by_month.items():
        year = _year_of(month, sie.years)
        if year is None or account not in RESULT_ACCOUNTS:
            continue
        years_with_data.add(year)
        sums[(year, account)] += amount
    for year in sorted(years_with_data, reverse=True):
        wrong = [
            (account, sums.get((year, account), 0), wanted)
            for (index, account), wanted in sorted(sie.results.items())
            if index == year
            and account in RESULT_ACCOUNTS
            and sums.get((year, account), 0) != wanted
        ]
        if wrong:
            examples = "; ".join(_example(*item) for item in wrong[:SHOWN_ACCOUNTS])
            notes.append(
                Message.of(
                    NOTE_NOT_RES,
                    what=Phrase(what),
                    year=sie.years[year].label_year,
                    count=len(wrong),
                    examples=examples,
                )
            )


def _compare_with_vouchers(
    sie: SieFile, company_by_month: Mapping[tuple[str, str], int], notes: list[Message]
) -> None:
    vouchers: dict[tuple[str, str], int] = defaultdict(int)
    for (account, _objects, month), amount in sie.transactions.items():
        vouchers[(account, month)] += amount
    months = {month for (_a, month) in vouchers}
    wrong = sorted(
        (account, month, company_by_month.get((account, month), 0), amount)
        for (account, month), amount in vouchers.items()
        if company_by_month.get((account, month), 0) != amount
    )
    wrong += sorted(
        (account, month, amount, 0)
        for (account, month), amount in company_by_month.items()
        if month in months and (account, month) not in vouchers and amount
    )
    if wrong:
        examples = "; ".join(
            f"{account} {_month_key(month)}: {amount_text(got)} ≠ {amount_text(want)}"
            for account, month, got, want in wrong[:SHOWN_ACCOUNTS]
        )
        notes.append(Message.of(NOTE_DISAGREE, count=len(wrong), examples=examples))


def _budgets(
    sie: SieFile, builder: _Builder, reading: Reading, parts: Parts
) -> dict[ValueKey, float]:
    """The budget (#PBUDGET) as values, its {} and object rows read as the period
    balances' are (a budget has no #RES to tell)."""
    if not sie.period_budgets:
        return {}
    cells = _Cells.of(sie.period_budgets)
    cents: dict[ValueKey, int] = {}
    for key in cells.cell_keys():
        _year, month, account = key
        amount = cells.whole(key, reading, parts)
        builder.add_flow(cents, account, None, _month_key(month), amount)
    for (_year, month, account), rows in cells.objects.items():
        for objects, amount in rows:
            unit = builder.unit_of(objects)
            if unit is not None:
                builder.add_flow(cents, account, unit, _month_key(month), amount)
    return {key: amount / 100 for key, amount in cents.items()}


def _movements(sie: SieFile, company_by_month: Mapping[tuple[str, str], int]) -> bool:
    """Whether the period balances of balance accounts are the month's movements (opening
    balance plus their sum is the closing balance), as most programs write them, rather
    than the balance at the month's end."""
    rows: dict[tuple[int, str], list[tuple[str, int]]] = defaultdict(list)
    for (account, month), amount in company_by_month.items():
        year = _year_of(month, sie.years)
        if year is not None and account in BALANCE_ACCOUNTS:
            rows[(year, account)].append((month, amount))
    movements = balances = 0
    for key, found in rows.items():
        closing = sie.closing.get(key)
        if closing is None:
            continue
        if sie.opening.get(key, 0) + sum(amount for _m, amount in found) == closing:
            movements += 1
        if max(found)[1] == closing:
            balances += 1
    return movements >= balances


def _balances(
    sie: SieFile,
    settings: SieSettings,
    figures: SieFigures,
    company_by_month: Mapping[tuple[str, str], int],
    months_covered: set[str],
) -> None:
    parts = settings.balances
    values: dict[tuple[str, str], float] = {}
    monthly = figures.frequency is PeriodKind.MONTH and bool(sie.opening)
    if monthly and figures.source is Source.PERIOD_BALANCES:
        monthly = _movements(sie, company_by_month)
    if monthly:
        changes: dict[str, dict[str, int]] = defaultdict(dict)  # month → account → change
        for (account, month), amount in company_by_month.items():
            if account in BALANCE_ACCOUNTS:
                changes[month][account] = amount
        for index, fiscal in sorted(sie.years.items()):
            months = [month for month in _months_of(fiscal) if month in months_covered]
            if not months or not any(year == index for (year, _a) in sie.opening):
                continue
            balances = {
                account: amount
                for (year, account), amount in sie.opening.items()
                if year == index and account in BALANCE_ACCOUNTS
            }
            for month in _months_of(fiscal):
                for account, amount in changes.get(month, {}).items():
                    balances[account] = balances.get(account, 0) + amount
                if month in months_covered:
                    for code, value in _balances_ratios(balances, parts).items():
                        if value is not None:
                            values[(code, _month_key(month))] = value
                if month >= months[-1]:
                    break
        if values:
            figures.balance_frequency = PeriodKind.MONTH
            figures.balance_values = values
            return
    for index, fiscal in sorted(sie.years.items()):
        balances = {
            account: amount for (year, account), amount in sie.closing.items() if year == index
        }
        if not balances:
            continue
        for code, value in _balances_ratios(balances, parts).items():
            if value is not None:
                values[(code, str(fiscal.label_year))] = value
    if values:
        figures.balance_frequency = PeriodKind.YEAR
        figures.balance_values = values
