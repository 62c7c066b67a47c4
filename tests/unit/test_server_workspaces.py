"""A workspace on a PostgreSQL server (the session's throw-away server): publishing and copying
exactly, schema versions and their migration, passwords, TLS modes, and the server's errors
said in the store's words."""

from __future__ import annotations

import logging
import os
import sqlite3

import psycopg
import pytest

from kpidesk.services import servers
from kpidesk.services.backups import create_backup, list_backups
from kpidesk.services.workspaces import check_workspace, export_measurements_csv
from kpidesk.store import credentials, models, postgres
from kpidesk.store.errors import (
    DatabaseNotEmptyError,
    NewerWorkspaceError,
    NoServerWorkspaceError,
    NoSuchDatabaseError,
    ServerBusyError,
    ServerConnectionLostError,
    ServerHoldsWorkspaceError,
    ServerLoginError,
    ServerNeedsMigrationError,
    ServerPermissionError,
    ServerResourcesError,
    ServerSchemaExistsError,
    ServerTlsError,
    ServerUnreachableError,
    WorkspaceExistsError,
)
from kpidesk.store.location import parse_server_url
from kpidesk.store.workspace import Workspace, opened
from tests.pgserver import PASSWORD, PASSWORD_ROLE


def raw(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


def table_rows(location) -> dict[str, list[tuple]]:
    """Every table's rows by id, as Python values the same from either backend."""
    from kpidesk.store.transfer import file_value, tables

    with opened(location, read_only=True) as workspace:
        found = {}
        for table in tables():
            columns = workspace.backend.columns_of(workspace.db, table)
            names = ", ".join(f'"{c}"' for c in columns)
            rows = workspace.db.execute_sql(f'SELECT {names} FROM "{table}" ORDER BY id')
            found[table] = [tuple(file_value(v) for v in row) for row in rows.fetchall()]
        return found


# moving in and out ----------------------------------------------------------------------------


def test_publish_and_copy_back_are_exact(demo_file, pg_url, tmp_path):
    result = servers.publish(demo_file, pg_url)
    assert result.measurements > 1500 and result.kpis == 13
    back = tmp_path / "back.kpidesk"
    servers.copy_to_file(pg_url, back)
    source, server, copy = table_rows(demo_file), table_rows(pg_url), table_rows(back)
    assert source == server == copy
    assert sum(len(rows) for rows in source.values()) > 3000
    csv = {}
    for name, location in (("file", demo_file), ("server", pg_url), ("copy", back)):
        with opened(location, read_only=True) as workspace:
            export_measurements_csv(workspace, tmp_path / f"{name}.csv")
        csv[name] = (tmp_path / f"{name}.csv").read_bytes()
    assert csv["file"] == csv["server"] == csv["copy"]


def test_new_rows_on_a_published_server_take_ids_past_the_copied_ones(demo_file, pg_url):
    servers.publish(demo_file, pg_url)
    with Workspace.open(pg_url) as workspace, workspace.atomic():
        highest = models.Kpi.select(models.Kpi.id).order_by(models.Kpi.id.desc()).scalar()
        assert models.Kpi.create(code="NEW", name="New").id == highest + 1
        root = models.Unit.get(models.Unit.parent.is_null())
        models.Unit.create(name="New store", parent=root)


def test_publish_refuses_a_database_holding_a_workspace_or_other_tables(
    demo_file, pg_url, pg_empty_url
):
    Workspace.create(pg_url, "Already here").close()
    with pytest.raises(ServerHoldsWorkspaceError) as refused:
        servers.publish(demo_file, pg_url)
    assert "Already here" in refused.value.message and refused.value.exit_code == 1
    with opened(pg_url, read_only=True):
        assert models.Kpi.select().count() == 0  # nothing was changed
    with raw(pg_empty_url) as connection:
        connection.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(DatabaseNotEmptyError) as refused:
        servers.publish(demo_file, pg_empty_url)
    assert "invoices" in refused.value.message
    with pytest.raises(DatabaseNotEmptyError):
        servers.init_server(pg_empty_url)


def test_server_init_makes_the_empty_schema_once(pg_empty_url, demo_file):
    servers.init_server(pg_empty_url)
    with pytest.raises(ServerSchemaExistsError):
        servers.init_server(pg_empty_url)
    with pytest.raises(NoServerWorkspaceError):  # a schema without a workspace yet
        Workspace.open(pg_empty_url)
    servers.publish(demo_file, pg_empty_url)
    assert check_workspace(pg_empty_url).counts["kpi"] == 13


def test_copy_refuses_an_existing_file(pg_url, tmp_path):
    Workspace.create(pg_url, "Acme").close()
    existing = tmp_path / "there.kpidesk"
    existing.write_bytes(b"mine")
    with pytest.raises(WorkspaceExistsError):
        servers.copy_to_file(pg_url, existing)
    assert existing.read_bytes() == b"mine"


def test_a_backup_of_a_server_is_a_snapshot_file(pg_url, demo_file, tmp_path):
    servers.publish(demo_file, pg_url)
    copy = create_backup(pg_url)
    assert copy.suffix == ".kpidesk" and copy.exists()
    assert table_rows(copy) == table_rows(pg_url)
    assert [info.path for info in list_backups(pg_url)] == [copy]
    elsewhere = create_backup(pg_url, directory=tmp_path / "kept")
    assert elsewhere.parent == tmp_path / "kept"


def test_check_finds_a_missing_trigger(pg_url):
    Workspace.create(pg_url, "Acme").close()
    report = check_workspace(pg_url)
    assert report.sound and report.schema_version == NOW and report.counts["unit"] == 1
    with raw(pg_url) as connection:
        connection.execute('DROP TRIGGER "measurement_log_delete" ON measurement')
    assert check_workspace(pg_url).problems == ["trigger measurement_log_delete is missing"]


# schema versions -------------------------------------------------------------------------------


def _set_server_version(url: str, version: int) -> None:
    with raw(url) as connection:
        connection.execute(
            "UPDATE kpidesk_meta SET value = %s WHERE key = 'schema_version'", (str(version),)
        )


def test_a_client_older_than_the_server_opens_it_read_only(pg_url):
    Workspace.create(pg_url, "Acme").close()
    _set_server_version(pg_url, LATER)
    with pytest.raises(NewerWorkspaceError) as refused:
        Workspace.open(pg_url)
    assert refused.value.exit_code == 4 and "newer version" in refused.value.message
    workspace = Workspace.open(pg_url, read_only_fallback=True)
    try:
        assert workspace.read_only and "newer version" in workspace.notice
        assert models.WorkspaceSettings.get().name == "Acme"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):  # the server refuses too
            workspace.connection.execute("INSERT INTO kpidesk_meta VALUES ('x', 'y')")
    finally:
        workspace.close()


