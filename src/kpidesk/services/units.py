"""Editing the tree of organisational units: create, rename, move, delete and undo a delete.

Data refers to a unit by its id, so renaming or moving a unit keeps everything it holds. The
workspace has exactly one top (root) unit, which can be neither moved nor deleted.

Deleting a unit that holds data (or has sub-units) needs a decision: move its data and its
sub-units to another unit, or delete the whole branch with its data. Either way the returned
``DeletedUnit`` holds every row that was changed or removed, and ``restore_unit`` puts them
back exactly (same ids), which is how the app undoes a delete.

The tables that refer to units are found from the models (every foreign key to ``Unit``), so
a table added later is snapshotted and restored without changes here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from peewee import ForeignKeyField, fn

from kpidesk.domain.errors import DomainError
from kpidesk.domain.text import MSG_CONTROL_CHARACTER, bad_characters
from kpidesk.i18n import N_
from kpidesk.services.conflicts import ConflictError, row_conflict
from kpidesk.store import versions
from kpidesk.store.models import (
    ALL_MODELS,
    BaseModel,
    ChartNote,
    Measurement,
    ReviewUnit,
    Target,
    TargetPath,
    Unit,
    UnitAlias,
)
from kpidesk.store.workspace import Workspace

NAME_MAX_LENGTH = 120
_CHUNK = 500


# errors ---------------------------------------------------------------------------------
class UnitError(DomainError):
    """Something about a unit that cannot be done; ``message`` says why."""


class UnitNameError(UnitError):
    pass


class UnitNotFoundError(UnitError):
    def __init__(self, unit_id: int) -> None:
        super().__init__(N_("The unit no longer exists (id {unit_id})."), unit_id=unit_id)


class UnitMoveError(UnitError):
    pass


class UnitDeleteError(UnitError):
    pass


class UnitHasDataError(UnitDeleteError):
    """The unit holds data or sub-units: move them, or confirm that they are deleted."""

    def __init__(self, name: str, usage: UnitUsage) -> None:
        super().__init__(
            N_(
                "“{name}” holds data or sub-units. Move them to another unit, or confirm "
                "that they are deleted with it."
            ),
            name=name,
        )
        self.usage = usage


# results --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnitUsage:
    """What depends on a unit and its descendants (``measurements`` are stored values)."""

    measurements: int = 0
    targets: int = 0
    target_paths: int = 0
    reviews: int = 0
    chart_notes: int = 0
    aliases: int = 0
    other: int = 0
    """Rows of tables this module does not name (added later) that refer to the units."""
    children: int = 0
    descendants: int = 0

    @property
    def data_rows(self) -> int:
        return (
            self.measurements
            + self.targets
            + self.target_paths
            + self.reviews
            + self.chart_notes
            + self.aliases
            + self.other
        )

    @property
    def has_data(self) -> bool:
        return self.data_rows > 0

    @property
    def is_empty(self) -> bool:
        """Nothing would be lost by deleting the unit: no data and no sub-units."""
        return not self.has_data and self.descendants == 0


@dataclass(frozen=True, slots=True)
class UnitPlace:
    """Where a unit sits: its parent and its index among its siblings."""

    parent_id: int | None
    position: int


@dataclass(frozen=True, slots=True)
class DeletedUnit:
    """Everything a delete changed, enough for ``restore_unit`` to undo it.

    ``units`` are the removed unit rows, parents first. ``removed_rows`` maps a table to the
    rows deleted from it (the branch's data when discarded; the rows that clashed with the
    receiving unit when moved). ``moved_ids`` maps a table to the ids of rows re-pointed to
    ``move_data_to``; ``moved_children`` are the sub-units re-parented there, as
    (id, sort order before).
    """

    unit_id: int
    name: str
    parent_id: int | None
    move_data_to: int | None
    units: tuple[dict[str, Any], ...]
    removed_rows: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    moved_ids: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = field(default_factory=dict)
    moved_children: tuple[tuple[int, int], ...] = ()
    target_orders: tuple[tuple[int, int], ...] = ()
    """The receiving unit's children as (id, sort order) before the re-parenting."""

    def moved(self, table: str) -> int:
        """How many rows of ``table`` now belong to ``move_data_to``."""
        return sum(len(ids) for _column, ids in self.moved_ids.get(table, ()))

    def removed(self, table: str) -> int:
        return len(self.removed_rows.get(table, ()))

    @property
    def measurements_moved(self) -> int:
        return self.moved("measurement")

    @property
    def targets_moved(self) -> int:
        return self.moved("target")

    @property
    def measurements_conflicting(self) -> int:
        """Values not moved because the receiving unit already had one for the KPI and period
        (the receiving unit's value is kept; this unit's is removed, and restored on undo)."""
        return self.removed("measurement") if self.move_data_to is not None else 0

    @property
    def targets_conflicting(self) -> int:
        return self.removed("target") if self.move_data_to is not None else 0

    @property
    def measurements_removed(self) -> int:
        return self.removed("measurement")

    @property
    def units_removed(self) -> int:
        return len(self.units)


