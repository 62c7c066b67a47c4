"""What a SIE file holds, as far as KPIs need it.

Amounts are whole öre (hundredths of the currency), as ints, so sums are exact; signs are
the file's: debit positive, credit negative (revenue is negative, costs positive). Object
lists are tuples of ``(dimension, object)`` pairs in dimension order; ``()`` is ``{}``.
Vouchers are not kept one by one: their rows are summed by account, object list and month
while the file is read, which is all a KPI needs and keeps a million rows small.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kpidesk.io.errors import Message

__all__ = [
    "Account",
    "Dimension",
    "FiscalYear",
    "Objects",
    "SieFile",
    "UnbalancedVoucher",
]

type Objects = tuple[tuple[str, str], ...]
"""An object list: ``((dimension, object), …)`` sorted by dimension; ``()`` for ``{}``."""


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """``#RAR``: fiscal year ``index`` (0 this year, -1 the year before) and its dates."""

    index: int
    start: date
    end: date

    @property
    def label_year(self) -> int:
        """The calendar year the fiscal year starts in: the year its figures are stored under."""
        return self.start.year


@dataclass(frozen=True, slots=True)
class Account:
    number: str
    name: str = ""
    kind: str = ""  # #KTYP: T asset, S liability/equity, K cost, I income; "" not given


@dataclass(frozen=True, slots=True)
class Dimension:
    number: str
    name: str
    parent: str | None = None  # #UNDERDIM: the dimension it refines


@dataclass(frozen=True, slots=True)
class UnbalancedVoucher:
    """A voucher whose rows do not add up to zero."""

    series: str
    number: str
    line: int  # the #VER line
    last_line: int  # its closing "}"
    difference: int  # öre

    @property
    def name(self) -> str:
        return f"{self.series} {self.number}".strip()


type BalanceKey = tuple[int, str]
"""(fiscal year index, account)."""
type ObjectBalanceKey = tuple[int, str, Objects]
type PeriodKey = tuple[int, str, str, Objects]
"""(fiscal year index, period ``YYYYMM``, account, objects)."""
type TransactionKey = tuple[str, Objects, str]
"""(account, objects, month ``YYYYMM``)."""


@dataclass
class SieFile:
    """One SIE file as read; see the module's docstring for amounts and signs."""

    file_name: str
    encoding: str = "cp437"
    flag: int | None = None
    sie_type: int | None = None
    program: str = ""
    program_version: str = ""
    generated: date | None = None
    extent: date | None = None  # #OMFATTN: the balances are up to this day
    company: str = ""
    org_number: str = ""
    currency: str = "SEK"
    chart_of_accounts: str = ""  # #KPTYP
    years: dict[int, FiscalYear] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    opening: dict[BalanceKey, int] = field(default_factory=dict)  # #IB
    closing: dict[BalanceKey, int] = field(default_factory=dict)  # #UB
    results: dict[BalanceKey, int] = field(default_factory=dict)  # #RES
    object_opening: dict[ObjectBalanceKey, int] = field(default_factory=dict)  # #OIB
    object_closing: dict[ObjectBalanceKey, int] = field(default_factory=dict)  # #OUB
    period_balances: dict[PeriodKey, int] = field(default_factory=dict)  # #PSALDO
    period_budgets: dict[PeriodKey, int] = field(default_factory=dict)  # #PBUDGET
    transactions: dict[TransactionKey, int] = field(default_factory=dict)  # #TRANS summed
    vouchers: int = 0
    transaction_rows: int = 0
    added_rows: int = 0  # #RTRANS
    added_alone: int = 0  # #RTRANS rows without the #TRANS twin the specification asks for
    removed_rows: int = 0  # #BTRANS, not counted
    unbalanced: list[UnbalancedVoucher] = field(default_factory=list)
    lines: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    """Records read past, by label: tags a KPI does not need and tags KPI Desk does not know."""
    notes: list[Message] = field(default_factory=list)
    repeated: dict[str, list[int]] = field(default_factory=dict)
    """Rows left out for repeating an earlier row's key, by label: [count, first line]."""
    checksum_ok: bool | None = None  # None: the file has no #KSUMMA

    @property
    def kind(self) -> str:
        """``1``…``4``, or ``4I`` for a type-4 file with vouchers only (an import file)."""
        if self.sie_type == 4 and not (self.opening or self.closing or self.results):
            return "4I"
        return str(self.sie_type) if self.sie_type is not None else ""

    def account_name(self, number: str) -> str:
        account = self.accounts.get(number)
        return account.name if account is not None else ""

    def object_name(self, dimension: str, code: str) -> str:
        return self.objects.get((dimension, code), "")
