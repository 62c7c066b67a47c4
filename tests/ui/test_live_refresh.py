"""Everyone sees the same within a second: a value another person stores on the server shows
in the open scorecard by itself (a raw connection writes it, as another app or psql would),
with the selected KPI still selected."""

from __future__ import annotations

import time

import psycopg

from kpidesk.domain.periods import Period
from kpidesk.store.workspace import Workspace
from kpidesk.ui.pages.scorecard import COL_ACTUAL, COL_KPI


def test_a_change_on_the_server_appears_in_the_open_scorecard_within_a_second(
    window, demo_file, pg_url, qtbot
):
    from kpidesk.services.servers import publish

    publish(demo_file, pg_url)
    window.session.attach(Workspace.open(pg_url))
    window.session.set_period(Period.month(2026, 10))
    window.session.set_unit(3)  # Luleå store
    window.show_page(list(window.pages).index("scorecard"))
    page = window.current_page()

    def revenue():
        return next(i for i in page.kpi_items() if i.text(COL_KPI).startswith("Revenue"))

    page.tree.setCurrentItem(revenue())
    assert "987" not in revenue().text(COL_ACTUAL)
    with psycopg.connect(pg_url, autocommit=True) as other:
        began = time.perf_counter()
        other.execute(
            "UPDATE measurement SET value = 987654 WHERE kpi_id = 1 AND unit_id = 3"
            " AND period = '2026-10'"
        )
        qtbot.waitUntil(lambda: "987" in revenue().text(COL_ACTUAL), timeout=1000)
        seen_after = time.perf_counter() - began
    assert seen_after < 1.0
    assert page.tree.currentItem() is not None
    assert page.tree.currentItem().text(COL_KPI).startswith("Revenue")


def test_a_workspace_file_listens_to_nothing(window, demo_copy):
    window.open_workspace(demo_copy)
    assert window.session._live is None
