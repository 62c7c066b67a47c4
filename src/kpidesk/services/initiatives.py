"""Initiatives: the projects that carry a goal forward, each with an owner, a start and an
end, a status and milestones (a date, done or not). Actions may belong to an initiative.

A milestone is late when its day has passed and it is not done, and due when its day falls
within the days the caller looks ahead (a review looks up to its next follow-up); both are
computed against a ``today`` the caller passes, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, _
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


class InitiativeStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DONE = "done"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return _(INITIATIVE_STATUS_LABELS[self])


INITIATIVE_STATUS_LABELS = {
    InitiativeStatus.PLANNED: N_("Planned"),
    InitiativeStatus.ACTIVE: N_("Under way"),
    InitiativeStatus.DONE: N_("Done"),
    InitiativeStatus.STOPPED: N_("Stopped"),
}

DUE_WITHIN_DAYS = 31
"""A milestone this close (or late) comes up on a review's agenda."""


class InitiativeError(DomainError):
    pass


@dataclass(frozen=True)
class MilestoneData:
    title: str
    due_date: date | None = None
    done: bool = False


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    data: MilestoneData
    late: bool
    due: bool
    """Not done and its day within :data:`DUE_WITHIN_DAYS` (late ones are due too)."""


@dataclass(frozen=True)
class InitiativeData:
    title: str
    owner: str = ""
    start_date: date | None = None
    end_date: date | None = None
    status: str = InitiativeStatus.PLANNED.value
    milestones: tuple[MilestoneData, ...] = ()


@dataclass(frozen=True)
class InitiativeRow:
    id: int
    goal_id: int
    goal_title: str
    data: InitiativeData
    milestones: list[MilestoneRow] = field(default_factory=list)

    @property
    def status(self) -> InitiativeStatus:
        try:
            return InitiativeStatus(self.data.status)
        except ValueError:
            return InitiativeStatus.PLANNED

    @property
    def late(self) -> list[MilestoneRow]:
        return [m for m in self.milestones if m.late]

    @property
    def done_count(self) -> int:
        return sum(1 for m in self.milestones if m.data.done)


def validate(data: InitiativeData) -> None:
    if not data.title.strip():
        raise InitiativeError(N_("An initiative needs a title."))
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise InitiativeError(N_("An initiative cannot end before it starts."))
    if data.status not in {s.value for s in InitiativeStatus}:
        raise InitiativeError(N_("Unknown status for an initiative."))
    if any(not m.title.strip() for m in data.milestones):
        raise InitiativeError(N_("A milestone needs a title."))


def _milestone_row(milestone: models.Milestone, today: date) -> MilestoneRow:
    day = milestone.due_date
    open_ = not milestone.done and day is not None
    return MilestoneRow(
        milestone.id,
        MilestoneData(milestone.title, day, milestone.done),
        late=open_ and day < today,
        due=open_ and day <= today + timedelta(days=DUE_WITHIN_DAYS),
    )


def list_initiatives(
    *, goal_id: int | None = None, today: date | None = None
) -> list[InitiativeRow]:
    """Initiatives by goal and start, each with its milestones by date."""
    today = today or date.today()
    query = models.Initiative.select(models.Initiative, models.Goal).join(models.Goal)
    if goal_id is not None:
        query = query.where(models.Initiative.goal == goal_id)
    initiatives = list(query.order_by(models.Goal.sort_order, models.Goal.id, models.Initiative.id))
    milestones: dict[int, list[models.Milestone]] = {}
    if initiatives:
        for milestone in models.Milestone.select().where(
            models.Milestone.initiative.in_([i.id for i in initiatives])
        ):
            milestones.setdefault(milestone.initiative_id, []).append(milestone)
    rows = []
    for initiative in initiatives:
        own = sorted(
            milestones.get(initiative.id, []),
            key=lambda m: (m.due_date or date.max, m.sort_order, m.id),
        )
        data = InitiativeData(
            initiative.title,
            initiative.owner,
            initiative.start_date,
            initiative.end_date,
            initiative.status,
            tuple(MilestoneData(m.title, m.due_date, m.done) for m in own),
        )
        rows.append(
            InitiativeRow(
                initiative.id,
                initiative.goal_id,
                initiative.goal.title,
                data,
                [_milestone_row(m, today) for m in own],
            )
        )
    return rows


def _write_milestones(initiative_id: int, milestones: tuple[MilestoneData, ...]) -> None:
    models.Milestone.delete().where(models.Milestone.initiative == initiative_id).execute()
    for order, milestone in enumerate(milestones):
        models.Milestone.create(
            initiative=initiative_id,
            title=milestone.title.strip(),
            due_date=milestone.due_date,
            done=milestone.done,
            sort_order=order,
        )


