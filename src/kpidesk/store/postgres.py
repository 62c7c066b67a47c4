"""The PostgreSQL backend: a workspace in a database on a server.

The only module besides :mod:`kpidesk.store.sqlite` that imports a database driver
(psycopg 3). A server workspace is one database holding the tables of
:mod:`kpidesk.store.pg_schema` and ``kpidesk_meta`` (the application's name and the schema
version). What differs from a file:

- every thread has its own connection (peewee keeps them); sessions run in UTC, and a
  read-only one is read-only on the server too (``default_transaction_read_only``);
- ordinary edits take no lock: the server serves everyone at once. Exclusive operations
  (migrating, publishing) take an advisory lock and give up after ``lock_timeout``;
- the schema changes only by ``kpidesk server migrate``: a client older than the server's
  schema opens it read-only, a newer one refuses to migrate it by itself;
- the change log's triggers are statement-level; an import's statements run with
  ``kpidesk.unlogged`` set for the transaction;
- the driver's errors become the store's: a lost connection, SQLSTATE class 53 (out of
  disk, memory or connections), 42501 (a right not granted), 55P03 (a lock not granted).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import peewee
import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg import sql as pg_sql
from psycopg.pq import TransactionStatus
from psycopg.types.json import Json, Jsonb

from kpidesk.store import credentials, pg_schema
from kpidesk.store.backend import Backend
from kpidesk.store.errors import (
    DatabaseNotEmptyError,
    NewerWorkspaceError,
    NoServerWorkspaceError,
    NoSuchDatabaseError,
    ReadOnlyWorkspaceError,
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
    WorkspaceError,
)
from kpidesk.store.location import ServerAddress

if TYPE_CHECKING:
    from kpidesk.store.workspace import Workspace

log = logging.getLogger(__name__)

APPLICATION = "KPI Desk"
ADVISORY_KEY = 0x4B504944  # "KPID": the key of the exclusive lock, per database
LOCK_TIMEOUT = "10s"
"""How long an exclusive operation waits for a table others are using before it gives up."""
MINIMUM_SERVER = 130000  # gen_random_uuid() is built in from PostgreSQL 13


def install_access(db: peewee.Database) -> None:
    from kpidesk.store import pg_people

    pg_people.install(db)


def _create_v6(db: peewee.Database) -> None:
    for statement in pg_schema.schema_v6(db.server_version):
        db.execute_sql(statement)


def _v7_rhythm_strategy_initiatives(db: peewee.Database) -> None:
    for statement in pg_schema.schema_v7():
        db.execute_sql(statement)


STEPS: dict[int, Any] = {6: _create_v6, 7: _v7_rhythm_strategy_initiatives}
"""The server's ladder: step 6 makes the whole schema; a later step ``n`` takes a server from
``n - 1`` to ``n`` (given the peewee database, inside the migration's transaction)."""


def newest_version() -> int:
    return max(STEPS)


# peewee and psycopg ---------------------------------------------------------------------------


class _Adapter(peewee.Psycopg3Adapter):
    """peewee's psycopg 3 adapter, handed psycopg here: peewee was imported without it (see
    ``kpidesk/__init__.py``), so its own module has no driver."""

    txn_idle = TransactionStatus.IDLE
    txn_inerror = TransactionStatus.INERROR
    txn_unknown = TransactionStatus.UNKNOWN

    def __init__(self) -> None:
        peewee._BasePsycopgAdapter.__init__(self)
        self.json_type = Json
        self.jsonb_type = Jsonb
        self.cast_json_case = False

    def check_driver(self) -> None:
        return None

    def get_binary_type(self) -> Any:
        return psycopg.Binary

    def connect(self, db: peewee.Database, **params: Any) -> psycopg.Connection:
        return psycopg.connect(db.database, **params)

    def server_side_cursor(self, conn: psycopg.Connection) -> Any:
        in_transaction = self.txn_status(conn) == TransactionStatus.INTRANS
        return conn.cursor(name=str(uuid.uuid1()), withhold=not in_transaction)


class ServerDatabase(peewee.PostgresqlDatabase):
    """A server workspace's peewee database; one connection per thread, made when the thread
    first needs one (and again after a lost one)."""

    backend: PostgresBackend
    address: ServerAddress | None = None

    def init(self, database: str, **kwargs: Any) -> None:  # type: ignore[override]
        self._register_unicode = True
        self._encoding = None
        self._adapter = _Adapter()
        self._isolation_level = None
        peewee.Database.init(self, database, **kwargs)

    def execute_sql(self, sql: str, params: Any = None) -> Any:  # type: ignore[override]
        return self.reconnecting(lambda: super(ServerDatabase, self).execute_sql(sql, params), sql)

    def begin(self, isolation_level: Any = None) -> None:
        self.reconnecting(lambda: super(ServerDatabase, self).begin(isolation_level), "BEGIN")

    def reconnecting(self, run: Any, sql: str = "SELECT") -> Any:
        """Run a statement; outside a transaction, a connection found lost is dropped (the
        next statement connects again) and a read, or the start of a transaction, is tried
        once more on a new one: nothing of it reached the server before. What
        still fails is the store's ``ServerConnectionLostError``: one line, not the driver's.
        Inside a transaction the error is left to :meth:`Workspace.atomic`, which rolls
        the whole change back."""
        if self.transaction_depth() > 0:
            return run()
        try:
            return run()
        except (peewee.DatabaseError, psycopg.Error) as error:
            cause = _driver_error(error)
            if cause is None or not _lost(cause):
                raise
            self._drop_connection()
            if sql.lstrip().split(None, 1)[0].upper() not in ("SELECT", "BEGIN"):
                raise self._lost_error(cause) from error
        try:
            return run()
        except (peewee.DatabaseError, psycopg.Error) as error:
            cause = _driver_error(error)
            if cause is None or not _lost(cause):
                raise
            self._drop_connection()
            raise self._lost_error(cause) from error

    def _drop_connection(self) -> None:
        with contextlib.suppress(peewee.DatabaseError, psycopg.Error):
            self.close()

    def _lost_error(self, cause: psycopg.Error) -> WorkspaceError:
        log.warning("lost the connection to %s: %s", self.address, cause)
        location: Any = self.address or self.database
        return ServerConnectionLostError(location, " ".join(str(cause).split()))


def _options(read_only: bool, given: str | None) -> str:
    options = "-c TimeZone=UTC -c client_min_messages=warning"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return f"{given} {options}" if given else options


def _database(address: ServerAddress, *, read_only: bool, password: str | None) -> ServerDatabase:
    given = pg_conninfo.conninfo_to_dict(address.url).get("options")
    params: dict[str, Any] = {
        "options": _options(read_only, str(given) if given else None),
        "application_name": APPLICATION,
    }
    if password is not None:
        params["password"] = password
    if "connect_timeout" not in address.url:
        params["connect_timeout"] = 10
    db = ServerDatabase(address.url, autoconnect=True, **params)
    db.address = address
    return db


def connect(
    address: ServerAddress, *, read_only: bool = False, password: str | None = None
) -> ServerDatabase:
    """A connected database for ``address``; the store's error when the server cannot be
    reached or refuses the login. A password remembered in the keyring is tried when libpq
    found none."""
    password = password if password is not None else address.password
    db = _database(address, read_only=read_only, password=password)
    try:
        db.connect()
    except peewee.DatabaseError as error:
        cause = _driver_error(error)
        if password is None and _needs_password(cause):
            remembered = credentials.stored_password(address)
            if remembered is not None:
                return connect(address, read_only=read_only, password=remembered)
        raise _connect_error(address, cause) from None
    if db.server_version < MINIMUM_SERVER:
        db.close()
        raise ServerUnreachableError(address, f"PostgreSQL {db.server_version} < 13")
    return db


def _needs_password(error: BaseException | None) -> bool:
    text = str(error).lower()
    return "no password supplied" in text or "password authentication failed" in text


def _connect_error(address: ServerAddress, error: BaseException | None) -> WorkspaceError:
    detail = " ".join(str(error).split()) if error is not None else ""
    sqlstate = getattr(error, "sqlstate", None)
    lowered = detail.lower()
    if (sqlstate or "").startswith("53") or "too many connections" in lowered:
        return ServerResourcesError(address, detail)
    if sqlstate == "3D000" or ("does not exist" in lowered and "database" in lowered):
        return NoSuchDatabaseError(address)
    if sqlstate in ("28P01", "28000") or "password" in lowered or "authentication" in lowered:
        return ServerLoginError(address, detail)
    if "ssl" in lowered or "certificate" in lowered:
        return ServerTlsError(address, detail)
    return ServerUnreachableError(address, detail)


def _driver_error(error: BaseException) -> psycopg.Error | None:
    """The psycopg error behind ``error`` (peewee wraps the driver's)."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, psycopg.Error):
            return current
        linked = [current.__cause__, current.__context__, *current.args[:1]]
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return None


def _lost(error: psycopg.Error) -> bool:
    sqlstate = error.sqlstate or ""
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return True
    return bool(
        isinstance(error, psycopg.OperationalError | psycopg.InterfaceError) and not sqlstate
    )


# The backend --------------------------------------------------------------------------------


class PostgresBackend(Backend):
    kind = "postgres"
    param = "%s"
    uid_sql = "gen_random_uuid()"
    double_type = "double precision"
    driver_errors = (psycopg.Error,)

    # opening ----------------------------------------------------------------------------
    def create(
        self,
        location: Any,
        name: str,
        *,
        language: str,
        currency: str,
        fiscal_year_start_month: int,
        root_unit: str | None,
    ) -> Workspace:
        from kpidesk.store.models import new_uid, utcnow
        from kpidesk.store.workspace import Workspace

        address: ServerAddress = location
        db = connect(address)
        try:
            with db.atomic():
                if not self._has_schema(db):
                    self._create_schema(db, address)
                version = self._meta_version(db)
                if version != newest_version():
                    raise ServerNeedsMigrationError(address, version, newest_version())
                holder = self._workspace_name(db)
                if holder is not None:
                    raise ServerHoldsWorkspaceError(address, holder)
                db.execute_sql(
                    "INSERT INTO workspace_settings (name, currency, fiscal_year_start_month,"
                    " language, created_at, uid) VALUES (%s, %s, %s, %s, %s, %s)",
                    (name, currency, fiscal_year_start_month, language, utcnow(), new_uid()),
                )
                db.execute_sql(
                    "INSERT INTO unit (name, parent_id, code, sort_order, uid)"
                    " VALUES (%s, NULL, NULL, 0, %s)",
                    (root_unit or name, new_uid()),
                )
        except peewee.DatabaseError as error:
            db.close()
            problem = self.translate_error(address, error)
            if problem is None:
                raise
            raise problem from error
        except BaseException:
            db.close()
            raise
        log.info("created a workspace on %s", address)
        return Workspace(address, db, backend=self, read_only=False)

    def open(
        self,
        location: Any,
        *,
        read_only: bool,
        older_ok: bool,
        damaged_ok: bool,
        wal: bool,
        read_only_fallback: bool,
    ) -> Workspace:
        from kpidesk.store.workspace import Workspace

        address: ServerAddress = location
        db = connect(address, read_only=read_only)
        try:
            if not self._has_schema(db):
                raise NoServerWorkspaceError(address)
            version = self._meta_version(db)
            if self._workspace_name(db) is None:
                raise NoServerWorkspaceError(address)
        except peewee.DatabaseError as error:
            db.close()
            problem = self.translate_error(address, error)
            if problem is None:
                raise
            raise problem from error
        except BaseException:
            db.close()
            raise
        newest = newest_version()
        notice = None
        if version != newest:
            problem: WorkspaceError = (
                NewerWorkspaceError(address, version, newest)  # type: ignore[arg-type]
                if version > newest
                else ServerNeedsMigrationError(address, version, newest)
            )
            if not read_only and not read_only_fallback:
                db.close()
                raise problem
            if version < newest and read_only and not older_ok and not read_only_fallback:
                db.close()
                raise problem
            if not read_only:
                db.close()
                db = connect(address, read_only=True, password=self._password_of(db))
                read_only = True
            notice = problem.message
            log.warning("%s", notice)
        log.info("opened %s %s", address, "read-only" if read_only else "for writing")
        return Workspace(address, db, backend=self, read_only=read_only, notice=notice)

    @staticmethod
    def _password_of(db: ServerDatabase) -> str | None:
        return db.connect_params.get("password")

    def close(self, workspace: Workspace) -> None:
        with contextlib.suppress(peewee.DatabaseError, psycopg.Error):
            workspace.db.close()

    # the schema and its version ---------------------------------------------------------
    @staticmethod
    def _has_schema(db: peewee.Database) -> bool:
        row = db.execute_sql("SELECT to_regclass('kpidesk_meta') IS NOT NULL").fetchone()
        return bool(row[0])

    @staticmethod
    def _meta_version(db: peewee.Database) -> int:
        row = db.execute_sql(
            "SELECT value FROM kpidesk_meta WHERE key = 'schema_version'"
        ).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _workspace_name(db: peewee.Database) -> str | None:
        row = db.execute_sql("SELECT name FROM workspace_settings ORDER BY id LIMIT 1").fetchone()
        return row[0] if row else None

    @staticmethod
    def other_tables(db: peewee.Database) -> list[str]:
        """Tables, views and sequences of the database that are not KPI Desk's."""
        rows = db.execute_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'"
            " AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY c.relname"
        ).fetchall()
        ours = {
            *pg_schema.TABLES,
            *pg_schema.TABLES_V7,
            "change_log",
            "kpidesk_meta",
            "kpidesk_person",
        }
        return [row[0] for row in rows if row[0] not in ours]

    def _create_schema(self, db: peewee.Database, address: ServerAddress) -> None:
        others = self.other_tables(db)
        if others:
            raise DatabaseNotEmptyError(address, others)
        db.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        for version in sorted(STEPS):
            STEPS[version](db)
        db.execute_sql(
            "INSERT INTO kpidesk_meta (key, value) VALUES ('application', %s),"
            " ('schema_version', %s)",
            (APPLICATION, str(newest_version())),
        )
        install_access(db)

    def init_schema(self, address: ServerAddress) -> None:
        """``kpidesk server init``: the empty schema in an empty database, nothing else."""
        db = connect(address)
        try:
            with db.atomic():
                if self._has_schema(db):
                    raise ServerSchemaExistsError(address)
                self._create_schema(db, address)
        except peewee.DatabaseError as error:
            problem = self.translate_error(address, error)
            if problem is None:
                raise
            raise problem from error
        finally:
            db.close()

    def server_state(self, address: ServerAddress) -> tuple[int | None, str | None]:
        """(schema version or None without a schema, workspace name or None)."""
        db = connect(address, read_only=True)
        try:
            if not self._has_schema(db):
                return None, None
            return self._meta_version(db), self._workspace_name(db)
        finally:
            db.close()

    def migrate(self, address: ServerAddress, steps: dict[int, Any] | None = None) -> list[int]:
        """Run every step above the server's version, in one transaction, holding the
        exclusive lock, giving up if a table stays locked past ``lock_timeout``."""
        steps = STEPS if steps is None else steps
        db = connect(address)
        try:
            if not self._has_schema(db):
                raise NoServerWorkspaceError(address)
            with self._advisory_lock(db, address):
                version = self._meta_version(db)
                newest = max(steps)
                if version > newest:
                    raise NewerWorkspaceError(address, version, newest)  # type: ignore[arg-type]
                pending = [step for step in sorted(steps) if step > version]
                with db.atomic():
                    db.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    for step in pending:
                        steps[step](db)
                    if pending:
                        db.execute_sql(
                            "UPDATE kpidesk_meta SET value = %s WHERE key = 'schema_version'",
                            (str(pending[-1]),),
                        )
                    install_access(db)
                return pending
        except peewee.DatabaseError as error:
            problem = self.translate_error(address, error)
            if problem is None:
                raise
            raise problem from error
        finally:
            db.close()

    def schema_version(self, db: peewee.Database) -> int:
        return self._meta_version(db)

    def integrity_problems(self, db: peewee.Database, *, quick: bool = False) -> list[str]:
        """What is missing from the schema: a table, a column, a change-log trigger."""
        rows = db.execute_sql(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        ).fetchall()
        columns: dict[str, set[str]] = {}
        for table, column in rows:
            columns.setdefault(table, set()).add(column)
        triggers = {
            row[0]
            for row in db.execute_sql(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            ).fetchall()
        }
        from kpidesk.store import models

        problems = []
        for model in [*models.ALL_MODELS, models.ChangeLog]:
            table = model._meta.table_name  # type: ignore[attr-defined]
            if table not in columns:
                problems.append(f"table {table} is missing")
                continue
            for field in model._meta.sorted_fields:  # type: ignore[attr-defined]
                if field.column_name not in columns[table]:
                    problems.append(f"column {table}.{field.column_name} is missing")
        for table in models.LOGGED_TABLES:
            for op in ("insert", "update", "delete"):
                if f"{table}_log_{op}" not in triggers:
                    problems.append(f"trigger {table}_log_{op} is missing")
        return problems

    def table_counts(self, db: peewee.Database, tables: Sequence[str]) -> dict[str, int]:
        counts = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)
        row = db.execute_sql(f"SELECT {counts}").fetchone()
        return dict(zip(tables, (int(value) for value in row), strict=True))

    def checkpoint(self, db: peewee.Database) -> None:
        return None

    def snapshot(self, workspace: Workspace, destination: Path) -> Path:
        from kpidesk.store import transfer

        return transfer.copy_to_file(workspace, destination)

    @contextlib.contextmanager
    def _advisory_lock(self, db: peewee.Database, address: ServerAddress) -> Iterator[None]:
        row = db.execute_sql("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()
        if not row[0]:
            raise ServerBusyError(address)
        try:
            yield
        finally:
            with contextlib.suppress(peewee.DatabaseError, psycopg.Error):
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (ADVISORY_KEY,))

    def exclusive(self, workspace: Workspace) -> contextlib.AbstractContextManager[None]:
        if workspace.read_only:
            raise ReadOnlyWorkspaceError(workspace.location)
        return self._advisory_lock(workspace.db, workspace.location)

    def note_actor(self, workspace: Workspace) -> None:
        return None  # the change log names the login (session_user)

    def own_log_entries(self, db: peewee.Database, after_id: int) -> list[int]:
        """Others commit entries between ours on a server: this transaction's are those whose
        row version (``xmin``) is its own transaction id."""
        rows = db.execute_sql(
            "SELECT id FROM change_log WHERE id > %s"
            " AND xmin::text::bigint = txid_current() %% 4294967296 ORDER BY id",
            (after_id,),
        )
        return [int(row[0]) for row in rows]

    def lock_keys(self, db: peewee.Database, keys: Sequence[str]) -> None:
        """Transaction-level advisory locks on the keys' hashes, taken in order (no
        deadlock between two saves); released at commit, never held while a dialog is open."""
        if keys:
            db.execute_sql(
                "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(%s::text[]) AS k",
                (sorted(set(keys)),),
            )

    # writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def unlogged(self, db: peewee.Database, tables: Sequence[str]) -> Iterator[None]:
        previous = db.execute_sql("SELECT current_setting('kpidesk.unlogged', true)").fetchone()
        db.execute_sql("SET LOCAL kpidesk.unlogged = 'on'")
        try:
            yield
        finally:
            if previous[0] != "on":
                with contextlib.suppress(peewee.DatabaseError, psycopg.Error):
                    db.execute_sql("SET LOCAL kpidesk.unlogged = 'off'")

    def log_change(
        self,
        db: peewee.Database,
        table: str,
        row_uid: str | None,
        op: str,
        old_values: str | None,
        new_values: str | None,
    ) -> None:
        db.execute_sql(
            "INSERT INTO change_log (actor, table_name, row_uid, op, old_values, new_values)"
            " VALUES (session_user, %s, %s, %s, %s, %s)",
            (table, row_uid, op, old_values, new_values),
        )

    def bulk_loading(self, db: peewee.Database) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def create_stage(self, db: peewee.Database, name: str, columns: Sequence[str]) -> None:
        db.execute_sql(f"DROP TABLE IF EXISTS pg_temp.{name}")
        db.execute_sql(f"CREATE TEMP TABLE {name} ({', '.join(columns)})")
        # the merge sorts the stage, and a bulk load's keys are checked by a join: in memory
        db.execute_sql("SET LOCAL work_mem = '256MB'")

    def drop_stage(self, db: peewee.Database, name: str) -> None:
        db.execute_sql(f"DROP TABLE IF EXISTS pg_temp.{name}")

    def load_rows(
        self, db: peewee.Database, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """``COPY … FROM STDIN``: about ten times faster than inserting row by row."""
        statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            pg_sql.Identifier(table), pg_sql.SQL(", ").join(map(pg_sql.Identifier, columns))
        )
        with db.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def index_definitions(
        self, db: peewee.Database, table: str, names: Sequence[str]
    ) -> list[tuple[str, str]]:
        return db.execute_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s AND indexname = ANY(%s) AND pg_has_role("
            "(SELECT relowner FROM pg_class WHERE oid = %s::regclass), 'USAGE')",
            (table, list(names), table),
        ).fetchall()

    def suspendable_foreign_keys(self, db: peewee.Database, table: str) -> list[tuple[str, str]]:
        """Checked row by row, the three foreign keys of ``measurement`` cost an import
        28 µs a row (2.8 s of 100,000); added again at its end, one join checks them all."""
        return db.execute_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f' AND pg_has_role("
            "(SELECT relowner FROM pg_class WHERE oid = %s::regclass), 'USAGE') ORDER BY conname",
            (table, table),
        ).fetchall()

    def stage_uid_sql(self) -> str:
        """The merge's prefix and the row's number: ``gen_random_uuid()`` costs 2 µs a row
        (2 s a million rows), this 0.7 µs. The prefix is random per merge (74 bits, with the
        version and variant of a random UUID), the last 48 bits count the merge's rows."""
        return "(%s || lpad(to_hex(row_number() OVER ()), 12, '0'))::uuid"

    def read_together(
        self, db: peewee.Database, reads: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        """One pipeline: every statement sent at once, every answer read at once (a round
        trip costs 0.5 ms on a LAN, 20 ms and more over a VPN). Outside a transaction the
        reads share one snapshot, in a read-only transaction of their own."""

        def read() -> list[list[tuple[Any, ...]]]:
            connection = db.connection()
            own = db.transaction_depth() == 0
            cursors = []
            with peewee.__exception_wrapper__:
                with connection.pipeline():
                    if own:
                        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    for text, params in reads:
                        cursor = connection.cursor()
                        cursor.execute(text, params)
                        cursors.append(cursor)
                    if own:
                        connection.execute("COMMIT")
                return [cursor.fetchall() for cursor in cursors]

        if isinstance(db, ServerDatabase):
            return db.reconnecting(read)  # type: ignore[no-any-return]
        return read()

    def defer_constraints(self, db: peewee.Database) -> None:
        db.execute_sql("SET CONSTRAINTS ALL DEFERRED")

    def columns_of(self, db: peewee.Database, table: str) -> list[str]:
        rows = db.execute_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = %s ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        return [row[0] for row in rows]

    @contextlib.contextmanager
    def read_transaction(self, db: peewee.Database) -> Iterator[None]:
        with db.transaction():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield

    def advance_identities(self, db: peewee.Database, tables: Sequence[str]) -> None:
        """Move every identity sequence past the largest id its table holds (after rows came
        with their ids), so that new rows never take an id that is in use."""
        parts = [
            f"setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
            f' COALESCE((SELECT max(id) FROM "{table}"), 1),'
            f' (SELECT max(id) FROM "{table}") IS NOT NULL)'
            for table in tables
        ]
        db.execute_sql(f"SELECT {', '.join(parts)}")

    # errors -----------------------------------------------------------------------------
    def translate_error(self, location: Any, error: BaseException) -> WorkspaceError | None:
        cause = _driver_error(error)
        if cause is None:
            return None
        sqlstate = cause.sqlstate or ""
        detail = " ".join(str(cause).split())
        if _lost(cause):
            return ServerConnectionLostError(location, detail)
        if sqlstate == "42501":
            return ServerPermissionError(location, detail)
        if sqlstate.startswith("53"):
            return ServerResourcesError(location, detail)
        if sqlstate == "25006":
            return ReadOnlyWorkspaceError(location)
        if sqlstate == "55P03":
            return ServerBusyError(location)
        return None


BACKEND = PostgresBackend()
ServerDatabase.backend = BACKEND


# people and notices ---------------------------------------------------------------------------


def execute(
    db: peewee.Database,
    template: str,
    params: Sequence[Any] = (),
    *,
    names: dict[str, str] | None = None,
    literals: dict[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Run ``template`` with ``names`` quoted as identifiers and ``literals`` as literals by
    the driver (where a statement takes no parameters: ``CREATE ROLE … PASSWORD``), and
    return its rows. Text from people never becomes SQL any other way."""
    parts = {key: pg_sql.Identifier(value) for key, value in (names or {}).items()}
    parts.update({key: pg_sql.Literal(value) for key, value in (literals or {}).items()})
    statement = pg_sql.SQL(template).format(**parts)  # type: ignore[arg-type]
    with peewee.__exception_wrapper__, db.cursor() as cursor:
        cursor.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


def encrypted_password(db: peewee.Database, name: str, password: str) -> str:
    """The SCRAM verifier of ``password``, made here: the server never sees the password."""
    connection = db.connection()
    verifier = connection.pgconn.encrypt_password(
        password.encode(), name.encode(), b"scram-sha-256"
    )
    return bytes(verifier).decode()
