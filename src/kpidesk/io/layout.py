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

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from kpidesk.domain.numbers import NumberError, parse_number
from kpidesk.domain.periods import (
    MAX_YEAR,
    MIN_YEAR,
    AmbiguousDateError,
    DateOrder,
    Period,
    PeriodError,
    PeriodKind,
    parse_period,
    slash_date_order,
)
from kpidesk.i18n import N_
from kpidesk.io.cells import CellValue, column_letter, display_value, excel_error, is_blank
from kpidesk.io.errors import (
    ImportProblem,
    Message,
    SpreadsheetError,
    SpreadsheetErrorKind,
)
from kpidesk.io.names import fold, is_total_label, normalise_name

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
    "detect_layout",
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


# Detection ----------------------------------------------------------------------------


@dataclass
class _Candidate:
    layout: Layout
    score: float


def detect_layout(
    rows: Sequence[Sequence[CellValue]],
    *,
    sheet_name: str,
    file_name: str,
    default_year: int | None = None,
    force: LayoutKind | str | None = None,
) -> Layout:
    """Find the table of KPI values in ``rows`` (the first rows of a sheet, from ``A1``).

    ``force`` asks for one layout (``long``, ``wide`` or ``across``). Raises
    :class:`LayoutError` when no table is found. Problems that concern the whole table
    (months without a year and no year anywhere) are in ``Layout.problems``.
    """
    grid = _Grid(rows)
    kinds = [LayoutKind(force)] if force else list(LayoutKind)
    context = _Context(grid, sheet_name, file_name, default_year)
    best: _Candidate | None = None
    scanned = 0
    tried = 0
    for header in range(len(grid.rows)):
        filled = grid.nonempty(header)
        if not filled:
            continue
        scanned += 1
        if scanned > HEADER_SCAN_ROWS:
            break
        cell_kinds = grid.kinds(header)
        numbers = sum(1 for j in filled if cell_kinds[j] in (_NUMBER, _NUMTEXT))
        if len(filled) < 2 or numbers > len(filled) - numbers:
            continue  # a header holds words or periods, not mostly numbers
        tried += 1
        if tried > MAX_HEADER_CANDIDATES:
            break
        profiles = context.profiles(header)
        for kind in kinds:
            builder = _BUILDERS[kind]
            candidate = builder(context, header, profiles)
            if candidate is not None and (best is None or candidate.score > best.score):
                best = candidate
    if best is None:
        if force:
            raise LayoutError(
                N_("No table in the “{layout}” layout was found on the sheet “{sheet}”."),
                layout=str(force),
                sheet=sheet_name,
            )
        raise LayoutError(
            N_("No table of KPI values was found on the sheet “{sheet}”."), sheet=sheet_name
        )
    if grid.cut is not None:
        row, column, value = grid.cut
        problem = ImportProblem(
            sheet_name,
            row + 1,
            column_letter(column),
            display_value(value),
            Message.of(
                MSG_TOO_MANY_COLUMNS, limit=MAX_COLUMNS, last=column_letter(MAX_COLUMNS - 1)
            ),
        )
        return replace(best.layout, problems=(*best.layout.problems, problem))
    return best.layout


MSG_TOO_MANY_COLUMNS = N_(
    "The sheet has data beyond column {last}; KPI Desk reads at most {limit} columns of a "
    "sheet. Split the sheet, or move these columns to another sheet."
)


