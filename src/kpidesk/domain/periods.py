"""Calendar periods: ISO weeks, months, quarters and years.

Stored periods are calendar periods with a compact key (``2026-W12``, ``2026-03``,
``2026-Q1``, ``2026``). A fiscal year with any start month is a way of viewing months, not a
kind of stored period. A week belongs to the month and quarter that hold its Thursday.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, _, gettext_for, pgettext, pgettext_for


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def is_finer_than(self, other: PeriodKind) -> bool:
        return self.rank < other.rank


_RANK = {PeriodKind.WEEK: 0, PeriodKind.MONTH: 1, PeriodKind.QUARTER: 2, PeriodKind.YEAR: 3}

MIN_YEAR = 1900
MAX_YEAR = 2200


class PeriodError(DomainError):
    """Text or a value that is not a period."""


class AmbiguousDateError(PeriodError):
    """A date like ``3/4/2026`` that may be read day first or month first, to different
    periods, with nothing to say which."""

    def __init__(self, text: str, day_first: date, month_first: date) -> None:
        super().__init__(
            N_(
                "“{text}” may be {day_first} (day first) or {month_first} (month first), and "
                "no other date in its column settles which; write dates as YYYY-MM-DD."
            ),
            text=text,
            day_first=day_first.isoformat(),
            month_first=month_first.isoformat(),
        )


DateOrder = str
"""``"dmy"`` (3/4/2026 is 3 April), ``"mdy"`` (4 March), or ``"probe"``: whichever reading
is a date, day first when both are (for telling whether a column holds dates at all)."""

_SLASH_DATE = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})")


def slash_date_order(text: str) -> DateOrder | None:
    """``"dmy"`` or ``"mdy"`` when a date like ``13/4/2026`` settles the order by itself (one
    part above 12), else None (not such a date, or both parts could be the month)."""
    match = _SLASH_DATE.fullmatch(text.strip())
    if not match:
        return None
    a, b = int(match["a"]), int(match["b"])
    if a > 12 >= b >= 1:
        return "dmy"
    if b > 12 >= a >= 1:
        return "mdy"
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """One calendar period. ``number`` is the ISO week, month, quarter, or 1 for a year."""

    kind: PeriodKind
    year: int
    number: int = 1
    key: str = field(init=False, repr=False, compare=False)
    """The stored form: ``2026-W12``, ``2026-03``, ``2026-Q1`` or ``2026``."""

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(N_("The year {year} is out of range."), year=self.year)
        highest = {
            PeriodKind.WEEK: _iso_weeks_in_year(self.year),
            PeriodKind.MONTH: 12,
            PeriodKind.QUARTER: 4,
            PeriodKind.YEAR: 1,
        }[self.kind]
        if not 1 <= self.number <= highest:
            raise PeriodError(
                N_("{year} has no {kind} number {number}."),
                year=self.year,
                kind=_kind_name(self.kind),
                number=self.number,
            )
        object.__setattr__(self, "key", self._make_key())  # computed once: keys are hot

    # construction ---------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(PeriodKind.MONTH, year, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(PeriodKind.QUARTER, year, quarter)

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        return cls(PeriodKind.WEEK, year, week)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, year, 1)

    @classmethod
    def of(cls, day: date, kind: PeriodKind) -> Period:
        """The period of ``kind`` that holds ``day``."""
        if isinstance(day, datetime):
            day = day.date()
        if kind is PeriodKind.WEEK:
            iso = day.isocalendar()
            return cls(kind, iso.year, iso.week)
        if kind is PeriodKind.MONTH:
            return cls(kind, day.year, day.month)
        if kind is PeriodKind.QUARTER:
            return cls(kind, day.year, (day.month - 1) // 3 + 1)
        return cls(kind, day.year, 1)

    @classmethod
    def from_key(cls, key: str) -> Period:
        """Parse a stored key: ``2026-W12``, ``2026-03``, ``2026-Q1`` or ``2026``."""
        match = _KEY.fullmatch(key)
        if not match:
            raise PeriodError(N_("“{text}” is not a period key."), text=key)
        year = int(match["year"])
        if match["week"]:
            return cls.week(year, int(match["week"]))
        if match["month"]:
            return cls.month(year, int(match["month"]))
        if match["quarter"]:
            return cls.quarter(year, int(match["quarter"]))
        return cls.whole_year(year)

    # identity -------------------------------------------------------------------------
    def _make_key(self) -> str:
        if self.kind is PeriodKind.WEEK:
            return f"{self.year:04d}-W{self.number:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.key

    def _sort_key(self) -> tuple[date, int]:
        return (self.start, self.kind.rank)

    def __lt__(self, other: Period) -> bool:
        return self._sort_key() < other._sort_key()

    def __le__(self, other: Period) -> bool:
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: Period) -> bool:
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: Period) -> bool:
        return self._sort_key() >= other._sort_key()

    # calendar -------------------------------------------------------------------------
    @property
    def start(self) -> date:
        if self.kind is PeriodKind.WEEK:
            return date.fromisocalendar(self.year, self.number, 1)
        if self.kind is PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, 3 * (self.number - 1) + 1, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return self.next().start - timedelta(days=1)

    @property
    def thursday(self) -> date:
        """For a week, the day that decides its month, quarter and year."""
        return self.start + timedelta(days=3)

    def shift(self, steps: int) -> Period:
        if self.kind is PeriodKind.WEEK:
            return Period.of(self.start + timedelta(weeks=steps), PeriodKind.WEEK)
        if self.kind is PeriodKind.MONTH:
            index = self.year * 12 + self.number - 1 + steps
            return Period.month(index // 12, index % 12 + 1)
        if self.kind is PeriodKind.QUARTER:
            index = self.year * 4 + self.number - 1 + steps
            return Period.quarter(index // 4, index % 4 + 1)
        return Period.whole_year(self.year + steps)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        if self.kind is PeriodKind.WEEK:
            week = min(self.number, _iso_weeks_in_year(self.year - 1))
            return Period.week(self.year - 1, week)
        return Period(self.kind, self.year - 1, self.number)

    def to(self, kind: PeriodKind) -> Period:
        """The period of a coarser (or the same) ``kind`` that holds this one."""
        if kind is self.kind:
            return self
        if kind.is_finer_than(self.kind):
            raise PeriodError(
                N_("A {kind} cannot be split into a finer period."), kind=_kind_name(self.kind)
            )
        anchor = self.thursday if self.kind is PeriodKind.WEEK else self.start
        return Period.of(anchor, kind)

    def contains(self, other: Period | date) -> bool:
        if isinstance(other, date):
            return self.start <= other <= self.end
        if other.kind is self.kind:
            return other == self
        if other.kind.is_finer_than(self.kind):
            return other.to(self.kind) == self
        return False

    def subperiods(self, kind: PeriodKind) -> list[Period]:
        """The periods of a finer ``kind`` that belong to this one (weeks by their Thursday)."""
        if kind is self.kind:
            return [self]
        if not kind.is_finer_than(self.kind):
            raise PeriodError(
                N_("A {kind} cannot be split into a coarser period."), kind=_kind_name(self.kind)
            )
        first = Period.of(self.start, kind)
        if first.to(self.kind) != self:
            first = first.next()
        result = []
        current = first
        while current.to(self.kind) == self:
            result.append(current)
            current = current.next()
        return result


def period_range(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last``, both included."""
    if first.kind is not last.kind:
        raise PeriodError(N_("A range must start and end with the same kind of period."))
    result = []
    current = first
    while current <= last:
        result.append(current)
        current = current.next()
    return result


