"""A save that lost a race: someone else changed the row since it was read.

Saves that are given what was read (a row's token or version, see
:mod:`kpidesk.store.versions`) check it in the save's own transaction; when the row has
changed, nothing of the save is stored and :class:`ConflictError` says who changed what,
when, and to what. The app then asks: keep theirs (read again), keep mine (save again over
theirs, now knowingly), or, for a comment, merge the two texts by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_


class Unread:
    """The default of a save's "what was read": not given, so not checked (undo, scripts)."""

    def __repr__(self) -> str:
        return "UNREAD"


UNREAD: Any = Unread()


@dataclass(frozen=True)
class Conflict:
    """One row someone else changed: ``theirs`` is what it holds now (None: deleted),
    ``mine`` what this save would have written; ``token`` what to save against now to keep
    mine."""

    table: str
    key: Any
    mine: Any
    theirs: Any
    by: str | None
    at: datetime | None
    token: Any = None


class ConflictError(DomainError):
    exit_code = 1

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        first = conflicts[0]
        super().__init__(
            N_(
                "{who} changed this since you opened it ({count} changed); nothing of your "
                "change was saved."
            ),
            who=first.by or "?",
            count=len(conflicts),
        )
        self.conflicts = list(conflicts)


def row_conflict(model: Any, row_id: int, mine: dict[str, Any]) -> ConflictError:
    """The conflict of a row updated by id whose version moved on (or that is gone)."""
    from kpidesk.store import versions

    table = model._meta.table_name
    row = model.get_or_none(model.id == row_id)
    theirs = None if row is None else row.__data__.copy()
    by, at = versions.last_change(table, row.uid if row is not None else None)
    return ConflictError(
        [Conflict(table, row_id, mine, theirs, by, at, row.row_version if row else None)]
    )


def check_links(
    side: str, owner_id: int, read: Any, current: set[int], mine: set[int], names: Any
) -> None:
    """A link set (``kpi_goal`` rows of ``side``, ``kpi_id`` or ``goal_id``, = ``owner_id``)
    saved against the set read: when someone else changed it since, nothing is saved and
    :class:`ConflictError` names who and when, their set and mine (``names`` spells a
    set), and holds their set as the token to save against to keep mine."""
    if read is UNREAD or read is None or set(read) == current:
        return
    from kpidesk.store import versions

    by, at = versions.last_change_where("kpi_goal", **{side: owner_id})
    field = "goals" if side == "kpi_id" else "kpis"
    raise ConflictError(
        [
            Conflict(
                "kpi_goal",
                owner_id,
                {field: names(mine)},
                {field: names(current)},
                by,
                at,
                frozenset(current),
            )
        ]
    )
