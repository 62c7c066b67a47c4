"""Actions: the activities a follow-up ends in, each with an owner, a due date and a status.

An action lives on after the review that created it: its status changes on the Actions page
(and in the next review's follow-up) even when that review is closed. ``completed_at`` is
set when an action becomes done and cleared when it is reopened. Whether an action is
overdue is computed against a ``today`` the caller passes, never stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from kpidesk.domain.errors import DomainError
from kpidesk.domain.terms import UNFINISHED, ActionStatus
from kpidesk.i18n import N_
from kpidesk.services.conflicts import row_conflict
from kpidesk.store import models, versions
from kpidesk.store.workspace import Workspace


class ActionError(DomainError):
    pass


@dataclass
class ActionData:
    """Every editable field of an action."""

    title: str
    description: str = ""
    owner: str = ""
    due_date: date | None = None
    status: str = ActionStatus.OPEN.value
    kpi_id: int | None = None
    goal_id: int | None = None
    initiative_id: int | None = None

    @classmethod
    def of(cls, action: models.Action) -> ActionData:
        return cls(
            title=action.title,
            description=action.description,
            owner=action.owner,
            due_date=action.due_date,
            status=action.status,
            kpi_id=action.kpi_id,
            goal_id=action.goal_id,
            initiative_id=action.initiative_id,
        )


@dataclass(frozen=True)
class ActionRow:
    """An action as lists show it: its fields, where it came from, and whether it is late."""

    id: int
    data: ActionData
    review_id: int | None
    review_title: str
    review_period: str
    review_closed: bool
    kpi_code: str
    kpi_name: str
    goal_title: str
    created_at: datetime | None
    completed_at: datetime | None
    overdue: bool
    days_overdue: int
    row_version: int | None = None
    """The row's version as it was read, for a save to check (see ``read_version=``)."""

    @property
    def status(self) -> ActionStatus:
        return ActionStatus(self.data.status)


@dataclass
class ActionFilter:
    """Which actions to list; None (or False) means no restriction."""

    owner: str | None = None
    status: str | None = None
    """One ``ActionStatus`` value, or ``"unfinished"`` for open and in progress."""
    overdue_only: bool = False
    kpi_id: int | None = None
    goal_id: int | None = None
    review_id: int | None = None
    text: str = ""


def is_overdue(due_date: date | None, status: str, today: date) -> bool:
    """Unfinished and due before ``today`` (an action due today is not yet late)."""
    return due_date is not None and status in UNFINISHED and due_date < today


def days_overdue(due_date: date | None, status: str, today: date) -> int:
    if not is_overdue(due_date, status, today):
        return 0
    assert due_date is not None
    return (today - due_date).days


def validate_action(data: ActionData) -> dict[str, str]:
    """Problems by field name, as untranslated message templates."""
    problems: dict[str, str] = {}
    if not data.title.strip():
        problems["title"] = N_("An action needs to say what is to be done.")
    if data.status not in set(ActionStatus):
        problems["status"] = N_("Choose a status.")
    return problems


def _require_valid(data: ActionData) -> None:
    problems = validate_action(data)
    if problems:
        raise ActionError(next(iter(problems.values())))


def _columns(data: ActionData) -> dict[str, object]:
    values = asdict(data)
    values["title"] = data.title.strip()
    values["owner"] = data.owner.strip()
    values["kpi"] = values.pop("kpi_id")
    values["goal"] = values.pop("goal_id")
    values["initiative"] = values.pop("initiative_id")
    return values


def _completed_at(status: str, before: datetime | None, now: datetime | None) -> datetime | None:
    if status == ActionStatus.DONE:
        return before or now or models.utcnow()
    return None


def create_action(
    workspace: Workspace,
    data: ActionData,
    review_id: int | None = None,
    *,
    now: datetime | None = None,
) -> int:
    _require_valid(data)
    with workspace.atomic():
        action = models.Action.create(
            review=review_id,
            created_at=now or models.utcnow(),
            completed_at=_completed_at(data.status, None, now),
            **_columns(data),
        )
    return action.id


def update_action(
    workspace: Workspace, action_id: int, data: ActionData, *, read_version: int | None = None
) -> ActionData:
    """Save every field of ``data``; return what it was, for undo. With ``read_version``,
    an action someone changed since it was read raises ``ConflictError`` (nothing saved)."""
    _require_valid(data)
    with workspace.atomic():
        action = models.Action.get_by_id(action_id)
        before = ActionData.of(action)
        completed = _completed_at(data.status, action.completed_at, None)
        fields = {"completed_at": completed, **_columns(data)}
        if read_version is None:
            models.Action.update(**fields).where(models.Action.id == action_id).execute()
        elif not versions.update_checked(models.Action, action_id, read_version, **fields):
            raise row_conflict(models.Action, action_id, fields)
    return before


@dataclass(frozen=True)
class StatusChange:
    """An action's status and completion time before a change, to put back on undo."""

    status: str
    completed_at: datetime | None


