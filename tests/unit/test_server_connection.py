"""A server workspace's connection lost and found again, and the app's server address form."""

from __future__ import annotations

import pytest

from kpidesk.services import overview
from kpidesk.services.server_access import ServerFields, fields_of, open_server_workspace
from kpidesk.store import models
from kpidesk.store.errors import ServerConnectionLostError
from kpidesk.store.location import parse_server_url
from kpidesk.store.workspace import Workspace


def terminate(pg_server, dbname: str) -> None:
    pg_server.psql(
        "postgres",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE datname = '{dbname}' AND pid <> pg_backend_pid()",
    )


@pytest.fixture
def server_workspace(pg_url):
    workspace = Workspace.create(pg_url, "Acme", language="en")
    yield workspace
    workspace.close()


def test_a_read_and_a_change_after_the_server_ended_the_session_connect_again(
    server_workspace, pg_server
):
    dbname = server_workspace.server.dbname
    assert len(overview.unit_tree()) == 1
    terminate(pg_server, dbname)
    assert len(overview.unit_tree()) == 1  # read again on a new connection
    terminate(pg_server, dbname)
    with server_workspace.atomic():  # BEGIN found the connection gone: connected again
        models.Unit.create(name="North", parent=models.Unit.get().id, sort_order=1)
    assert len(overview.unit_tree()) == 2


def test_a_connection_lost_inside_a_change_saves_none_of_it(server_workspace, pg_server):
    dbname = server_workspace.server.dbname
    root = models.Unit.get().id
    with pytest.raises(ServerConnectionLostError) as lost, server_workspace.atomic():
        models.Unit.create(name="North", parent=root, sort_order=1)
        terminate(pg_server, dbname)
        models.Unit.create(name="South", parent=root, sort_order=2)
    assert "\n" not in lost.value.message and "nothing of the change was saved" in (
        lost.value.message
    )
    assert [unit.name for unit in overview.unit_tree()] == ["Acme"]


def test_a_server_that_cannot_be_reached_again_is_one_line(server_workspace, pg_server):
    dbname = server_workspace.server.dbname
    pg_server.psql("postgres", f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS false")
    try:
        terminate(pg_server, dbname)
        with pytest.raises(ServerConnectionLostError) as lost:
            overview.unit_tree()
        assert "was lost" in lost.value.message
    finally:
        pg_server.psql("postgres", f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS true")
    assert len(overview.unit_tree()) == 1


def test_the_form_names_an_address_and_reads_one_back():
    fields = ServerFields(
        host="db.example.com",
        port=5433,
        database="solbacka",
        user="anna",
        sslmode="verify-full",
        extra=(("sslrootcert", "/etc/ssl/our ca.pem"),),
    )
    address = fields.address()
    assert address.url == (
        "postgresql://anna@db.example.com:5433/solbacka?sslmode=verify-full"
        "&sslrootcert=%2Fetc%2Fssl%2Four%20ca.pem"
    )
    assert fields_of(address) == fields
    default = ServerFields(host="db", port=5432, database="x", user="bo").address()
    assert default.url == "postgresql://bo@db/x" and default.port in (None, 5432)
    assert fields_of(parse_server_url("postgresql://bo@db/x")).sslmode == "prefer"


def test_a_typed_password_is_used_once_and_never_kept_in_the_address(pg_url, monkeypatch):
    Workspace.create(pg_url, "Acme").close()
    kept = []
    monkeypatch.setattr(
        "kpidesk.store.credentials.remember_password", lambda *args: kept.append(args)
    )
    monkeypatch.setattr("kpidesk.store.credentials.forget_password", lambda *args: None)
    workspace = open_server_workspace(pg_url, password="not-needed-here", remember=False)
    try:
        assert "not-needed-here" not in str(workspace.location) and kept == []
    finally:
        workspace.close()