# reading --------------------------------------------------------------------------------
def _references() -> list[ForeignKeyField]:
    """Every foreign key to ``Unit`` except the tree's own ``parent``."""
    return [fk for fk in Unit._meta.backrefs if fk.model is not Unit]


def _models_by_table() -> dict[str, type[BaseModel]]:
    models = {model._meta.table_name: model for model in ALL_MODELS}
    for fk in _references():
        models.setdefault(fk.model._meta.table_name, fk.model)
    return models


def _get(unit_id: int) -> Unit:
    unit = Unit.get_or_none(Unit.id == unit_id)
    if unit is None:
        raise UnitNotFoundError(unit_id)
    return unit


def _children_map() -> dict[int | None, list[tuple[int, str, int]]]:
    """parent id → [(id, name, sort order)] in display order (sort order, then name)."""
    children: dict[int | None, list[tuple[int, str, int]]] = {}
    for unit_id, name, parent_id, order in Unit.select(
        Unit.id, Unit.name, Unit.parent, Unit.sort_order
    ).tuples():
        children.setdefault(parent_id, []).append((unit_id, name, order))
    for siblings in children.values():
        siblings.sort(key=lambda row: (row[2], row[1].casefold()))
    return children


def subtree_ids(unit_id: int) -> list[int]:
    """``unit_id`` and all its descendants, each parent before its children."""
    children = _children_map()
    ordered: list[int] = []
    stack = [unit_id]
    while stack:
        current = stack.pop()
        ordered.append(current)
        stack.extend(reversed([row[0] for row in children.get(current, [])]))
    return ordered


def root_unit_id() -> int | None:
    row = Unit.select(Unit.id).where(Unit.parent.is_null()).order_by(Unit.id).first()
    return row.id if row else None


def unit_path(unit_id: int) -> list[str]:
    """The names from the root down to ``unit_id``."""
    names: list[str] = []
    current: int | None = unit_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        unit = _get(current)
        names.append(unit.name)
        current = unit.parent_id
    return list(reversed(names))


def unit_place(unit_id: int) -> UnitPlace:
    unit = _get(unit_id)
    siblings = [row[0] for row in _children_map().get(unit.parent_id, [])]
    return UnitPlace(unit.parent_id, siblings.index(unit_id))


def _count(query_field: ForeignKeyField, ids: Sequence[int], distinct: Any = None) -> int:
    total = 0
    model = query_field.model
    for chunk in _chunks(ids):
        if distinct is None:
            total += model.select().where(query_field.in_(chunk)).count()
        else:
            total += (
                model.select(fn.COUNT(distinct.distinct())).where(query_field.in_(chunk)).scalar()
            )
    return total


