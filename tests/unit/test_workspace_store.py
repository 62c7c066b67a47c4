"""The workspace file: creation, identification, refusal of bad files, WAL, lock, migrations."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from kpidesk.store import backups, models
from kpidesk.store.errors import (
    CorruptWorkspaceError,
    EmptyFileError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    ReadOnlyWorkspaceError,
    WorkspaceExistsError,
    WorkspaceLockedError,
    WorkspaceMissingError,
)
from kpidesk.store.file_lock import current_holder, lock_path_for
from kpidesk.store.migrations import SCHEMA_VERSION, migrate
from kpidesk.store.sqlite import APPLICATION_ID
from kpidesk.store.workspace import Workspace


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_workspace_has_settings_root_unit_and_schema(workspace_path):
    with Workspace.create(workspace_path, "Acme AB") as workspace:
        assert workspace.settings().name == "Acme AB"
        assert [u.name for u in models.Unit.select()] == ["Acme AB"]
        assert workspace.schema_version == SCHEMA_VERSION
        assert workspace.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert workspace.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        app_id = workspace.connection.execute("PRAGMA application_id").fetchone()[0]
        assert app_id == APPLICATION_ID


def test_closed_workspace_is_one_file(workspace_path):
    with Workspace.create(workspace_path, "Acme") as workspace:
        root = models.Unit.get()
        with workspace.atomic():
            for index in range(200):
                models.Unit.create(name=f"Store {index}", parent=root)
        assert os.path.exists(f"{workspace_path}-wal")
    leftovers = sorted(p.name for p in workspace_path.parent.iterdir())
    assert leftovers == [workspace_path.name]
    connection = sqlite3.connect(workspace_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()


def test_create_refuses_to_overwrite(workspace_path):
    Workspace.create(workspace_path, "A").close()
    with pytest.raises(WorkspaceExistsError):
        Workspace.create(workspace_path, "B")


def test_models_match_the_migrated_schema(workspace_path):
    """A model changed without a migration step fails here."""
    with Workspace.create(workspace_path, "A") as workspace:
        for model in models.ALL_MODELS:
            table = model._meta.table_name
            columns = {
                row[1] for row in workspace.connection.execute(f"PRAGMA table_info({table})")
            }
            expected = {field.column_name for field in model._meta.sorted_fields}
            assert columns == expected, table


def test_one_measurement_per_kpi_unit_and_period(workspace_path):
    from peewee import IntegrityError

    with Workspace.create(workspace_path, "A") as workspace:
        unit = models.Unit.get()
        kpi = models.Kpi.create(code="REV", name="Revenue")
        with workspace.atomic():
            models.Measurement.create(kpi=kpi, unit=unit, period="2026-03", value=1)
        with pytest.raises(IntegrityError), workspace.atomic():
            models.Measurement.create(kpi=kpi, unit=unit, period="2026-03", value=2)
        with pytest.raises(IntegrityError), workspace.atomic():
            models.Measurement.create(kpi=kpi.id, unit=999, period="2026-04", value=2)
        assert models.Measurement.select().count() == 1


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", EmptyFileError),
        (b"hello, this is a spreadsheet\n" * 10, NotAWorkspaceError),
        (b"PK\x03\x04" + b"\x00" * 200, NotAWorkspaceError),
    ],
)
def test_refuses_files_that_are_no_workspace(tmp_path, content, error):
    path = tmp_path / "x.kpidesk"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(error):
        Workspace.open(path)
    assert digest(path) == before
    assert not lock_path_for(path).exists()


def test_refuses_another_programs_sqlite_file(tmp_path):
    path = tmp_path / "other.kpidesk"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(NotAWorkspaceError):
        Workspace.open(path)
    assert digest(path) == before


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(WorkspaceMissingError):
        Workspace.open(tmp_path / "nope.kpidesk")


def test_refuses_a_truncated_workspace(demo_copy):
    data = demo_copy.read_bytes()
    demo_copy.write_bytes(data[: len(data) // 2])
    before = digest(demo_copy)
    with pytest.raises(CorruptWorkspaceError):
        Workspace.open(demo_copy)
    with pytest.raises(CorruptWorkspaceError):
        Workspace.open(demo_copy, read_only=True)
    assert digest(demo_copy) == before


def test_refuses_a_damaged_page(demo_copy):
    data = bytearray(demo_copy.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for offset in range(page_size * 3, page_size * 3 + 400):
        data[offset] = 0x5A
    demo_copy.write_bytes(bytes(data))
    before = digest(demo_copy)
    with pytest.raises(CorruptWorkspaceError):
        Workspace.open(demo_copy)
    assert digest(demo_copy) == before


def test_refuses_a_newer_workspace(workspace_path):
    Workspace.create(workspace_path, "A").close()
    connection = sqlite3.connect(workspace_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.commit()
    connection.close()
    before = digest(workspace_path)
    with pytest.raises(NewerWorkspaceError) as raised:
        Workspace.open(workspace_path)
    assert f"schema {SCHEMA_VERSION + 5}" in str(raised.value)
    assert digest(workspace_path) == before


def test_read_only_refuses_writes(workspace_path):
    Workspace.create(workspace_path, "A").close()
    before = digest(workspace_path)
    with Workspace.open(workspace_path, read_only=True) as workspace:
        assert models.Unit.select().count() == 1
        with pytest.raises(ReadOnlyWorkspaceError):
            workspace.atomic()
        with pytest.raises(Exception, match=r"readonly|read-only|query_only"):
            models.Unit.create(name="X")
    assert digest(workspace_path) == before


def test_second_writer_is_refused_with_who_and_since(workspace_path):
    first = Workspace.create(workspace_path, "A")
    try:
        with pytest.raises(WorkspaceLockedError) as raised:
            Workspace.open(workspace_path)
        holder = raised.value.holder
        assert holder is not None and holder.pid == os.getpid()
        assert holder.since in str(raised.value)
        assert current_holder(workspace_path).pid == os.getpid()
    finally:
        first.close()
    assert current_holder(workspace_path) is None
    Workspace.open(workspace_path).close()


def test_a_killed_holder_leaves_the_workspace_openable(workspace_path):
    Workspace.create(workspace_path, "A").close()
    script = textwrap.dedent(
        f"""
        import sys, time
        from kpidesk.store.workspace import Workspace
        from kpidesk.store import models
        ws = Workspace.open({str(workspace_path)!r})
        with ws.atomic():
            models.Unit.create(name="Written before the kill", parent=models.Unit.get())
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceLockedError):
            Workspace.open(workspace_path)
    finally:
        process.kill()
        process.wait()
    with Workspace.open(workspace_path) as workspace:
        names = {u.name for u in models.Unit.select()}
        assert "Written before the kill" in names
        assert workspace.integrity_problems() == []