NOW = postgres.newest_version()
LATER = NOW + 1
"""A step this client does not know yet: the next after its newest."""


def _step_later(db) -> None:
    db.execute_sql("ALTER TABLE kpi ADD COLUMN later text")


def test_a_newer_client_migrates_a_server_only_when_told(pg_url, monkeypatch):
    Workspace.create(pg_url, "Acme").close()
    monkeypatch.setitem(postgres.STEPS, LATER, _step_later)
    with pytest.raises(ServerNeedsMigrationError) as refused:
        Workspace.open(pg_url)
    assert "kpidesk server migrate" in refused.value.message
    with Workspace.open(pg_url, read_only_fallback=True) as workspace:
        assert workspace.read_only and workspace.schema_version == NOW

    result = servers.migrate_server(pg_url)
    assert (result.from_version, result.to_version) == (NOW, LATER)
    assert result.snapshot is not None and result.snapshot.exists()
    assert f"before-migration-v{NOW}" in result.snapshot.name
    with sqlite3.connect(result.snapshot) as snapshot:
        assert snapshot.execute("PRAGMA user_version").fetchone()[0] == NOW
    with Workspace.open(pg_url) as workspace:
        assert workspace.schema_version == LATER and not workspace.read_only
    assert not servers.migrate_server(pg_url).changed