def unit_usage(unit_id: int, *, include_descendants: bool = True) -> UnitUsage:
    """Count what depends on ``unit_id`` (and, by default, on its descendants)."""
    _get(unit_id)
    ids = subtree_ids(unit_id)
    descendants = len(ids) - 1
    children = Unit.select().where(Unit.parent == unit_id).count()
    if not include_descendants:
        ids = [unit_id]
    known = {
        Measurement.unit: "measurements",
        Target.unit: "targets",
        TargetPath.unit: "target_paths",
        ChartNote.unit: "chart_notes",
        UnitAlias.unit: "aliases",
    }
    counts: dict[str, int] = {name: 0 for name in known.values()}
    other = 0
    for fk in _references():
        if fk is ReviewUnit.unit:
            continue
        if fk in known:
            counts[known[fk]] += _count(fk, ids)
        else:
            other += _count(fk, ids)
    # One review about several of the units counts once (when they fit in one query).
    reviews = _count(ReviewUnit.unit, ids, distinct=ReviewUnit.review)
    return UnitUsage(
        **counts,
        reviews=reviews,
        other=other,
        children=children,
        descendants=descendants,
    )


def value_counts() -> dict[int, int]:
    """Stored values (measurements) per unit, for units that hold any."""
    return dict(
        Measurement.select(Measurement.unit, fn.COUNT(Measurement.id))
        .group_by(Measurement.unit)
        .tuples()
    )


def move_data_candidates(unit_id: int) -> list[int]:
    """The units that may receive ``unit_id``'s data when it is deleted (not in its branch)."""
    branch = set(subtree_ids(unit_id))
    return [row[0] for row in Unit.select(Unit.id).tuples() if row[0] not in branch]


# names ----------------------------------------------------------------------------------
def clean_name(name: str) -> str:
    return " ".join(name.split())


def check_unit_name(name: str, parent_id: int | None, *, unit_id: int | None = None) -> str:
    """The trimmed name, or ``UnitNameError``: empty, too long, or taken by a sibling."""
    cleaned = clean_name(name)
    if not cleaned:
        raise UnitNameError(N_("Give the unit a name."))
    if bad_characters(cleaned):  # pasted text may hold what no file can
        raise UnitNameError(MSG_CONTROL_CHARACTER)
    if len(cleaned) > NAME_MAX_LENGTH:
        raise UnitNameError(
            N_("A unit's name can be at most {limit} characters."), limit=NAME_MAX_LENGTH
        )
    if parent_id is not None:
        wanted = cleaned.casefold()
        for sibling in Unit.select(Unit.id, Unit.name).where(Unit.parent == parent_id):
            if sibling.id != unit_id and sibling.name.casefold() == wanted:
                raise UnitNameError(
                    N_("There is already a unit named “{name}” under “{parent}”."),
                    name=sibling.name,
                    parent=_get(parent_id).name,
                )
    return cleaned


def validate_unit_name(
    name: str, parent_id: int | None, *, unit_id: int | None = None
) -> str | None:
    """The message to show beside the name field, or None when the name can be used.

    ``unit_id`` is the unit being renamed (its own name is not a clash).
    """
    try:
        check_unit_name(name, parent_id, unit_id=unit_id)
    except UnitNameError as error:
        return error.message
    return None


def suggest_unit_name(parent_id: int | None, base: str) -> str:
    """``base``, or ``base 2``, ``base 3``… whichever is free under ``parent_id``."""
    taken = {row.name.casefold() for row in Unit.select(Unit.name).where(Unit.parent == parent_id)}
    candidate = base
    number = 2
    while candidate.casefold() in taken:
        candidate = f"{base} {number}"
        number += 1
    return candidate


# writing --------------------------------------------------------------------------------
def _place_in(parent_id: int | None, unit_id: int, position: int | None) -> None:
    """Put ``unit_id`` at ``position`` among ``parent_id``'s children and renumber them."""
    siblings = [row for row in _children_map().get(parent_id, []) if row[0] != unit_id]
    if position is None or position > len(siblings):
        position = len(siblings)
    position = max(position, 0)
    ordered = [row[0] for row in siblings]
    ordered.insert(position, unit_id)
    current = {row[0]: row[2] for row in siblings}
    for order, sibling_id in enumerate(ordered):
        if current.get(sibling_id) != order:
            Unit.update(sort_order=order).where(Unit.id == sibling_id).execute()


