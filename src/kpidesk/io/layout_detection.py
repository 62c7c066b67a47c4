"""Finding the table on a sheet: each row near the top tried as the header, each layout built
on it (long, wide, across) and scored; the best one wins. The layout's words and cells are
``io/layout.py``'s."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from kpidesk.domain.periods import (
    AmbiguousDateError,
    Period,
    PeriodError,
    PeriodKind,
    parse_period,
    slash_date_order,
)
from kpidesk.i18n import N_
from kpidesk.io.cells import CellValue, column_letter, display_value
from kpidesk.io.errors import (
    ImportProblem,
    Message,
)
from kpidesk.io.layout import (
    _DATE,
    _EMPTY,
    _ERROR,
    _NUMBER,
    _NUMTEXT,
    _PART_KIND,
    _PERIOD_ROLES,
    _PERIODTEXT,
    _PROBE_YEAR,
    _TEXT,
    _YEAR_IN_TEXT,
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_HEADER_CANDIDATES,
    SAMPLE_ROWS,
    ColumnRole,
    KpiColumn,
    Layout,
    LayoutError,
    LayoutKind,
    PeriodColumn,
    YearSource,
    YearSourceKind,
    _as_date,
    _Grid,
    _header_period,
    _HeaderPeriod,
    _is_number_column,
    _is_period_column,
    _is_text_column,
    _missing_year_problem,
    _Profile,
    _repeats,
    _text,
    _total_column_note,
    _year_in,
    _year_note,
    header_role,
    parse_row_period,
)
from kpidesk.io.names import fold, is_total_label

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
