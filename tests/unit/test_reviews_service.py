"""Reviews: the agenda's order, follow-up and warnings; closing keeps what was presented."""

import json
from datetime import date, datetime

import pytest

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status
from kpidesk.services import reviews
from kpidesk.services.actions import ActionData
from kpidesk.services.reviews import DecisionData, ReviewClosedError, ReviewError
from kpidesk.store import models, queries
from kpidesk.store.workspace import Workspace

MARCH = Period.month(2026, 3)
TODAY = date(2026, 4, 15)


@pytest.fixture
def shop(workspace_location):
    """Company → Store A, Store B; five monthly KPIs with a year of values and targets.

    In March 2026: CHURN red in both stores, REV red in A only, CSAT amber in B, NPS green,
    SICK with values but without a target (no target, not "no data").
    """
    with Workspace.create(workspace_location, "Company") as ws:
        with ws.atomic():
            company = models.Unit.get()
            a = models.Unit.create(name="Store A", parent=company, sort_order=0)
            b = models.Unit.create(name="Store B", parent=company, sort_order=1)
            goal = models.Goal.create(title="Grow")
            specs = [
                ("REV", "Revenue", "higher", "currency", {"A": (80, 100), "B": (105, 100)}),
                ("CSAT", "Satisfaction", "higher", "percent", {"A": (82, 80), "B": (76, 80)}),
                ("NPS", "Net Promoter Score", "higher", "score", {"A": (40, 30), "B": (35, 30)}),
                ("CHURN", "Churn", "lower", "percent", {"A": (3.0, 2.0), "B": (2.6, 2.0)}),
                ("SICK", "Sick leave", "lower", "percent", {"A": (4.0, None), "B": (5.0, None)}),
            ]
            rows = []
            kpis = {}
            for order, (code, name, direction, measure, march) in enumerate(specs):
                kpi = models.Kpi.create(
                    code=code,
                    name=name,
                    direction=direction,
                    measure_unit=measure,
                    time_aggregation="average",
                    unit_aggregation="average",
                    sort_order=order,
                    decimals=1,
                )
                models.KpiGoal.create(kpi=kpi, goal=goal)
                kpis[code] = kpi
                for store, key in ((a, "A"), (b, "B")):
                    value, target = march[key]
                    for back in range(12, 0, -1):
                        period = MARCH.shift(-back)
                        rows.append((kpi.id, store.id, period.key, value * 0.98, "", "t", None))
                    rows.append((kpi.id, store.id, MARCH.key, value, "", "t", None))
                    if target is not None:
                        for back in range(0, 13):
                            models.Target.create(
                                kpi=kpi, unit=store, period=MARCH.shift(-back).key, value=target
                            )
            queries.insert_measurements(rows)
        ws.ids = {"a": a.id, "b": b.id, "company": company.id, "goal": goal.id}
        ws.kpis = {code: kpi.id for code, kpi in kpis.items()}
        yield ws


def codes(agenda):
    return [item.code for item in agenda.items]


def test_agenda_puts_red_first_then_amber_then_the_rest(shop):
    review_id = reviews.start_review(shop, MARCH, [shop.ids["a"], shop.ids["b"]])
    agenda = reviews.agenda(review_id, today=TODAY)
    # CHURN is red in two units, REV in one: both red, the wider problem first
    assert codes(agenda) == ["CHURN", "REV", "CSAT", "NPS", "SICK"]
    assert [item.status for item in agenda.items] == [
        Status.RED,
        Status.RED,
        Status.AMBER,
        Status.GREEN,
        Status.NO_TARGET,
    ]
    assert agenda.review.title == "Review March 2026"
    assert agenda.review.unit_names == ("Store A", "Store B")
    assert not agenda.kept
    rev = agenda.item(shop.kpis["REV"])
    assert [(f.unit, f.value, f.target, f.status) for f in rev.figures] == [
        ("Store A", 80, 100, Status.RED),
        ("Store B", 105, 100, Status.GREEN),
    ]
    figures = rev.figures[0]
    assert figures.period == "2026-03" and figures.previous_value == pytest.approx(78.4)
    assert len(figures.sparkline) == 13 and figures.sparkline[-1] == 80
    assert figures.periods[0] == "2025-03" and figures.targets[-1] == 100


