"""What goes into a review pack, a PDF report or a data template, read from the open workspace.

Builds the plain data of :mod:`kpidesk.io.report_model` (and the template's rows); writers in
``io`` (Excel) and ``ui.render`` (PDF, chart images) turn it into files. Reading is quick, and
it is the only part of an export that touches the workspace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction, ThresholdMode, Thresholds, status_of
from kpidesk.domain.strategy_layout import StrategyMap
from kpidesk.i18n import N_, gettext_for
from kpidesk.io.report_model import (
    ActionLine,
    CommentLine,
    DecisionLine,
    KpiInfo,
    KpiSection,
    PeriodRow,
    ReportContent,
    ReviewInfo,
    ScoreLine,
    UnitSeries,
)
from kpidesk.io.template import TemplateKpi, TemplateRow, TemplateSpec
from kpidesk.services.overview import unit_tree
from kpidesk.services.reviews.best import best_practice_text, milestone_text, tip_text
from kpidesk.services.scorecard import (
    SPARKLINE_LENGTH,
    KpiSpec,
    RollUp,
    build_scorecard,
    load_rollup,
    shown_period_for,
)
from kpidesk.services.strategy import strategy_map
from kpidesk.store import models, queries

OPEN_ACTION_STATES = ("open", "in_progress")
_ACTION_ORDER = {"open": 0, "in_progress": 0, "done": 1, "cancelled": 2}


class ReportError(DomainError):
    exit_code = 1


class UnknownUnitError(ReportError):
    exit_code = 2


def default_history(kind: PeriodKind) -> int:
    """How many periods a KPI's table shows by default: a year and the same period before."""
    return SPARKLINE_LENGTH[kind]


def root_unit_ids() -> list[int]:
    return [unit.id for unit in unit_tree() if unit.parent_id is None]


def leaf_unit_ids() -> list[int]:
    """The units data is entered for: those without sub-units."""
    units = unit_tree()
    parents = {unit.parent_id for unit in units}
    return [unit.id for unit in units if unit.id not in parents]


def unit_ids_by_names(names: Iterable[str]) -> list[int]:
    """The ids of the units named (without regard to case), in the order given."""
    by_name: dict[str, int] = {}
    for unit in unit_tree():
        by_name.setdefault(unit.name.casefold(), unit.id)
    result = []
    for name in names:
        unit_id = by_name.get(name.strip().casefold())
        if unit_id is None:
            raise UnknownUnitError(N_("There is no unit named “{name}”."), name=name)
        if unit_id not in result:
            result.append(unit_id)
    return result


def _settings() -> models.WorkspaceSettings:
    return models.WorkspaceSettings.get()


def _kpi_info(spec: KpiSpec, definition: str) -> KpiInfo:
    return KpiInfo(
        id=spec.id,
        code=spec.code,
        name=spec.name,
        measure_unit=spec.measure_unit,
        decimals=spec.decimals,
        direction=spec.direction,
        frequency=spec.frequency,
        unit_label=spec.unit_label,
        owner=spec.owner,
        definition=definition,
    )


def _first_year(period: Period, history: int | None) -> int:
    """The first year whose data the pack needs (history, last year, year to date)."""
    first = period.start.year - 2
    for kind in PeriodKind:
        shown = shown_period_for(period, kind)
        count = history or default_history(kind)
        first = min(first, shown.shift(-(count - 1)).start.year - 1)
    return first


def _status(spec: KpiSpec, value: float | None, target: tuple[float, float | None] | None):
    if target is None:
        return status_of(value, None, spec.direction)
    return status_of(value, target[0], spec.direction, spec.thresholds, target_high=target[1])


