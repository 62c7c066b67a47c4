"""Merging one copy of a workspace into another: what each changed row does (pure).

The rows come in "uid space": a row's references are the ``uid`` of the row they name (not
the copy's integer ids, which two copies hand out independently), and a row is identified by
its ``uid`` or, for values and targets, by its natural key (KPI, unit, period). For each row
the other copy ("theirs") changed since the two parted there are three versions: ``base``
(theirs before its first change since then; None where theirs created it), ``theirs`` now
and ``mine`` now (None where the row is not, or no longer, there). Then:

- mine and theirs are the same, or theirs is back at its base: they **agree**, nothing to do;
- mine is still the base: a one-sided change, **apply** theirs;
- otherwise both changed it differently: a **conflict**, unless the row is bookkeeping (an
  import batch, its changes, an alias, a profile), where both sides' are kept (**keep**,
  with the columns only theirs changed taken over).

A conflict is never decided by time stamps: it is resolved per item or all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Row = Mapping[str, Any]

ALWAYS_IGNORED = frozenset({"id", "uid", "row_version", "created_at", "entered_at"})
"""Columns that never make two versions of a row differ: the copy's own ids and counters,
and when each copy happened to write the row."""


class Decision(StrEnum):
    AGREE = "agree"
    APPLY = "apply"
    CONFLICT = "conflict"
    KEEP = "keep"


class Prefer(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"


@dataclass(frozen=True, slots=True)
class Item:
    """One row theirs changed: ``key`` is its identity in mine (a uid, or a natural key)."""

    table: str
    key: tuple[Any, ...]
    base: Row | None
    mine: Row | None
    theirs: Row | None
    compared: tuple[str, ...] | None = None
    """The columns compared (None: every column but :data:`ALWAYS_IGNORED`)."""
    bookkeeping: bool = False
    newest: tuple[str, ...] = ()
    """Bookkeeping columns where both sides' changes meet in the later time (a last use)."""

    @property
    def op(self) -> str:
        """What applying theirs does to mine: ``insert``, ``update`` or ``delete``."""
        if self.theirs is None:
            return "delete"
        return "insert" if self.mine is None else "update"


def same(a: Row | None, b: Row | None, compared: Iterable[str] | None = None) -> bool:
    """Whether two versions of a row hold the same (both absent counts as the same)."""
    if a is None or b is None:
        return a is None and b is None
    columns = list(compared) if compared is not None else sorted((set(a) | set(b)) - ALWAYS_IGNORED)
    return all(_equal(a.get(column), b.get(column)) for column in columns)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, int | float) and not isinstance(b, bool):
        return a == float(b)
    if isinstance(b, float) and isinstance(a, int) and not isinstance(a, bool):
        return float(a) == b
    return bool(a == b)


def decide(item: Item) -> Decision:
    if same(item.mine, item.theirs, item.compared) or same(item.theirs, item.base, item.compared):
        return Decision.AGREE  # the same on both sides, or theirs changed it back
    if same(item.mine, item.base, item.compared):
        return Decision.APPLY
    if item.bookkeeping:
        return Decision.KEEP
    return Decision.CONFLICT


def merged_columns(item: Item) -> dict[str, Any]:
    """A bookkeeping row both changed: mine, with the columns only theirs changed taken over
    (and the later of the two in :attr:`Item.newest`)."""
    mine = dict(item.mine or {})
    theirs = item.theirs or {}
    base = item.base or {}
    for column, value in theirs.items():
        if column in ALWAYS_IGNORED:
            continue
        if column in item.newest:
            values = [v for v in (mine.get(column), value) if v is not None]
            mine[column] = max(values) if values else None
        elif (column in base and _equal(mine.get(column), base.get(column))) or (
            column not in base and mine.get(column) is None
        ):
            mine[column] = value
    return mine


@dataclass(slots=True)
class Plan:
    """Every row theirs changed, with what it does; ``conflicts`` the items to resolve."""

    items: list[tuple[Item, Decision]] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Item]:
        return [item for item, decision in self.items if decision is Decision.CONFLICT]

    def to_apply(
        self,
        choices: Mapping[tuple[str, tuple[Any, ...]], Prefer] | None = None,
        prefer: Prefer | None = None,
    ) -> list[tuple[Item, Decision]]:
        """The items that change mine, with conflicts resolved by ``choices`` (per item,
        keyed by table and key) or ``prefer``; raises :class:`Unresolved` for one neither
        resolves."""
        choices = choices or {}
        chosen = []
        unresolved = []
        for item, decision in self.items:
            if decision is Decision.CONFLICT:
                choice = choices.get((item.table, item.key), prefer)
                if choice is None:
                    unresolved.append(item)
                elif choice is Prefer.THEIRS:
                    chosen.append((item, Decision.APPLY))
            elif decision in (Decision.APPLY, Decision.KEEP):
                chosen.append((item, decision))
        if unresolved:
            raise Unresolved(unresolved)
        return chosen

    def counts(self, chosen: Iterable[tuple[Item, Decision]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item, decision in chosen:
            if decision is Decision.KEEP and same(item.mine, merged_columns(item)):
                continue
            counts[item.table] = counts.get(item.table, 0) + 1
        return dict(sorted(counts.items()))


class Unresolved(Exception):
    def __init__(self, items: list[Item]) -> None:
        super().__init__(f"{len(items)} unresolved conflicts")
        self.items = items


def plan(items: Iterable[Item]) -> Plan:
    return Plan([(item, decide(item)) for item in items])


@dataclass(frozen=True, slots=True)
class Reference:
    """A column of ``table`` naming a row of ``target``; ``holds`` when deleting the target
    would take the row with it (or is refused), rather than leave the column empty."""

    table: str
    column: str
    target: str
    holds: bool


def broken_references(
    chosen: list[tuple[Item, Decision]],
    mine: Mapping[str, Mapping[str, Row]],
    references: Iterable[Reference],
) -> list[Item]:
    """The items that cannot apply as they stand: a row of theirs naming one mine no longer
    has (theirs added to what mine deleted), or a deletion of a row that mine has since
    given rows of its own (mine added to what theirs deleted). Both are conflicts."""
    deleted: dict[str, set[str]] = {}
    added: dict[str, set[str]] = {}
    for item, decision in chosen:
        uid = _uid_of(item)
        if decision is Decision.APPLY and uid is not None:
            if item.theirs is None:
                deleted.setdefault(item.table, set()).add(uid)
            else:
                added.setdefault(item.table, set()).add(uid)
    references = list(references)

    def exists(table: str, uid: str) -> bool:
        if uid in added.get(table, ()):
            return True
        return uid in mine.get(table, {}) and uid not in deleted.get(table, ())

    broken: list[Item] = []
    for item, decision in chosen:
        if decision is not Decision.APPLY:
            continue
        if item.theirs is not None:
            for reference in references:
                if reference.table != item.table:
                    continue
                target = item.theirs.get(reference.column)
                if target is not None and not exists(reference.target, target):
                    broken.append(item)
                    break
        else:
            uid = _uid_of(item)
            if uid is None:
                continue
            for reference in references:
                if reference.target != item.table or not reference.holds:
                    continue
                rows = mine.get(reference.table, {})
                gone = deleted.get(reference.table, set())
                if any(
                    row.get(reference.column) == uid and child not in gone
                    for child, row in rows.items()
                ):
                    broken.append(item)
                    break
    return broken


def _uid_of(item: Item) -> str | None:
    for row in (item.mine, item.theirs, item.base):
        if row is not None and row.get("uid"):
            return str(row["uid"])
    return None