def test_one_unit_review_and_the_whole_company(shop):
    only_b = reviews.agenda(reviews.start_review(shop, MARCH, [shop.ids["b"]]), today=TODAY)
    assert codes(only_b) == ["CHURN", "CSAT", "REV", "NPS", "SICK"]
    company = reviews.agenda(reviews.start_review(shop, MARCH, [shop.ids["company"]]))
    rev = company.item(shop.kpis["REV"]).figures[0]
    assert rev.value == pytest.approx(92.5) and rev.status is Status.AMBER


def test_a_warning_for_every_red_kpi_without_an_action(shop):
    review_id = reviews.start_review(shop, MARCH, [shop.ids["a"], shop.ids["b"]])
    agenda = reviews.agenda(review_id, today=TODAY)
    assert [(w.kpi_name, w.units) for w in agenda.warnings] == [
        ("Churn", ("Store A", "Store B")),
        ("Revenue", ("Store A",)),
    ]
    assert agenda.warnings[0].text() == "Churn is off track (Store A, Store B) and has no action."
    reviews.add_action(
        shop, review_id, ActionData("Call leavers", owner="Sara", kpi_id=shop.kpis["CHURN"])
    )
    agenda = reviews.agenda(review_id, today=TODAY)
    assert [w.kpi_name for w in agenda.warnings] == ["Revenue"]
    assert [a.data.title for a in agenda.item(shop.kpis["CHURN"]).actions] == ["Call leavers"]


def test_comments_decisions_and_actions_are_recorded_in_place(shop):
    review_id = reviews.start_review(shop, MARCH, [shop.ids["a"]], "March follow-up")
    rev = shop.kpis["REV"]
    assert reviews.set_comment(shop, review_id, rev, "Road works outside.", "Karin") == ("", "")
    before = reviews.set_comment(shop, review_id, rev, "Road works; campaign next.", "Karin")
    assert before == ("Road works outside.", "Karin")
    decision_id = reviews.add_decision(
        shop,
        review_id,
        DecisionData("Run a campaign", date(2026, 4, 10), "Karin", kpi_id=rev),
    )
    reviews.add_decision(
        shop, review_id, DecisionData("Hire in May", goal_id=shop.ids["goal"], decided_by="Ali")
    )
    with pytest.raises(ReviewError):
        reviews.add_decision(shop, review_id, DecisionData("  "))
    reviews.add_action(
        shop,
        review_id,
        ActionData("Print flyers", owner="Jonas", due_date=date(2026, 4, 30), kpi_id=rev),
    )
    agenda = reviews.agenda(review_id, today=TODAY)
    item = agenda.item(rev)
    assert item.comment.text == "Road works; campaign next." and item.comment.author == "Karin"
    assert [d.data.text for d in item.decisions] == ["Run a campaign"]
    assert item.decisions[0].data.decided_on == date(2026, 4, 10)
    assert [d.data.text for d in agenda.other_decisions] == ["Hire in May"]
    assert agenda.other_decisions[0].goal_title == "Grow"
    assert [a.data.owner for a in item.actions] == ["Jonas"]

    deleted = reviews.delete_decision(shop, decision_id)
    assert reviews.agenda(review_id).item(rev).decisions == []
    reviews.restore_decision(shop, deleted)
    assert reviews.agenda(review_id).item(rev).decisions[0].id == decision_id
    reviews.set_comment(shop, review_id, rev, "")
    assert reviews.agenda(review_id).item(rev).comment is None