def build_report_content(
    period: Period,
    unit_ids: Sequence[int] | None = None,
    *,
    history: int | None = None,
    generated_on: date | None = None,
    kpi_ids: Sequence[int] | None = None,
    language: str | None = None,
) -> ReportContent:
    """The scorecard, the KPI tables, decisions and actions of ``period`` for ``unit_ids``.

    ``unit_ids`` defaults to the top unit (the whole organisation). ``history`` is how many
    of each KPI's periods its table shows (default: 13 months, 8 quarters, 13 weeks or 5
    years). Decisions are those of the reviews of the twelve months up to ``period``;
    actions are every open one and those from the same reviews.
    """
    settings = _settings()
    units = {unit.id: unit.name for unit in unit_tree()}
    chosen = list(unit_ids) if unit_ids else root_unit_ids()
    missing = [unit_id for unit_id in chosen if unit_id not in units]
    if missing:
        raise UnknownUnitError(N_("There is no unit named “{name}”."), name=str(missing[0]))
    generated_on = generated_on or date.today()
    rollup = load_rollup(_first_year(period, history), period.end.year)
    texts = queries.kpi_texts()
    comments = _measurement_comments(period, history)

    scorecard: list[ScoreLine] = []
    sections: dict[int, KpiSection] = {}
    series_by_kpi: dict[int, list[UnitSeries]] = defaultdict(list)
    infos: dict[int, KpiInfo] = {}
    wanted = set(kpi_ids) if kpi_ids is not None else None
    for unit_id in chosen:
        card = build_scorecard(
            period,
            unit_id,
            fiscal_start_month=settings.fiscal_year_start_month,
            rollup=rollup,
        )
        for row in card.rows:
            spec = row.kpi
            if wanted is not None and spec.id not in wanted:
                continue
            info = infos.setdefault(spec.id, _kpi_info(spec, texts.get(spec.id, ("", ""))[0]))
            scorecard.append(
                ScoreLine(
                    kpi=info,
                    unit=units[unit_id],
                    period=row.shown_period,
                    value=row.value,
                    target=row.target,
                    target_high=row.target_high,
                    status=row.status,
                    previous_value=row.previous_value,
                    last_year_value=row.last_year_value,
                    ytd_value=row.ytd_value,
                    ytd_target=row.ytd_target,
                    ytd_status=row.ytd_status,
                    comment=comments.get((spec.id, unit_id, row.shown_period.key), ""),
                )
            )
            series_by_kpi[spec.id].append(
                _unit_series(
                    rollup, spec, unit_id, units[unit_id], row.shown_period, history, comments
                )
            )
    for kpi_id, info in infos.items():
        sections[kpi_id] = KpiSection(info, tuple(series_by_kpi[kpi_id]))

    window = _reviews_in_window(period)
    return ReportContent(
        strategy=_strategy(period, chosen[0] if len(chosen) == 1 else None, language),
        workspace_name=settings.name,
        period=period,
        units=tuple(units[unit_id] for unit_id in chosen),
        generated_on=generated_on,
        currency=settings.currency,
        scorecard=tuple(scorecard),
        sections=tuple(sections.values()),
        decisions=_decisions(window),
        actions=_actions(window, generated_on),
    )


def _measurement_comments(period: Period, history: int | None) -> dict[tuple[int, int, str], str]:
    return {
        (kpi_id, unit_id, key): comment
        for kpi_id, unit_id, key, comment in queries.measurement_comments_in_years(
            _first_year(period, history), period.end.year
        )
    }


def _unit_series(
    rollup: RollUp,
    spec: KpiSpec,
    unit_id: int,
    unit_name: str,
    shown: Period,
    history: int | None,
    comments: dict[tuple[int, int, str], str],
) -> UnitSeries:
    count = history or default_history(shown.kind)
    rows = []
    for offset in range(-(count - 1), 1):
        each = shown.shift(offset)
        value = rollup.value(spec.id, unit_id, each)
        target = rollup.target(spec.id, unit_id, each)
        rows.append(
            PeriodRow(
                period=each,
                value=value,
                target=target[0] if target else None,
                target_high=target[1] if target else None,
                status=_status(spec, value, target),
                comment=comments.get((spec.id, unit_id, each.key), ""),
            )
        )
    return UnitSeries(unit_name, tuple(rows))


