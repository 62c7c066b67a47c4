"""Follow-up meetings: an agenda built for the user, and a record kept as it was presented.

A review is held for one period (month, quarter or year) and a set of units. Its agenda
has one item per active KPI, with that KPI's figures for each of the review's units (value,
target, status, the recent periods and their targets). Items are ordered off target first:
KPIs red in any unit, then amber in any unit, then the rest, each group in the KPIs' own
order. A comment, decisions and actions belong to a KPI (the data model has no unit on
them), which is why an item is a KPI and not a KPI in one unit.

The agenda also brings up what earlier reviews left to do (``follow_up``: every action of
the last review, whatever became of it, and the still unfinished actions of older ones) and
warns about every KPI that is red without an action (none from this review, and no
unfinished one elsewhere).

Closing writes a snapshot of what was presented (see ``SNAPSHOT_FORMAT``) into the review;
from then on the agenda's figures come from the snapshot, never from live data, and the
review is read-only. Reopening is explicit, needs a note and leaves a ``ReviewEvent``; a
reopened review keeps the figures that were presented unless it is asked to show today's
numbers (``refresh=True``, which leaves an event of its own).

Every write runs in one transaction; functions that change something return what is
needed to undo it.

The package's rooms: ``model`` (what a review holds), ``reading`` (one review and its
agenda, and the snapshot), ``editing`` (the use cases that change one) and ``history``.
Everything callers use is importable from here.
"""

from __future__ import annotations

from kpidesk.services.reviews.editing import (
    add_action,
    add_comment,
    add_decision,
    close_review,
    comment_text,
    delete_action,
    delete_decision,
    delete_review,
    reopen_review,
    restore_action,
    restore_decision,
    set_action_status,
    set_comment,
    start_review,
    update_action,
    update_decision,
    update_details,
)
from kpidesk.services.reviews.history import (
    history,
    review_content,
)
from kpidesk.services.reviews.model import (
    REVIEW_EVENT_LABELS,
    REVIEW_PERIOD_KINDS,
    SNAPSHOT_FORMAT,
    Agenda,
    AgendaItem,
    AgendaWarning,
    CommentRow,
    DecisionData,
    DecisionRow,
    DeletedDecision,
    FollowUpItem,
    HistoryAction,
    HistoryEntry,
    ReviewClosedError,
    ReviewContent,
    ReviewDetails,
    ReviewError,
    ReviewEventRow,
    ReviewInfo,
    UnitFigures,
    default_title,
    split_participants,
)
from kpidesk.services.reviews.reading import (
    agenda,
    events,
    list_reviews,
    local_time,
    review_info,
    sort_follow_up,
    sort_items,
    worst_status,
)

__all__ = [
    "REVIEW_EVENT_LABELS",
    "REVIEW_PERIOD_KINDS",
    "SNAPSHOT_FORMAT",
    "Agenda",
    "AgendaItem",
    "AgendaWarning",
    "CommentRow",
    "DecisionData",
    "DecisionRow",
    "DeletedDecision",
    "FollowUpItem",
    "HistoryAction",
    "HistoryEntry",
    "ReviewClosedError",
    "ReviewContent",
    "ReviewDetails",
    "ReviewError",
    "ReviewEventRow",
    "ReviewInfo",
    "UnitFigures",
    "add_action",
    "add_comment",
    "add_decision",
    "agenda",
    "close_review",
    "comment_text",
    "default_title",
    "delete_action",
    "delete_decision",
    "delete_review",
    "events",
    "history",
    "list_reviews",
    "local_time",
    "reopen_review",
    "restore_action",
    "restore_decision",
    "review_content",
    "review_info",
    "set_action_status",
    "set_comment",
    "sort_follow_up",
    "sort_items",
    "split_participants",
    "start_review",
    "update_action",
    "update_decision",
    "update_details",
    "worst_status",
]