def iter_periods(first: Period, count: int) -> Iterator[Period]:
    current = first
    for _index in range(count):
        yield current
        current = current.next()


class KindName(str):
    """A period kind's name (``month``) in a message, translated when the message is shown,
    not when it is made."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(_(PERIOD_KIND_NAMES[PeriodKind(str(self))]), spec)


class PeriodName(str):
    """A period key (``2026-03``) in a message, shown as people say it (``March 2026``)
    when the message is shown."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        try:
            return format(format_period(Period.from_key(str(self))), spec)
        except PeriodError:
            return format(str(self), spec)


def _kind_name(kind: PeriodKind) -> KindName:
    return KindName(kind.value)


def _iso_weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


_KEY = re.compile(r"(?P<year>\d{4})(?:-W(?P<week>\d{2})|-(?P<month>\d{2})|-Q(?P<quarter>[1-4]))?")


# Fiscal years -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """A twelve-month year starting in ``start_month`` of ``start_year``."""

    start_year: int
    start_month: int = 1

    @classmethod
    def holding(cls, period: Period | date, start_month: int = 1) -> FiscalYear:
        if isinstance(period, Period):
            anchor = period.thursday if period.kind is PeriodKind.WEEK else period.start
        else:
            anchor = period
        year = anchor.year if anchor.month >= start_month else anchor.year - 1
        return cls(year, start_month)

    @property
    def first_month(self) -> Period:
        return Period.month(self.start_year, self.start_month)

    @property
    def months(self) -> list[Period]:
        return list(iter_periods(self.first_month, 12))

    @property
    def start(self) -> date:
        return self.first_month.start

    @property
    def end(self) -> date:
        return self.first_month.shift(11).end

    def contains(self, period: Period | date) -> bool:
        return FiscalYear.holding(period, self.start_month) == self

    def months_to_date(self, period: Period) -> list[Period]:
        """The fiscal year's months up to and including the month holding ``period``."""
        if period.kind is PeriodKind.WEEK:
            last = period.to(PeriodKind.MONTH)
        elif period.kind is PeriodKind.MONTH:
            last = period
        else:
            last = Period.of(period.end, PeriodKind.MONTH)
        return [month for month in self.months if month <= last]

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return str(self.start_year)
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


