"""People and their rights on a server workspace, enforced by the server: each person a
login role in one of four group roles, row-level security on the tables an updater writes.
Every right is proved with a raw connection as that person, as ``psql`` would make it."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest

from kpidesk.services import people
from kpidesk.services.people import NotYourUnitError, PeopleError
from kpidesk.store.access import Role
from kpidesk.store.workspace import Workspace

_names = itertools.count(1)

HOSTILE = [
    "o'brien",
    'Robert"); DROP TABLE kpi; --',
    "åsa; SELECT pg_sleep(10)",
    "名前 \\ $$ %s {name}",
]


def unique(name: str) -> str:
    """Login roles belong to the whole server: each test's names are its own."""
    return f"{name}-{os.getpid()}-{next(_names)}"


@pytest.fixture
def demo_url(demo_file, pg_url):
    from kpidesk.services.servers import publish

    publish(demo_file, pg_url)
    return pg_url


def raw(pg_server, url: str, user: str) -> psycopg.Connection:
    dbname = url.rsplit("/", 1)[1].split("?")[0]
    return psycopg.connect(
        host="127.0.0.1", port=pg_server.port, dbname=dbname, user=user, autocommit=True
    )


def unit_id(connection, name: str) -> int:
    return connection.execute("SELECT id FROM unit WHERE name = %s", (name,)).fetchone()[0]


