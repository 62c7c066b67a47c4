"""Who may do what in a workspace: the four roles and a person's units (no driver here).

On a server each person is a login role in one of four group roles, and the server enforces
the rights (grants and row-level security, see :mod:`kpidesk.store.pg_access`); this module
names the roles and what each may do, so the app can show the same rights the server
enforces. A workspace file has no people: whoever opens it may do everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    UPDATER = "updater"
    EDITOR = "editor"
    ADMIN = "admin"
    OWNER = "owner"
    """The workspace's owner (who made it; on a file, whoever opens it): every right."""


ROLES = (Role.VIEWER, Role.UPDATER, Role.EDITOR, Role.ADMIN)
"""The roles a person can be given."""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: Role
    unit_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Access:
    """What the connected person may do. ``unit_ids`` are an updater's own units *and* the
    units below them (None: every unit)."""

    name: str
    role: Role
    unit_ids: frozenset[int] | None = None

    @property
    def writes(self) -> bool:
        return self.role is not Role.VIEWER

    @property
    def edits_definitions(self) -> bool:
        """Goals, KPIs, targets, units, reviews and decisions."""
        return self.role in (Role.EDITOR, Role.ADMIN, Role.OWNER)

    @property
    def manages_people(self) -> bool:
        return self.role in (Role.ADMIN, Role.OWNER)

    def may_write_unit(self, unit_id: int | None) -> bool:
        """Values, comments and actions of ``unit_id``."""
        if self.role is Role.VIEWER:
            return False
        if self.unit_ids is None:
            return True
        return unit_id is not None and unit_id in self.unit_ids


EVERYTHING = Access("", Role.OWNER, None)
