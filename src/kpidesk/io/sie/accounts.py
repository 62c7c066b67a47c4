"""Which accounts make which KPI: BAS account ranges, kept as plain data.

The defaults follow the BAS chart of accounts (BAS-kontoplanen), which nearly every Swedish
bookkeeping program uses:

==========  =========================  ==============  ====================
code        KPI                        accounts        sign
==========  =========================  ==============  ====================
REV         Nettoomsättning            3000–3799       credit as positive
COGS        Varuinköp                  4000–4999       debit as positive
STAFF       Personalkostnader          7000–7699       debit as positive
EBIT        Rörelseresultat            3000–7999       credit as positive
==========  =========================  ==============  ====================

GP (REV − COGS) and GM (GP ÷ REV × 100) are calculated KPIs over those codes. The balance
ratios take their parts from the closing balances: equity ratio (soliditet) = adjusted
equity (2000–2099, plus untaxed reserves 2100–2199 net of deferred tax, plus a result not
yet closed into equity) ÷ total assets (1000–1999) × 100; quick ratio (kassalikviditet) =
current assets without inventories (1500–1999) ÷ current liabilities (2400–2999) × 100.

:class:`SieSettings` holds all of it, with the dimension whose objects become units; it is
turned into JSON and back (:meth:`SieSettings.to_json`, :meth:`SieSettings.from_json`) so an
import profile keeps a workspace's choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_

__all__ = [
    "BALANCE_CODES",
    "DEFAULT_RULES",
    "FORMULA_CODES",
    "AccountRanges",
    "AccountRule",
    "BalanceParts",
    "RangeError",
    "SieSettings",
    "Sign",
]

SETTINGS_VERSION = 1
FORMULA_CODES = ("GP", "GM")
EQUITY_RATIO = "EQUITY_RATIO"
QUICK_RATIO = "QUICK_RATIO"
BALANCE_CODES = (EQUITY_RATIO, QUICK_RATIO)
TAX_RATE = 0.206
"""Swedish corporate tax since 2021: untaxed reserves count as equity net of it."""

_SPAN = re.compile(r"^\s*(\d{1,9})\s*(?:[-–—]\s*(\d{1,9}))?\s*$")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,23}$")


class RangeError(DomainError):
    """Account ranges or a KPI code that cannot be read."""

    exit_code = 2


class Sign(StrEnum):
    """Which side of the books counts as positive for a KPI."""

    DEBIT = "debit"  # costs and assets: debit balances are positive in the file already
    CREDIT = "credit"  # income and results: credit balances (negative in the file) count up

    @property
    def factor(self) -> int:
        return 1 if self is Sign.DEBIT else -1


@dataclass(frozen=True, slots=True)
class AccountRanges:
    """Accounts by number: ``3000–3799, 3900`` is every account from 3000 to 3799, and 3900.

    An account whose number is not made of digits lies in no range.
    """

    spans: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, text: str) -> AccountRanges:
        """``3000-3799``, ``3000–3799, 3900``, ``4000-4999;5000`` → ranges; raises
        :class:`RangeError` for anything else."""
        spans: list[tuple[int, int]] = []
        for part in re.split(r"[,;]", text):
            if not part.strip():
                continue
            found = _SPAN.match(part)
            if found is None:
                raise RangeError(
                    N_("“{text}” is not an account range such as 3000-3799."), text=part.strip()
                )
            low = int(found.group(1))
            high = int(found.group(2) or found.group(1))
            if high < low:
                raise RangeError(N_("The range {text} ends before it begins."), text=part.strip())
            spans.append((low, high))
        if not spans:
            raise RangeError(N_("Give at least one account range, such as 3000-3799."))
        return cls(tuple(spans))

    def __contains__(self, account: object) -> bool:
        if not isinstance(account, str) or not account.isdigit():
            return False
        number = int(account)
        return any(low <= number <= high for low, high in self.spans)

    @property
    def text(self) -> str:
        return ", ".join(str(low) if low == high else f"{low}–{high}" for low, high in self.spans)

    def __str__(self) -> str:
        return self.text


def _ranges(text: str) -> AccountRanges:
    return AccountRanges.parse(text)


@dataclass(frozen=True, slots=True)
class AccountRule:
    """A KPI (by code) whose value is the sum of some accounts, with a sign."""

    code: str
    accounts: AccountRanges
    sign: Sign

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "accounts": self.accounts.text, "sign": self.sign.value}


DEFAULT_RULES = (
    AccountRule("REV", _ranges("3000-3799"), Sign.CREDIT),
    AccountRule("COGS", _ranges("4000-4999"), Sign.DEBIT),
    AccountRule("STAFF", _ranges("7000-7699"), Sign.DEBIT),
    AccountRule("EBIT", _ranges("3000-7999"), Sign.CREDIT),
)


@dataclass(frozen=True, slots=True)
class BalanceParts:
    """The parts of the balance ratios, as BAS defines them."""

    assets: AccountRanges = field(default_factory=lambda: _ranges("1000-1999"))
    equity: AccountRanges = field(default_factory=lambda: _ranges("2000-2099"))
    untaxed_reserves: AccountRanges = field(default_factory=lambda: _ranges("2100-2199"))
    quick_assets: AccountRanges = field(default_factory=lambda: _ranges("1500-1999"))
    current_liabilities: AccountRanges = field(default_factory=lambda: _ranges("2400-2999"))
    balance_sheet: AccountRanges = field(default_factory=lambda: _ranges("1000-2999"))
    tax_rate: float = TAX_RATE

    _NAMES = (
        "assets",
        "equity",
        "untaxed_reserves",
        "quick_assets",
        "current_liabilities",
        "balance_sheet",
    )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name).text for name in self._NAMES}
        data["tax_rate"] = self.tax_rate
        return data

    @classmethod
    def from_json(cls, data: Any) -> BalanceParts:
        parts = cls()
        if not isinstance(data, dict):
            return parts
        changes: dict[str, Any] = {}
        for name in cls._NAMES:
            text = data.get(name)
            if isinstance(text, str):
                try:
                    changes[name] = AccountRanges.parse(text)
                except RangeError:
                    continue
        rate = data.get("tax_rate")
        if isinstance(rate, int | float) and not isinstance(rate, bool) and 0 <= rate < 1:
            changes["tax_rate"] = float(rate)
        return replace(parts, **changes)


@dataclass(frozen=True, slots=True)
class SieSettings:
    """The account ranges of every KPI, the balance ratios' parts and the unit dimension.

    ``dimension`` is the dimension whose objects become units (``"1"``, cost centres, by
    default); ``""`` for none.
    """

    rules: tuple[AccountRule, ...] = DEFAULT_RULES
    balances: BalanceParts = field(default_factory=BalanceParts)
    dimension: str = "1"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in self.rules)

    def rule(self, code: str) -> AccountRule | None:
        return next((rule for rule in self.rules if rule.code == code), None)

    def with_rule(
        self, code: str, accounts: AccountRanges, sign: Sign | None = None
    ) -> SieSettings:
        """These settings with ``code``'s accounts (and sign) set; a new code is added. The
        sign of a new code is credit when every range lies in class 3 (income), else debit."""
        code = code.strip().upper()
        if not _CODE.match(code):
            raise RangeError(
                N_("“{code}” is not a KPI code (capital letters, digits and _)."), code=code
            )
        old = self.rule(code)
        if sign is None:
            if old is not None:
                sign = old.sign
            else:
                income = all(low >= 3000 and high <= 3999 for low, high in accounts.spans)
                sign = Sign.CREDIT if income else Sign.DEBIT
        new = AccountRule(code, accounts, sign)
        if old is None:
            return replace(self, rules=(*self.rules, new))
        return replace(self, rules=tuple(new if rule.code == code else rule for rule in self.rules))

    def with_assignment(self, text: str) -> SieSettings:
        """``REV=3000-3799``, ``MARKETING=5900-5999:debit``: one rule from its text."""
        code, equals, rest = text.partition("=")
        if not equals:
            raise RangeError(
                N_("Write an account rule as CODE=RANGES, such as REV=3000-3799, not “{text}”."),
                text=text,
            )
        ranges_text, _colon, sign_text = rest.partition(":")
        sign: Sign | None = None
        if sign_text.strip():
            try:
                sign = Sign(sign_text.strip().lower())
            except ValueError:
                raise RangeError(
                    N_("“{text}” is not a sign; write debit or credit."), text=sign_text.strip()
                ) from None
        return self.with_rule(code, AccountRanges.parse(ranges_text), sign)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SETTINGS_VERSION,
            "rules": [rule.to_json() for rule in self.rules],
            "balances": self.balances.to_json(),
            "dimension": self.dimension,
        }

    @classmethod
    def from_json(cls, data: Any) -> SieSettings:
        """Settings from :meth:`to_json`'s form; what cannot be read keeps its default."""
        settings = cls()
        if not isinstance(data, dict):
            return settings
        rules = data.get("rules")
        if isinstance(rules, list) and rules:
            kept: list[AccountRule] = []
            for rule in rules:
                code = rule.get("code") if isinstance(rule, dict) else None
                if not isinstance(code, str) or not _CODE.match(code):
                    continue
                try:
                    accounts = AccountRanges.parse(str(rule.get("accounts", "")))
                    sign = Sign(rule.get("sign"))
                except (RangeError, ValueError):
                    continue
                kept.append(AccountRule(code, accounts, sign))
            if kept:
                settings = replace(settings, rules=tuple(kept))
        dimension = data.get("dimension")
        if isinstance(dimension, str) and len(dimension) <= 10:
            settings = replace(settings, dimension=dimension.strip())
        return replace(settings, balances=BalanceParts.from_json(data.get("balances")))