# Parsing what people type -----------------------------------------------------------------

MONTH_WORDS: dict[str, int] = {}
for _number, _words in enumerate(
    [
        ("januari", "january", "jan"),
        ("februari", "february", "feb"),
        ("mars", "march", "mar"),
        ("april", "apr"),
        ("maj", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("augusti", "august", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    start=1,
):
    for _word in _words:
        MONTH_WORDS[_word] = _number

_MONTH_ALT = "|".join(sorted(MONTH_WORDS, key=len, reverse=True))
_YEAR = r"(?P<year>\d{4}|'?\d{2})"
_SEP = r"[\s\-/.,']*"

_PATTERNS: list[tuple[PeriodKind, re.Pattern[str]]] = [
    (PeriodKind.WEEK, re.compile(r"(?P<year>\d{4})-?w(?P<number>\d{1,2})")),
    (
        PeriodKind.WEEK,
        re.compile(rf"(?:v|w|vecka|week|wk)\.?\s*(?P<number>\d{{1,2}})(?:{_SEP}{_YEAR})?"),
    ),
    (
        PeriodKind.WEEK,
        re.compile(rf"(?P<year>\d{{4}}){_SEP}(?:v|w|vecka|week)\.?\s*(?P<number>\d{{1,2}})"),
    ),
    (
        PeriodKind.QUARTER,
        re.compile(rf"(?:q|kv|kvartal|quarter)\.?\s*(?P<number>[1-4])(?:{_SEP}{_YEAR})?"),
    ),
    (
        PeriodKind.QUARTER,
        re.compile(rf"(?P<year>\d{{4}}){_SEP}(?:q|kv|kvartal)\.?\s*(?P<number>[1-4])"),
    ),
    (PeriodKind.QUARTER, re.compile(r"(?P<number>[1-4])\s*(?:kv|q)\.?\s*(?P<year>\d{4})")),
    (PeriodKind.MONTH, re.compile(r"(?P<year>\d{4})[-/.](?P<number>\d{1,2})")),
    (PeriodKind.MONTH, re.compile(r"(?P<year>\d{4})(?P<number>0[1-9]|1[0-2])")),
    (PeriodKind.MONTH, re.compile(r"(?P<number>\d{1,2})[-/.](?P<year>\d{4})")),
    (PeriodKind.MONTH, re.compile(rf"(?P<word>{_MONTH_ALT})\.?(?:{_SEP}{_YEAR})?")),
    (PeriodKind.MONTH, re.compile(rf"(?P<year>\d{{4}}){_SEP}(?P<word>{_MONTH_ALT})\.?")),
    (PeriodKind.YEAR, re.compile(r"(?:fy|år|year)?\s*(?P<year>\d{4})")),
]

_ISO_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?"
)
_DAY_FIRST_DATE = re.compile(r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})")

EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)
_EXCEL_SERIAL_MAX = 2958465  # 9999-12-31


