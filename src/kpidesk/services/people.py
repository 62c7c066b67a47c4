"""People of a server workspace and their rights (``kpidesk server user …``, Workspace →
People): adding, listing and removing them, and what the connected person may do.

The server enforces the rights (:mod:`kpidesk.store.pg_access`); this is how the app and the
command line manage them and show them. A workspace file has no people: its one user may do
everything (:data:`kpidesk.store.access.EVERYTHING`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_
from kpidesk.store import pg_people
from kpidesk.store.access import EVERYTHING, ROLES, Access, Person, Role
from kpidesk.store.location import ServerAddress, workspace_location
from kpidesk.store.models import Unit
from kpidesk.store.workspace import Workspace, opened


class PeopleError(DomainError):
    exit_code = 1


class UnknownUnitError(PeopleError):
    exit_code = 2

    def __init__(self, unit: str) -> None:
        super().__init__(N_("There is no unit named {unit} in the workspace."), unit=unit)


class NotYourUnitError(PeopleError):
    """An updater's change to a unit that is not theirs (nothing of it was saved)."""

    def __init__(self, unit: str) -> None:
        super().__init__(
            N_(
                "You may enter values for your own units only, not for {unit}; nothing was changed."
            ),
            unit=unit,
        )


_MESSAGES = {
    "bad-name": N_("{name} cannot be a login name (1 to 63 bytes, no NUL)."),
    "exists": N_("{name} is already one of this workspace's people."),
    "privileged": N_(
        "{name} is a superuser, the workspace's owner or a group role; choose another name."
    ),
    "unknown": N_("{name} is not one of this workspace's people."),
    "no-createrole": N_(
        "Managing people needs a login that may create roles (CREATEROLE); ask the server's "
        "administrator."
    ),
}


@dataclass(frozen=True)
class PersonRow:
    name: str
    role: Role
    units: tuple[str, ...]


def access(workspace: Workspace) -> Access:
    """What the person who opened ``workspace`` may do there."""
    if not workspace.is_server:
        return EVERYTHING
    with workspace.bound():
        return pg_people.access(workspace.db)


def _server(address: ServerAddress | str) -> ServerAddress:
    location = workspace_location(address)
    if not isinstance(location, ServerAddress):
        raise TypeError(f"{address} is no server address")
    return location


def _unit_ids(names: Sequence[str]) -> tuple[int, ...]:
    ids = []
    for name in names:
        unit = Unit.get_or_none((Unit.name == name) | (Unit.code == name))
        if unit is None:
            raise UnknownUnitError(name)
        ids.append(unit.id)
    return tuple(sorted(set(ids)))


def _people_error(error: pg_people.PeopleError) -> PeopleError:
    return PeopleError(_MESSAGES[error.kind], name=error.name)


def add_person(
    workspace: Workspace,
    name: str,
    role: Role | str,
    units: Sequence[str] = (),
    password: str | None = None,
) -> None:
    """Add ``name`` with ``role``; an updater's ``units`` (names or codes) and those below."""
    role = Role(role)
    if role not in ROLES:
        raise ValueError(role)
    with workspace.atomic():
        unit_ids = _unit_ids(units)
        try:
            pg_people.add_person(workspace.db, name, role, unit_ids, password)
        except pg_people.PeopleError as error:
            raise _people_error(error) from None


def remove_person(workspace: Workspace, name: str) -> None:
    with workspace.atomic():
        try:
            pg_people.remove_person(workspace.db, name)
        except pg_people.PeopleError as error:
            raise _people_error(error) from None


def list_people(workspace: Workspace) -> list[PersonRow]:
    with workspace.bound():
        if pg_people.group_roles(workspace.db) is None:
            return []
        names = {unit.id: unit.name for unit in Unit.select(Unit.id, Unit.name)}
        found: list[Person] = pg_people.people(workspace.db)
        return [
            PersonRow(
                person.name,
                person.role,
                tuple(names.get(unit_id, str(unit_id)) for unit_id in person.unit_ids),
            )
            for person in found
        ]


def add_person_at(address: ServerAddress | str, *args: object, **kwargs: object) -> None:
    with opened(_server(address)) as workspace:
        add_person(workspace, *args, **kwargs)  # type: ignore[arg-type]


def remove_person_at(address: ServerAddress | str, name: str) -> None:
    with opened(_server(address)) as workspace:
        remove_person(workspace, name)


def people_at(address: ServerAddress | str) -> list[PersonRow]:
    with opened(_server(address), read_only=True) as workspace:
        return list_people(workspace)
