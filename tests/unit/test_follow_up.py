"""The rhythm of follow-up (pure), the next follow-up with the figures still missing, the
year's reviews as calendar events, and the next review's prefill."""

from __future__ import annotations

from datetime import date

import pytest

from kpidesk.domain.periods import Period
from kpidesk.domain.rhythm import Rhythm, next_review, parse_dates, period_for_review, review_dates
from kpidesk.services import follow_up, reporting
from kpidesk.services.follow_up import FollowUpRhythm
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


def test_quarterly_reviews_keep_the_anchors_day_and_follow_up_the_quarter_before():
    days = review_dates(
        Rhythm.QUARTERLY, date(2026, 1, 1), date(2026, 12, 31), anchor=date(2026, 3, 12)
    )
    assert days == [date(2026, 3, 12), date(2026, 6, 12), date(2026, 9, 12), date(2026, 12, 12)]
    assert period_for_review(Rhythm.QUARTERLY, date(2026, 4, 15)) == Period.quarter(2026, 1)
    assert period_for_review(Rhythm.MONTHLY, date(2026, 1, 10)) == Period.month(2025, 12)


def test_a_monthly_rhythm_on_the_31st_takes_the_last_day_of_shorter_months():
    days = review_dates(
        Rhythm.MONTHLY, date(2026, 1, 1), date(2026, 4, 30), anchor=date(2026, 1, 31)
    )
    assert days == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert next_review(Rhythm.MONTHLY, date(2026, 2, 1), anchor=date(2026, 1, 31)) == date(
        2026, 2, 28
    )


def test_reviews_on_chosen_dates():
    dates = parse_dates("2026-05-05, 2026-02-01; nonsense 2026-13-01")
    assert dates == [date(2026, 2, 1), date(2026, 5, 5)]
    assert next_review(Rhythm.DATES, date(2026, 3, 1), anchor=None, dates=dates) == date(2026, 5, 5)
    assert next_review(Rhythm.DATES, date(2026, 6, 1), anchor=None, dates=dates) is None


@pytest.fixture
def ws(tmp_path):
    with Workspace.create(tmp_path / "a.kpidesk", "Acme AB", language="en") as workspace:
        with workspace.atomic():
            root = models.Unit.get()
            models.Unit.create(name="North", parent=root)
            for code, owner in (("REV", "Anna"), ("NPS", "Bo"), ("SICK", "Bo")):
                models.Kpi.create(code=code, name=code, owner=owner)
        yield workspace


def test_next_follow_up_names_the_figures_still_missing(ws, tmp_path):
    assert follow_up.planned_review(date(2026, 3, 1)) is None  # no rhythm set yet
    follow_up.set_rhythm(ws, FollowUpRhythm(Rhythm.QUARTERLY, date(2026, 3, 12)))
    reporting.start_round(ws, Period.month(2026, 2), date(2026, 3, 5), tmp_path, language="en")
    upcoming = follow_up.next_follow_up(date(2026, 3, 1))
    assert (upcoming.day, upcoming.missing) == (date(2026, 3, 12), 3)
    assert follow_up.follow_up_text(upcoming, "en") == (
        "Next follow-up 12 March, 3 figures still missing"
    )
    assert follow_up.follow_up_text(upcoming, "sv") == (
        "Nästa uppföljning 12 mars, 3 siffror saknas fortfarande"
    )
    planned = follow_up.planned_review(date(2026, 3, 13))
    assert planned.day == date(2026, 6, 12) and planned.period == Period.quarter(2026, 1)


def test_the_years_reviews_as_calendar_events(ws):
    follow_up.set_rhythm(ws, FollowUpRhythm(Rhythm.QUARTERLY, date(2026, 3, 12)))
    ics = follow_up.year_ics(2026, "sv")
    assert ics.count("BEGIN:VEVENT") == 4
    assert "DTSTART;VALUE=DATE:20260612\r\n" in ics
    assert "SUMMARY:Uppföljning kv. 1 2026: Acme AB\r\n" in ics
    with pytest.raises(ValueError, match="at least one date"):
        follow_up.set_rhythm(ws, FollowUpRhythm(Rhythm.DATES, None, ()))


def test_a_reminder_in_swedish_names_the_file_and_what_is_missing(ws, tmp_path):
    started = reporting.start_round(
        ws, Period.month(2026, 2), date(2026, 3, 5), tmp_path, language="sv"
    )
    note = reporting.reminder(started.round_id, "Bo", folder=tmp_path, language="sv")
    assert note.subject == "Siffror för februari 2026, senast 5 mars 2026"
    assert "Acme AB siffror 2026-02 Bo.xlsx" in note.body and "- NPS" in note.body
    assert note.attachment == tmp_path / "Acme AB siffror 2026-02 Bo.xlsx"
    assert note.mailto.startswith("mailto:?subject=Siffror%20f%C3%B6r%20februari")
