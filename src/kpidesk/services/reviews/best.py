"""Best practice on the agenda: beside each red and amber KPI, the unit doing best on it for
the review's period (value, gap and heading, see :mod:`kpidesk.domain.best_practice`), and
the "what works" tips written for that KPI.

A review of several units compares them by the figures the agenda shows (for a closed
review, those it kept). A review of one unit compares that unit's sub-units (or, for a
unit without any, it and its siblings) as the unit comparison does, from live figures; a
closed review keeps what it showed in its snapshot.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kpidesk.domain.best_practice import (
    HEADING_LABELS,
    BestPractice,
    Heading,
    UnitResult,
    best_practice,
    rank_key,
)
from kpidesk.domain.numbers import format_deviation, format_value
from kpidesk.domain.periods import Period, format_day
from kpidesk.domain.status import Status
from kpidesk.i18n import gettext_for
from kpidesk.services import comparison
from kpidesk.services.initiatives import DueMilestone, MilestoneData, MilestoneRow
from kpidesk.services.reviews.model import AgendaItem
from kpidesk.services.scorecard import RollUp, load_rollup
from kpidesk.services.tips import TipRow, tips_by_kpi

OFF_TRACK = (Status.RED, Status.AMBER)
HISTORY = 6
"""How many periods of the best unit's values its heading is drawn from."""


def _from_figures(item: AgendaItem) -> BestPractice | None:
    results = [
        UnitResult(f.unit_id, f.unit, f.value, f.target, f.target_high, f.values or (f.value,))
        for f in item.figures
    ]
    lagging = [
        result
        for result, f in zip(results, item.figures, strict=True)
        if f.status in OFF_TRACK and f.value is not None
    ]
    behind = (
        max(lagging, key=lambda r: rank_key(item.direction, r.value, r.target, r.target_high))
        if lagging
        else None
    )
    return best_practice(results, item.direction, behind)


def _from_rollup(item: AgendaItem, rollup: RollUp) -> BestPractice | None:
    figures = item.figures[0]
    if figures.unit_id is None or item.kpi_id not in rollup.kpis:
        return None
    shown = Period.from_key(figures.period)
    results = []
    for unit_id, name in comparison.compared_units(figures.unit_id):
        values = tuple(
            rollup.value(item.kpi_id, unit_id, shown.shift(offset))
            for offset in range(-HISTORY + 1, 1)
        )
        target = rollup.target(item.kpi_id, unit_id, shown)
        low, high = target if target is not None else (None, None)
        results.append(UnitResult(unit_id, name, values[-1], low, high, values))
    # a company or region is not set against its units (a sum would not compare): the gap
    # is then the one between its best and its weakest unit
    own = next((r for r in results if r.unit_id == figures.unit_id), None)
    return best_practice(results, item.direction, own)


def add_best_practice(items: list[AgendaItem], *, live: bool) -> None:
    """Fill each red and amber item's ``best`` (when not kept) and every item's ``tips``."""
    rollup: RollUp | None = None
    for item in items:
        if item.status not in OFF_TRACK or item.best is not None:
            continue
        if len(item.figures) > 1:
            item.best = _from_figures(item)
        elif len(item.figures) == 1 and live:
            if rollup is None:
                year = Period.from_key(item.figures[0].period).end.year
                rollup = load_rollup(year - 2, year)
            item.best = _from_rollup(item, rollup)
    tips = tips_by_kpi([item.kpi_id for item in items])
    for item in items:
        item.tips = tips.get(item.kpi_id, [])


def best_to_json(best: BestPractice | None) -> dict[str, Any] | None:
    if best is None:
        return None
    return {
        "unit_id": best.unit_id,
        "unit": best.unit,
        "value": best.value,
        "heading": best.heading.value,
        "behind": best.behind,
        "behind_value": best.behind_value,
    }


