"""Finding the table of KPI values on a sheet: where the header is, what each column holds.

Three layouts are recognised (see :class:`LayoutKind`):

* **long**: one row per value: a period, a KPI, optionally an (organisational) unit, the
  value and a comment (``Månad | Butik | Nyckeltal | Värde | Kommentar``);
* **wide**: a period column and one column per KPI, optionally a unit column
  (``Månad | Butik | Omsättning (kr) | Kunder | NPS``);
* **across**: a KPI column, optionally a unit column, and the periods across the columns,
  as in budget sheets (``Nyckeltal | jan | feb | … | dec | Summa``).

The header need not be on row 1: title rows, blank rows and merged title cells above it are
passed over. Column roles come from the header words (Swedish and English, see
``ROLE_WORDS``) and then from what the cells below hold. Where several readings are possible
the one that explains the most numbers in the first rows wins. Total and subtotal rows and
columns (``Summa``, ``Totalt``, ``Delsumma``…) are left out with a note. A month without a
year takes it from a year row above the month row, a title row, the sheet name, the file name
or ``default_year``, in that order; without any, the layout carries a problem saying so.

Everything here is pure: it works on a list of rows of cell values (see
:data:`kpidesk.io.cells.CellValue`), where ``rows[i][j]`` is the cell on sheet row ``i + 1``,
column ``j`` (``A`` = 0).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from kpidesk.domain.numbers import NumberError, parse_number
from kpidesk.domain.periods import (
    MAX_YEAR,
    MIN_YEAR,
    DateOrder,
    Period,
    PeriodError,
    PeriodKind,
    parse_period,
)
from kpidesk.i18n import N_
from kpidesk.io.cells import CellValue, column_letter, display_value, excel_error, is_blank
from kpidesk.io.errors import (
    ImportProblem,
    Message,
    SpreadsheetError,
    SpreadsheetErrorKind,
)
from kpidesk.io.names import normalise_name

__all__ = [
    "ROLE_WORDS",
    "ColumnRole",
    "KpiColumn",
    "Layout",
    "LayoutError",
    "LayoutKind",
    "PeriodColumn",
    "YearSource",
    "YearSourceKind",
    "header_role",
    "parse_row_period",
]

HEADER_SCAN_ROWS = 40  # non-empty rows searched for the header
SAMPLE_ROWS = 120  # data rows below a header looked at to judge the columns
MAX_HEADER_CANDIDATES = 12  # rows tried as the header
MAX_COLUMNS = 2000  # columns looked at (a sheet may declare 16 384)
MAX_WORD_TEXT = 120  # longer texts are no header words, periods or numbers


MSG_MISSING_YEAR = N_(
    "Periods such as “{text}” have no year, and none was found in the sheet, its name or the "
    "file name; choose the year."
)


class LayoutKind(StrEnum):
    LONG = "long"
    WIDE = "wide"
    ACROSS = "across"


class ColumnRole(StrEnum):
    PERIOD = "period"  # a whole period: a date, 2026-03, mars 2026, Q1 2026, v. 12 2026
    YEAR = "year"  # the year, with a month, quarter or week column beside it
    MONTH = "month"
    QUARTER = "quarter"
    WEEK = "week"
    KPI = "kpi"  # the KPI's name (long and across)
    UNIT = "unit"  # the organisational unit: store, department, region…
    VALUE = "value"  # the value (long)
    COMMENT = "comment"
    KPI_VALUES = "kpi_values"  # wide: one KPI's values
    PERIOD_VALUES = "period_values"  # across: one period's values
    TOTAL = "total"  # a total column, left out
    IGNORED = "ignored"  # target, budget, unit of measure, anything else


class LayoutError(SpreadsheetError):
    """No table of KPI values could be found (or not in the layout asked for)."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(SpreadsheetErrorKind.NO_LAYOUT, template, **params)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_layout_error, (self.template, self.params))


def _rebuild_layout_error(template: str, params: dict[str, object]) -> LayoutError:
    return LayoutError(template, **params)