def _reviews_in_window(period: Period) -> dict[int, tuple[str, Period]]:
    """The reviews of the twelve months up to the end of ``period``: id → (title, period)."""
    start = period.end - timedelta(days=365)
    result: dict[int, tuple[str, Period]] = {}
    for review_id, title, key in models.Review.select(
        models.Review.id, models.Review.title, models.Review.period
    ).tuples():
        try:
            review_period = Period.from_key(key)
        except DomainError:
            continue
        if start < review_period.end <= period.end:
            result[review_id] = (title, review_period)
    return result


def _names() -> tuple[dict[int, str], dict[int, str]]:
    kpis = dict(models.Kpi.select(models.Kpi.id, models.Kpi.name).tuples())
    goals = dict(models.Goal.select(models.Goal.id, models.Goal.title).tuples())
    return kpis, goals


def _decisions(window: dict[int, tuple[str, Period]]) -> tuple[DecisionLine, ...]:
    if not window:
        return ()
    kpis, goals = _names()
    rows = []
    for decision in models.Decision.select().where(models.Decision.review.in_(list(window))):
        title, review_period = window[decision.review_id]
        rows.append(
            (
                review_period,
                decision.decided_on or date.min,
                decision.id,
                DecisionLine(
                    text=decision.text,
                    decided_on=decision.decided_on,
                    decided_by=decision.decided_by,
                    kpi=kpis.get(decision.kpi_id, "") if decision.kpi_id else "",
                    goal=goals.get(decision.goal_id, "") if decision.goal_id else "",
                    review=title,
                ),
            )
        )
    rows.sort(key=lambda item: (item[0], item[1], item[2]), reverse=True)
    return tuple(item[3] for item in rows)


def _actions(window: dict[int, tuple[str, Period]], today: date) -> tuple[ActionLine, ...]:
    kpis, goals = _names()
    reviews = dict(models.Review.select(models.Review.id, models.Review.title).tuples())
    rows = []
    for action in models.Action.select():
        if action.status not in OPEN_ACTION_STATES and action.review_id not in window:
            continue
        overdue = (
            action.status in OPEN_ACTION_STATES
            and action.due_date is not None
            and action.due_date < today
        )
        rows.append(
            ActionLine(
                title=action.title,
                status=action.status,
                owner=action.owner,
                due_date=action.due_date,
                kpi=kpis.get(action.kpi_id, "") if action.kpi_id else "",
                goal=goals.get(action.goal_id, "") if action.goal_id else "",
                review=reviews.get(action.review_id, "") if action.review_id else "",
                description=action.description,
                overdue=overdue,
            )
        )
    rows.sort(
        key=lambda a: (
            _ACTION_ORDER.get(a.status, 3),
            not a.overdue,
            a.due_date or date.max,
            a.title.casefold(),
        )
    )
    return tuple(rows)


# Data templates ---------------------------------------------------------------------------


def template_periods(period: Period, frequency: PeriodKind) -> list[Period]:
    """A KPI's periods in a template for ``period``: those inside it, or the one holding it."""
    if frequency is period.kind or frequency.is_finer_than(period.kind):
        return period.subperiods(frequency)
    return [period.to(frequency)]


