"""Change notices of a server workspace: one per statement, naming the table and up to 100
KPI/unit/period keys (else only the table), always under PostgreSQL's 8,000-byte limit."""

from __future__ import annotations

import time

import psycopg

from kpidesk.services import live
from kpidesk.services.servers import publish
from kpidesk.store.workspace import Workspace


def notices(listener, until: float = 1.0) -> list[live.Notice]:
    found, deadline = [], time.monotonic() + until
    while time.monotonic() < deadline:
        found += [live.parse(p) for p in listener.wait(0.1)]
        if found:
            time.sleep(0.05)
            found += [live.parse(p) for p in listener.take()]
            return found
    return found


def test_a_statement_sends_one_notice_naming_its_keys_or_only_its_table(demo_file, pg_url):
    publish(demo_file, pg_url)
    with Workspace.open(pg_url) as workspace:
        listener = live.listen(workspace)
        try:
            with psycopg.connect(pg_url, autocommit=True) as other:
                pid = other.execute("SELECT pg_backend_pid()").fetchone()[0]
                other.execute(
                    "UPDATE measurement SET value = value + 1 WHERE kpi_id = 1 AND unit_id = 3"
                    " AND period IN ('2026-09', '2026-10')"
                )
                (small,) = notices(listener)
                assert small.table == "measurement" and small.op == "update"
                assert small.pid == pid and small.by == "postgres"
                assert sorted(small.keys) == [(1, 3, "2026-09"), (1, 3, "2026-10")]

                other.execute("UPDATE measurement SET value = value + 1 WHERE kpi_id = 1")
                (large,) = notices(listener)
                assert large.table == "measurement" and large.keys is None

                other.execute("UPDATE kpi SET name = name")
                (kpis,) = notices(listener)
                assert kpis.table == "kpi"
        finally:
            listener.close()
    assert live.listen(Workspace.open(demo_file, read_only=True)) is None


def test_the_longest_notice_stays_under_the_limit():
    from kpidesk.store import pg_access

    key = [2**62, 2**62, "2026-W52"]
    payload = (
        '{"table": "review_comment", "op": "update", "by": "'
        + "x" * 63
        + '", "pid": 2147483647, "keys": '
        + str([key] * pg_access.MAX_KEYS).replace("'", '"')
        + "}"
    )
    assert len(payload.encode()) < 8000