def create_initiative(workspace: Workspace, goal_id: int, data: InitiativeData) -> int:
    validate(data)
    with workspace.atomic():
        if models.Goal.get_or_none(models.Goal.id == goal_id) is None:
            raise InitiativeError(N_("The goal no longer exists."))
        initiative = models.Initiative.create(
            goal=goal_id,
            title=data.title.strip(),
            owner=data.owner.strip(),
            start_date=data.start_date,
            end_date=data.end_date,
            status=data.status,
        )
        _write_milestones(initiative.id, data.milestones)
    return initiative.id


def _initiative(initiative_id: int) -> models.Initiative:
    initiative = models.Initiative.get_or_none(models.Initiative.id == initiative_id)
    if initiative is None:
        raise InitiativeError(N_("The initiative no longer exists."))
    return initiative


def _data_of(initiative_id: int) -> InitiativeData:
    rows = [r for r in list_initiatives() if r.id == initiative_id]
    if not rows:
        raise InitiativeError(N_("The initiative no longer exists."))
    return rows[0].data


def update_initiative(
    workspace: Workspace, initiative_id: int, data: InitiativeData
) -> InitiativeData:
    """Change an initiative and its milestones; returns what it was."""
    validate(data)
    with workspace.atomic():
        _initiative(initiative_id)
        before = _data_of(initiative_id)
        models.Initiative.update(
            title=data.title.strip(),
            owner=data.owner.strip(),
            start_date=data.start_date,
            end_date=data.end_date,
            status=data.status,
        ).where(models.Initiative.id == initiative_id).execute()
        if before.milestones != data.milestones:
            _write_milestones(initiative_id, data.milestones)
    return before


def set_milestone_done(workspace: Workspace, milestone_id: int, done: bool) -> bool:
    """Mark a milestone done or not; returns what it was."""
    with workspace.atomic():
        milestone = models.Milestone.get_or_none(models.Milestone.id == milestone_id)
        if milestone is None:
            raise InitiativeError(N_("The milestone no longer exists."))
        before = bool(milestone.done)
        models.Milestone.update(done=done).where(models.Milestone.id == milestone_id).execute()
    return before


@dataclass(frozen=True)
class DeletedInitiative:
    goal_id: int
    data: InitiativeData
    action_ids: tuple[int, ...]


def delete_initiative(workspace: Workspace, initiative_id: int) -> DeletedInitiative:
    """Delete an initiative with its milestones; its actions stay, without it."""
    with workspace.atomic():
        initiative = _initiative(initiative_id)
        deleted = DeletedInitiative(
            initiative.goal_id,
            _data_of(initiative_id),
            tuple(
                a.id
                for a in models.Action.select(models.Action.id).where(
                    models.Action.initiative == initiative_id
                )
            ),
        )
        models.Action.update(initiative=None).where(
            models.Action.initiative == initiative_id
        ).execute()
        initiative.delete_instance(recursive=True)
    return deleted


def restore_initiative(workspace: Workspace, deleted: DeletedInitiative) -> int:
    with workspace.atomic():
        new_id = create_initiative(workspace, deleted.goal_id, deleted.data)
        if deleted.action_ids:
            models.Action.update(initiative=new_id).where(
                models.Action.id.in_(deleted.action_ids)
            ).execute()
    return new_id


def set_action_initiative(workspace: Workspace, action_id: int, initiative_id: int | None) -> None:
    with workspace.atomic():
        if initiative_id is not None:
            _initiative(initiative_id)
        models.Action.update(initiative=initiative_id).where(
            models.Action.id == action_id
        ).execute()


@dataclass(frozen=True)
class DueMilestone:
    """A milestone due soon or late, as a review's agenda brings it up."""

    initiative_id: int
    initiative: str
    goal: str
    owner: str
    milestone: MilestoneRow


def due_milestones(today: date, *, within_days: int = DUE_WITHIN_DAYS) -> list[DueMilestone]:
    """Open milestones of unfinished initiatives whose day is past or near, late first."""
    horizon = today + timedelta(days=within_days)
    found = []
    for row in list_initiatives(today=today):
        if row.status in (InitiativeStatus.DONE, InitiativeStatus.STOPPED):
            continue
        for milestone in row.milestones:
            day = milestone.data.due_date
            if not milestone.data.done and day is not None and day <= horizon:
                found.append(
                    DueMilestone(row.id, row.data.title, row.goal_title, row.data.owner, milestone)
                )
    return sorted(found, key=lambda d: (d.milestone.data.due_date, d.initiative))
