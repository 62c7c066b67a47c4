"""The merge service on two copies (a file and a server as the workspace): deletions, undo,
references broken by a deletion on one side, and the pure decisions."""

from __future__ import annotations

import shutil

import pytest

from kpidesk.domain.merging import Decision, Item, decide, merged_columns
from kpidesk.services.data_entry import CellChange, set_values
from kpidesk.services.merge import NotCopiesError, Prefer, merge_copy, undo_merge
from kpidesk.services.servers import copy_to_file
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "decision"),
    [
        ({"v": 1}, {"v": 1}, {"v": 2}, Decision.APPLY),
        ({"v": 1}, {"v": 3}, {"v": 2}, Decision.CONFLICT),
        ({"v": 1}, {"v": 2}, {"v": 2}, Decision.AGREE),
        ({"v": 1}, {"v": 3}, {"v": 1}, Decision.AGREE),
        (None, None, {"v": 2}, Decision.APPLY),
        (None, {"v": 1}, {"v": 2}, Decision.CONFLICT),
        ({"v": 1}, {"v": 1}, None, Decision.APPLY),
        ({"v": 1}, {"v": 5}, None, Decision.CONFLICT),
        ({"v": 1}, None, {"v": 2}, Decision.CONFLICT),
        ({"v": 1, "row_version": 1}, {"v": 1, "row_version": 4}, {"v": 2}, Decision.APPLY),
    ],
)
def test_decisions(base, mine, theirs, decision):
    assert decide(Item("goal", ("u",), base, mine, theirs)) is decision


def test_bookkeeping_never_conflicts_and_keeps_the_later_use():
    item = Item(
        "import_profile",
        ("u",),
        {"mapping": "m", "last_used_at": 1},
        {"mapping": "m", "last_used_at": 5},
        {"mapping": "n", "last_used_at": 3},
        bookkeeping=True,
        newest=("last_used_at",),
    )
    assert decide(item) is Decision.KEEP
    assert merged_columns(item) == {"mapping": "n", "last_used_at": 5}


@pytest.fixture
def copies(demo_location, tmp_path):
    """The demo as the workspace (a file or a server) and a file copy of it."""
    theirs = tmp_path / "theirs.kpidesk"
    if isinstance(demo_location, str):
        copy_to_file(demo_location, theirs)
    else:
        shutil.copy(demo_location, theirs)
    mine = Workspace.open(demo_location, bind=False)
    yield mine, theirs
    mine.close()


def _in(path, edit):
    workspace = Workspace.open(path, bind=False)
    try:
        with workspace.atomic():
            return edit(workspace)
    finally:
        workspace.close()


def test_deletions_apply_stay_deleted_and_the_merge_undoes(copies):
    mine, theirs = copies
    goal_title = _in(theirs, lambda ws: _delete_first_goal())
    with mine.bound():
        goals_before = models.Goal.select().count()
    report = merge_copy(mine, theirs, backup=False)
    assert report.done and report.applied.get("goal") == 1
    with mine.bound():
        assert models.Goal.get_or_none(models.Goal.title == goal_title) is None
    assert merge_copy(mine, theirs, backup=False).total == 0
    undone = undo_merge(mine, report.merge_id)
    assert undone >= 1
    with mine.bound():
        assert models.Goal.select().count() == goals_before
        assert models.Goal.get_or_none(models.Goal.title == goal_title) is not None
    again = merge_copy(mine, theirs, backup=False)
    assert again.applied.get("goal") == 1
    with mine.bound():
        assert models.Goal.get_or_none(models.Goal.title == goal_title) is None


def _delete_first_goal() -> str:
    goal = (
        models.Goal.select()
        .where(models.Goal.parent.is_null(False))
        .order_by(models.Goal.id.desc())
        .first()
    )
    models.Goal.delete().where(models.Goal.id == goal.id).execute()
    return goal.title


def test_a_kpi_deleted_there_that_holds_new_values_here_is_a_conflict(copies):
    mine, theirs = copies
    with mine.bound():
        kpi = models.Kpi.select().order_by(models.Kpi.id).first()
        unit = models.Unit.select().order_by(models.Unit.id.desc()).first()
        code = kpi.code
    with mine.bound():
        set_values(mine, [CellChange(kpi.id, unit.id, "2030-01", 42.0)])

    def delete(ws):
        models.Kpi.delete().where(models.Kpi.code == code).execute()

    _in(theirs, delete)
    report = merge_copy(mine, theirs, backup=False)
    assert not report.done
    assert [c.table for c in report.unresolved] == ["kpi"]
    assert report.unresolved[0].theirs is None
    kept = merge_copy(mine, theirs, prefer=Prefer.MINE, backup=False)
    assert kept.done
    with mine.bound():
        assert models.Kpi.get_or_none(models.Kpi.code == code) is not None
        assert (
            models.Measurement.select().where(models.Measurement.period == "2030-01").count() == 1
        )


def test_two_workspaces_made_apart_are_not_copies(copies, tmp_path):
    mine, _theirs = copies
    other = tmp_path / "other.kpidesk"
    Workspace.create(other, "Other AB").close()
    with pytest.raises(NotCopiesError):
        merge_copy(mine, other)


def test_a_conflicts_time_is_shown_in_the_computers_zone_and_the_users_language(monkeypatch):
    import time

    from kpidesk import i18n
    from kpidesk.services.merge.describe import shown_when

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        i18n.set_language("sv")
        assert shown_when("2026-03-12 13:05:00") == "12 mars 2026 14:05"
        assert shown_when("2026-07-01 22:30:00+00:00") == "2 juli 2026 00:30"
        i18n.set_language("en")
        assert shown_when("2026-03-12 13:05:00") == "12 March 2026 14:05"
        assert shown_when(None) == ""
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_undoing_a_merge_keeps_what_someone_else_saved_while_it_ran(copies, monkeypatch):
    from kpidesk.services import merge as merge_service

    mine, theirs = copies
    if mine.server is None:
        pytest.skip("a file has one writer at a time: nobody saves while a merge runs")
    _in(theirs, lambda ws: _delete_first_goal())
    applying = merge_service.writing.apply

    def apply_while_another_saves(*args, **kwargs):
        applying(*args, **kwargs)
        other = Workspace.open(mine.server, bind=False)
        try:
            with other.atomic():
                models.Kpi.update(name="Renamed meanwhile").where(
                    models.Kpi.code == "REV"
                ).execute()
        finally:
            other.close()

    monkeypatch.setattr(merge_service.writing, "apply", apply_while_another_saves)
    report = merge_copy(mine, theirs, backup=False)
    monkeypatch.undo()
    assert report.done
    undo_merge(mine, report.merge_id)
    with mine.bound():
        assert models.Kpi.get(models.Kpi.code == "REV").name == "Renamed meanwhile"