class YearSourceKind(StrEnum):
    COLUMN = "column"  # a year column in each row (long and wide)
    YEAR_ROW = "year_row"  # a row of years above the month row (across)
    TITLE = "title"
    SHEET = "sheet"
    FILE = "file"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class YearSource:
    """Where months (quarters, weeks) written without a year take theirs from."""

    kind: YearSourceKind
    year: int | None  # None for COLUMN and YEAR_ROW, where it varies
    text: str = ""  # the title, sheet name or file name it was read from


@dataclass(frozen=True, slots=True)
class PeriodColumn:
    """An across layout's period column. ``period`` is None when its year is unknown."""

    column: int
    label: str
    period: Period | None

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass(frozen=True, slots=True)
class KpiColumn:
    """A wide layout's KPI column; ``label`` is the header as written (``Omsättning (kr)``)."""

    column: int
    label: str

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass(frozen=True, slots=True)
class Layout:
    """How to read the KPI values of one sheet.

    Columns are 0-based sheet columns (``A`` = 0) and ``header_row`` a 0-based sheet row
    (``header_row_number`` is the row as the user sees it). A layout is immutable and
    picklable: the preview finds it, the wizard may show or change it (``dataclasses.replace``)
    and :func:`kpidesk.io.extract.read_records` reads by it.
    """

    kind: LayoutKind
    header_row: int
    roles: tuple[tuple[int, ColumnRole], ...]
    period_columns: tuple[PeriodColumn, ...] = ()
    kpi_columns: tuple[KpiColumn, ...] = ()
    frequency: PeriodKind = PeriodKind.MONTH
    year_source: YearSource | None = None
    notes: tuple[Message, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    fill_down: tuple[int, ...] = ()  # columns whose empty cells repeat the cell above
    labels: tuple[tuple[int, str], ...] = ()  # the header row's texts, by column
    kpi_label: str | None = None  # across without a KPI column: the one KPI's name
    sheet: str = ""  # the sheet it was found on

    @property
    def header_row_number(self) -> int:
        return self.header_row + 1

    @property
    def default_year(self) -> int | None:
        """The year for periods written without one (None: a year column or none at all)."""
        return self.year_source.year if self.year_source else None

    def column(self, role: ColumnRole) -> int | None:
        """The (first) column with ``role``, or None."""
        for column, column_role in self.roles:
            if column_role is role:
                return column
        return None

    def columns_with(self, role: ColumnRole) -> list[int]:
        return [column for column, column_role in self.roles if column_role is role]

    def label(self, column: int) -> str | None:
        """The header's text over ``column``."""
        for header_column, text in self.labels:
            if header_column == column:
                return text
        return None


# Header words -------------------------------------------------------------------------

ROLE_WORDS: dict[str, ColumnRole] = {}
for _role, _words in (
    (
        ColumnRole.PERIOD,
        "period|datum|date|tid|tidpunkt|time|redovisningsperiod|rapportperiod|reporting period|"
        "ar manad|manad ar|year month|month year|arsmanad|yyyy mm|ar mm|dag|day|veckodatum|"
        "manadsdatum|periodnamn",
    ),
    (ColumnRole.YEAR, "ar|year|yr|artal|verksamhetsar|rakenskapsar|fiscal year|fy|budgetar"),
    (ColumnRole.MONTH, "manad|month|man|mon|manadsnamn|month name|manadsnummer|manadsnr"),
    (ColumnRole.QUARTER, "kvartal|quarter|kv|q|qtr|kvartalsnummer"),
    (ColumnRole.WEEK, "vecka|week|v|vnr|veckonummer|veckonr|week number|wk|v nr"),
    (
        ColumnRole.KPI,
        "nyckeltal|kpi|kpi er|kpis|matt|measure|metric|metrics|indikator|indicator|nyckeltalsnamn|"
        "kpi namn|kpi name|nyckeltal namn|matetal|mattal|resultatmatt|parameter|variabel|"
        "variable|serie|series|measure name|metric name|indicator name|styrtal",
    ),
    (
        ColumnRole.UNIT,
        "enhet|butik|avdelning|region|store|department|unit|team|kontor|office|filial|branch|"
        "location|plats|ort|bolag|company|foretag|organisation|organization|org|"
        "kostnadsstalle|resultatenhet|site|anlaggning|verksamhet|division|segment|affarsomrade|"
        "business unit|sektion|grupp|group|kommun|land|country|distrikt|district|omrade|area|"
        "butiksnamn|enhetsnamn|avdelningsnamn|store name|unit name|department name|"
        "butik enhet|org enhet|organisationsenhet|ansvarsomrade|restaurang|salong|klinik|"
        "hotell|skola|mottagning|lager|warehouse|shop|outlet",
    ),
    (
        ColumnRole.VALUE,
        "varde|value|utfall|amount|actual|actuals|belopp|resultat|outcome|siffra|"
        "matvarde|faktiskt|verkligt|observation|utfallsvarde|varde utfall|actual value|"
        "verkligt utfall|reading",
    ),
    (
        ColumnRole.COMMENT,
        "kommentar|kommentarer|comment|comments|anteckning|anteckningar|notering|noteringar|"
        "not|note|notes|anmarkning|remark|remarks|forklaring|explanation|beskrivning|"
        "description|orsak|reason|analys",
    ),
    (
        ColumnRole.IGNORED,
        "mal|malvarde|target|budget|plan|prognos|forecast|mattenhet|unit of measure|uom|"
        "enhet matt|sort|valuta|currency|kalla|source|ansvarig|owner|id|nr|kod|code|"
        "status|trend|avvikelse|deviation|variance|diff|differens|index",
    ),
):
    for _word in _words.split("|"):
        ROLE_WORDS.setdefault(_word, _role)

_FILLER = frozenset({"namn", "name", "nr", "no", "nummer", "number", "id", "kod", "code", "och"})
_PERIOD_ROLES = frozenset(
    {ColumnRole.PERIOD, ColumnRole.YEAR, ColumnRole.MONTH, ColumnRole.QUARTER, ColumnRole.WEEK}
)
_PART_KIND = {
    ColumnRole.MONTH: PeriodKind.MONTH,
    ColumnRole.QUARTER: PeriodKind.QUARTER,
    ColumnRole.WEEK: PeriodKind.WEEK,
}


def header_role(text: CellValue) -> ColumnRole | None:
    """The role a header word gives its column (``Månad`` → MONTH, ``Butik`` → UNIT)."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_WORD_TEXT:
        return None
    name = normalise_name(text).name
    role = ROLE_WORDS.get(name)
    if role is not None:
        return role
    words = [w for w in name.split() if w not in _FILLER]
    if not words or len(words) > 3:
        return None
    roles = {ROLE_WORDS.get(word) for word in words}
    if len(roles) == 1:
        return roles.pop()
    return None


# Cells --------------------------------------------------------------------------------

_EMPTY, _NUMBER, _NUMTEXT, _DATE, _PERIODTEXT, _TEXT, _OTHER, _ERROR = range(8)
_DAY_MONTH_YEAR = re.compile(r"\d{1,2}[./-]\d{4}")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20|21)\d\d)(?!\d)")
_PROBE_YEAR = 2020  # a year with 53 ISO weeks, to read "v. 53" without a year


def _classify(value: CellValue) -> int:
    if value is None:
        return _EMPTY
    if isinstance(value, bool):
        return _OTHER
    if isinstance(value, int | float):
        return _NUMBER
    if isinstance(value, date):  # datetime too
        return _DATE
    if not isinstance(value, str):
        return _OTHER
    text = value.strip()
    if not text:
        return _EMPTY
    if len(text) > MAX_WORD_TEXT:
        return _TEXT
    if excel_error(text):
        return _ERROR
    if not _DAY_MONTH_YEAR.fullmatch(text):
        try:
            parse_number(text)
            return _NUMTEXT
        except NumberError:
            pass
    return _PERIODTEXT if _header_period(text) is not None else _TEXT


@dataclass(frozen=True, slots=True)
class _HeaderPeriod:
    """A period read from a header cell; ``needs_year`` when it was written without one."""

    kind: PeriodKind
    year: int
    number: int
    needs_year: bool

    def with_year(self, year: int) -> Period:
        return Period(self.kind, year, self.number)


def _header_period(value: CellValue, date_order: DateOrder = "probe") -> _HeaderPeriod | None:
    """A header cell read as a period: ``jan``, ``2026-01``, a date, ``Q1``, ``2026``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime | date):
        period = Period.of(value, PeriodKind.MONTH)
        return _HeaderPeriod(period.kind, period.year, period.number, False)
    if isinstance(value, int | float):
        if float(value).is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return _HeaderPeriod(PeriodKind.YEAR, int(value), 1, False)
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 30 or not any(ch.isalnum() for ch in text):
        return None
    if text.isdigit() and len(text) != 4 and len(text) != 6:
        return None  # "12" or "45000" in a header is no period
    try:
        period = parse_period(text, date_order=date_order)
        return _HeaderPeriod(period.kind, period.year, period.number, False)
    except PeriodError:
        pass
    try:
        period = parse_period(text, default_year=_PROBE_YEAR, date_order=date_order)
    except PeriodError:
        return None
    return _HeaderPeriod(period.kind, period.year, period.number, True)