def test_each_role_has_exactly_its_rights_on_a_raw_connection(pg_server, demo_url):
    viewer, updater, editor = unique("vera"), unique("ulf"), unique("eva")
    people.add_person_at(demo_url, viewer, "viewer")
    people.add_person_at(demo_url, updater, "updater", ["Luleå store"])
    people.add_person_at(demo_url, editor, "editor")
    listed = {row.name: row for row in people.people_at(demo_url)}
    assert listed[updater].role is Role.UPDATER and listed[updater].units == ("Luleå store",)
    assert listed[viewer].role is Role.VIEWER

    with raw(pg_server, demo_url, viewer) as as_viewer:
        assert as_viewer.execute("SELECT count(*) FROM measurement").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_viewer.execute("UPDATE measurement SET value = 0")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_viewer.execute("DELETE FROM action")

    with raw(pg_server, demo_url, updater) as as_updater:
        lulea, umea = unit_id(as_updater, "Luleå store"), unit_id(as_updater, "Umeå store")
        changed = as_updater.execute(
            "UPDATE measurement SET value = value + 1 WHERE unit_id = %s", (lulea,)
        ).rowcount
        assert changed > 0
        # another unit's rows are not there for an updater's write (row-level security)
        assert (
            as_updater.execute(
                "UPDATE measurement SET value = 0 WHERE unit_id = %s", (umea,)
            ).rowcount
            == 0
        )
        assert (
            as_updater.execute("DELETE FROM measurement WHERE unit_id = %s", (umea,)).rowcount == 0
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_updater.execute(
                "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source,"
                " entered_at) VALUES (1, %s, '2030-01', 1, '', 'typed', now())",
                (umea,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_updater.execute(
                "UPDATE measurement SET unit_id = %s WHERE unit_id = %s", (umea, lulea)
            )
        as_updater.execute(
            "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source,"
            " entered_at) VALUES (1, %s, '2030-01', 1, '', 'typed', now())",
            (lulea,),
        )
        for statement in (
            "UPDATE kpi SET name = 'x'",
            "UPDATE target SET value = 0",
            "INSERT INTO unit (name, sort_order) VALUES ('x', 9)",
            "UPDATE goal SET title = 'x'",
            "INSERT INTO kpidesk_person (name, role) VALUES ('x', 'admin')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                as_updater.execute(statement)
        # the demo's review covers all four stores: not only Luleå's, so not this updater's
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_updater.execute(
                "INSERT INTO action (title, description, owner, status, review_id, created_at)"
                " VALUES ('x', '', '', 'open', 1, now())"
            )
        assert as_updater.execute("UPDATE action SET title = 'x'").rowcount == 0
        # the change log names them
        actor = as_updater.execute(
            "SELECT actor FROM change_log WHERE table_name = 'measurement' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        assert actor == updater

    with raw(pg_server, demo_url, editor) as as_editor:
        assert as_editor.execute("UPDATE kpi SET name = name || ' ' WHERE id = 1").rowcount == 1
        assert as_editor.execute("UPDATE measurement SET value = value").rowcount > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_editor.execute("DELETE FROM kpidesk_person")


def test_an_updater_may_write_the_units_below_their_own(pg_server, demo_url):
    updater = unique("ulla")
    people.add_person_at(demo_url, updater, "updater", ["Solbacka Hem AB"])
    with raw(pg_server, demo_url, updater) as connection:
        assert connection.execute("UPDATE measurement SET value = value").rowcount > 0
        connection.execute(
            "INSERT INTO action (title, description, owner, status, review_id, created_at)"
            " VALUES ('x', '', '', 'open', 1, now())"
        )


def test_the_app_reads_the_rights_the_server_enforces(demo_url, pg_server):
    updater, admin = unique("ulf"), unique("ada")
    people.add_person_at(demo_url, updater, "updater", ["Luleå store"])
    people.add_person_at(demo_url, admin, "admin")
    for name, role in ((updater, Role.UPDATER), (admin, Role.ADMIN)):
        with Workspace.open(pg_server.url(demo_url.rsplit("/", 1)[1], user=name)) as workspace:
            access = people.access(workspace)
            assert access.role is role and access.name == name
            if role is Role.UPDATER:
                assert access.may_write_unit(3) and not access.may_write_unit(2)
                assert not access.edits_definitions
            else:
                assert access.manages_people and access.may_write_unit(2)
    with Workspace.open(demo_url) as owner:
        assert people.access(owner).role is Role.OWNER


def test_an_admin_manages_people_and_an_updater_does_not(demo_url, pg_server):
    admin, updater = unique("ada"), unique("ulf")
    people.add_person_at(demo_url, admin, "admin")
    people.add_person_at(demo_url, updater, "updater", ["Luleå store"])
    dbname = demo_url.rsplit("/", 1)[1]
    newcomer = unique("nils")
    people.add_person_at(pg_server.url(dbname, user=admin), newcomer, "viewer", [], "pw")
    assert newcomer in {row.name for row in people.people_at(demo_url)}
    from kpidesk.store.errors import ServerPermissionError

    with pytest.raises((ServerPermissionError, PeopleError)):
        people.add_person_at(pg_server.url(dbname, user=updater), unique("x"), "admin")
    people.remove_person_at(pg_server.url(dbname, user=admin), newcomer)
    assert newcomer not in {row.name for row in people.people_at(demo_url)}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_units_and_passwords_are_data_never_sql(demo_url, pg_server, hostile):
    name = unique(hostile)
    password = "p'w\"; DROP ROLE postgres; -- " + hostile
    with Workspace.open(demo_url) as workspace, workspace.atomic():
        from kpidesk.store.models import Unit

        Unit.create(name=hostile, parent=1, sort_order=99)
    people.add_person_at(demo_url, name, "updater", [hostile], password)
    rows = {row.name: row for row in people.people_at(demo_url)}
    assert rows[name].units == (hostile,)
    with raw(pg_server, demo_url, name) as connection:
        assert connection.execute("SELECT current_user").fetchone()[0] == name
        assert connection.execute("SELECT count(*) FROM kpi").fetchone()[0] == 13
    quoted = name.replace("'", "''")
    verifier = pg_server.psql(
        "postgres", f"SELECT rolpassword FROM pg_authid WHERE rolname = '{quoted}'"
    )
    assert verifier.startswith("SCRAM-SHA-256$") and password not in verifier
    people.remove_person_at(demo_url, name)
    superuser = pg_server.psql("postgres", "SELECT count(*) FROM pg_roles WHERE rolsuper")
    assert superuser == "1"


def test_refusals_name_the_person(demo_url):
    name = unique("ulf")
    people.add_person_at(demo_url, name, "viewer")
    with pytest.raises(PeopleError, match="already"):
        people.add_person_at(demo_url, name, "editor")
    with pytest.raises(PeopleError, match="superuser"):
        people.add_person_at(demo_url, "postgres", "viewer")
    with pytest.raises(PeopleError, match="not one of"):
        people.remove_person_at(demo_url, unique("nobody"))
    with pytest.raises(people.UnknownUnitError):
        people.add_person_at(demo_url, unique("u"), "updater", ["No such unit"])


def test_an_updaters_import_touching_another_unit_is_refused_whole(demo_url, pg_server, tmp_path):
    from kpidesk.services.importing import run_import

    updater = unique("ulf")
    people.add_person_at(demo_url, updater, "updater", ["Luleå store"])
    path = tmp_path / "values.csv"
    path.write_text(
        "Month;Unit;KPI;Value\n2030-01;Luleå store;Revenue;10\n2030-01;Umeå store;Revenue;20\n",
        encoding="utf-8",
    )
    url = pg_server.url(demo_url.rsplit("/", 1)[1], user=updater)
    with Workspace.open(url) as workspace:
        before = workspace.table_counts()
        with pytest.raises(NotYourUnitError, match="Umeå store"):
            run_import(workspace, path)
        assert workspace.table_counts() == before
    path.write_text("Month;Unit;KPI;Value\n2030-01;Luleå store;Revenue;10\n", encoding="utf-8")
    with Workspace.open(url) as workspace:
        result = run_import(workspace, path)
        assert result.imported == 1, result.problems


def test_an_updater_cannot_write_another_units_value_through_the_app(pg_server, demo_url):
    from kpidesk.services import data_entry
    from kpidesk.services.data_entry import CellChange
    from kpidesk.store import models
    from kpidesk.store.errors import ServerPermissionError

    updater = unique("ulf")
    people.add_person_at(demo_url, updater, "updater", ["Luleå store"])
    url = pg_server.url(demo_url.rsplit("/", 1)[1], user=updater)
    with Workspace.open(url) as workspace:
        before = models.Measurement.get(kpi=1, unit=2, period="2026-10").value
        with pytest.raises(NotYourUnitError, match="Umeå store"):
            data_entry.set_values(workspace, [CellChange(1, 2, "2026-10", 1.0)])
        # past the service's check, the server refuses it
        with pytest.raises(ServerPermissionError), workspace.atomic():
            from kpidesk.store import queries

            queries.insert_measurements([(1, 2, "2026-10", 1.0, "", "typed", None)])
        assert models.Measurement.get(kpi=1, unit=2, period="2026-10").value == before
        data_entry.set_values(workspace, [CellChange(1, 3, "2026-10", 1.0)])
        assert models.Measurement.get(kpi=1, unit=3, period="2026-10").value == 1.0


def test_every_table_of_every_schema_step_is_readable_by_each_role(pg_server, demo_url):
    from kpidesk.store import pg_access

    viewer = unique("vilma")
    people.add_person_at(demo_url, viewer, "viewer")
    with raw(pg_server, demo_url, viewer) as as_viewer:
        tables = [
            row[0]
            for row in as_viewer.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        assert "reporting_round" in tables and "tip" in tables
        for table in tables:
            as_viewer.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    assert set(pg_access.WORKSPACE_TABLES) <= set(tables)


def test_an_updater_writes_tips_for_their_own_units_only(pg_server, demo_url):
    updater = unique("tove")
    people.add_person_at(demo_url, updater, "updater", ["Luleå store"])
    with raw(pg_server, demo_url, updater) as connection:
        lulea, umea = unit_id(connection, "Luleå store"), unit_id(connection, "Umeå store")
        kpi = connection.execute("SELECT id FROM kpi ORDER BY id LIMIT 1").fetchone()[0]
        insert = (
            "INSERT INTO tip (kpi_id, unit_id, text, author, created_at, result)"
            " VALUES (%s, %s, 'Ask every customer', 'Tove', now(), '')"
        )
        connection.execute(insert, (kpi, lulea))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(insert, (kpi, umea))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(
                "INSERT INTO initiative (goal_id, title, owner, status, created_at)"
                " VALUES (1, 'x', '', 'planned', now())"
            )
