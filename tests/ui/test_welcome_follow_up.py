"""The welcome screen names each recent workspace's next follow-up, as it was when closed."""

from __future__ import annotations

from datetime import date, timedelta

from kpidesk.domain.periods import format_day
from kpidesk.domain.rhythm import Rhythm
from kpidesk.services import follow_up
from kpidesk.services.follow_up import FollowUpRhythm


def test_the_welcome_screen_shows_the_next_follow_up_of_a_recent_workspace(window, demo_copy):
    assert window.open_workspace(demo_copy)
    day = date.today() + timedelta(days=9)
    follow_up.set_rhythm(window.session.workspace, FollowUpRhythm(Rhythm.MONTHLY, day))
    window.close_workspace()
    texts = [
        window.welcome.recent_list.item(i).text() for i in range(window.welcome.recent_list.count())
    ]
    shown = next(text for text in texts if text.startswith("demo"))
    assert f"Next follow-up {format_day(day, 'en', year=False)}" in shown.splitlines()[0]


def test_a_workspace_not_closed_here_since_shows_no_follow_up(window, demo_copy, tmp_path):
    other = tmp_path / "other.kpidesk"
    other.write_bytes(demo_copy.read_bytes())
    window.settings.add_recent_file(other)
    assert window.open_workspace(demo_copy)
    window.close_workspace()
    texts = {
        window.welcome.recent_list.item(i).text().split("\n")[0]
        for i in range(window.welcome.recent_list.count())
    }
    assert "other" in texts
    assert any(text.startswith("demo  ·  Next follow-up") for text in texts)