def test_closing_keeps_what_was_presented_when_data_changes_later(shop):
    review_id = reviews.start_review(shop, MARCH, [shop.ids["a"], shop.ids["b"]])
    reviews.add_action(shop, review_id, ActionData("Win back", kpi_id=shop.kpis["REV"]))
    presented = reviews.agenda(review_id, today=TODAY)
    reviews.close_review(shop, review_id, now=datetime(2026, 4, 10, 11, 0))

    # later: the value is corrected, the target changed, the KPI renamed, a unit renamed
    with shop.atomic():
        models.Measurement.update(value=120).where(
            (models.Measurement.kpi == shop.kpis["REV"]) & (models.Measurement.period == "2026-03")
        ).execute()
        models.Target.update(value=50).where(models.Target.kpi == shop.kpis["CHURN"]).execute()
        models.Kpi.update(name="Net sales").where(models.Kpi.id == shop.kpis["REV"]).execute()
        models.Unit.update(name="Store A (old)").where(models.Unit.id == shop.ids["a"]).execute()

    kept = reviews.agenda(review_id, today=TODAY)
    assert kept.kept and kept.review.closed
    assert codes(kept) == codes(presented)
    rev = kept.item(shop.kpis["REV"])
    assert rev.name == "Revenue"
    assert [(f.unit, f.value, f.status) for f in rev.figures] == [
        ("Store A", 80, Status.RED),
        ("Store B", 105, Status.GREEN),
    ]
    assert kept.item(shop.kpis["CHURN"]).figures[0].target == 2.0
    assert kept.review.unit_names == ("Store A", "Store B")
    assert [w.kpi_name for w in kept.warnings] == ["Churn"]
    # live data has really changed: a new review sees it
    fresh = reviews.agenda(reviews.start_review(shop, MARCH, [shop.ids["a"]]), today=TODAY)
    assert fresh.item(shop.kpis["REV"]).figures[0].value == 120
    assert fresh.item(shop.kpis["REV"]).name == "Net sales"

    snapshot = json.loads(models.Review.get_by_id(review_id).snapshot)
    assert snapshot["format"] == reviews.SNAPSHOT_FORMAT
    assert snapshot["items"][0]["figures"][0]["values"][-1] == 3.0


def test_a_closed_review_is_read_only_and_reopening_leaves_a_trace(shop):
    review_id = reviews.start_review(shop, MARCH, [shop.ids["a"]])
    action_id = reviews.add_action(shop, review_id, ActionData("Act", kpi_id=shop.kpis["REV"]))
    reviews.close_review(shop, review_id, now=datetime(2026, 4, 10, 11, 0))
    with pytest.raises(ReviewClosedError):
        reviews.set_comment(shop, review_id, shop.kpis["REV"], "Too late")
    with pytest.raises(ReviewClosedError):
        reviews.add_decision(shop, review_id, DecisionData("Too late"))
    with pytest.raises(ReviewClosedError):
        reviews.add_action(shop, review_id, ActionData("Too late"))
    with pytest.raises(ReviewClosedError):
        reviews.update_action(shop, action_id, ActionData("Renamed"))
    with pytest.raises(ReviewClosedError):
        reviews.delete_review(shop, review_id)
    with pytest.raises(ReviewError):
        reviews.close_review(shop, review_id)
    # what became of the action may still change: that is what follow-up checks
    reviews.set_action_status(shop, action_id, "done")
    assert models.Action.get_by_id(action_id).status == "done"

    with pytest.raises(ReviewError):
        reviews.reopen_review(shop, review_id, "   ")
    reviews.reopen_review(shop, review_id, "Forgot a decision", now=datetime(2026, 4, 12, 8, 30))
    trace = [(e.event, e.note, e.at) for e in reviews.events(review_id)]
    assert trace[-1] == ("reopened", "Forgot a decision", datetime(2026, 4, 12, 8, 30))
    assert [e[0] for e in trace] == ["opened", "closed", "reopened"]
    assert reviews.agenda(review_id).events[-1].label == "Reopened"

    # reopened, the figures stay as presented until asked for today's
    with shop.atomic():
        models.Measurement.update(value=999).where(
            models.Measurement.kpi == shop.kpis["REV"]
        ).execute()
    reopened = reviews.agenda(review_id, today=TODAY)
    assert not reopened.review.closed and reopened.kept
    assert reopened.item(shop.kpis["REV"]).figures[0].value == 80
    reviews.add_decision(shop, review_id, DecisionData("Forgotten", kpi_id=shop.kpis["REV"]))
    reviews.close_review(shop, review_id)
    assert reviews.agenda(review_id).item(shop.kpis["REV"]).figures[0].value == 80

    reviews.reopen_review(shop, review_id, "Numbers were wrong", refresh=True)
    assert [e.event for e in reviews.events(review_id)][-2:] == ["reopened", "refreshed"]
    refreshed = reviews.agenda(review_id, today=TODAY)
    assert not refreshed.kept
    assert refreshed.item(shop.kpis["REV"]).figures[0].value == 999