def excel_serial_to_date(serial: float, *, date1904: bool = False) -> date:
    """An Excel date serial (1900 or 1904 system) as a date; the time of day is dropped."""
    if serial != serial or not 1 <= serial <= _EXCEL_SERIAL_MAX:  # NaN or out of range
        raise PeriodError(
            N_(
                "{value} is not an Excel date: Excel's dates run from 1 (1 January 1900) to "
                "2958465 (31 December 9999)."
            ),
            value=serial,
        )
    whole = int(serial)
    try:
        if date1904:
            return EXCEL_EPOCH_1904 + timedelta(days=whole)
        if whole < 60:  # Excel counts a 29 February 1900 that never was
            return EXCEL_EPOCH + timedelta(days=whole + 1)
        return EXCEL_EPOCH + timedelta(days=whole)
    except OverflowError:  # past 9999-12-31 in the 1904 system
        raise PeriodError(N_("{value} is not an Excel date."), value=serial) from None


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)
    return text.replace("–", "-").replace("—", "-")


def _year_from(raw: str | None, default_year: int | None, text: str) -> int:
    if raw is None:
        if default_year is None:
            raise PeriodError(N_("“{text}” has no year."), text=text)
        return default_year
    raw = raw.lstrip("'")
    year = int(raw)
    return 2000 + year if len(raw) == 2 else year


def _slash_date_period(
    match: re.Match[str], text: str, frequency: PeriodKind, order: DateOrder | None
) -> Period:
    a, b, year = int(match["a"]), int(match["b"]), int(match["y"])
    readings: list[date | None] = []
    for day, month in ((a, b), (b, a)):
        try:
            readings.append(date(year, month, day))
        except ValueError:
            readings.append(None)
    day_first, month_first = readings
    if day_first is None and month_first is None:
        raise PeriodError(N_("“{text}” is not a valid date."), text=text)
    if day_first is None or month_first is None:  # one part above 12 settles it
        return Period.of(day_first or month_first, frequency)  # type: ignore[arg-type]  # one is set
    first, second = Period.of(day_first, frequency), Period.of(month_first, frequency)
    if first == second or order in ("dmy", "probe"):
        return first
    if order == "mdy":
        return second
    raise AmbiguousDateError(text, day_first, month_first)


def parse_period(
    value: str | date | datetime | float | int,
    *,
    frequency: PeriodKind = PeriodKind.MONTH,
    default_year: int | None = None,
    date1904: bool = False,
    date_order: DateOrder | None = None,
) -> Period:
    """A period from what a user typed or a spreadsheet held, in Swedish or English.

    Accepts ``2026-03``, ``mars 2026``, ``mar-26``, ``Q1 2026``, ``2026 Q1``, ``kv1 2026``,
    ``v12 2026``, ``v. 12 2026``, ``2026-W12``, ``2026``, dates and Excel date serials. A
    date maps to the period of ``frequency`` that holds it. A month, quarter or week written
    without a year takes ``default_year``. A date with slashes whose two first parts could
    each be the month (``3/4/2026``) and that falls in different periods either way raises
    :class:`AmbiguousDateError`, unless ``date_order`` says which part comes first (the
    importer learns it from the other dates of the column); with dots (``3.4.2026``) the
    day comes first, as everywhere dots are written.
    """
    if isinstance(value, datetime | date):
        return Period.of(value, frequency)
    if isinstance(value, bool):
        raise PeriodError(N_("“{text}” is not a period."), text=str(value))
    if isinstance(value, int | float):
        if isinstance(value, int) and MIN_YEAR <= value <= MAX_YEAR:
            return Period.whole_year(value)
        if isinstance(value, float) and value.is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return Period.whole_year(int(value))
        return Period.of(excel_serial_to_date(float(value), date1904=date1904), frequency)

    text = _normalise(str(value))
    if not text:
        raise PeriodError(N_("The period is empty."))
    slash = _SLASH_DATE.fullmatch(text)
    if slash:
        return _slash_date_period(slash, str(value), frequency, date_order)
    for pattern in (_ISO_DATE, _DAY_FIRST_DATE):
        match = pattern.fullmatch(text)
        if match:
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise PeriodError(N_("“{text}” is not a valid date."), text=str(value)) from None
            return Period.of(day, frequency)
    if re.fullmatch(r"\d{5}(?:[.,]\d+)?", text):
        return Period.of(
            excel_serial_to_date(float(text.replace(",", ".")), date1904=date1904), frequency
        )
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        groups = match.groupdict()
        year = _year_from(groups.get("year"), default_year, str(value))
        if groups.get("word"):
            number = MONTH_WORDS[groups["word"]]
        elif kind is PeriodKind.YEAR:
            number = 1
        else:
            number = int(groups["number"])
        return Period(kind, year, number)
    raise PeriodError(N_("“{text}” is not a period."), text=str(value))