def test_save_copy_while_open(workspace_path, tmp_path):
    with Workspace.create(workspace_path, "A") as workspace:
        with workspace.atomic():
            models.Unit.create(name="Store", parent=models.Unit.get())
        copy = workspace.save_copy(tmp_path / "copy.kpidesk")
    with Workspace.open(copy, read_only=True):
        assert models.Unit.select().count() == 2


def test_migration_ladder_runs_each_step_atomically(workspace_path):
    """Synthetic steps above the current version: applied once; a failing step changes nothing."""
    Workspace.create(workspace_path, "A").close()
    connection = sqlite3.connect(workspace_path, isolation_level=None)
    v = SCHEMA_VERSION

    def add_column(conn):
        conn.execute("ALTER TABLE kpi ADD COLUMN extra TEXT")

    def broken(conn):
        conn.execute("ALTER TABLE kpi ADD COLUMN other TEXT")
        raise RuntimeError("step failed")

    assert migrate(connection, {v: lambda c: None, v + 1: add_column}) == [v + 1]
    assert migrate(connection, {v: lambda c: None, v + 1: add_column}) == []
    with pytest.raises(RuntimeError):
        migrate(connection, {v + 1: add_column, v + 2: broken})
    columns = {row[1] for row in connection.execute("PRAGMA table_info(kpi)")}
    assert "extra" in columns and "other" not in columns
    assert connection.execute("PRAGMA user_version").fetchone()[0] == v + 1
    connection.close()


def test_a_version_1_workspace_gains_the_smart_checklist(workspace_path):
    from kpidesk.store import migrations

    connection = sqlite3.connect(workspace_path, isolation_level=None)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.migrate(connection, {1: migrations.STEPS[1]})
    connection.execute(
        "INSERT INTO goal (title, description, perspective, owner, status, sort_order,"
        " created_at) VALUES ('Grow', '', 'financial', '', 'active', 0, '2026-01-01')"
    )
    connection.close()
    with Workspace.open(workspace_path) as workspace:
        assert workspace.schema_version == SCHEMA_VERSION
        goal = models.Goal.get()
        assert goal.title == "Grow" and goal.smart_measurable is False


def test_opening_an_older_workspace_migrates_after_a_backup(workspace_path, monkeypatch):
    Workspace.create(workspace_path, "A").close()
    from kpidesk.store import migrations

    steps = dict(migrations.STEPS)
    steps[SCHEMA_VERSION + 1] = lambda c: c.execute("CREATE TABLE later (x)")
    monkeypatch.setattr(migrations, "STEPS", steps)
    with Workspace.open(workspace_path) as workspace:
        assert workspace.schema_version == SCHEMA_VERSION + 1
    copies = backups.list_backups(workspace_path)
    assert len(copies) == 1 and "before-migration" in copies[0].name
    connection = sqlite3.connect(copies[0])
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()
