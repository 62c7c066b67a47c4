"""The store on both backends: rows' identities and versions, the change log, the server's
types, two workspaces open at once, and what differs only in how it is done."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import peewee
import pytest

from kpidesk.services import actions as action_service
from kpidesk.services.actions import ActionData
from kpidesk.services.import_mapping import ImportMapping
from kpidesk.services.importing import ImportOptions, run_import, undo_import
from kpidesk.store import changelog, models, queries
from kpidesk.store.changelog import changes
from kpidesk.store.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_FILE = DATA / "workspaces" / "schema-5.kpidesk"


@pytest.fixture
def ws(workspace_location):
    with Workspace.create(workspace_location, "Acme", language="en") as workspace:
        yield workspace


def _stores(ws: Workspace, *names: str) -> list[int]:
    root = models.Unit.get(models.Unit.parent.is_null())
    with ws.atomic():
        return [models.Unit.create(name=name, parent=root).id for name in names]


# identities and versions ---------------------------------------------------------------------


def test_every_row_has_a_uid_of_its_own_and_a_version_that_counts_its_updates(ws):
    (store,) = _stores(ws, "Store A")
    with ws.atomic():
        kpi = models.Kpi.create(code="REV", name="Revenue")
        queries.insert_measurements([(kpi.id, store, "2026-01", 10.0, "", "typed", None)])
        queries.insert_targets([(kpi.id, None, "2026-01", 12.0, None)])
        queries.replace_target_path(kpi.id, None, ("2026-01", 10.0, "2026-12", 20.0))
    for model in models.ALL_MODELS:
        uids = [row[0] for row in model.select(model.uid).tuples()]
        assert all(len(uid) == 32 and int(uid, 16) >= 0 for uid in uids), model
        assert len(set(uids)) == len(uids)
    assert models.Measurement.get().row_version == 1

    with ws.atomic():
        queries.insert_measurements([(kpi.id, store, "2026-01", 11.0, "", "typed", None)])
        models.Kpi.update(name="Net sales").where(models.Kpi.id == kpi.id).execute()
        kpi = models.Kpi.get_by_id(kpi.id)
        kpi.owner = "Anna"
        kpi.save()
    assert models.Measurement.get().row_version == 2  # an upsert over a stored value
    assert kpi.row_version == models.Kpi.get_by_id(kpi.id).row_version == 3
    uid = models.Measurement.get().uid
    with ws.atomic():
        queries.insert_measurements([(kpi.id, store, "2026-01", 12.0, "", "typed", None)])
    assert models.Measurement.get().uid == uid  # a row keeps its identity


def test_two_workspaces_are_open_at_once_each_read_in_its_own_binding(workspace_location, tmp_path):
    first = Workspace.create(workspace_location, "First")
    second = Workspace.create(tmp_path / "second.kpidesk", "Second")
    try:
        with first.atomic():
            models.Kpi.create(code="ONE", name="One")
        with second.atomic():
            models.Kpi.create(code="TWO", name="Two")
        assert models.database.default is second.db  # opened last: the process default
        with first.bound():
            assert [k.code for k in models.Kpi.select()] == ["ONE"]
            assert queries.measurement_count() == 0
            with second.bound():
                assert [k.code for k in models.Kpi.select()] == ["TWO"]
            assert models.WorkspaceSettings.get().name == "First"
        assert first.settings().name == "First" and second.settings().name == "Second"

        seen: list[str] = []

        def worker() -> None:  # a thread reads the first through a connection of its own
            with first.thread_connection():
                seen.extend(k.code for k in models.Kpi.select())

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert seen == ["ONE"]
        assert [k.code for k in models.Kpi.select()] == ["TWO"]
    finally:
        first.close()
        second.close()


def test_opening_without_binding_leaves_the_default_alone(tmp_path):
    main = Workspace.create(tmp_path / "main.kpidesk", "Main")
    other_path = tmp_path / "other.kpidesk"
    Workspace.create(other_path, "Other").close()
    main.make_default()
    other = Workspace.open(other_path, read_only=True, bind=False)
    try:
        assert models.WorkspaceSettings.get().name == "Main"
        with other.bound():
            assert models.WorkspaceSettings.get().name == "Other"
    finally:
        other.close()
        main.close()


# the change log ------------------------------------------------------------------------------


def test_the_change_log_holds_every_insert_update_and_delete_with_its_values(ws):
    after = max(change.id for change in changes())
    (store,) = _stores(ws, "Store A")
    with ws.atomic():
        kpi = models.Kpi.create(code="REV", name="Revenue", amber_margin=0.1 + 0.2)
        queries.insert_measurements([(kpi.id, store, "2026-01", 1234567.891, "", "typed", None)])
        queries.insert_measurements([(kpi.id, store, "2026-01", 7.5, "note", "typed", None)])
        goal = models.Goal.create(title="Grow", due_date=date(2027, 6, 30), smart_specific=True)
    with ws.atomic():
        queries.delete_measurements([(kpi.id, store, "2026-01")])
        goal.delete_instance()

    log = changes(after_id=after)
    assert [(c.table, c.op) for c in log] == [
        ("unit", "insert"),
        ("kpi", "insert"),
        ("measurement", "insert"),
        ("measurement", "update"),
        ("goal", "insert"),
        ("measurement", "delete"),
        ("goal", "delete"),
    ]
    unit, kpi_entry, first, second, goal_entry, removed, _goal_removed = log
    assert unit.new["name"] == "Store A" and unit.row_uid == unit.new["uid"]
    assert kpi_entry.new["amber_margin"] == 0.1 + 0.2  # every bit of a value
    assert first.new["value"] == 1234567.891 and first.old is None
    assert (second.old["value"], second.new["value"], second.new["comment"]) == (
        1234567.891,
        7.5,
        "note",
    )
    assert second.new["row_version"] == 2 and second.row_uid == first.row_uid
    assert removed.old["value"] == 7.5 and removed.new is None
    assert goal_entry.new["due_date"] == date(2027, 6, 30)
    assert goal_entry.new["smart_specific"] is True
    assert isinstance(goal_entry.new["created_at"], datetime)
    expected_actor = "postgres" if ws.is_server else ws.actor
    assert {c.actor for c in log} == {expected_actor}
    assert all(isinstance(c.at, datetime) for c in log)


def test_the_same_edits_are_logged_alike_in_a_file_and_on_a_server(tmp_path, pg_url):
    def edit(location) -> list[tuple]:
        with Workspace.create(location, "Same", language="en") as workspace:
            (store,) = _stores(workspace, "Store")
            with workspace.atomic():
                kpi = models.Kpi.create(code="K", name="K", benchmark_value=1 / 3)
                queries.insert_measurements([(kpi.id, store, "2026-03", 2.5, "x", "typed", None)])
                models.Kpi.update(archived_at=datetime(2026, 5, 1, 12, 30)).where(
                    models.Kpi.id == kpi.id
                ).execute()
            entries = []
            for change in changes():
                if change.op == "migrate":
                    continue
                old, new = (
                    {k: v for k, v in (values or {}).items() if k not in ("uid", "created_at")}
                    if values is not None
                    else None
                    for values in (change.old, change.new)
                )
                if change.table == "measurement":
                    new.pop("entered_at")
                entries.append((change.table, change.op, old, new))
            return entries

    assert edit(tmp_path / "same.kpidesk") == edit(pg_url)


def test_an_import_is_one_entry_in_the_log_and_its_undo_another(ws, tmp_path):
    _stores(ws, "Sthlm", "Gbg")
    path = tmp_path / "values.csv"
    lines = ["Månad;Butik;Nyckeltal;Värde"]
    lines += [f"2025-{m:02d};{s};Kunder;{m * 10}" for m in range(1, 13) for s in ("Sthlm", "Gbg")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = max(change.id for change in changes())
    result = run_import(ws, path, ImportOptions(), ImportMapping(create_missing=True))
    assert result.imported == 24
    log = changes(after_id=before)
    assert [c.table for c in log if c.table == "measurement"] == ["measurement"]
    (entry,) = [c for c in log if c.op == "import"]
    with ws.bound():
        batch = models.ImportBatch.get_by_id(result.batch_id)
    assert entry.row_uid == batch.uid
    assert entry.new["batch_id"] == result.batch_id and entry.new["imported"] == 24
    assert {c.table for c in log} <= {"kpi", "import_batch", "measurement", "import_profile"}

    before = max(change.id for change in changes())
    undo_import(ws, result.batch_id)
    log = changes(after_id=before)
    assert [c.op for c in log if c.table == "measurement"] == ["undo-import"]
    with ws.bound():
        assert models.Measurement.select().count() == 0


def test_log_entries_have_uids_that_copies_share(ws):
    uids = changelog.entry_uids()
    assert len(uids) == len(set(uids)) >= 2
    assert all(len(uid) == 32 for uid in uids)


# what a server keeps as a file does ---------------------------------------------------------


def test_values_come_back_exactly_as_they_went_in(ws):
    (store,) = _stores(ws, "Store")
    values = [1234567.891, 0.1 + 0.2, 1e-300, 123456789012345.6, -0.0001, 2.0**52 + 0.5]
    with ws.atomic():
        kpi = models.Kpi.create(code="K", name="K", archived_at=datetime(2026, 3, 1, 23, 59, 59))
        queries.insert_measurements(
            [
                (kpi.id, store, f"2026-{i + 1:02d}", v, "", "typed", None)
                for i, v in enumerate(values)
            ]
        )
        models.Goal.create(title="G", smart_measurable=True, start_date=date(2026, 1, 31))
    stored = [row[3] for row in queries.measurements_of_kpis([kpi.id])]
    assert sorted(stored) == sorted(values)
    assert models.Kpi.get().archived_at == datetime(2026, 3, 1, 23, 59, 59)
    goal = models.Goal.get()
    assert goal.smart_measurable is True and goal.smart_specific is False
    assert goal.start_date == date(2026, 1, 31)


def test_names_and_period_keys_sort_by_code_point_as_in_a_file(ws, tmp_path):
    names = ["b", "B", "Å", "a", "ä", "Z", "z", "É", "10", "9"]
    ids = _stores(ws, *names)
    with ws.atomic():
        kpi = models.Kpi.create(code="K", name="K")
        queries.insert_measurements(
            [
                (kpi.id, unit, key, 1.0, "", "typed", None)
                for unit in ids
                for key in ("2026-W02", "2026-Q1", "2026-02", "2026")
            ]
        )
    exported = [(row.unit, row.period) for row in queries.iter_measurements_for_export()]
    assert exported == sorted(exported)  # Python sorts str by code point
    assert [
        u.name
        for u in models.Unit.select()
        .where(models.Unit.parent.is_null(False))
        .order_by(models.Unit.name)
    ] == sorted(names)


def test_an_all_units_target_is_one_per_kpi_and_period(ws):
    with ws.atomic():
        kpi = models.Kpi.create(code="K", name="K")
        queries.insert_targets([(kpi.id, None, "2026-01", 5.0, None)])
    with pytest.raises(peewee.IntegrityError), ws.atomic():
        queries.insert_targets([(kpi.id, None, "2026-01", 6.0, None)])
    assert queries.targets_at([(kpi.id, None, "2026-01")]) == {
        (kpi.id, None, "2026-01"): (5.0, None)
    }


def test_a_row_put_back_with_its_id_does_not_hold_up_new_rows(pg_url):
    """On a server someone may add a row between a deletion and its undo: the identity
    sequence never hands out an id again. (A file's writer undoes in order, so the newer
    row is gone before the older comes back.)"""
    ws = Workspace.create(pg_url, "Acme")
    first = action_service.create_action(ws, ActionData(title="First"))
    deleted = action_service.delete_action(ws, first)
    second = action_service.create_action(ws, ActionData(title="Second"))
    assert action_service.restore_action(ws, deleted) == first
    third = action_service.create_action(ws, ActionData(title="Third"))
    assert len({first, second, third}) == 3
    with ws.bound():
        assert sorted(a.title for a in models.Action.select()) == ["First", "Second", "Third"]
    ws.close()


# a file's migration to schema 6 ---------------------------------------------------------------


def test_two_copies_of_one_old_file_migrated_apart_agree_on_every_uid(tmp_path):
    def migrated(name: str) -> dict[str, list[tuple[int, str]]]:
        path = tmp_path / name
        shutil.copyfile(OLD_FILE, path)
        with Workspace.open(path):
            pass
        connection = sqlite3.connect(path)
        try:
            found = {
                table: connection.execute(f'SELECT id, uid FROM "{table}" ORDER BY id').fetchall()
                for table in models.LOGGED_TABLES
            }
            found["change_log"] = connection.execute(
                "SELECT op, uid FROM change_log ORDER BY id"
            ).fetchall()
            return found
        finally:
            connection.close()

    one, two = migrated("one.kpidesk"), migrated("two.kpidesk")
    assert one == two
    assert one["change_log"][0][0] == "migrate"
    assert sum(len(rows) for rows in one.values()) > 1500
    assert all(len(uid) == 16 for rows in one.values() for _id, uid in rows)  # 16 bytes


def test_schema_6_keeps_the_newer_of_two_all_units_targets(tmp_path):
    path = tmp_path / "old.kpidesk"
    shutil.copyfile(OLD_FILE, path)
    connection = sqlite3.connect(path)
    kpi = connection.execute("SELECT id FROM kpi ORDER BY id LIMIT 1").fetchone()[0]
    for value in (1.0, 2.0):
        connection.execute(
            "INSERT INTO target (kpi_id, unit_id, period, value) VALUES (?, NULL, '1999-01', ?)",
            (kpi, value),
        )
    connection.commit()
    connection.close()
    with Workspace.open(path) as workspace, workspace.bound():
        rows = list(
            models.Target.select(models.Target.value)
            .where(models.Target.kpi == kpi, models.Target.period == "1999-01")
            .tuples()
        )
    assert rows == [(2.0,)]