class _Context:
    def __init__(
        self, grid: _Grid, sheet_name: str, file_name: str, default_year: int | None
    ) -> None:
        self.grid = grid
        self.sheet = sheet_name
        self.file = file_name
        self.default_year = default_year
        self._profiles: dict[int, dict[int, _Profile]] = {}
        self._words: dict[int, dict[int, ColumnRole]] = {}
        self._data_rows: dict[int, list[int]] = {}

    def profiles(self, header: int) -> dict[int, _Profile]:
        cached = self._profiles.get(header)
        if cached is not None:
            return cached
        grid = self.grid
        profiles: dict[int, _Profile] = {}
        for row in self.data_rows(header):
            cells = grid.rows[row]
            for j, kind in enumerate(grid.kinds(row)):
                if kind == _EMPTY:
                    continue
                profile = profiles.get(j)
                if profile is None:
                    profile = profiles[j] = _Profile()
                profile.counts[kind] += 1
                if kind == _TEXT:
                    profile.texts[str(cells[j]).strip()] += 1
                elif kind == _DATE and len(profile.dates) < SAMPLE_ROWS:
                    profile.dates.append(cells[j])  # type: ignore[arg-type]
        self._profiles[header] = profiles
        return profiles

    def data_rows(self, header: int) -> list[int]:
        cached = self._data_rows.get(header)
        if cached is None:
            cached = []
            for row in range(header + 1, len(self.grid.rows)):
                if self.grid.nonempty(row):
                    cached.append(row)
                    if len(cached) >= SAMPLE_ROWS:
                        break
            self._data_rows[header] = cached
        return cached

    # Years ------------------------------------------------------------------------------
    def fallback_year(self, header: int, skip_row: int | None = None) -> YearSource | None:
        """A year for periods without one: a title row, the sheet name, the file name or the
        caller's default, in that order."""
        title_years: set[int] = set()
        title_text = ""
        for row in range(0, header):
            if row == skip_row:
                continue
            for value in self.grid.rows[row]:
                if value is None:
                    continue
                year = _year_in(value)
                if year is not None:
                    title_years.add(year)
                    title_text = title_text or _text(value)
        if len(title_years) == 1:
            return YearSource(YearSourceKind.TITLE, title_years.pop(), title_text)
        for kind, text in ((YearSourceKind.SHEET, self.sheet), (YearSourceKind.FILE, self.file)):
            years = {int(y) for y in _YEAR_IN_TEXT.findall(text or "")}
            if len(years) == 1:
                return YearSource(kind, years.pop(), text)
        if self.default_year is not None:
            return YearSource(YearSourceKind.DEFAULT, self.default_year)
        return None

    def roles_from_words(self, header: int) -> dict[int, ColumnRole]:
        cached = self._words.get(header)
        if cached is None:
            cached = {}
            for j in self.grid.nonempty(header):
                role = header_role(self.grid.cell(header, j))
                if role is not None:
                    cached[j] = role
            self._words[header] = cached
        return dict(cached)


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


def _frequency(role: ColumnRole | None, header_text: str, profile: _Profile | None) -> PeriodKind:
    if role is ColumnRole.WEEK:
        return PeriodKind.WEEK
    if role is ColumnRole.QUARTER:
        return PeriodKind.QUARTER
    if role is ColumnRole.YEAR:
        return PeriodKind.YEAR
    folded = fold(header_text)
    if any(word in folded for word in ("vecka", "week")):
        return PeriodKind.WEEK
    if any(word in folded for word in ("kvartal", "quarter")):
        return PeriodKind.QUARTER
    if profile is not None and len(profile.dates) >= 2:
        days = sorted({_as_date(d) for d in profile.dates})
        gaps = {b - a for a, b in itertools.pairwise(days)}
        month_ends = all((d + timedelta(days=1)).day == 1 for d in days)
        month_starts = all(d.day == 1 for d in days)
        weekdays = {d.weekday() for d in days}
        if gaps and min(gaps).days == 7 and len(weekdays) == 1 and not (month_starts or month_ends):
            return PeriodKind.WEEK
    return PeriodKind.MONTH


@dataclass
class _RowPeriodPlan:
    roles: dict[int, ColumnRole]
    frequency: PeriodKind
    year_source: YearSource | None
    notes: list[Message]
    problems: list[ImportProblem]