def test_a_migration_gives_up_on_a_table_others_hold(pg_url, monkeypatch):
    Workspace.create(pg_url, "Acme").close()
    monkeypatch.setitem(postgres.STEPS, LATER, _step_later)
    monkeypatch.setattr(postgres, "LOCK_TIMEOUT", "200ms")
    with raw(pg_url) as other:
        other.autocommit = False
        other.execute("SELECT * FROM kpi")  # an open transaction that read the table
        with pytest.raises(ServerBusyError):
            servers.migrate_server(pg_url)
        other.rollback()
    with Workspace.open(pg_url, read_only_fallback=True) as workspace:
        assert workspace.schema_version == NOW  # all or nothing


def test_exclusive_operations_exclude_each_other(pg_url, monkeypatch):
    Workspace.create(pg_url, "Acme").close()
    monkeypatch.setitem(postgres.STEPS, LATER, _step_later)
    with raw(pg_url) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (postgres.ADVISORY_KEY,))
        with pytest.raises(ServerBusyError) as refused:
            servers.migrate_server(pg_url)
        assert refused.value.exit_code == 5


# logging in --------------------------------------------------------------------------------


@pytest.fixture
def password_url(pg_server, pg_url) -> str:
    """The fresh database, opened to the role that logs in with a password."""
    Workspace.create(pg_url, "Acme").close()
    with raw(pg_url) as connection:
        connection.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PASSWORD_ROLE}")
        connection.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PASSWORD_ROLE}")
    return pg_url.replace("postgres@", f"{PASSWORD_ROLE}@")