def test_the_next_review_follows_up_the_last_ones_actions(shop):
    first = reviews.start_review(shop, MARCH.previous(), [shop.ids["a"]], now=datetime(2026, 3, 5))
    old_open = reviews.add_action(
        shop, first, ActionData("Old and open", due_date=date(2026, 3, 20))
    )
    old_done = reviews.add_action(shop, first, ActionData("Old and done"))
    reviews.set_action_status(shop, old_done, "done")
    reviews.close_review(shop, first, now=datetime(2026, 3, 5, 12))

    second = reviews.start_review(shop, MARCH, [shop.ids["a"]], now=datetime(2026, 4, 5))
    done = reviews.add_action(shop, second, ActionData("Done since", due_date=date(2026, 4, 8)))
    late = reviews.add_action(shop, second, ActionData("Late", due_date=date(2026, 4, 9)))
    later = reviews.add_action(shop, second, ActionData("Not yet due", due_date=date(2026, 5, 1)))
    reviews.set_action_status(shop, done, "done")
    reviews.close_review(shop, second, now=datetime(2026, 4, 5, 12))

    third = reviews.start_review(shop, MARCH.next(), [shop.ids["a"]], now=datetime(2026, 5, 5))
    follow_up = reviews.agenda(third, today=date(2026, 4, 15)).follow_up
    # the last review's actions, whatever became of them; older ones only while unfinished
    assert [f.action_id for f in follow_up] == [old_open, late, later, done]
    assert [f.overdue for f in follow_up] == [True, True, False, False]
    assert follow_up[0].from_review_id == first
    assert old_done not in [f.action_id for f in follow_up]

    reviews.set_action_status(shop, late, "in_progress")
    reviews.close_review(shop, third, now=datetime(2026, 5, 5, 12))
    reviews.set_action_status(shop, late, "done")
    kept = {f.action_id: f for f in reviews.agenda(third, today=date(2026, 5, 20)).follow_up}
    assert kept[late].status == "in_progress" and kept[late].status_now == "done"

    entries = {entry.review.id: entry for entry in reviews.history(today=date(2026, 5, 20))}
    assert [e.review.id for e in reviews.history()] == [third, second, first]
    second_entry = entries[second]
    statuses = {
        h.action.data.title: (h.status_then, h.action.data.status) for h in second_entry.actions
    }
    assert statuses == {
        "Done since": ("done", "done"),
        "Late": ("open", "done"),
        "Not yet due": ("open", "open"),
    }
    assert second_entry.counts()["done"] == 2
    assert [e.event for e in second_entry.events] == ["opened", "closed"]