def create_unit(
    workspace: Workspace,
    name: str,
    parent_id: int,
    *,
    position: int | None = None,
    unit_id: int | None = None,
) -> int:
    """A new unit under ``parent_id`` (at ``position`` among its siblings, else last).

    ``unit_id`` recreates a unit with a known id (redoing an undone create).
    """
    with workspace.atomic():
        _get(parent_id)
        cleaned = check_unit_name(name, parent_id)
        values: dict[str, Any] = {"name": cleaned, "parent": parent_id, "sort_order": 0}
        if unit_id is not None:
            values["id"] = unit_id
        new_id = Unit.insert(**values).execute()
        _place_in(parent_id, new_id, position)
    return int(new_id)


def rename_unit(
    workspace: Workspace, unit_id: int, name: str, *, read_version: int | None = None
) -> str:
    """Rename a unit; everything it holds stays with it. Returns the old name. With
    ``read_version`` (the unit's when it was read), a unit someone else changed since
    raises ``ConflictError`` and nothing is saved."""
    with workspace.atomic():
        unit = _get(unit_id)
        cleaned = check_unit_name(name, unit.parent_id, unit_id=unit_id)
        if read_version is not None:
            _update_checked(unit_id, read_version, name=cleaned)
        elif cleaned != unit.name:
            Unit.update(name=cleaned).where(Unit.id == unit_id).execute()
    return unit.name


def unit_versions() -> dict[int, int]:
    """Every unit's ``row_version``, as an editor reads the tree (for ``read_version=``)."""
    return dict(Unit.select(Unit.id, Unit.row_version).tuples())  # type: ignore[attr-defined]


def _update_checked(unit_id: int, read_version: int, **fields: Any) -> None:
    """Update the unit if it is still at ``read_version``; else ``ConflictError`` with
    the parent units named."""
    if versions.update_checked(Unit, unit_id, read_version, **fields):
        return
    error = row_conflict(Unit, unit_id, dict(fields))

    def named(values: dict | None) -> dict | None:
        if values is None or values.get("parent") is None:
            return values
        parent = Unit.get_or_none(Unit.id == values["parent"])
        return {**values, "parent": parent.name if parent is not None else values["parent"]}

    first = error.conflicts[0]
    raise ConflictError([replace(first, mine=named(first.mine), theirs=named(first.theirs))])


def check_move(unit_id: int, new_parent_id: int | None) -> None:
    """Raise ``UnitMoveError`` (or ``UnitNameError``) if the move cannot be made."""
    unit = _get(unit_id)
    if unit.parent_id is None:
        raise UnitMoveError(N_("“{name}” is the top unit and cannot be moved."), name=unit.name)
    if new_parent_id is None:
        raise UnitMoveError(
            N_("The workspace has one top unit. Move “{name}” under another unit instead."),
            name=unit.name,
        )
    target = _get(new_parent_id)
    if new_parent_id in subtree_ids(unit_id):
        raise UnitMoveError(
            N_("“{name}” cannot be moved under itself or one of its sub-units ({target})."),
            name=unit.name,
            target=target.name,
        )
    if new_parent_id != unit.parent_id:
        check_unit_name(unit.name, new_parent_id, unit_id=unit_id)


def move_unit(
    workspace: Workspace,
    unit_id: int,
    new_parent_id: int | None,
    position: int | None = None,
    *,
    read_version: int | None = None,
) -> UnitPlace:
    """Move a unit (with its sub-units and data) under ``new_parent_id``, at ``position``
    among its new siblings (None: last). Returns where it was, for undo. With
    ``read_version``, a unit someone else changed since raises ``ConflictError``."""
    with workspace.atomic():
        check_move(unit_id, new_parent_id)
        before = unit_place(unit_id)
        if read_version is not None:
            _update_checked(unit_id, read_version, parent=new_parent_id)
        else:
            Unit.update(parent=new_parent_id).where(Unit.id == unit_id).execute()
        _place_in(new_parent_id, unit_id, position)
    return before