def _text(value: CellValue) -> str:
    return value.strip() if isinstance(value, str) else display_value(value)


# Rows of one part of a period (long and wide) -----------------------------------------


class _NeedsYear(Exception):
    pass


def parse_row_period(
    value: CellValue,
    role: ColumnRole,
    *,
    frequency: PeriodKind,
    year: int | None,
    date_order: DateOrder | None = None,
) -> Period:
    """The period of one row from the cell in a PERIOD, MONTH, QUARTER or WEEK column.

    ``year`` is the row's year (from a year column) or the layout's default year. Numbers
    are read by the column's role: 3 in a month column is March, 202603 is March 2026.
    Raises :class:`PeriodError` with the domain's message.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.isdigit() and len(stripped) <= 6:
            value = int(stripped)
    if isinstance(value, int) and not isinstance(value, bool):
        kind = _PART_KIND.get(role)
        if kind is not None and value <= 53:
            if year is None:
                raise PeriodError(N_("“{text}” has no year."), text=str(value))
            return Period(kind, year, value)
        if 190001 <= value <= 220012 and 1 <= value % 100 <= 12:
            return Period.month(value // 100, value % 100)
        if role is ColumnRole.YEAR or MIN_YEAR <= value <= MAX_YEAR:
            return Period.whole_year(value)
        raise PeriodError(N_("“{text}” is not a period."), text=str(value))
    if isinstance(value, datetime | date):
        return Period.of(value, frequency)
    if isinstance(value, str):
        return parse_period(value, frequency=frequency, default_year=year, date_order=date_order)
    if isinstance(value, time):  # how a date cell holding a serial below 1 reads
        raise PeriodError(
            N_(
                "“{text}” is a time of day, not a date: a date cell holding a number below 1 "
                "(such as 0 or -1) reads as one, since Excel's dates begin with 1 "
                "(1 January 1900)."
            ),
            text=display_value(value),
        )
    raise PeriodError(N_("“{text}” is not a period."), text=display_value(value))


def row_year(value: CellValue) -> int | None:
    """The year in a year column's cell (2026, "2026", "FY 2026", a date), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if float(value).is_integer() and MIN_YEAR <= value <= MAX_YEAR:
            return int(value)
        return None
    if isinstance(value, datetime | date):
        return value.year
    if isinstance(value, str):
        years = set(_YEAR_IN_TEXT.findall(value))
        if len(years) == 1:
            year = int(years.pop())
            return year if MIN_YEAR <= year <= MAX_YEAR else None
    return None


