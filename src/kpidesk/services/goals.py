"""Goals: the tree, its fields, the SMART checklist, and the KPIs linked to each goal.

Deleting a goal never deletes KPIs or data: its links go, its children move up to its
parent, and the returned snapshot is enough to undo it all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from kpidesk.domain.errors import DomainError
from kpidesk.domain.terms import PERSPECTIVE_LABELS, GoalStatus, Perspective
from kpidesk.domain.text import MSG_CONTROL_CHARACTER, bad_characters
from kpidesk.i18n import N_
from kpidesk.services.conflicts import UNREAD, check_links, row_conflict
from kpidesk.store import models, versions
from kpidesk.store.workspace import Workspace

SMART_FIELDS = (
    ("smart_specific", N_("Specific"), N_("Says exactly what is to be achieved.")),
    ("smart_measurable", N_("Measurable"), N_("At least one KPI shows progress.")),
    ("smart_accepted", N_("Accepted"), N_("Those who do the work stand behind it.")),
    ("smart_realistic", N_("Realistic"), N_("Challenging, but possible with the means at hand.")),
    ("smart_time_bound", N_("Time-bound"), N_("Has a date by which it is reached.")),
)


class GoalError(DomainError):
    pass


@dataclass
class GoalData:
    """Every editable field of a goal."""

    title: str
    description: str = ""
    perspective: str = Perspective.FINANCIAL.value
    owner: str = ""
    start_date: date | None = None
    due_date: date | None = None
    status: str = GoalStatus.ACTIVE.value
    smart_specific: bool = False
    smart_measurable: bool = False
    smart_accepted: bool = False
    smart_realistic: bool = False
    smart_time_bound: bool = False

    @classmethod
    def of(cls, goal: models.Goal) -> GoalData:
        return cls(**{f.name: getattr(goal, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class GoalRow:
    id: int
    parent_id: int | None
    depth: int
    data: GoalData
    kpi_ids: tuple[int, ...]
    row_version: int | None = None
    """The row's version as it was read, for a save to check (see ``read_version=``)."""


def validate_goal(data: GoalData) -> dict[str, str]:
    """Problems by field name, as untranslated message templates."""
    problems: dict[str, str] = {}
    if not data.title.strip():
        problems["title"] = N_("A goal needs a title.")
    if data.perspective not in set(Perspective):
        problems["perspective"] = N_("Choose a perspective.")
    if data.start_date and data.due_date and data.due_date < data.start_date:
        problems["due_date"] = N_("The due date is before the start date.")
    for name, multiline in (("title", False), ("owner", False), ("description", True)):
        if name not in problems and bad_characters(getattr(data, name), multiline=multiline):
            problems[name] = MSG_CONTROL_CHARACTER  # pasted text may hold what no file can
    return problems


def goal_tree() -> list[GoalRow]:
    """Goals depth-first, each before its sub-goals, siblings by sort order."""
    goals = list(models.Goal.select().order_by(models.Goal.sort_order, models.Goal.id))
    links: dict[int, list[int]] = {}
    for goal_id, kpi_id in models.KpiGoal.select(models.KpiGoal.goal, models.KpiGoal.kpi).tuples():
        links.setdefault(goal_id, []).append(kpi_id)
    children: dict[int | None, list[models.Goal]] = {}
    for goal in goals:
        children.setdefault(goal.parent_id, []).append(goal)
    rows: list[GoalRow] = []

    def visit(parent: int | None, depth: int) -> None:
        for goal in children.get(parent, []):
            rows.append(
                GoalRow(
                    goal.id,
                    goal.parent_id,
                    depth,
                    GoalData.of(goal),
                    tuple(sorted(links.get(goal.id, []))),
                    goal.row_version,
                )
            )
            visit(goal.id, depth + 1)

    visit(None, 0)
    known = {row.id for row in rows}
    for goal in goals:  # a goal whose parent was lost still shows, at the top
        if goal.id not in known:
            rows.append(
                GoalRow(
                    goal.id,
                    None,
                    0,
                    GoalData.of(goal),
                    tuple(sorted(links.get(goal.id, []))),
                    goal.row_version,
                )
            )
    return rows


def _require_valid(data: GoalData) -> None:
    problems = validate_goal(data)
    if problems:
        raise GoalError(next(iter(problems.values())))


def create_goal(workspace: Workspace, data: GoalData, parent_id: int | None = None) -> int:
    _require_valid(data)
    with workspace.atomic():
        siblings = models.Goal.select().where(
            models.Goal.parent.is_null() if parent_id is None else models.Goal.parent == parent_id
        )
        order = max((g.sort_order for g in siblings), default=-1) + 1
        goal = models.Goal.create(parent=parent_id, sort_order=order, **asdict(data))
    return goal.id


def update_goal(
    workspace: Workspace, goal_id: int, data: GoalData, *, read_version: int | None = None
) -> GoalData:
    """Save every field of ``data``; return what it was, for undo. With ``read_version``,
    a goal someone changed since it was read raises ``ConflictError`` (nothing saved)."""
    _require_valid(data)
    with workspace.atomic():
        goal = models.Goal.get_by_id(goal_id)
        before = GoalData.of(goal)
        if read_version is None:
            models.Goal.update(**asdict(data)).where(models.Goal.id == goal_id).execute()
        elif not versions.update_checked(models.Goal, goal_id, read_version, **asdict(data)):
            raise row_conflict(models.Goal, goal_id, asdict(data))
    return before