def build_template_spec(
    period: Period,
    unit_ids: Sequence[int] | None = None,
    *,
    kpi_ids: Sequence[int] | None = None,
    prefill: bool = False,
) -> TemplateSpec:
    """The rows of a data template: every entered KPI × unit × period, by unit, KPI, period.

    Calculated and archived KPIs are left out (their values are not typed). ``unit_ids``
    defaults to the units without sub-units, where data is entered. With ``prefill`` the
    values and comments already stored are filled in.
    """
    settings = _settings()
    units = {unit.id: unit.name for unit in unit_tree()}
    chosen = list(unit_ids) if unit_ids else leaf_unit_ids()
    wanted = set(kpi_ids) if kpi_ids is not None else None
    texts = queries.kpi_texts()
    kpis = []
    for kpi in models.Kpi.select().order_by(models.Kpi.sort_order, models.Kpi.code):
        if kpi.archived_at is not None or kpi.formula.strip():
            continue
        if wanted is not None and kpi.id not in wanted:
            continue
        kpis.append(kpi)
    periods = {kpi.id: template_periods(period, PeriodKind(kpi.frequency)) for kpi in kpis}
    stored: dict[tuple[int, int, str], tuple[float, str]] = {}
    if prefill:
        stored = queries.stored_values_for_template(
            [kpi.id for kpi in kpis],
            chosen,
            {p.key for each in periods.values() for p in each},
        )
    template_kpis = {
        kpi.id: TemplateKpi(
            code=kpi.code,
            name=kpi.name,
            measure_unit=kpi.measure_unit,
            decimals=kpi.decimals,
            frequency=PeriodKind(kpi.frequency),
            unit_label=kpi.unit_label,
            definition=texts.get(kpi.id, ("", ""))[0],
        )
        for kpi in kpis
    }
    rows = []
    for unit_id in chosen:
        for kpi in kpis:
            for each in periods[kpi.id]:
                value, comment = stored.get((kpi.id, unit_id, each.key), (None, ""))
                rows.append(
                    TemplateRow(each, template_kpis[kpi.id], units[unit_id], value, comment)
                )
    return TemplateSpec(
        workspace_name=settings.name,
        period=period,
        kpis=tuple(template_kpis.values()),
        units=tuple(units[unit_id] for unit_id in chosen),
        rows=tuple(rows),
        currency=settings.currency,
    )


# A review's pack ---------------------------------------------------------------------------


def content_from_review(
    review: Any, *, today: date | None = None, language: str | None = None
) -> ReportContent:
    """A review's pack as it was presented, from ``services.reviews.review_content``.

    The scorecard holds the agenda's figures (for a closed review, those of its snapshot)
    unit by unit in the agenda's order, off target first; each KPI's section has the
    review's recent periods and its comment; decisions and actions are the review's own,
    followed by the earlier reviews' actions it brought up. Warnings (red KPIs without an
    action) become notes on the cover, in ``language``.
    """
    _ = gettext_for(language)
    settings = _settings()
    texts = queries.kpi_texts()
    thresholds = {
        kpi.id: Thresholds(kpi.amber_margin, ThresholdMode(kpi.threshold_mode))
        for kpi in models.Kpi.select(
            models.Kpi.id, models.Kpi.amber_margin, models.Kpi.threshold_mode
        )
    }
    frequencies = dict(models.Kpi.select(models.Kpi.id, models.Kpi.frequency).tuples())
    infos: dict[int, KpiInfo] = {}
    sections: list[KpiSection] = []
    figures_by_unit: dict[str, list[tuple[KpiInfo, Any, str]]] = defaultdict(list)
    for item in review.items:
        shown = _figure_period(item.figures)
        frequency = (
            shown.kind
            if shown is not None
            else PeriodKind(frequencies.get(item.kpi_id, PeriodKind.MONTH.value))
        )
        info = KpiInfo(
            id=item.kpi_id,
            code=item.code,
            name=item.name,
            measure_unit=item.measure_unit,
            decimals=item.decimals,
            direction=Direction(item.direction),
            frequency=frequency,
            unit_label=item.unit_label,
            owner=item.owner,
            definition=texts.get(item.kpi_id, ("", ""))[0],
        )
        infos[item.kpi_id] = info
        comment = item.comment.text if item.comment is not None else ""
        series = []
        for figure in item.figures:
            figures_by_unit[figure.unit].append((info, figure, comment))
            series.append(_review_series(info, figure, thresholds.get(item.kpi_id, Thresholds())))
        comments = ()
        if item.comment is not None:
            comments = (CommentLine(item.comment.text, item.comment.author, item.name),)
        sections.append(
            KpiSection(
                info,
                tuple(series),
                comments,
                best_practice_text(item, review.currency, language),
                tuple(tip_text(tip, language) for tip in getattr(item, "tips", ())),
            )
        )

    scorecard = []
    for unit in (*review.units, *(u for u in figures_by_unit if u not in review.units)):
        for info, figure, comment in figures_by_unit.get(unit, []):
            scorecard.append(
                ScoreLine(
                    kpi=info,
                    unit=figure.unit,
                    period=_period_or(figure.period, review.period),
                    value=figure.value,
                    target=figure.target,
                    target_high=figure.target_high,
                    status=figure.status,
                    previous_value=figure.previous_value,
                    comment=comment,
                )
            )

    kpi_names = {info.id: info.name for info in infos.values()}
    comment_lines = tuple(
        CommentLine(c.text, c.author, kpi_names.get(c.kpi_id, "") if c.kpi_id is not None else "")
        for c in review.comments
    )
    title = review.review.title
    decisions = tuple(
        DecisionLine(
            text=d.data.text,
            decided_on=d.data.decided_on,
            decided_by=d.data.decided_by,
            kpi=d.kpi_name,
            goal=d.goal_title,
            review=title,
        )
        for d in review.decisions
    )
    actions = [
        ActionLine(
            title=a.data.title,
            status=a.data.status,
            owner=a.data.owner,
            due_date=a.data.due_date,
            kpi=a.kpi_name,
            goal=a.goal_title,
            review=a.review_title or title,
            description=a.data.description,
            overdue=a.overdue,
        )
        for a in review.actions
    ]
    own = {a.id for a in review.actions}
    for item in review.follow_up:
        if item.action_id in own:
            continue
        actions.append(
            ActionLine(
                title=item.title,
                status=item.status,
                owner=item.owner,
                due_date=item.due_date,
                kpi=item.kpi_name,
                review=item.from_review_title,
                overdue=item.overdue,
            )
        )
    notes = tuple(
        _("{kpi} is off track ({units}) and has no action.").format(
            kpi=warning.kpi_name, units=", ".join(warning.units)
        )
        for warning in review.warnings
    ) + tuple(
        milestone_text(entry, review.today or date.today(), language)
        for entry in getattr(review, "milestones", ())
    )
    info = review.review
    return ReportContent(
        strategy=_strategy(review.period, None, language),
        workspace_name=settings.name,
        period=review.period,
        units=tuple(review.units),
        generated_on=today or date.today(),
        currency=review.currency,
        scorecard=tuple(scorecard),
        sections=tuple(sections),
        decisions=decisions,
        actions=tuple(actions),
        review=ReviewInfo(
            title=title,
            held_on=info.held_on,
            participants=", ".join(review.participants),
            closed=info.closed,
            comments=comment_lines,
        ),
        notes=notes,
    )