class _MemoryKeyring:
    priority = 1

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.kept.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.kept[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.kept.pop((service, user), None)


@pytest.fixture
def no_password(monkeypatch, tmp_path):
    for name in ("PGPASSWORD", "PGSERVICE", "PGSERVICEFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    import keyring

    memory = _MemoryKeyring()
    monkeypatch.setattr(keyring, "get_password", memory.get_password)
    monkeypatch.setattr(keyring, "set_password", memory.set_password)
    monkeypatch.setattr(keyring, "delete_password", memory.delete_password)
    return memory


def test_without_a_password_the_login_is_refused_in_words(password_url, no_password):
    with pytest.raises(ServerLoginError) as refused:
        Workspace.open(password_url)
    assert "PGPASSWORD" in refused.value.message and refused.value.exit_code == 3


def test_the_password_comes_from_pgpassword(password_url, no_password, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    with opened(password_url) as workspace:
        assert workspace.settings().name == "Acme"


def test_the_password_comes_from_pgpass(password_url, no_password, monkeypatch, tmp_path):
    address = parse_server_url(password_url)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{address.port}:*:{PASSWORD_ROLE}:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with opened(password_url, read_only=True) as workspace:
        assert workspace.settings().name == "Acme"


def test_the_password_comes_from_a_service(password_url, no_password, monkeypatch, tmp_path):
    address = parse_server_url(password_url)
    services_file = tmp_path / "pg_service.conf"
    services_file.write_text(
        f"[kpidesk]\nhost=127.0.0.1\nport={address.port}\ndbname={address.dbname}\n"
        f"user={PASSWORD_ROLE}\npassword={PASSWORD}\n"
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services_file))
    monkeypatch.setenv("PGSERVICE", "kpidesk")
    with opened(password_url, read_only=True) as workspace:
        assert workspace.settings().name == "Acme"
    with opened("postgresql:///?service=kpidesk", read_only=True) as workspace:
        assert workspace.settings().name == "Acme"


def test_a_remembered_password_is_used_and_never_logged(
    password_url, no_password, caplog, tmp_path
):
    address = parse_server_url(password_url)
    assert credentials.remember_password(address, PASSWORD)
    assert no_password.kept == {("KPI Desk", address.identity): PASSWORD}
    with caplog.at_level(logging.DEBUG), opened(password_url) as workspace, workspace.atomic():
        models.Kpi.create(code="K", name="K")
    assert PASSWORD not in caplog.text
    credentials.forget_password(address)
    with pytest.raises(ServerLoginError):
        Workspace.open(password_url)


def test_a_password_in_the_url_is_used_but_never_shown(password_url, no_password):
    with_password = password_url.replace(f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:{PASSWORD}@")
    address = parse_server_url(with_password)
    assert PASSWORD not in str(address) and PASSWORD not in repr(address)
    with opened(address, read_only=True) as workspace:
        assert PASSWORD not in workspace.display_name


def test_tls_modes_are_passed_to_the_server(pg_url):
    Workspace.create(pg_url, "Acme").close()
    with pytest.raises(ServerTlsError):  # the test server speaks no TLS
        Workspace.open(pg_url + "?sslmode=require")
    with opened(pg_url + "?sslmode=disable", read_only=True) as workspace:
        assert workspace.settings().name == "Acme"


# the server's errors in the store's words -----------------------------------------------------


def test_an_unreachable_server_and_a_missing_database_are_said(pg_server):
    with pytest.raises(ServerUnreachableError) as refused:
        Workspace.open("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
    assert refused.value.exit_code == 3
    with pytest.raises(NoSuchDatabaseError):
        Workspace.open(pg_server.url("no_such_database"))


def test_a_right_not_granted_is_said_and_nothing_is_changed(pg_url, no_password, monkeypatch):
    Workspace.create(pg_url, "Acme").close()
    with raw(pg_url) as connection:
        connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {PASSWORD_ROLE}")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    reader = pg_url.replace("postgres@", f"{PASSWORD_ROLE}@")
    with opened(reader) as workspace:
        with pytest.raises(ServerPermissionError) as refused, workspace.atomic():
            models.Kpi.create(code="K", name="K")
        assert refused.value.exit_code == 1
        assert models.Kpi.select().count() == 0


def test_a_lost_connection_is_said_nothing_is_half_done_and_the_next_change_connects(pg_url):
    workspace = Workspace.create(pg_url, "Acme")
    try:
        with workspace.atomic():
            models.Kpi.create(code="A", name="A")
        pid = workspace.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        with pytest.raises(ServerConnectionLostError) as lost, workspace.atomic():
            models.Kpi.create(code="B", name="B")
            with raw(pg_url) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (pid,))
            models.Kpi.create(code="C", name="C")
        assert "was lost" in lost.value.message
        with workspace.atomic():
            models.Kpi.create(code="D", name="D")
        assert [k.code for k in models.Kpi.select().order_by(models.Kpi.code)] == ["A", "D"]
    finally:
        workspace.close()


def test_out_of_resources_on_the_server_is_said(pg_server, pg_url):
    Workspace.create(pg_url, "Acme").close()
    address = parse_server_url(pg_url)
    error = psycopg.errors.lookup("53100")("could not extend file: No space left on device")
    assert isinstance(postgres.BACKEND.translate_error(address, error), ServerResourcesError)
    with raw(pg_url) as connection:
        connection.execute("CREATE ROLE limited LOGIN CONNECTION LIMIT 0")
    with pytest.raises(ServerResourcesError):
        Workspace.open(pg_url.replace("postgres@", "limited@"))


def test_a_file_never_loads_the_server_driver(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "a.kpidesk"
    code = (
        "import sys\n"
        "from kpidesk.store.workspace import Workspace\n"
        "from kpidesk.store import models, queries\n"
        f"w = Workspace.create({str(path)!r}, 'A')\n"
        "queries.measurement_count(); w.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg2')))\n"
    )
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "[]", result.stderr


def test_a_server_workspace_is_named_by_its_url_without_a_password():
    address = parse_server_url(
        "postgresql://anna:pw@db.example.com:6543/solbacka?sslmode=verify-full"
    )
    assert str(address) == "postgresql://anna@db.example.com:6543/solbacka?sslmode=verify-full"
    assert (address.user, address.host, address.port, address.dbname) == (
        "anna",
        "db.example.com",
        6543,
        "solbacka",
    )
    assert address.password == "pw" and address.identity == "anna@db.example.com:6543/solbacka"