def set_status(
    workspace: Workspace,
    action_id: int,
    status: str,
    *,
    now: datetime | None = None,
    read_version: int | None = None,
) -> StatusChange:
    """Change the status; done sets ``completed_at`` (to ``now``), anything else clears it.
    With ``read_version``, an action someone changed since it was read raises
    ``ConflictError`` (nothing saved)."""
    if status not in set(ActionStatus):
        raise ActionError(N_("Choose a status."))
    with workspace.atomic():
        action = models.Action.get_by_id(action_id)
        before = StatusChange(action.status, action.completed_at)
        if status == action.status:
            return before
        completed = (now or models.utcnow()) if status == ActionStatus.DONE else None
        fields = {"status": status, "completed_at": completed}
        if read_version is None:
            models.Action.update(**fields).where(models.Action.id == action_id).execute()
        elif not versions.update_checked(models.Action, action_id, read_version, **fields):
            raise row_conflict(models.Action, action_id, {"status": status})
    return before


def restore_status(workspace: Workspace, action_id: int, change: StatusChange) -> None:
    with workspace.atomic():
        models.Action.update(status=change.status, completed_at=change.completed_at).where(
            models.Action.id == action_id
        ).execute()


@dataclass(frozen=True)
class DeletedAction:
    """Everything a deleted action held, enough to bring it back with the same id."""

    id: int
    data: ActionData
    review_id: int | None
    created_at: datetime | None
    completed_at: datetime | None


def delete_action(workspace: Workspace, action_id: int) -> DeletedAction:
    with workspace.atomic():
        action = models.Action.get_by_id(action_id)
        deleted = DeletedAction(
            action.id,
            ActionData.of(action),
            action.review_id,
            action.created_at,
            action.completed_at,
        )
        action.delete_instance()
    return deleted


def restore_action(workspace: Workspace, deleted: DeletedAction) -> int:
    with workspace.atomic():
        models.Action.insert(
            id=deleted.id,
            review=deleted.review_id,
            created_at=deleted.created_at,
            completed_at=deleted.completed_at,
            **_columns(deleted.data),
        ).execute()
    return deleted.id


def get_action(action_id: int) -> ActionData:
    return ActionData.of(models.Action.get_by_id(action_id))


def list_actions(action_filter: ActionFilter | None = None, *, today: date) -> list[ActionRow]:
    """Actions matching the filter: by due date (none last), then in the order created."""
    action_filter = action_filter or ActionFilter()
    query = models.Action.select()
    if action_filter.owner is not None:
        query = query.where(models.Action.owner == action_filter.owner)
    if action_filter.status == "unfinished":
        query = query.where(models.Action.status.in_(UNFINISHED))
    elif action_filter.status is not None:
        query = query.where(models.Action.status == action_filter.status)
    if action_filter.kpi_id is not None:
        query = query.where(models.Action.kpi == action_filter.kpi_id)
    if action_filter.goal_id is not None:
        query = query.where(models.Action.goal == action_filter.goal_id)
    if action_filter.review_id is not None:
        query = query.where(models.Action.review == action_filter.review_id)
    if action_filter.overdue_only:
        query = query.where(
            models.Action.status.in_(UNFINISHED)
            & models.Action.due_date.is_null(False)
            & (models.Action.due_date < today)
        )
    rows = _rows(list(query), today)
    text = action_filter.text.strip().casefold()
    if text:
        rows = [
            row
            for row in rows
            if text in row.data.title.casefold()
            or text in row.data.description.casefold()
            or text in row.data.owner.casefold()
        ]
    rows.sort(key=lambda r: (r.data.due_date is None, r.data.due_date or date.max, r.id))
    return rows


def actions_by_id(action_ids: list[int], *, today: date) -> dict[int, ActionRow]:
    if not action_ids:
        return {}
    query = models.Action.select().where(models.Action.id.in_(action_ids))
    return {row.id: row for row in _rows(list(query), today)}


def _rows(actions: list[models.Action], today: date) -> list[ActionRow]:
    kpis = {
        kpi_id: (code, name)
        for kpi_id, code, name in models.Kpi.select(
            models.Kpi.id, models.Kpi.code, models.Kpi.name
        ).tuples()
    }
    goals = dict(models.Goal.select(models.Goal.id, models.Goal.title).tuples())
    review_ids = {a.review_id for a in actions if a.review_id is not None}
    reviews = {
        review_id: (title, period, status)
        for review_id, title, period, status in models.Review.select(
            models.Review.id, models.Review.title, models.Review.period, models.Review.status
        )
        .where(models.Review.id.in_(review_ids))
        .tuples()
    }
    rows = []
    for action in actions:
        data = ActionData.of(action)
        code, name = kpis.get(action.kpi_id, ("", "")) if action.kpi_id else ("", "")
        title, period, status = reviews.get(action.review_id, ("", "", ""))
        rows.append(
            ActionRow(
                id=action.id,
                data=data,
                review_id=action.review_id,
                review_title=title,
                review_period=period,
                review_closed=status == "closed",
                kpi_code=code,
                kpi_name=name,
                goal_title=goals.get(action.goal_id, "") if action.goal_id else "",
                created_at=action.created_at,
                completed_at=action.completed_at,
                overdue=is_overdue(data.due_date, data.status, today),
                days_overdue=days_overdue(data.due_date, data.status, today),
                row_version=action.row_version,
            )
        )
    return rows


def owners() -> list[str]:
    """Everyone who owns an action, in alphabetical order."""
    names = {
        owner for (owner,) in models.Action.select(models.Action.owner).distinct().tuples() if owner
    }
    return sorted(names, key=str.casefold)