# Formatting ------------------------------------------------------------------------------

MONTH_NAMES = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)

MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _month_abbreviations_for_extraction() -> None:  # pragma: no cover - read by pybabel only
    for text in (
        pgettext("abbreviated month", "Jan"),
        pgettext("abbreviated month", "Feb"),
        pgettext("abbreviated month", "Mar"),
        pgettext("abbreviated month", "Apr"),
        pgettext("abbreviated month", "May"),
        pgettext("abbreviated month", "Jun"),
        pgettext("abbreviated month", "Jul"),
        pgettext("abbreviated month", "Aug"),
        pgettext("abbreviated month", "Sep"),
        pgettext("abbreviated month", "Oct"),
        pgettext("abbreviated month", "Nov"),
        pgettext("abbreviated month", "Dec"),
    ):
        del text


PERIOD_KIND_NAMES = {
    PeriodKind.WEEK: N_("week"),
    PeriodKind.MONTH: N_("month"),
    PeriodKind.QUARTER: N_("quarter"),
    PeriodKind.YEAR: N_("year"),
}


def month_name(number: int, language: str | None = None) -> str:
    return gettext_for(language)(MONTH_NAMES[number - 1])


def month_abbreviation(number: int, language: str | None = None) -> str:
    return pgettext_for(language)("abbreviated month", MONTH_ABBREVIATIONS[number - 1])


def format_period(period: Period, language: str | None = None, *, short: bool = False) -> str:
    """A period as people say it: ``mars 2026``, ``kv. 1 2026``, ``v. 12 2026`` or the English."""
    _ = gettext_for(language)
    if period.kind is PeriodKind.MONTH:
        if short:
            return _("{month} {year}").format(
                month=month_abbreviation(period.number, language), year=period.year
            )
        return _("{month} {year}").format(
            month=month_name(period.number, language), year=period.year
        )
    if period.kind is PeriodKind.QUARTER:
        return _("Q{quarter} {year}").format(quarter=period.number, year=period.year)
    if period.kind is PeriodKind.WEEK:
        return _("Week {week}, {year}").format(week=period.number, year=period.year)
    return str(period.year)


def format_day(day: date, language: str | None = None, *, year: bool = True) -> str:
    """A date as people write it: ``12 mars 2026`` / ``12 March 2026`` (``12 March`` without
    the year)."""
    _ = gettext_for(language)
    month = month_name(day.month, language)
    if not year:
        return _("{day} {month}").format(day=day.day, month=month)
    return _("{day} {month} {year}").format(day=day.day, month=month, year=day.year)


def format_moment(moment: datetime, language: str | None = None) -> str:
    """A moment as people write it: ``12 mars 2026 14:05`` / ``12 March 2026 14:05``."""
    return f"{format_day(moment.date(), language)} {moment:%H:%M}"