# The grid -----------------------------------------------------------------------------


class _Grid:
    def __init__(self, rows: Sequence[Sequence[CellValue]]) -> None:
        self.rows: list[list[CellValue]] = []
        self.cut: tuple[int, int, CellValue] | None = None  # a cell past MAX_COLUMNS
        width = 0
        for number, row in enumerate(rows):
            row = list(row)
            if self.cut is None and len(row) > MAX_COLUMNS:
                beyond = next(
                    (j for j in range(MAX_COLUMNS, len(row)) if not is_blank(row[j])), None
                )
                if beyond is not None:
                    self.cut = (number, beyond, row[beyond])
            cells = [None if is_blank(v) else v for v in row[:MAX_COLUMNS]]
            while cells and cells[-1] is None:
                cells.pop()
            self.rows.append(cells)
            width = max(width, len(cells))
        self.width = width
        self._kinds: dict[int, list[int]] = {}
        self._nonempty: dict[int, list[int]] = {}

    def cell(self, row: int, column: int) -> CellValue:
        if 0 <= row < len(self.rows):
            cells = self.rows[row]
            if 0 <= column < len(cells):
                return cells[column]
        return None

    def kinds(self, row: int) -> list[int]:
        kinds = self._kinds.get(row)
        if kinds is None:
            kinds = self._kinds[row] = [_classify(v) for v in self.rows[row]]
        return kinds

    def kind(self, row: int, column: int) -> int:
        if not 0 <= row < len(self.rows):
            return _EMPTY
        kinds = self.kinds(row)
        return kinds[column] if 0 <= column < len(kinds) else _EMPTY

    def nonempty(self, row: int) -> list[int]:
        found = self._nonempty.get(row)
        if found is None:
            if not 0 <= row < len(self.rows):
                return []
            found = self._nonempty[row] = [j for j, v in enumerate(self.rows[row]) if v is not None]
        return found


