"""A small chain's bookkeeping as its program exports it: a SIE 4 file written for tests and
screenshots (no file is kept in the repository).

The three stores of ``tests/first_hour.py`` (Umeå, Luleå, Skellefteå) are cost centres
(dimension 1); each month every store sells (3010), buys goods (4010), pays wages (7010)
and rent (5010) from the bank (1930). Opening balances (#IB), a budget of sales and
purchases (#PBUDGET, for the whole company) and optionally a voucher that does not
balance. The numbers are fixed (a seeded random), so tests compute what the app must show
from :func:`bookings`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

STORES = {"UME": ("Umeå", 1.0), "LUL": ("Luleå", 0.8), "SKE": ("Skellefteå", 0.6)}
ACCOUNTS = {
    "1400": ("Lager", "T"),
    "1510": ("Kundfordringar", "T"),
    "1930": ("Företagskonto", "T"),
    "2081": ("Aktiekapital", "S"),
    "2091": ("Balanserad vinst eller förlust", "S"),
    "2440": ("Leverantörsskulder", "S"),
    "3010": ("Försäljning butik", "I"),
    "4010": ("Varuinköp", "K"),
    "5010": ("Lokalhyra", "K"),
    "7010": ("Löner till kollektivanställda", "K"),
}
OPENING = {"1400": 400_000.0, "1930": 900_000.0, "2081": -100_000.0, "2091": -800_000.0}
OPENING["2440"] = -400_000.0


@dataclass(frozen=True)
class Booking:
    """One row of a voucher: account, store code (None for none), month ``YYYY-MM``, amount
    (debit positive)."""

    account: str
    store: str | None
    month: str
    amount: float


def bookings(year: int = 2026, months: int = 10) -> list[Booking]:
    """Every voucher row of the file, in order, grouped by voucher in fours and twos."""
    rnd = random.Random(21)
    rows: list[Booking] = []
    for month in range(1, months + 1):
        key = f"{year}-{month:02d}"
        for code, (_name, size) in STORES.items():
            sales = round(480_000 * size + rnd.randint(-30_000, 30_000), 2)
            goods = round(sales * rnd.uniform(0.52, 0.58), 2)
            wages = round(95_000 * size + rnd.randint(-4_000, 4_000), 2)
            rent = round(40_000 * size, 2)
            rows += [
                Booking("1930", None, key, sales),
                Booking("3010", code, key, -sales),
                Booking("4010", code, key, goods),
                Booking("1930", None, key, -goods),
                Booking("7010", code, key, wages),
                Booking("1930", None, key, -wages),
                Booking("5010", code, key, rent),
                Booking("1930", None, key, -rent),
            ]
    return rows


def company(account: str, year: int = 2026, months: int = 10) -> dict[str, float]:
    """The whole company's sum of ``account`` by month, from :func:`bookings`."""
    sums: dict[str, float] = {}
    for row in bookings(year, months):
        if row.account == account:
            sums[row.month] = round(sums.get(row.month, 0.0) + row.amount, 2)
    return sums


def store(account: str, code: str, year: int = 2026, months: int = 10) -> dict[str, float]:
    sums: dict[str, float] = {}
    for row in bookings(year, months):
        if row.account == account and row.store == code:
            sums[row.month] = round(sums.get(row.month, 0.0) + row.amount, 2)
    return sums


def budget(account: str, year: int = 2026) -> dict[str, float]:
    """The budget (#PBUDGET) of sales (3010, negative) and purchases (4010) by month."""
    base = {"3010": -1_150_000.0, "4010": 640_000.0}[account]
    return {f"{year}-{month:02d}": base + month * 1000 for month in range(1, 13)}


def _amount(value: float) -> str:
    return f"{value:.2f}"


def write_company_sie(
    path: Path,
    *,
    year: int = 2026,
    months: int = 10,
    unbalanced: bool = False,
    company_name: str = "Kedjan i Norr AB",
) -> Path:
    """Write the chain's SIE 4 file (CP437, CRLF, as the specification asks) at ``path``;
    with ``unbalanced`` one more voucher whose rows do not add up to zero."""
    lines = [
        "#FLAGGA 0",
        '#PROGRAM "Bokföring Test" 4.2',
        "#FORMAT PC8",
        f"#GEN {year}{months:02d}28",
        "#SIETYP 4",
        f'#FNAMN "{company_name}"',
        "#ORGNR 556677-8899",
        '#ADRESS "Anna Andersson" "Storgatan 1" "901 10 Umeå" "090-123 45"',
        f"#RAR 0 {year}0101 {year}1231",
        f"#RAR -1 {year - 1}0101 {year - 1}1231",
        "#KPTYP BAS2014",
    ]
    for number, (name, kind) in ACCOUNTS.items():
        lines.append(f'#KONTO {number} "{name}"')
        lines.append(f"#KTYP {number} {kind}")
        lines.append(f"#SRU {number} 7201")
    lines.append('#DIM 1 "Kostnadsställe"')
    for code, (name, _size) in STORES.items():
        lines.append(f'#OBJEKT 1 "{code}" "{name}"')
    for number, amount in OPENING.items():
        lines.append(f"#IB 0 {number} {_amount(amount)}")
    for account in ("3010", "4010"):
        for month, amount in budget(account, year).items():
            lines.append(f"#PBUDGET 0 {month.replace('-', '')} {account} {{}} {_amount(amount)}")
    rows = bookings(year, months)
    for index in range(0, len(rows), 2):
        pair = rows[index : index + 2]
        month = pair[0].month.replace("-", "")
        number = index // 2 + 1
        lines.append(f'#VER A {number} {month}25 "Verifikation {number}"')
        lines.append("{")
        for row in pair:
            objects = f'{{1 "{row.store}"}}' if row.store else "{}"
            lines.append(f"   #TRANS {row.account} {objects} {_amount(row.amount)}")
        lines.append("}")
    if unbalanced:
        lines.append(f'#VER B 1 {year}{months:02d}28 "Felaktig"')
        lines.append("{")
        lines.append(f'   #TRANS 3010 {{1 "UME"}} -1000.00 {year}{months:02d}28')
        lines.append("   #TRANS 1930 {} 900.00")
        lines.append("}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp437"))
    return path
