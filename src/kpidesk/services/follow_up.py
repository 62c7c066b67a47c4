"""The review calendar: the workspace's rhythm of follow-up, the next review's date (with the
figures the newest reporting round still waits for), the next review's period, and the
year's reviews as calendar events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, format_day, format_period
from kpidesk.domain.rhythm import Rhythm, next_review, parse_dates, period_for_review, review_dates
from kpidesk.i18n import N_, gettext_for, ngettext_for
from kpidesk.io.calendar import CalendarEvent, ics_text
from kpidesk.store import models
from kpidesk.store.workspace import Workspace

RHYTHM_LABELS = {
    Rhythm.MONTHLY: N_("Monthly"),
    Rhythm.QUARTERLY: N_("Quarterly"),
    Rhythm.DATES: N_("On chosen dates"),
}


@dataclass(frozen=True, slots=True)
class FollowUpRhythm:
    rhythm: Rhythm
    next_on: date | None
    dates: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class NextFollowUp:
    day: date
    period: Period
    missing: int
    """KPIs the newest reporting round still waits for."""


def read_rhythm() -> FollowUpRhythm:
    settings = models.WorkspaceSettings.get()
    try:
        rhythm = Rhythm(settings.review_rhythm)
    except ValueError:
        rhythm = Rhythm.QUARTERLY
    return FollowUpRhythm(
        rhythm, settings.next_review_on, tuple(parse_dates(settings.review_dates))
    )


def set_rhythm(workspace: Workspace, value: FollowUpRhythm) -> None:
    if value.rhythm is Rhythm.DATES and not value.dates:
        raise DomainError(N_("Give at least one date for the reviews, such as 2026-03-12."))
    with workspace.atomic():
        settings = models.WorkspaceSettings.get()
        settings.review_rhythm = value.rhythm.value
        settings.next_review_on = value.next_on
        settings.review_dates = " ".join(day.isoformat() for day in value.dates)
        settings.save()


def next_follow_up(today: date) -> NextFollowUp | None:
    rhythm = read_rhythm()
    day = next_review(rhythm.rhythm, today, anchor=rhythm.next_on, dates=rhythm.dates)
    if day is None:
        return None
    missing = _figures_missing()
    return NextFollowUp(day, period_for_review(rhythm.rhythm, day), missing)


def _figures_missing() -> int:
    """How many KPIs the newest reporting round still waits for."""
    newest = models.ReportingRound.select().order_by(models.ReportingRound.id.desc()).first()
    if newest is None:
        return 0
    return int(
        models.ReportingDelivery.select()
        .where(
            (models.ReportingDelivery.round == newest)
            & models.ReportingDelivery.delivered_at.is_null()
        )
        .count()
    )


def follow_up_text(follow_up: NextFollowUp, language: str | None = None) -> str:
    """``Next follow-up 12 March, 6 figures still missing``."""
    return due_text(follow_up.day, follow_up.missing, language)


def due_text(day: date, missing: int, language: str | None = None) -> str:
    """``Next follow-up 12 March, 6 figures still missing`` for a day and a count."""
    _ = gettext_for(language)
    ngettext = ngettext_for(language)
    text = _("Next follow-up {day}").format(day=format_day(day, language, year=False))
    if missing:
        text += ", " + ngettext(
            "{count} figure still missing", "{count} figures still missing", missing
        ).format(count=missing)
    return text


def year_reviews(year: int) -> list[date]:
    rhythm = read_rhythm()
    return review_dates(
        rhythm.rhythm,
        date(year, 1, 1),
        date(year, 12, 31),
        anchor=rhythm.next_on,
        dates=rhythm.dates,
    )


def year_ics(year: int, language: str | None = None) -> str:
    """The year's reviews as an iCalendar file, one all-day event each."""
    _ = gettext_for(language)
    rhythm = read_rhythm()
    name = models.WorkspaceSettings.get().name
    events = []
    for day in year_reviews(year):
        period = format_period(period_for_review(rhythm.rhythm, day), language)
        events.append(
            CalendarEvent(
                uid=f"review-{day:%Y%m%d}-{models.WorkspaceSettings.get().uid}@kpidesk",
                day=day,
                summary=_("Follow-up {period}: {name}").format(period=period, name=name),
                description=_("Review of {period} in KPI Desk.").format(period=period),
            )
        )
    return ics_text(events)


@dataclass(frozen=True, slots=True)
class PlannedReview:
    day: date
    period: Period
    unit_ids: tuple[int, ...]


def planned_review(today: date) -> PlannedReview | None:
    """The next review as the rhythm gives it (its day, the period it follows up, the units
    of the newest review), or None where no rhythm has been set."""
    rhythm = read_rhythm()
    if rhythm.next_on is None and rhythm.rhythm is not Rhythm.DATES:
        return None
    day = next_review(rhythm.rhythm, today, anchor=rhythm.next_on, dates=rhythm.dates)
    if day is None:
        return None
    newest = models.Review.select().order_by(models.Review.id.desc()).first()
    units: tuple[int, ...] = ()
    if newest is not None:
        units = tuple(link.unit_id for link in newest.unit_links)
    return PlannedReview(day, period_for_review(rhythm.rhythm, day), units)
