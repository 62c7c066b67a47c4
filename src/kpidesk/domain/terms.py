"""The words of goal-based management the whole app shares, with their labels.

A goal's perspective and status, an action's status, and whether a KPI leads or lags:
stored as these values, shown through the labels (translated when shown).
"""

from __future__ import annotations

from enum import StrEnum

from kpidesk.i18n import N_


class Perspective(StrEnum):
    FINANCIAL = "financial"
    CUSTOMER = "customer"
    INTERNAL_PROCESS = "internal_process"
    LEARNING_GROWTH = "learning_growth"
    SUSTAINABILITY = "sustainability"


PERSPECTIVE_LABELS = {
    Perspective.FINANCIAL: N_("Financial"),
    Perspective.CUSTOMER: N_("Customer"),
    Perspective.INTERNAL_PROCESS: N_("Internal process"),
    Perspective.LEARNING_GROWTH: N_("Learning and growth"),
    Perspective.SUSTAINABILITY: N_("Sustainability"),
}


class GoalStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


GOAL_STATUS_LABELS = {
    GoalStatus.DRAFT: N_("Draft"),
    GoalStatus.ACTIVE: N_("Active"),
    GoalStatus.ACHIEVED: N_("Achieved"),
    GoalStatus.DROPPED: N_("Dropped"),
}


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.CANCELLED)


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: N_("Open"),
    ActionStatus.IN_PROGRESS: N_("In progress"),
    ActionStatus.DONE: N_("Done"),
    ActionStatus.CANCELLED: N_("Cancelled"),
}

ACTION_STATUS_SYMBOLS = {
    ActionStatus.OPEN: "○",
    ActionStatus.IN_PROGRESS: "◐",
    ActionStatus.DONE: "✓",
    ActionStatus.CANCELLED: "–",
}


def action_status_label(status: str) -> str:
    """The label (untranslated) of a stored action status; an unknown one as it is."""
    try:
        return ACTION_STATUS_LABELS[ActionStatus(status)]
    except ValueError:
        return status


UNFINISHED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
"""The stored statuses of an action still to be done."""


class Indicator(StrEnum):
    """Whether a KPI predicts results (leading) or reports them afterwards (lagging)."""

    LEADING = "leading"
    LAGGING = "lagging"
