"""A team at work on one server: N client processes (default 20, ``KPIDESK_TEAM_CLIENTS``),
each paced to about one operation a second for 60 s (``KPIDESK_TEAM_SECONDS``), against one
throw-away PostgreSQL server (``tests/pgserver.py``; skipped where PostgreSQL is not
installed) holding the demo workspace. Each client is an editor of its own login and, in
turn:

- enters a value, read first and saved after a moment's thought: half of them into one of
  five cells every client shares (so saves race), the rest into its own store's cells;
- edits a target (the same way);
- adds an action;
- refreshes the scorecard (``build_scorecard`` at the company level), timed.

A save that lost a race is reported (``ConflictError``) and then saved again over the other
person's version, as "keep mine" does; nothing is ever overwritten unseen. Afterwards every
value a client saved is looked up in the change log: the row it replaced must be the very
version the client had read (else it was a lost update).

Printed: operations a second, the p50/p95 scorecard refresh under load beside the refresh
of one client alone measured in the same run (goal: p95 ≤ 2×), conflicts detected and
resolved, lost updates and errors (goals: 0 and 0).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PERIOD = "2026-10"
HOT_CELLS = [(kpi, 2, PERIOD) for kpi in (1, 2, 4, 5, 6)]  # Umeå store: everyone's
THINK = 0.2  # seconds between reading a cell and saving it


def _client(url: str, index: int, seconds: float, start_at: float, results) -> None:
    os.environ.setdefault("KPIDESK_HOME", tempfile.mkdtemp(prefix="kpidesk-team-"))
    out: dict = {"ops": 0, "conflicts": 0, "resolved": 0}
    out.update({name: [] for name in ("refresh", "refresh_cpu", "errors", "saved")})
    try:
        _work(url, index, seconds, start_at, out)
    except Exception:
        out["errors"].append(traceback.format_exc(limit=3))
    results.put(out)


def _work(url: str, index: int, seconds: float, start_at: float, out: dict) -> None:
    from kpidesk.domain.periods import Period
    from kpidesk.services import actions, data_entry, targets
    from kpidesk.services.conflicts import ConflictError
    from kpidesk.services.data_entry import CellChange
    from kpidesk.services.scorecard import build_scorecard
    from kpidesk.services.targets import TargetChange
    from kpidesk.store.workspace import Workspace

    rng = random.Random(index)
    own_unit = 3 + index % 3  # Luleå, Sundsvall, the online shop
    workspace = Workspace.open(url)
    period = Period.from_key(PERIOD)
    counter = 0

    def value_key() -> tuple[int, int, str]:
        if rng.random() < 0.5:
            return rng.choice(HOT_CELLS)
        return (rng.choice((1, 2, 4, 5, 6, 7, 8)), own_unit, PERIOD)

    def save_value() -> None:
        nonlocal counter
        key = value_key()
        read = data_entry.read_tokens([key])[key]
        time.sleep(THINK)
        counter += 1
        value = float(index * 1_000_000 + counter)
        for _attempt in range(5):
            try:
                data_entry.set_values(workspace, [CellChange(*key, value, read=read)])
                out["saved"].append((key, read, value))
                return
            except ConflictError as conflict:
                out["conflicts"] += 1
                read = conflict.conflicts[0].token  # keep mine, knowing theirs
                out["resolved"] += 1
        raise RuntimeError("five conflicts in a row")

    def save_target() -> None:
        key = (rng.choice((1, 2, 4)), None, PERIOD)
        read = targets.read_target_tokens([key])[key]
        time.sleep(THINK)
        for _attempt in range(5):
            try:
                value = float(rng.randint(1, 10**6))
                targets.set_targets(workspace, [TargetChange(*key, value, read=read)])
                return
            except ConflictError as conflict:
                out["conflicts"] += 1
                read = conflict.conflicts[0].token
                out["resolved"] += 1
        raise RuntimeError("five conflicts in a row")

    def add_action() -> None:
        actions.create_action(
            workspace, actions.ActionData(f"Follow up {index}-{counter}", kpi_id=1)
        )

    def refresh() -> None:
        began, cpu = time.perf_counter(), time.process_time()
        build_scorecard(period, 1)
        out["refresh"].append(time.perf_counter() - began)
        out["refresh_cpu"].append(time.process_time() - cpu)

    operations = [save_value, save_target, add_action, refresh]
    time.sleep(max(0.0, start_at - time.time()))
    end = start_at + seconds
    step = 0
    next_at = time.time() + rng.random()
    while time.time() < end:
        time.sleep(max(0.0, next_at - time.time()))
        try:
            operations[step % len(operations)]()
            out["ops"] += 1
        except Exception:
            out["errors"].append(traceback.format_exc(limit=3))
        step += 1
        next_at += 1.0
    workspace.close()


def _lost_updates(url: str, saved: list) -> tuple[int, int]:
    """(saves whose write replaced another version than the one read, saves not found)."""
    from kpidesk.store import changelog
    from kpidesk.store.workspace import Workspace

    with Workspace.open(url, read_only=True):
        entries = {}
        for change in changelog.changes(table="measurement"):
            if change.new is not None:
                entries[change.new["value"]] = change
    lost = missing = 0
    for _key, read, value in saved:
        change = entries.get(value)
        if change is None:
            missing += 1
            continue
        before = None if change.old is None else (change.old["uid"], change.old["row_version"])
        if before != (None if read is None else tuple(read)):
            lost += 1
    return lost, missing


def _p95(ordered: list[float]) -> float:
    return ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else float("nan")


def bench_team() -> None:
    try:
        from tests.pgserver import start_server

        server = start_server()
    except (LookupError, RuntimeError, ImportError) as error:
        print(f"team: skipped ({error})")
        return
    try:
        _bench(server)
    finally:
        server.stop()


def _bench(server) -> None:
    from kpidesk.domain.periods import Period
    from kpidesk.services import people
    from kpidesk.services.demo import build_demo
    from kpidesk.services.scorecard import build_scorecard
    from kpidesk.services.servers import publish
    from kpidesk.store.workspace import Workspace

    clients = int(os.environ.get("KPIDESK_TEAM_CLIENTS", "20"))
    seconds = float(os.environ.get("KPIDESK_TEAM_SECONDS", "60"))
    with tempfile.TemporaryDirectory(prefix="kpidesk-bench-team-") as folder:
        demo = Path(folder) / "demo.kpidesk"
        build_demo(demo, until=Period.month(2026, 10), language="en")
        dbname = server.new_database(schema=True)
        owner_url = server.url(dbname)
        publish(demo, owner_url)
        with Workspace.open(owner_url) as workspace:
            for index in range(clients):
                people.add_person(workspace, f"editor{index}", "editor")

        # one client alone, in the same run
        alone = []
        with Workspace.open(server.url(dbname, user="editor0"), read_only=True):
            period = Period.from_key(PERIOD)
            build_scorecard(period, 1)
            for _run in range(30):
                began = time.perf_counter()
                build_scorecard(period, 1)
                alone.append(time.perf_counter() - began)

        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        start_at = time.time() + 8.0 + clients * 0.3  # every process started and connected
        processes = [
            context.Process(
                target=_client,
                args=(server.url(dbname, user=f"editor{i}"), i, seconds, start_at, results),
            )
            for i in range(clients)
        ]
        for process in processes:
            process.start()
        outs = [results.get(timeout=start_at - time.time() + seconds + 120) for _ in processes]
        for process in processes:
            process.join(timeout=30)

        ops = sum(out["ops"] for out in outs)
        refresh = sorted(t for out in outs for t in out["refresh"])
        refresh_cpu = sorted(t for out in outs for t in out["refresh_cpu"])
        conflicts = sum(out["conflicts"] for out in outs)
        resolved = sum(out["resolved"] for out in outs)
        errors = [error for out in outs for error in out["errors"]]
        saved = [item for out in outs for item in out["saved"]]
        lost, missing = _lost_updates(owner_url, saved)
        single = statistics.median(alone) * 1000
        single95 = _p95(sorted(alone))
        p50 = statistics.median(refresh) * 1000 if refresh else float("nan")
        p95 = _p95(refresh)
        print(
            f"team: {clients} clients × {seconds:.0f} s on one server: {ops / seconds:.1f} ops/s"
            f" ({ops} operations, {len(saved)} values saved)"
        )
        print(
            f"team: scorecard refresh p50 {p50:.1f} ms, p95 {p95:.1f} ms under load (CPU p95"
            f" {_p95(refresh_cpu):.1f} ms); one client alone p50 {single:.1f} ms, p95"
            f" {single95:.1f} ms: p95 {p95 / single95:.1f}× alone's (goal ≤ 2×)"
        )
        print(
            f"team: conflicts detected {conflicts}, resolved by saving again {resolved};"
            f" lost updates {lost + missing}; errors {len(errors)} (goals: 0 and 0)"
        )
        for error in errors[:3]:
            print("team error:", error.strip().splitlines()[-1])


if __name__ == "__main__":
    bench_team()