def _strategy(
    period: Period, unit_id: int | None, language: str | None = None
) -> StrategyMap | None:
    """The strategy map for the report's first page: for its one unit, else the whole
    organisation; None without goals."""
    roots = root_unit_ids()
    unit_id = unit_id if unit_id is not None else (roots[0] if roots else None)
    if unit_id is None:
        return None
    smap = strategy_map(
        period,
        unit_id,
        fiscal_start_month=_settings().fiscal_year_start_month,
        language=language,
    )
    return smap if smap.goals else None


def _period_or(key: str | None, fallback: Period) -> Period:
    try:
        return Period.from_key(key) if key else fallback
    except DomainError:
        return fallback


def _figure_period(figures: Sequence[Any]) -> Period | None:
    for figure in figures:
        try:
            return Period.from_key(figure.period)
        except (DomainError, TypeError):
            continue
    return None


def _review_series(info: KpiInfo, figure: Any, thresholds: Thresholds) -> UnitSeries:
    """A unit's recent periods as the review showed them; the last keeps its status."""
    rows = []
    keys = list(figure.periods)
    values = list(figure.values)
    targets = list(figure.targets)
    for index, key in enumerate(keys):
        try:
            period = Period.from_key(key)
        except DomainError:
            continue
        value = values[index] if index < len(values) else None
        target = targets[index] if index < len(targets) else None
        if key == figure.period:
            status = figure.status
            high = figure.target_high
        else:
            high = None
            status = status_of(value, target, info.direction, thresholds)
        rows.append(PeriodRow(period, value, target, high, status))
    if not rows:
        rows.append(
            PeriodRow(
                _period_or(figure.period, Period.month(2000, 1)),
                figure.value,
                figure.target,
                figure.target_high,
                figure.status,
            )
        )
    return UnitSeries(figure.unit, tuple(rows))