def _descendants(goal_id: int) -> set[int]:
    result: set[int] = set()
    frontier = [goal_id]
    while frontier:
        current = frontier.pop()
        for (child,) in (
            models.Goal.select(models.Goal.id).where(models.Goal.parent == current).tuples()
        ):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


def validate_move(goal_id: int, new_parent_id: int | None) -> None:
    if new_parent_id is not None and (
        new_parent_id == goal_id or new_parent_id in _descendants(goal_id)
    ):
        raise GoalError(N_("A goal cannot be moved under itself or one of its sub-goals."))


def move_goal(workspace: Workspace, goal_id: int, new_parent_id: int | None) -> int | None:
    """Put a goal under another (or at the top); return its former parent, for undo."""
    validate_move(goal_id, new_parent_id)
    with workspace.atomic():
        goal = models.Goal.get_by_id(goal_id)
        before = goal.parent_id
        models.Goal.update(parent=new_parent_id).where(models.Goal.id == goal_id).execute()
    return before


@dataclass
class DeletedGoal:
    goal_id: int
    parent_id: int | None
    sort_order: int
    data: GoalData
    created_at: object
    kpi_ids: list[int] = field(default_factory=list)
    child_ids: list[int] = field(default_factory=list)
    decision_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)


def delete_goal(workspace: Workspace, goal_id: int) -> DeletedGoal:
    """Delete one goal. Its KPIs and their data stay; its sub-goals move up to its parent."""
    with workspace.atomic():
        goal = models.Goal.get_by_id(goal_id)
        snapshot = DeletedGoal(
            goal_id=goal.id,
            parent_id=goal.parent_id,
            sort_order=goal.sort_order,
            data=GoalData.of(goal),
            created_at=goal.created_at,
            kpi_ids=[link.kpi_id for link in goal.kpi_links],
            child_ids=[child.id for child in goal.children],
            decision_ids=[
                d.id for d in models.Decision.select().where(models.Decision.goal == goal)
            ],
            action_ids=[a.id for a in models.Action.select().where(models.Action.goal == goal)],
        )
        models.Goal.update(parent=goal.parent_id).where(models.Goal.parent == goal_id).execute()
        goal.delete_instance()
    return snapshot


def restore_goal(workspace: Workspace, snapshot: DeletedGoal) -> None:
    """Undo ``delete_goal``: the same goal, id, links, children and references."""
    with workspace.atomic():
        models.Goal.insert(
            id=snapshot.goal_id,
            parent=snapshot.parent_id,
            sort_order=snapshot.sort_order,
            created_at=snapshot.created_at,
            **asdict(snapshot.data),
        ).execute()
        for kpi_id in snapshot.kpi_ids:
            models.KpiGoal.insert(kpi=kpi_id, goal=snapshot.goal_id).on_conflict_ignore().execute()
        if snapshot.child_ids:
            models.Goal.update(parent=snapshot.goal_id).where(
                models.Goal.id.in_(snapshot.child_ids)
            ).execute()
        if snapshot.decision_ids:
            models.Decision.update(goal=snapshot.goal_id).where(
                models.Decision.id.in_(snapshot.decision_ids)
            ).execute()
        if snapshot.action_ids:
            models.Action.update(goal=snapshot.goal_id).where(
                models.Action.id.in_(snapshot.action_ids)
            ).execute()


def set_goal_kpis(
    workspace: Workspace, goal_id: int, kpi_ids: set[int], *, read_kpis: Any = UNREAD
) -> set[int]:
    """Link exactly ``kpi_ids`` to the goal; return the links it had, for undo. With
    ``read_kpis`` (the set the Goals page read), links someone changed since raise
    ``ConflictError`` and nothing is saved."""
    with workspace.atomic():
        if read_kpis is not UNREAD:
            versions.lock_links(set(read_kpis) | kpi_ids, [goal_id])
        before = {
            link.kpi_id for link in models.KpiGoal.select().where(models.KpiGoal.goal == goal_id)
        }
        check_links("goal_id", goal_id, read_kpis, before, kpi_ids, kpi_names)
        for kpi_id in before - kpi_ids:
            models.KpiGoal.delete().where(
                (models.KpiGoal.goal == goal_id) & (models.KpiGoal.kpi == kpi_id)
            ).execute()
        for kpi_id in kpi_ids - before:
            models.KpiGoal.create(goal=goal_id, kpi=kpi_id)
    return before


def kpi_names(kpi_ids: set[int]) -> str:
    """The KPIs' codes, as a conflict shows a goal's KPIs."""
    rows = models.Kpi.select(models.Kpi.code).where(models.Kpi.id.in_(list(kpi_ids)))
    return ", ".join(sorted(row.code for row in rows))


def smart_score(data: GoalData) -> int:
    return sum(bool(getattr(data, name)) for name, _label, _help in SMART_FIELDS)


def perspective_label(value: str) -> str:
    """The untranslated label of a stored perspective ('' for an unknown one)."""
    try:
        return PERSPECTIVE_LABELS[Perspective(value)]
    except ValueError:
        return ""