def check_delete(
    unit_id: int, *, move_data_to: int | None = None, discard_data: bool = False
) -> UnitUsage:
    """Raise a ``UnitError`` if the delete cannot be made as asked; return the usage."""
    unit = _get(unit_id)
    if unit.parent_id is None:
        raise UnitDeleteError(N_("“{name}” is the top unit and cannot be deleted."), name=unit.name)
    usage = unit_usage(unit_id)
    if move_data_to is not None:
        target = _get(move_data_to)
        if move_data_to in subtree_ids(unit_id):
            raise UnitDeleteError(
                N_("The data cannot be moved to “{target}”, which is deleted with “{name}”."),
                target=target.name,
                name=unit.name,
            )
        taken = {
            row.name.casefold(): row.name
            for row in Unit.select(Unit.name, Unit.id).where(
                (Unit.parent == move_data_to) & (Unit.id != unit_id)
            )
        }
        for child in Unit.select(Unit.name).where(Unit.parent == unit_id):
            if child.name.casefold() in taken:
                raise UnitNameError(
                    N_("There is already a unit named “{name}” under “{parent}”."),
                    name=taken[child.name.casefold()],
                    parent=target.name,
                )
    elif not discard_data and not usage.is_empty:
        raise UnitHasDataError(unit.name, usage)
    return usage


def delete_unit(
    workspace: Workspace,
    unit_id: int,
    *,
    move_data_to: int | None = None,
    discard_data: bool = False,
) -> DeletedUnit:
    """Delete a unit. Returns a snapshot for ``restore_unit``.

    An empty unit (no data, no sub-units) is simply deleted. Otherwise either:

    - ``move_data_to``: the unit's data goes to that unit and its sub-units (with all they
      hold) are re-parented under it. Where the receiving unit already has a row for the
      same key (a value for the same KPI and period, a target for the same KPI and period,
      a link to the same review), the receiving unit's row is kept and this unit's row is
      removed; ``DeletedUnit.measurements_conflicting`` and ``targets_conflicting`` count
      them (undo brings them back).
    - ``discard_data=True``: the unit, its sub-units and everything they hold are deleted.

    Without either, a unit with data or sub-units raises ``UnitHasDataError``.
    """
    with workspace.atomic():
        check_delete(unit_id, move_data_to=move_data_to, discard_data=discard_data)
        unit = _get(unit_id)
        if move_data_to is not None:
            return _delete_moving(unit, move_data_to)
        return _delete_branch(unit)


def _rows(model: type[BaseModel], column: ForeignKeyField, ids: Sequence[int]) -> list[dict]:
    rows: list[dict] = []
    for chunk in _chunks(ids):
        rows.extend(
            model.select().where(column.in_(chunk)).order_by(model._meta.primary_key).dicts()
        )
    return rows


def _delete_branch(unit: Unit) -> DeletedUnit:
    ids = subtree_ids(unit.id)
    unit_rows = {row["id"]: row for row in _rows(Unit, Unit.id, ids)}
    removed: dict[str, list[dict]] = {}
    for fk in _references():
        model = fk.model
        rows = _rows(model, fk, ids)
        if not rows:
            continue
        removed.setdefault(model._meta.table_name, []).extend(rows)
        _delete_ids(model, [row[model._meta.primary_key.name] for row in rows])
    for unit_id in reversed(ids):  # children before parents (the tree's key is RESTRICT)
        Unit.delete().where(Unit.id == unit_id).execute()
    return DeletedUnit(
        unit_id=unit.id,
        name=unit.name,
        parent_id=unit.parent_id,
        move_data_to=None,
        units=tuple(unit_rows[unit_id] for unit_id in ids),
        removed_rows={table: tuple(rows) for table, rows in removed.items()},
    )