def _plan_row_periods(
    context: _Context, header: int, word_roles: dict[int, ColumnRole], profiles: dict[int, _Profile]
) -> _RowPeriodPlan | None:
    """Which columns give each row its period (long and wide layouts)."""
    grid = context.grid
    roles: dict[int, ColumnRole] = {}
    period_cols = [j for j, r in word_roles.items() if r is ColumnRole.PERIOD]
    year_cols = [j for j, r in word_roles.items() if r is ColumnRole.YEAR]
    part_cols = [j for j, r in word_roles.items() if r in _PART_KIND]
    if period_cols:
        # "Datum" holding dates, or "Period" holding "2026-03"; must hold periods.
        column = period_cols[0]
        profile = profiles.get(column)
        if (
            profile is None
            or profile.filled == 0
            or profile.share(profile.periods + profile.numbers) < 0.5
        ):
            return None
        roles[column] = ColumnRole.PERIOD
    elif part_cols:
        roles[part_cols[0]] = word_roles[part_cols[0]]
        if year_cols:
            roles[year_cols[0]] = ColumnRole.YEAR
    elif year_cols:
        column = year_cols[0]
        profile = profiles.get(column)
        if profile is None or profile.filled == 0:
            return None
        roles[column] = ColumnRole.PERIOD  # a year column alone: yearly values
    else:
        candidates = [
            j
            for j, profile in sorted(profiles.items())
            if j not in word_roles and _is_period_column(profile)
        ]
        if not candidates:
            return None
        roles[candidates[0]] = ColumnRole.PERIOD
    main = next(j for j, r in roles.items() if r is not ColumnRole.YEAR)
    frequency = _frequency(roles[main], _text(grid.cell(header, main)), profiles.get(main))
    if roles[main] is ColumnRole.PERIOD and word_roles.get(main) is ColumnRole.YEAR:
        frequency = PeriodKind.YEAR
    if not _periods_parse(context, header, main, roles[main], frequency):
        return None  # a "Year" column holding "06-07", a "Date" column of names…

    notes: list[Message] = []
    problems: list[ImportProblem] = []
    year_source: YearSource | None = None
    if ColumnRole.YEAR in roles.values():
        year_source = YearSource(YearSourceKind.COLUMN, None)
    else:
        # Do the sample's periods need a year?
        needs_year = None
        for row in context.data_rows(header):
            value = grid.cell(row, main)
            if value is None:
                continue
            try:
                parse_row_period(
                    value, roles[main], frequency=frequency, year=None, date_order="probe"
                )
            except PeriodError:
                try:
                    parse_row_period(
                        value,
                        roles[main],
                        frequency=frequency,
                        year=_PROBE_YEAR,
                        date_order="probe",
                    )
                    needs_year = (row, _text(value))
                    break
                except PeriodError:
                    continue
        if needs_year is not None:
            year_source = context.fallback_year(header)
            note = _year_note(year_source)
            if note is not None:
                notes.append(note)
            else:
                problems.append(
                    _missing_year_problem(context.sheet, needs_year[0], main, needs_year[1])
                )
    return _RowPeriodPlan(roles, frequency, year_source, notes, problems)


def _periods_parse(
    context: _Context, header: int, column: int, role: ColumnRole, frequency: PeriodKind
) -> bool:
    """Whether most of the sample's cells in ``column`` read as periods (a year may be
    missing: that is a problem of its own, not a reason to doubt the column)."""
    tried = parsed = 0
    for row in context.data_rows(header)[:60]:
        value = context.grid.cell(row, column)
        if value is None or is_total_label(value):
            continue
        tried += 1
        try:
            parse_row_period(value, role, frequency=frequency, year=_PROBE_YEAR, date_order="probe")
            parsed += 1
        except (PeriodError, ValueError):
            pass
    return tried > 0 and parsed >= 0.6 * tried


def _header_total_columns(
    context: _Context, header: int, columns: list[int]
) -> tuple[list[int], list[Message]]:
    kept, notes = [], []
    for j in columns:
        value = context.grid.cell(header, j)
        if is_total_label(value):
            notes.append(_total_column_note(j, _text(value)))
        else:
            kept.append(j)
    return kept, notes


def _sample_numbers(
    context: _Context, header: int, columns: list[int], label_column: int | None
) -> int:
    """How many numbers the sample rows hold in ``columns`` (rows with a label, if given)."""
    grid = context.grid
    count = 0
    for row in context.data_rows(header):
        if label_column is not None:
            label = grid.cell(row, label_column)
            if label is None or is_total_label(label):
                continue
        for j in columns:
            kind = grid.kind(row, j)
            if kind in (_NUMBER, _NUMTEXT, _ERROR):
                count += 1
    return count