def best_from_json(raw: dict[str, Any] | None) -> BestPractice | None:
    if not raw or raw.get("value") is None:
        return None
    try:
        heading = Heading(raw.get("heading", Heading.UNKNOWN.value))
    except ValueError:
        heading = Heading.UNKNOWN
    return BestPractice(
        unit_id=raw.get("unit_id"),
        unit=raw.get("unit", ""),
        value=raw["value"],
        heading=heading,
        behind=raw.get("behind", ""),
        behind_value=raw.get("behind_value"),
    )


def best_practice_text(item: AgendaItem, currency: str, language: str | None = None) -> str:
    """ "Best: Butik Luleå 4.1 h, improving · Butik Umeå 3.2 h behind" in ``language`` (by
    default the user's)."""
    best = item.best
    if best is None:
        return ""
    _ = gettext_for(language)

    def fmt(value: float | None) -> str:
        return format_value(
            value,
            item.measure_unit,
            decimals=item.decimals,
            currency=currency,
            unit_label=item.unit_label,
            language=language,
        )

    text = _("Best: {unit} {value}").format(unit=best.unit, value=fmt(best.value))
    if best.heading is not Heading.UNKNOWN:
        text += f", {best.heading.arrow} {_(HEADING_LABELS[best.heading])}"
    if best.behind and best.gap is not None:
        gap = format_deviation(
            best.gap,
            item.measure_unit,
            decimals=item.decimals,
            language=language,
            currency=currency,
            unit_label=item.unit_label,
        )[1:]  # the gap is never negative: without its sign (percentage points for a percent)
        text += " · " + _("{unit} {gap} behind").format(unit=best.behind, gap=gap)
    return text


def tip_text(tip: TipRow, language: str | None = None) -> str:
    """The tip with who wrote it and when, and how it went once tried."""
    _ = gettext_for(language)
    written = ", ".join(
        part
        for part in (
            tip.data.author,
            tip.unit,
            format_day(tip.created_at.date(), language) if tip.created_at else "",
        )
        if part
    )
    text = f"“{tip.data.text}”" + (f" ({written})" if written else "")
    if tip.data.tried_on is not None:
        tried = _("tried {date}").format(date=format_day(tip.data.tried_on, language))
        text += f" · {tried}" + (f": {tip.data.result}" if tip.data.result else "")
    return text


def milestones_to_json(milestones: list[DueMilestone]) -> list[dict[str, Any]]:
    return [
        {
            "initiative_id": m.initiative_id,
            "initiative": m.initiative,
            "goal": m.goal,
            "owner": m.owner,
            "milestone_id": m.milestone.id,
            "title": m.milestone.data.title,
            "due_date": m.milestone.data.due_date.isoformat()
            if m.milestone.data.due_date
            else None,
        }
        for m in milestones
    ]


def milestones_from_json(raw: list[dict[str, Any]], today: date) -> list[DueMilestone]:
    """The milestones a closed review presented (late as they were: before ``today``'s)."""
    found = []
    for entry in raw:
        try:
            day = date.fromisoformat(entry["due_date"]) if entry.get("due_date") else None
        except ValueError:
            day = None
        found.append(
            DueMilestone(
                entry.get("initiative_id", 0),
                entry.get("initiative", ""),
                entry.get("goal", ""),
                entry.get("owner", ""),
                MilestoneRow(
                    entry.get("milestone_id", 0),
                    MilestoneData(entry.get("title", ""), day, False),
                    late=day is not None and day < today,
                    due=True,
                ),
            )
        )
    return found


def milestone_text(entry: DueMilestone, today: date, language: str | None = None) -> str:
    """ "Chat live (New platform, Ali): 31 October 2026, late" in ``language``."""
    _ = gettext_for(language)
    day = entry.milestone.data.due_date
    when = format_day(day, language) if day else ""
    state = _("late") if day is not None and day < today else _("due")
    who = ", ".join(p for p in (entry.initiative, entry.owner) if p)
    return _("{milestone} ({who}): {day}, {state}").format(
        milestone=entry.milestone.data.title, who=who, day=when, state=state
    )