@dataclass
class _Profile:
    """What a column holds in the sample rows below a header."""

    counts: Counter[int] = field(default_factory=Counter)
    texts: Counter[str] = field(default_factory=Counter)
    dates: list[date] = field(default_factory=list)

    @property
    def filled(self) -> int:
        return sum(n for kind, n in self.counts.items() if kind != _EMPTY)

    @property
    def numbers(self) -> int:
        return self.counts[_NUMBER] + self.counts[_NUMTEXT]

    @property
    def periods(self) -> int:
        return self.counts[_DATE] + self.counts[_PERIODTEXT]

    @property
    def text(self) -> int:
        return self.counts[_TEXT]

    def share(self, n: int) -> float:
        return n / self.filled if self.filled else 0.0


def _year_in(value: CellValue) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and 1990 <= value <= 2100 else None
    if isinstance(value, str):
        years = {int(y) for y in _YEAR_IN_TEXT.findall(value)}
        if len(years) == 1:
            return years.pop()
    return None


def _year_note(source: YearSource | None) -> Message | None:
    if source is None or source.year is None:
        return None
    if source.kind is YearSourceKind.TITLE:
        return Message.of(
            N_("Periods without a year are read as {year}, from the title “{text}”."),
            year=source.year,
            text=source.text,
        )
    if source.kind is YearSourceKind.SHEET:
        return Message.of(
            N_("Periods without a year are read as {year}, from the sheet name “{text}”."),
            year=source.year,
            text=source.text,
        )
    if source.kind is YearSourceKind.FILE:
        return Message.of(
            N_("Periods without a year are read as {year}, from the file name “{text}”."),
            year=source.year,
            text=source.text,
        )
    return Message.of(N_("Periods without a year are read as {year}, as chosen."), year=source.year)


def _missing_year_problem(sheet: str, row: int, column: int | None, value: str) -> ImportProblem:
    return ImportProblem(
        sheet,
        row + 1,
        column_letter(column) if column is not None else None,
        value,
        Message.of(MSG_MISSING_YEAR, text=value),
    )


def _total_column_note(column: int, label: str) -> Message:
    return Message.of(
        N_("Column {column} (“{label}”) is a total and was left out."),
        column=column_letter(column),
        label=label,
    )


def _is_text_column(profile: _Profile | None) -> bool:
    return profile is not None and profile.filled > 0 and profile.share(profile.text) >= 0.5


def _is_number_column(profile: _Profile | None) -> bool:
    if profile is None or profile.filled == 0:
        return False
    useful = profile.numbers + profile.counts[_ERROR]
    return useful >= 1 and useful / profile.filled >= 0.5


def _repeats(profile: _Profile) -> bool:
    distinct = len(profile.texts)
    return distinct >= 1 and distinct < profile.text


def _is_period_column(profile: _Profile | None) -> bool:
    if profile is None or profile.filled == 0:
        return False
    return profile.share(profile.periods) >= 0.7


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value