def test_review_content_for_the_export_layer(shop):
    review_id = reviews.start_review(
        shop, MARCH, [shop.ids["a"]], participants="Karin, Ali; Sara", held_on=date(2026, 4, 9)
    )
    reviews.set_comment(shop, review_id, shop.kpis["REV"], "Why and what now")
    reviews.add_decision(shop, review_id, DecisionData("Decided", kpi_id=shop.kpis["REV"]))
    action_id = reviews.add_action(shop, review_id, ActionData("Do it", kpi_id=shop.kpis["REV"]))
    reviews.close_review(shop, review_id)
    reviews.set_action_status(shop, action_id, "in_progress")
    content = reviews.review_content(review_id, today=TODAY)
    assert content.period_label == "March 2026" and content.units == ("Store A",)
    assert content.participants == ("Karin", "Ali", "Sara")
    assert content.review.held_on == date(2026, 4, 9) and content.kept
    assert content.items[0].code == "REV" and content.items[0].comment.text == "Why and what now"
    assert [c.text for c in content.comments] == ["Why and what now"]
    assert [d.data.text for d in content.decisions] == ["Decided"]
    assert [(a.data.title, a.data.status) for a in content.actions] == [("Do it", "in_progress")]
    assert [e.event for e in content.events] == ["opened", "closed"]


def test_starting_needs_units_and_an_open_review_can_be_deleted_with_its_actions(shop):
    with pytest.raises(ReviewError):
        reviews.start_review(shop, MARCH, [])
    review_id = reviews.start_review(shop, Period.quarter(2026, 1), [shop.ids["a"]])
    assert reviews.review_info(review_id).title == "Review Q1 2026"
    reviews.add_action(shop, review_id, ActionData("Goes too"))
    reviews.delete_review(shop, review_id)
    assert models.Review.select().count() == 0
    assert models.Action.select().count() == 0
    assert models.ReviewEvent.select().count() == 0


def test_a_quarter_review_shows_monthly_kpis_for_the_quarter(shop):
    review_id = reviews.start_review(shop, Period.quarter(2026, 1), [shop.ids["a"]])
    rev = reviews.agenda(review_id).item(shop.kpis["REV"]).figures[0]
    assert rev.period == "2026-Q1"
    assert rev.value == pytest.approx((78.4 + 78.4 + 80) / 3)


def test_the_first_demo_snapshot_format_still_reads(shop):
    review = models.Review.create(
        title="Old", period=MARCH.key, status="closed", closed_at=datetime(2026, 4, 1)
    )
    models.ReviewUnit.create(review=review, unit=shop.ids["a"])
    review.snapshot = json.dumps(
        [
            {
                "kpi": "NPS",
                "unit": "Store A",
                "period": "2026-03",
                "value": 40,
                "target": 30,
                "status": "green",
            },
            {
                "kpi": "REV",
                "unit": "Store A",
                "period": "2026-03",
                "value": 70,
                "target": 100,
                "status": "red",
            },
        ]
    )
    review.save()
    agenda = reviews.agenda(review.id, today=TODAY)
    assert codes(agenda) == ["REV", "NPS"]
    assert agenda.item(shop.kpis["REV"]).figures[0].value == 70


def test_the_demo_review_is_closed_with_its_record(demo_copy):
    with Workspace.open(demo_copy):
        [info] = reviews.list_reviews()
        agenda = reviews.agenda(info.id, today=date(2026, 11, 22))
        assert info.closed and agenda.kept and len(agenda.review.unit_names) == 4
        statuses = [item.status for item in agenda.items]
        assert statuses == sorted(
            statuses, key=lambda s: 0 if s is Status.RED else 1 if s is Status.AMBER else 2
        )
        resp = next(item for item in agenda.items if item.code == "RESP")
        assert resp.comment.author == "Ali Hassan"
        assert len(resp.decisions) == 1 and len(resp.actions) == 2
        assert all(w.kpi_name != "Customer service response time" for w in agenda.warnings)
        [entry] = reviews.history(today=date(2026, 11, 22))
        assert {h.status_then for h in entry.actions} == {"open"}
        assert entry.counts() == {"open": 2, "in_progress": 1, "done": 1, "cancelled": 0}


