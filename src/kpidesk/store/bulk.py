"""Writing many rows at once: the backend-specific part of an import, in one place.

The import service (``services/importing/write.py``) decides *what* to write and *when* a
load counts as bulk; this module decides *how*, and is the seam another backend implements
(what differs between a file and a server, such as ``executemany`` or ``COPY`` into the
stage, is asked of the workspace's backend, :mod:`kpidesk.store.backend`). Services never
issue a pragma or dialect SQL; they call:

- :func:`bulk_loading`: connection settings while a large load runs (entered before its
  transaction begins);
- :func:`suspend_measurement_indexes` / :func:`restore_indexes`: the secondary indexes of
  ``measurement`` dropped for the load and built once after it, in the same transaction;
- :func:`start_import_stage`, :func:`stage_import_rows`, :func:`merge_import_stage`,
  :func:`end_import_stage`: the per-chunk path through a temporary stage, which can keep or
  replace what is stored and records what it replaces for undo;
- :func:`insert_new_import_rows`: the direct path of a bulk load that keeps stored values
  (a file only);
- :func:`stages_whole_import`: whether the whole import goes through the stage and one merge.

On a server an import is ``COPY`` into a temporary stage (psycopg 3's ``cursor.copy``) and one
``INSERT … SELECT … ON CONFLICT`` into ``measurement`` at its end, in the import's transaction:
all of it or nothing, undone by its batch. Measured on 100,000 rows: about 1 s by ``COPY``
against 3–4 s for pipelined ``executemany``.

Folding the WAL back into the file after a large write is the workspace's own
:meth:`~kpidesk.store.workspace.Workspace.checkpoint`. Every function works on the calling
thread's connection to the open workspace, inside a transaction the caller holds.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence

from kpidesk.store.backend import backend_of
from kpidesk.store.models import database, utcnow
from kpidesk.store.queries import execute, executemany, new_uid_sql, unlogged_import


def bulk_loading() -> contextlib.AbstractContextManager[None]:
    """Connection settings for loading many rows whose ids all come from the same
    transaction, until the block ends (see the backend's ``bulk_loading``). Enter it outside
    any transaction."""
    return backend_of().bulk_loading(database.obj)


# An import stages each chunk of rows in a temporary table (cheap: no index), then moves it
# into ``measurement`` with one INSERT … SELECT, in the order of the covering index (period
# first). Measured on 1,000,000 rows: about 25 % less time than executemany straight into the
# indexed table, where Python builds and binds every row of the slow, indexed insert.

_STAGE = "import_stage"


def stages_whole_import() -> bool:
    """Whether an import stages all its rows and merges them by one statement at its end (a
    server: ``COPY`` streams rows without a round trip each, and one merge is one round
    trip), rather than chunk by chunk, or straight into ``measurement`` (a file: SQLite's
    ``executemany`` is a loop in its own process, and a smaller stage stays in its cache)."""
    return backend_of().kind != "sqlite"


def start_import_stage() -> None:
    backend = backend_of()
    backend.create_stage(
        database.obj,
        _STAGE,
        (
            "kpi_id INTEGER NOT NULL",
            "unit_id INTEGER NOT NULL",
            "period TEXT NOT NULL",
            f"value {backend.double_type} NOT NULL",
            "comment TEXT NOT NULL",
        ),
    )


def stage_import_rows(rows: Iterable[tuple[int, int, str, float, str]]) -> None:
    """Add (kpi id, unit id, period key, value, comment) rows to the import's stage."""
    backend_of().load_rows(
        database.obj, _STAGE, ("kpi_id", "unit_id", "period", "value", "comment"), rows
    )


def insert_new_import_rows(
    rows: Sequence[tuple[int, int, str, float, str] | tuple[int, int, str, float]],
    *,
    batch_id: int,
    source: str,
) -> int:
    """Store (kpi id, unit id, period key, value[, comment]) rows of an import that keeps
    the values already stored; return how many were stored. Rows without a comment (all of
    them or none) bind one value less. Straight into ``measurement``: with its secondary
    indexes suspended (see :func:`suspend_measurement_indexes`) this is faster than the
    stage, and it needs no copy of what it replaces."""
    if not rows:
        return 0
    comment = "?" if len(rows[0]) == 5 else "''"
    constants = f"{_sql_text(source)}, {int(batch_id)}, {_sql_text(utcnow().isoformat(' '))}"
    with unlogged_import():
        return executemany(
            "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source, batch_id,"
            f" entered_at, uid) VALUES (?, ?, ?, ?, {comment}, {constants}, {new_uid_sql()})"
            " ON CONFLICT (kpi_id, unit_id, period) DO NOTHING",
            rows if isinstance(rows, list) else list(rows),
        )


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def merge_import_stage(*, batch_id: int, source: str, replace: bool) -> tuple[int, int]:
    """Move the staged rows into ``measurement``; return (stored, replaced).

    Without ``replace`` a value already stored at the same key is kept (not counted in
    stored). With it, the values about to be replaced are first copied into the batch's undo
    record. Callers hold a transaction; the stage is emptied.
    """
    replaced = 0
    with unlogged_import():
        if replace:
            replaced = execute(
                "INSERT INTO import_change (batch_id, kind, kpi_id, unit_id, period, value,"
                " comment, source, old_batch_id, entered_at, uid) SELECT ?, 'measurement',"
                " m.kpi_id, m.unit_id, m.period, m.value, m.comment, m.source, m.batch_id,"
                f" m.entered_at, {new_uid_sql()} FROM {_STAGE} s JOIN measurement m"
                " ON m.kpi_id = s.kpi_id AND m.unit_id = s.unit_id AND m.period = s.period",
                (batch_id,),
            ).rowcount  # type: ignore[attr-defined]
        on_conflict = (
            "DO UPDATE SET value = excluded.value, comment = excluded.comment,"
            " source = excluded.source, batch_id = excluded.batch_id,"
            " entered_at = excluded.entered_at, row_version = measurement.row_version + 1"
            if replace
            else "DO NOTHING"
        )
        params: list[object] = [source, batch_id, utcnow().isoformat(" ")]
        uid = backend_of().stage_uid_sql()
        if uid is None:
            uid = new_uid_sql()
        else:
            params.append(uid_prefix())
        stored = execute(
            "INSERT INTO measurement (kpi_id, unit_id, period, value, comment, source,"
            f" batch_id, entered_at, uid) SELECT kpi_id, unit_id, period, value, comment, ?, ?,"
            f" ?, {uid} FROM {_STAGE} WHERE true ORDER BY period, kpi_id, unit_id"
            f" ON CONFLICT (kpi_id, unit_id, period) {on_conflict}",
            params,
        ).rowcount  # type: ignore[attr-defined]
    database.execute_sql(f"DELETE FROM {_STAGE}")
    return stored, replaced


def uid_prefix() -> str:
    """The first 20 hex digits of a random UUID (version 4), with its dashes: a merge's rows
    take it and a number of their own (see the backend's ``stage_uid_sql``)."""
    digits = uuid.uuid4().hex
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-"


def end_import_stage() -> None:
    backend_of().drop_stage(database.obj, _STAGE)


# A large import into a table that holds few rows yet is faster without the secondary
# indexes, built again from the sorted rows when it ends (one sort each instead of a million
# scattered inserts). The unique index stays: the import's ON CONFLICT needs it, and kept
# live it costs less than its rebuild at the end, when nothing else can run beside it
# (1M rows: 7.7 s in all against 8.2 s). DDL is transactional in SQLite and PostgreSQL: a
# rolled-back import gets its indexes back with everything else.

_SECONDARY_MEASUREMENT_INDEXES = ("measurement_period_cover",)


def suspend_measurement_indexes() -> list[str]:
    """Drop the secondary indexes of ``measurement`` (and on a server its foreign keys);
    return the SQL that makes them again, which checks every row's keys at once.

    Call inside the transaction that writes the rows and pass the result to
    :func:`restore_indexes` before it commits.
    """
    backend = backend_of()
    found = backend.index_definitions(database.obj, "measurement", _SECONDARY_MEASUREMENT_INDEXES)
    for name, _sql in found:
        database.execute_sql(f'DROP INDEX "{name}"')
    restore = [statement for _name, statement in found]
    for name, definition in backend.suspendable_foreign_keys(database.obj, "measurement"):
        database.execute_sql(f'ALTER TABLE measurement DROP CONSTRAINT "{name}"')
        restore.append(f'ALTER TABLE measurement ADD CONSTRAINT "{name}" {definition}')
    return restore


def restore_indexes(statements: Iterable[str]) -> None:
    for statement in statements:
        database.execute_sql(statement)