def _unique_keys(model: type[BaseModel], fk: ForeignKeyField) -> list[list[str]]:
    """The other columns of each unique index that includes ``fk``."""
    keys: list[list[str]] = []
    for columns, unique in model._meta.indexes:
        if unique and fk.name in columns:
            keys.append([column for column in columns if column != fk.name])
    if fk.unique:
        keys.append([])
    return keys


def _delete_moving(unit: Unit, target_id: int) -> DeletedUnit:
    removed: dict[str, list[dict]] = {}
    moved: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    for fk in _references():
        model = fk.model
        table = model._meta.table_name
        pk = model._meta.primary_key.name
        rows = _rows(model, fk, [unit.id])
        if not rows:
            continue
        clashing: list[dict] = []
        keys = _unique_keys(model, fk)
        if keys:
            target_rows = list(model.select().where(fk == target_id).dicts())
            taken = [{tuple(row[c] for c in key) for row in target_rows} for key in keys]
            for row in rows:
                if any(
                    tuple(row[c] for c in key) in taken_keys
                    for key, taken_keys in zip(keys, taken, strict=True)
                ):
                    clashing.append(row)
        clashing_ids = {row[pk] for row in clashing}
        moving = [row[pk] for row in rows if row[pk] not in clashing_ids]
        if clashing:
            removed.setdefault(table, []).extend(clashing)
            _delete_ids(model, sorted(clashing_ids))
        if moving:
            for chunk in _chunks(moving):
                model.update({fk: target_id}).where(model._meta.primary_key.in_(chunk)).execute()
            moved.setdefault(table, []).append((fk.name, tuple(moving)))
    tree = _children_map()
    children = [(row[0], row[2]) for row in tree.get(unit.id, [])]
    target_orders = tuple((row[0], row[2]) for row in tree.get(target_id, []))
    for child_id, _order in children:
        Unit.update(parent=target_id).where(Unit.id == child_id).execute()
        _place_in(target_id, child_id, None)
    unit_row = next(iter(_rows(Unit, Unit.id, [unit.id])))
    Unit.delete().where(Unit.id == unit.id).execute()
    return DeletedUnit(
        unit_id=unit.id,
        name=unit.name,
        parent_id=unit.parent_id,
        move_data_to=target_id,
        units=(unit_row,),
        removed_rows={table: tuple(rows) for table, rows in removed.items()},
        moved_ids={table: tuple(entries) for table, entries in moved.items()},
        moved_children=tuple(children),
        target_orders=target_orders if children else (),
    )


def restore_unit(workspace: Workspace, snapshot: DeletedUnit) -> int:
    """Undo ``delete_unit``: recreate the unit (same id) and its sub-units, put every removed
    row back, and move what was moved back to it. Returns the unit's id."""
    models = _models_by_table()
    with workspace.atomic():
        for row in snapshot.units:  # parents first
            Unit.insert(**row).execute()
        for child_id, order in snapshot.moved_children:
            Unit.update(parent=snapshot.unit_id, sort_order=order).where(
                Unit.id == child_id
            ).execute()
        for sibling_id, order in snapshot.target_orders:
            Unit.update(sort_order=order).where(Unit.id == sibling_id).execute()
        for table, entries in snapshot.moved_ids.items():
            model = models[table]
            for column, ids in entries:
                for chunk in _chunks(ids):
                    model.update({column: snapshot.unit_id}).where(
                        model._meta.primary_key.in_(chunk)
                    ).execute()
        for table, rows in snapshot.removed_rows.items():
            model = models[table]
            for chunk in _chunks(rows):
                model.insert_many(chunk).execute()
    return snapshot.unit_id


# helpers --------------------------------------------------------------------------------
def _chunks[T](items: Sequence[T] | Iterable[T], size: int = _CHUNK) -> Iterable[list[T]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delete_ids(model: type[BaseModel], ids: Sequence[int]) -> None:
    for chunk in _chunks(ids):
        model.delete().where(model._meta.primary_key.in_(chunk)).execute()