def _build_long(context: _Context, header: int, profiles: dict[int, _Profile]) -> _Candidate | None:
    grid = context.grid
    words = context.roles_from_words(header)
    kpi_cols = [j for j, r in words.items() if r is ColumnRole.KPI]
    if not kpi_cols:
        return None
    kpi = kpi_cols[0]
    if not _is_text_column(profiles.get(kpi)) and (
        profiles.get(kpi) is None or profiles[kpi].filled == 0
    ):
        return None
    value_cols = [
        j for j, r in words.items() if r is ColumnRole.VALUE and _is_number_column(profiles.get(j))
    ]
    if value_cols:
        value = value_cols[0]
    else:
        numeric = [
            j
            for j, profile in sorted(profiles.items())
            if j not in words and _is_number_column(profile)
        ]
        if len(numeric) != 1:
            return None
        value = numeric[0]
    plan = _plan_row_periods(
        context, header, {j: r for j, r in words.items() if j not in (kpi, value)}, profiles
    )
    if plan is None:
        return None
    roles = dict(plan.roles)
    roles[kpi] = ColumnRole.KPI
    roles[value] = ColumnRole.VALUE
    fill = [kpi]
    unit_cols = [j for j, r in words.items() if r is ColumnRole.UNIT and j not in roles]
    if unit_cols:
        roles[unit_cols[0]] = ColumnRole.UNIT
        fill.append(unit_cols[0])
    comment_cols = [j for j, r in words.items() if r is ColumnRole.COMMENT and j not in roles]
    if comment_cols:
        roles[comment_cols[0]] = ColumnRole.COMMENT
    for j in grid.nonempty(header):
        roles.setdefault(j, ColumnRole.IGNORED)
    score = _sample_numbers(context, header, [value], kpi) + 2 * len(words)
    layout = Layout(
        kind=LayoutKind.LONG,
        header_row=header,
        roles=tuple(sorted(roles.items())),
        frequency=plan.frequency,
        year_source=plan.year_source,
        notes=tuple(plan.notes),
        problems=tuple(plan.problems),
        fill_down=tuple(fill),
        labels=_labels(grid, header),
        sheet=context.sheet,
    )
    return _Candidate(layout, score)


def _build_wide(context: _Context, header: int, profiles: dict[int, _Profile]) -> _Candidate | None:
    grid = context.grid
    words = context.roles_from_words(header)
    if any(r is ColumnRole.KPI for r in words.values()):
        return None  # a KPI column means one row per value: long
    plan = _plan_row_periods(context, header, words, profiles)
    if plan is None:
        return None
    roles = dict(plan.roles)
    unit_cols = [j for j, r in words.items() if r is ColumnRole.UNIT and j not in roles]
    comment_cols = [j for j, r in words.items() if r is ColumnRole.COMMENT and j not in roles]
    unit = unit_cols[0] if unit_cols else None
    if unit is None:
        for j, profile in sorted(profiles.items()):
            if j not in roles and j not in words and _is_text_column(profile) and _repeats(profile):
                unit = j
                break
    if unit is not None:
        roles[unit] = ColumnRole.UNIT
    if comment_cols:
        roles[comment_cols[0]] = ColumnRole.COMMENT
    candidates = []
    for j in grid.nonempty(header):
        if j in roles:
            continue
        label = grid.cell(header, j)
        role = words.get(j)
        if role is not None and role is not ColumnRole.VALUE:
            roles[j] = ColumnRole.IGNORED
            continue
        if grid.kind(header, j) not in (_TEXT, _PERIODTEXT) and not isinstance(label, str):
            roles[j] = ColumnRole.IGNORED
            continue
        if _is_number_column(profiles.get(j)):
            candidates.append(j)
        else:
            roles[j] = ColumnRole.IGNORED
    kept, notes = _header_total_columns(context, header, candidates)
    for j in candidates:
        roles[j] = ColumnRole.KPI_VALUES if j in kept else ColumnRole.TOTAL
    if not kept:
        return None
    kpis = tuple(KpiColumn(j, _text(grid.cell(header, j))) for j in kept)
    score = _sample_numbers(context, header, kept, None) + 2 * len(words)
    layout = Layout(
        kind=LayoutKind.WIDE,
        header_row=header,
        roles=tuple(sorted(roles.items())),
        kpi_columns=kpis,
        frequency=plan.frequency,
        year_source=plan.year_source,
        notes=tuple(notes + plan.notes),
        problems=tuple(plan.problems),
        fill_down=(unit,) if unit is not None else (),
        labels=_labels(grid, header),
        sheet=context.sheet,
    )
    return _Candidate(layout, score)


