"""People of a server workspace: their login roles, group roles and units (see
:mod:`kpidesk.store.pg_access` for the rights the server enforces).

Every name and password goes to the server quoted by the driver (``postgres.execute``), and
a password leaves this process only as its SCRAM verifier.
"""

from __future__ import annotations

import peewee

from kpidesk.store import pg_access
from kpidesk.store.access import ROLES, Access, Person, Role

PREFIX_KEY = "role_prefix"
MAX_NAME = 63
"""PostgreSQL's longest name (in bytes)."""


def _execute(db: peewee.Database, template: str, params: tuple = (), **kwargs: object) -> list:
    from kpidesk.store.postgres import execute

    return execute(db, template, params, **kwargs)  # type: ignore[arg-type]


def may_create_roles(db: peewee.Database) -> bool:
    rows = _execute(
        db, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    return bool(rows and rows[0][0])


def _prefix(db: peewee.Database) -> str | None:
    rows = _execute(db, "SELECT value FROM kpidesk_meta WHERE key = %s", (PREFIX_KEY,))
    return rows[0][0] if rows else None


def group_roles(db: peewee.Database) -> dict[str, str] | None:
    """The four group roles' names (None: this server manages no people yet)."""
    prefix = _prefix(db)
    if prefix is None:
        return None
    return {role.value: f"{prefix}:{role.value}" for role in ROLES}


def install(db: peewee.Database) -> bool:
    """The people table, functions and notices; the group roles and rights too when the
    connected login may create roles. True when people can be managed afterwards."""
    listed = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    present = {row[0] for row in _execute(db, listed)}
    tables = [table for table in pg_access.WORKSPACE_TABLES if table in present]
    for statement in pg_access.setup_statements(tables):
        _execute(db, statement.replace("{", "{{").replace("}", "}}"))
    if not may_create_roles(db):
        return group_roles(db) is not None
    groups = group_roles(db)
    if groups is None:
        prefix = _execute(db, "SELECT current_database()")[0][0]
        prefix = prefix.encode()[: MAX_NAME - len(":updater")].decode(errors="ignore")
        _execute(
            db,
            "INSERT INTO kpidesk_meta (key, value) VALUES (%s, %s)",
            (PREFIX_KEY, prefix),
        )
        groups = group_roles(db)
        assert groups is not None
    for group in groups.values():
        if not _execute(db, "SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)):
            _execute(db, "CREATE ROLE {group} NOLOGIN", names={"group": group})
    database = _execute(db, "SELECT current_database()")[0][0]
    _execute(
        db,
        "GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {viewer}, {updater}, {editor}, {admin}",
        names={"database": database, **groups},
    )
    for statement in pg_access.rights_statements(tables):
        _execute(db, statement, names=groups)
    return True


class PeopleError(Exception):
    """Why a person could not be added or removed (``kind`` says which case)."""

    def __init__(self, kind: str, name: str = "") -> None:
        super().__init__(kind, name)
        self.kind = kind
        self.name = name


def _groups_or_install(db: peewee.Database) -> dict[str, str]:
    groups = group_roles(db)
    if groups is None and not install(db):
        raise PeopleError("no-createrole")
    groups = group_roles(db)
    if groups is None:  # pragma: no cover - install made them
        raise PeopleError("no-createrole")
    return groups


def people(db: peewee.Database) -> list[Person]:
    rows = _execute(
        db, f'SELECT name, role, unit_ids FROM "{pg_access.PERSON_TABLE}" ORDER BY name'
    )
    return [Person(name, Role(role), tuple(sorted(units or ()))) for name, role, units in rows]


def add_person(
    db: peewee.Database, name: str, role: Role, unit_ids: tuple[int, ...], password: str | None
) -> None:
    """The login role ``name`` (made, or one that exists given this workspace), in the group
    of ``role``, with ``unit_ids`` (an updater's). Inside the caller's transaction."""
    if not name or len(name.encode()) > MAX_NAME or "\x00" in name:
        raise PeopleError("bad-name", name)
    groups = _groups_or_install(db)
    if any(person.name == name for person in people(db)):
        raise PeopleError("exists", name)
    existing = _execute(
        db, "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", (name,)
    )
    if existing and (existing[0][0] or existing[0][1]):
        raise PeopleError("privileged", name)
    if name in groups.values():
        raise PeopleError("privileged", name)
    verifier = None if password is None else _verifier(db, name, password)
    if not existing:
        if verifier is None:
            _execute(db, "CREATE ROLE {name} LOGIN", names={"name": name})
        else:
            _execute(
                db,
                "CREATE ROLE {name} LOGIN PASSWORD {password}",
                names={"name": name},
                literals={"password": verifier},
            )
    elif verifier is not None:
        _execute(
            db,
            "ALTER ROLE {name} LOGIN PASSWORD {password}",
            names={"name": name},
            literals={"password": verifier},
        )
    _execute(db, "GRANT {group} TO {name}", names={"group": groups[role.value], "name": name})
    if role is Role.ADMIN:
        _execute(db, "ALTER ROLE {name} CREATEROLE", names={"name": name})
    _execute(
        db,
        f'INSERT INTO "{pg_access.PERSON_TABLE}" (name, role, unit_ids) VALUES (%s, %s, %s)',
        (name, role.value, list(unit_ids)),
    )


def _verifier(db: peewee.Database, name: str, password: str) -> str:
    from kpidesk.store.postgres import encrypted_password

    return encrypted_password(db, name, password)


def remove_person(db: peewee.Database, name: str) -> None:
    """Out of this workspace: out of its group roles and its people; the login role itself
    is dropped when nothing else holds it (another database's workspace, objects it owns)."""
    groups = group_roles(db)
    found = [person for person in people(db) if person.name == name]
    if groups is None or not found:
        raise PeopleError("unknown", name)
    for group in groups.values():
        if _execute(
            db,
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles p ON p.oid = m.member WHERE g.rolname = %s AND p.rolname = %s",
            (group, name),
        ):
            _execute(db, "REVOKE {group} FROM {name}", names={"group": group, "name": name})
    _execute(db, f'DELETE FROM "{pg_access.PERSON_TABLE}" WHERE name = %s', (name,))
    others = _execute(
        db,
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles p ON p.oid = m.member"
        " WHERE p.rolname = %s",
        (name,),
    )[0][0]
    if others == 0:
        _execute(db, "SAVEPOINT kpidesk_drop_role")
        try:
            _execute(db, "DROP ROLE {name}", names={"name": name})
        except peewee.DatabaseError:  # it owns something elsewhere: it only loses its login
            _execute(db, "ROLLBACK TO SAVEPOINT kpidesk_drop_role")
            _execute(db, "ALTER ROLE {name} NOLOGIN NOCREATEROLE", names={"name": name})
        _execute(db, "RELEASE SAVEPOINT kpidesk_drop_role")


def access(db: peewee.Database) -> Access:
    """What the connected login may do here."""
    rows = _execute(
        db,
        "SELECT current_user, r.rolsuper OR pg_has_role(current_user, c.relowner, 'MEMBER'),"
        " to_regclass(%s) IS NOT NULL, has_table_privilege('kpi', 'UPDATE'),"
        " has_table_privilege('measurement', 'INSERT')"
        " FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'kpi'::regclass",
        (pg_access.PERSON_TABLE,),
    )
    name, owner, managed, edits, writes = rows[0]
    if owner:
        return Access(name, Role.OWNER, None)
    if managed:
        found = _execute(
            db,
            f'SELECT role, kpidesk_my_units() FROM "{pg_access.PERSON_TABLE}" WHERE name = %s',
            (name,),
        )
        if found:
            role = Role(found[0][0])
            units = frozenset(found[0][1] or ()) if role is Role.UPDATER else None
            return Access(name, role, units)
    if edits:
        return Access(name, Role.EDITOR, None)
    return Access(name, Role.UPDATER if writes else Role.VIEWER, frozenset() if writes else None)
