"""What the SIE step shows of a file: its summary, the KPI values by period, the accounts,
the units and the notes. Plain fillers of widgets; the step decides when to call them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QTableWidget, QTableWidgetItem

from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import Period, format_period
from kpidesk.i18n import N_, _, ngettext
from kpidesk.io.sie.accounts import BALANCE_CODES, SieSettings
from kpidesk.io.sie.figures import SOURCE_NAMES, Source
from kpidesk.io.sie.model import FiscalYear
from kpidesk.services.sie_import import SiePreview
from kpidesk.ui.import_wizard.common import _item

ERROR_COLOUR = QColor("#b42318")
ACCOUNTS_SHOWN = 3
"""Accounts named in the KPI table's cell; the tooltip lists them all."""

ACCOUNT_KINDS = {
    "T": N_("asset"),
    "S": N_("liability or equity"),
    "K": N_("cost"),
    "I": N_("income"),
}


def _right(text: str, *, grey: bool = False) -> QTableWidgetItem:
    item = _item(text, grey=grey)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _month(year: int, month: int) -> str:
    return format_period(Period.month(year, month))


def _fiscal_year(year: FiscalYear) -> str:
    start, end = year.start, year.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{_month(start.year, start.month)} – {_month(end.year, end.month)}"


def summary_text(preview: SiePreview) -> str:
    """Two lines: whose bookkeeping and from which program; what it holds and which
    figures come of it."""
    sie, figures = preview.sie, preview.figures
    who = sie.company or preview.file_name
    if sie.org_number:
        who = _("{company} (org. no. {number})").format(company=who, number=sie.org_number)
    first = [who, _("SIE type {kind}").format(kind=sie.kind or "?")]
    program = " ".join(part for part in (sie.program, sie.program_version) if part)
    if program:
        first.append(_("written by {program}").format(program=program))
    years = [_fiscal_year(year) for _index, year in sorted(sie.years.items(), reverse=True)]
    if years:
        first.append(
            ngettext("fiscal year {years}", "fiscal years {years}", len(years)).format(
                years=", ".join(years)
            )
        )
    second = [
        ngettext("{count} account", "{count} accounts", len(sie.accounts)).format(
            count=format_number(len(sie.accounts))
        )
    ]
    if sie.vouchers:
        second.append(
            ngettext(
                "{count} voucher with {rows} rows",
                "{count} vouchers with {rows} rows",
                sie.vouchers,
            ).format(count=format_number(sie.vouchers), rows=format_number(sie.transaction_rows))
        )
    text = " · ".join(first) + "\n" + ", ".join(second) + ". "
    if figures.source is Source.NONE or not figures.periods:
        return text + _("The file gives no figures to make KPI values of.")
    return text + _("The figures come from its {source}: {first} – {last}.").format(
        source=_(SOURCE_NAMES[figures.source]),
        first=format_period(figures.periods[0]),
        last=format_period(figures.periods[-1]),
    )


def accounts_text(found: tuple[str, ...], names: Callable[[str], str]) -> tuple[str, str]:
    """The accounts a KPI's values came from, short for the cell and whole for its tooltip."""
    if not found:
        return _("none moved"), ""
    shown = ", ".join(found[:ACCOUNTS_SHOWN])
    if len(found) > ACCOUNTS_SHOWN:
        shown = _("{accounts} … ({count} in all)").format(accounts=shown, count=len(found))
    tip = "\n".join(f"{account}  {names(account)}".rstrip() for account in found[:40])
    if len(found) > 40:
        tip += "\n…"
    return shown, tip


@dataclass(frozen=True)
class ValueRow:
    code: str
    title: str
    values: dict[str, float]
    percent: bool = False


def value_rows(
    preview: SiePreview,
    codes: Iterable[str],
    title: Callable[[str], str],
    *,
    targets: bool,
    unit: str | None,
) -> list[ValueRow]:
    """The KPI values (or the budget's) of the whole company (``unit`` None) or of a unit,
    by code in ``codes``' order; the balance ratios of the whole company's actual values."""
    figures = preview.figures
    source = figures.budgets if targets else figures.values
    by_code: dict[str, dict[str, float]] = {}
    for (code, label, period), value in source.items():
        if label == unit:
            by_code.setdefault(code, {})[period] = value
    rows = [ValueRow(code, title(code), by_code[code]) for code in codes if code in by_code]
    if not targets and unit is None:
        balances: dict[str, dict[str, float]] = {}
        for (code, period), value in figures.balance_values.items():
            balances.setdefault(code, {})[period] = value
        rows += [
            ValueRow(code, title(code), balances[code], percent=True)
            for code in BALANCE_CODES
            if code in balances
        ]
    return rows


def fill_values(table: QTableWidget, rows: list[ValueRow]) -> None:
    """One row per KPI, one column per period."""
    keys = sorted({period for row in rows for period in row.values})
    periods = [Period.from_key(key) for key in keys]
    table.clear()
    table.setRowCount(len(rows))
    table.setColumnCount(len(keys))
    table.setHorizontalHeaderLabels([format_period(period, short=True) for period in periods])
    table.setVerticalHeaderLabels([row.title for row in rows])
    table.verticalHeader().setVisible(True)
    for r, row in enumerate(rows):
        for c, key in enumerate(keys):
            value = row.values.get(key)
            if value is None:
                continue
            text = format_number(value, 1) + " %" if row.percent else format_number(value, 0)
            table.setItem(r, c, _right(text))
    table.resizeColumnsToContents()


def fill_accounts(table: QTableWidget, preview: SiePreview, settings: SieSettings) -> None:
    """Every account of the file, with the KPIs whose ranges hold it (the others grey)."""
    accounts = sorted(
        preview.sie.accounts.values(),
        key=lambda a: (
            not a.number.isdigit(),
            int(a.number) if a.number.isdigit() else 0,
            a.number,
        ),
    )
    table.setRowCount(len(accounts))
    for row, account in enumerate(accounts):
        codes = [rule.code for rule in settings.rules if account.number in rule.accounts]
        grey = not codes
        kind = ACCOUNT_KINDS.get(account.kind)
        cells = (
            _item(account.number, grey=grey),
            _item(account.name, grey=grey),
            _item(_(kind) if kind else "", grey=grey),
            _item(", ".join(codes), grey=grey),
        )
        for column, cell in enumerate(cells):
            table.setItem(row, column, cell)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    label: str
    destination: str
    left_out: bool


def fill_units(table: QTableWidget, rows: list[UnitRow]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        cells = (
            _item(row.code),
            _item(row.name or row.label),
            _item(row.destination, grey=row.left_out),
        )
        for column, cell in enumerate(cells):
            table.setItem(r, column, cell)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


def fill_notes(view: QListWidget, preview: SiePreview) -> int:
    """The file's problems (red), then its notes, what was skipped and the checksum; the
    number of lines."""
    view.clear()
    for problem in preview.problems():
        item = QListWidgetItem(
            _("{location}: {reason}").format(location=problem.location, reason=problem.reason.text)
        )
        item.setForeground(ERROR_COLOUR)
        view.addItem(item)
    for note in preview.notes:
        view.addItem(QListWidgetItem(note.text))
    sie = preview.sie
    if sie.checksum_ok is True:
        view.addItem(QListWidgetItem(_("The checksum (#KSUMMA) is correct.")))
    if sie.skipped:
        skipped = ", ".join(
            f"{label} {format_number(number)}" for label, number in sorted(sie.skipped.items())
        )
        view.addItem(
            QListWidgetItem(
                _("Records a KPI does not need were skipped: {records}.").format(records=skipped)
            )
        )
    return view.count()