def _build_across(
    context: _Context, header: int, profiles: dict[int, _Profile]
) -> _Candidate | None:
    grid = context.grid
    words = context.roles_from_words(header)
    periods: dict[int, _HeaderPeriod] = {}
    totals: list[int] = []
    for j in grid.nonempty(header):
        value = grid.cell(header, j)
        if j in words and words[j] not in _PERIOD_ROLES:
            continue
        if is_total_label(value):
            totals.append(j)
            continue
        period = _header_period(value)
        if period is not None:
            periods[j] = period
    if len(periods) < 2:
        return None
    ambiguous = _settle_header_dates(grid, header, periods)
    first = min(periods)
    # The labels: text columns left of the periods.
    label_cols = [
        j for j in range(first) if j not in words or words[j] in (ColumnRole.KPI, ColumnRole.UNIT)
    ]
    label_cols = [
        j
        for j in label_cols
        if _is_text_column(profiles.get(j)) or words.get(j) in (ColumnRole.KPI, ColumnRole.UNIT)
    ]
    kpi_words = [j for j in label_cols if words.get(j) is ColumnRole.KPI]
    unit_words = [j for j in label_cols if words.get(j) is ColumnRole.UNIT]
    kpi: int | None
    kpi_label: str | None = None
    if kpi_words:
        kpi = kpi_words[0]
    else:
        others = [j for j in label_cols if j not in unit_words]
        if not others:
            if not unit_words:
                return None
            # Units down the side and no KPI column: one KPI, named by the sheet.
            kpi, kpi_label = None, context.sheet
        elif len(others) >= 2 and not unit_words:
            # Two text columns: the one whose values repeat (Butik A, Butik A…) is the unit.
            repeating = [j for j in others if _repeats(profiles[j])]
            kpi = next((j for j in others if j not in repeating), others[-1])
        else:
            kpi = others[-1] if unit_words else others[0]
    roles: dict[int, ColumnRole] = {kpi: ColumnRole.KPI} if kpi is not None else {}
    unit: int | None = None
    if unit_words:
        unit = unit_words[0]
    else:
        rest = [
            j
            for j in label_cols
            if j != kpi and profiles.get(j) is not None and _repeats(profiles[j])
        ]
        if rest:
            unit = rest[0]
    if unit is not None:
        roles[unit] = ColumnRole.UNIT
    for j in grid.nonempty(header):
        if j in roles or j in periods:
            continue
        if words.get(j) is ColumnRole.COMMENT and ColumnRole.COMMENT not in roles.values():
            roles[j] = ColumnRole.COMMENT
        elif j in totals:
            roles[j] = ColumnRole.TOTAL
        else:
            roles[j] = ColumnRole.IGNORED

    # Years for the periods written without one.
    notes = [_total_column_note(j, _text(grid.cell(header, j))) for j in totals]
    problems: list[ImportProblem] = []
    needs_year = [j for j, p in sorted(periods.items()) if p.needs_year]
    year_row_years: dict[int, int] = {}
    source: YearSource | None = None
    if needs_year:
        year_row_years = _year_row(grid, header, needs_year)
        if year_row_years:
            source = YearSource(YearSourceKind.YEAR_ROW, None, "")
        missing = [j for j in needs_year if j not in year_row_years]
        if missing:
            fallback = context.fallback_year(
                header, skip_row=header - 1 if year_row_years else None
            )
            if fallback is not None:
                source = fallback
                note = _year_note(fallback)
                if note is not None:
                    notes.append(note)
            else:
                problems.append(
                    _missing_year_problem(
                        context.sheet, header, missing[0], _text(grid.cell(header, missing[0]))
                    )
                )
    period_columns = []
    for j, hp in sorted(periods.items()):
        resolved: Period | None
        if j in ambiguous:
            resolved = None
            problems.append(
                ImportProblem(
                    context.sheet,
                    header + 1,
                    column_letter(j),
                    _text(grid.cell(header, j)),
                    Message.from_error(ambiguous[j]),
                )
            )
        elif not hp.needs_year:
            resolved = hp.with_year(hp.year)
        else:
            year = year_row_years.get(j, source.year if source is not None else None)
            try:
                resolved = hp.with_year(year) if year is not None else None
            except PeriodError:
                resolved = None
        period_columns.append(PeriodColumn(j, _text(grid.cell(header, j)), resolved))
        roles[j] = ColumnRole.PERIOD_VALUES
    value_cols = [pc.column for pc in period_columns]
    label_column = kpi if kpi is not None else unit
    score = (
        _sample_numbers(context, header, value_cols, label_column) + 2 * len(words) + len(periods)
    )
    if kpi_label is not None:
        notes.append(
            Message.of(
                N_("The sheet has no KPI column; its values are read as the KPI “{kpi}”."),
                kpi=kpi_label,
            )
        )
    if score <= len(periods) + 2 * len(words):
        return None  # no numbers below the periods
    layout = Layout(
        kind=LayoutKind.ACROSS,
        header_row=header,
        roles=tuple(sorted(roles.items())),
        period_columns=tuple(period_columns),
        frequency=_across_frequency(period_columns),
        year_source=source,
        notes=tuple(notes),
        problems=tuple(problems),
        fill_down=(unit,) if unit is not None and kpi is not None else (),
        labels=_labels(grid, header),
        sheet=context.sheet,
        kpi_label=kpi_label,
    )
    return _Candidate(layout, score)