def test_best_practice_beside_every_red_and_amber_kpi(shop):
    from kpidesk.domain.best_practice import Heading

    review_id = reviews.start_review(shop, MARCH, [shop.ids["a"], shop.ids["b"]])
    agenda = reviews.agenda(review_id, today=TODAY)
    rev = agenda.item(shop.kpis["REV"])
    assert (rev.best.unit, rev.best.value, rev.best.behind, rev.best.gap) == (
        "Store B",
        105,
        "Store A",
        25,
    )
    # a year at 98 % and a last step of 2 %: too little to call a trend
    assert rev.best.heading is Heading.STEADY
    churn = agenda.item(shop.kpis["CHURN"])
    assert (churn.best.unit, churn.best.behind) == ("Store B", "Store A")
    assert churn.best.gap == pytest.approx(0.4)
    csat = agenda.item(shop.kpis["CSAT"])
    assert (csat.best.unit, csat.best.behind) == ("Store A", "Store B")
    assert agenda.item(shop.kpis["NPS"]).best is None
    # closing keeps it, even when the figures change later
    reviews.close_review(shop, review_id, today=TODAY)
    with shop.atomic():
        queries.insert_measurements(
            [(shop.kpis["REV"], shop.ids["a"], MARCH.key, 200, "", "t", None)]
        )
    kept = reviews.agenda(review_id, today=TODAY).item(shop.kpis["REV"]).best
    assert (kept.unit, kept.gap, kept.heading) == ("Store B", 25, Heading.STEADY)


def test_a_one_unit_review_compares_its_units(shop):
    company = reviews.agenda(reviews.start_review(shop, MARCH, [shop.ids["company"]]))
    rev = company.item(shop.kpis["REV"])
    assert rev.status is Status.AMBER
    assert (rev.best.unit, rev.best.behind, rev.best.gap) == ("Store B", "Store A", 25)
    store = reviews.agenda(reviews.start_review(shop, MARCH, [shop.ids["a"]]))
    churn = store.item(shop.kpis["CHURN"]).best
    assert (churn.unit, churn.behind) == ("Store B", "Store A")


def test_a_tip_from_an_earlier_review_comes_with_its_kpi(shop):
    from kpidesk.services import tips

    first = reviews.start_review(shop, MARCH.shift(-1), [shop.ids["a"], shop.ids["b"]])
    tip_id = tips.add_tip(
        shop,
        shop.kpis["CHURN"],
        tips.TipData("Call every leaving member", "Sara", unit_id=shop.ids["b"]),
        review_id=first,
    )
    reviews.close_review(shop, first, today=TODAY)
    second = reviews.agenda(reviews.start_review(shop, MARCH, [shop.ids["a"]]), today=TODAY)
    (tip,) = second.item(shop.kpis["CHURN"]).tips
    assert (tip.data.text, tip.data.author, tip.unit, tip.review_id) == (
        "Call every leaving member",
        "Sara",
        "Store B",
        first,
    )
    assert not tip.tried and second.item(shop.kpis["REV"]).tips == []
    before = tips.update_tip(
        shop, tip_id, tips.TipData(tip.data.text, "Sara", shop.ids["b"], TODAY, "Churn fell")
    )
    assert before.tried_on is None
    (tried,) = tips.list_tips(unit_ids=[shop.ids["b"]])
    assert tried.tried and tried.data.result == "Churn fell"
    assert tips.list_tips(unit_ids=[shop.ids["a"]]) == []
    with pytest.raises(tips.TipError):
        tips.add_tip(shop, shop.kpis["REV"], tips.TipData("  "))
    with pytest.raises(tips.TipError):
        tips.update_tip(shop, tip_id, tips.TipData("x", result="Worked"))
    deleted = tips.delete_tip(shop, tip_id)
    assert tips.list_tips() == []
    tips.restore_tip(shop, deleted)
    assert [t.data.result for t in tips.list_tips()] == ["Churn fell"]