def _settle_header_dates(
    grid: _Grid, header: int, periods: dict[int, _HeaderPeriod]
) -> dict[int, AmbiguousDateError]:
    """Read the header's dates like ``3/4/2026`` in the order its other dates show (a part
    above 12 says which is the day); those it cannot settle are returned, by column."""
    texts = {j: _text(grid.cell(header, j)) for j in periods}
    orders = {slash_date_order(text) for text in texts.values()} - {None}
    order = next(iter(orders)) if len(orders) == 1 else None
    ambiguous: dict[int, AmbiguousDateError] = {}
    for j, text in texts.items():
        try:
            parse_period(text, date_order=order)
        except AmbiguousDateError as error:
            ambiguous[j] = error
        except PeriodError:
            continue
        else:
            settled = _header_period(text, date_order=order) if order else None
            if settled is not None:
                periods[j] = settled
    return ambiguous


def _across_frequency(columns: list[PeriodColumn]) -> PeriodKind:
    kinds = Counter(pc.period.kind for pc in columns if pc.period is not None)
    return kinds.most_common(1)[0][0] if kinds else PeriodKind.MONTH


def _year_row(grid: _Grid, header: int, columns: list[int]) -> dict[int, int]:
    """Years written in the row above the month row: each month takes the nearest year at or
    left of its column (a merged cell keeps its value in its first column)."""
    if header == 0:
        return {}
    row = header - 1
    while row >= 0 and not grid.nonempty(row):
        row -= 1
    if row < 0:
        return {}
    cells = grid.rows[row]
    years: dict[int, int] = {}
    for j in columns:
        for k in range(min(j, len(cells) - 1), -1, -1):
            value = cells[k]
            if value is None:
                continue
            year = _year_in(value) if k >= min(columns) or isinstance(value, int | float) else None
            if year is not None:
                years[j] = year
            break
    # A single title cell far to the left ("Budget 2026" in A1) is a title, not a year row.
    return years if any(k >= min(columns) for k in _filled(cells)) else {}


def _labels(grid: _Grid, header: int) -> tuple[tuple[int, str], ...]:
    return tuple((j, _text(grid.cell(header, j))) for j in grid.nonempty(header))


def _filled(cells: list[CellValue]) -> list[int]:
    return [k for k, v in enumerate(cells) if v is not None]


_BUILDERS = {
    LayoutKind.LONG: _build_long,
    LayoutKind.WIDE: _build_wide,
    LayoutKind.ACROSS: _build_across,
}
