"""Starting, editing, closing and reopening a review; its comments, decisions and actions.
Every write runs in one transaction; what changes something returns what undoing it needs."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from kpidesk.domain.periods import Period
from kpidesk.i18n import N_
from kpidesk.services import actions as action_service
from kpidesk.services.actions import ActionData
from kpidesk.services.conflicts import Conflict, ConflictError, row_conflict
from kpidesk.services.overview import unit_tree
from kpidesk.services.reviews.model import (
    DecisionData,
    DeletedDecision,
    ReviewClosedError,
    ReviewDetails,
    ReviewError,
    default_title,
)
from kpidesk.services.reviews.reading import _decision_data, _review, _snapshot_of, agenda
from kpidesk.store import models, versions
from kpidesk.store.workspace import Workspace


def _require_open(review_id: int) -> models.Review:
    review = _review(review_id)
    if review.status == "closed":
        raise ReviewClosedError()
    return review


def start_review(
    workspace: Workspace,
    period: Period,
    unit_ids: list[int] | tuple[int, ...],
    title: str | None = None,
    *,
    participants: str = "",
    held_on: date | None = None,
    now: datetime | None = None,
    review_id: int | None = None,
) -> int:
    """Open a review for ``period`` and the units given; return its id.

    ``review_id`` brings back a start that was undone under the same id (for redo).
    """
    unit_ids = list(dict.fromkeys(unit_ids))
    if not unit_ids:
        raise ReviewError(N_("Choose at least one unit."))
    known = {u.id for u in unit_tree()}
    if any(u not in known for u in unit_ids):
        raise ReviewError(N_("A chosen unit no longer exists."))
    title = (title or "").strip() or default_title(period)
    now = now or models.utcnow()
    with workspace.atomic():
        extra = {"id": review_id} if review_id is not None else {}
        review = models.Review.create(
            **extra,
            title=title,
            period=period.key,
            held_on=held_on or now.date(),
            participants=participants.strip(),
            status="open",
            created_at=now,
        )
        for unit_id in unit_ids:
            models.ReviewUnit.create(review=review, unit=unit_id)
        models.ReviewEvent.create(review=review, event="opened", at=now)
    return review.id


def delete_review(workspace: Workspace, review_id: int) -> None:
    """Delete an open review with everything recorded in it, its actions too."""
    with workspace.atomic():
        review = _require_open(review_id)
        models.Action.delete().where(models.Action.review == review_id).execute()
        review.delete_instance(recursive=False)


def update_details(
    workspace: Workspace,
    review_id: int,
    details: ReviewDetails,
    *,
    read_version: int | None = None,
) -> ReviewDetails:
    """Change the title, participants and meeting date; return what they were, for undo.
    With ``read_version`` (the review's when it was read), a review someone else changed
    since raises ``ConflictError`` and nothing is saved."""
    if not details.title.strip():
        raise ReviewError(N_("A review needs a title."))
    with workspace.atomic():
        review = _require_open(review_id)
        before = ReviewDetails(review.title, review.participants, review.held_on)
        fields = {
            "title": details.title.strip(),
            "participants": details.participants.strip(),
            "held_on": details.held_on,
        }
        if read_version is None:
            models.Review.update(**fields).where(models.Review.id == review_id).execute()
        elif not versions.update_checked(models.Review, review_id, read_version, **fields):
            raise row_conflict(models.Review, review_id, fields)
    return before


def close_review(
    workspace: Workspace,
    review_id: int,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> None:
    """Close the review, keeping what was presented (figures, follow-up, warnings)."""
    now = now or models.utcnow()
    with workspace.atomic():
        review = _require_open(review_id)
        current = agenda(review_id, today=today or now.date())
        snapshot = _snapshot_of(current, now)
        models.Review.update(
            status="closed",
            snapshot=json.dumps(snapshot, ensure_ascii=False),
            closed_at=now,
            held_on=review.held_on or now.date(),
        ).where(models.Review.id == review_id).execute()
        models.ReviewEvent.create(review=review_id, event="closed", at=now)


def reopen_review(
    workspace: Workspace,
    review_id: int,
    note: str,
    *,
    refresh: bool = False,
    now: datetime | None = None,
) -> None:
    """Reopen a closed review; ``note`` says why and is kept with the time.

    The figures presented stay, unless ``refresh``: then the agenda shows today's numbers
    again until the review is closed anew (an event records that too).
    """
    note = note.strip()
    if not note:
        raise ReviewError(N_("Say why the review is reopened."))
    now = now or models.utcnow()
    with workspace.atomic():
        review = _review(review_id)
        if review.status != "closed":
            raise ReviewError(N_("The review is already open."))
        values: dict[str, Any] = {"status": "open", "closed_at": None}
        if refresh:
            values["snapshot"] = ""
        models.Review.update(**values).where(models.Review.id == review_id).execute()
        models.ReviewEvent.create(review=review_id, event="reopened", note=note, at=now)
        if refresh:
            models.ReviewEvent.create(review=review_id, event="refreshed", note="", at=now)


def set_comment(
    workspace: Workspace,
    review_id: int,
    kpi_id: int | None,
    text: str,
    author: str = "",
    *,
    read_text: str | None = None,
) -> tuple[str, str]:
    """The review's one comment on a KPI (empty text removes it); returns (text, author) before.

    With ``read_text`` (the comment as it was read), a comment someone changed since raises
    ``ConflictError`` holding both texts (to merge by hand) and nothing is saved."""
    with workspace.atomic():
        _require_open(review_id)
        kpi_match = (
            models.ReviewComment.kpi.is_null()
            if kpi_id is None
            else models.ReviewComment.kpi == kpi_id
        )
        versions.lock("review_comment", [(review_id, kpi_id, "")])
        existing = list(
            models.ReviewComment.select()
            .where((models.ReviewComment.review == review_id) & kpi_match)
            .order_by(models.ReviewComment.id)
        )
        before = ("\n\n".join(c.text for c in existing), existing[0].author if existing else "")
        if read_text is not None and before[0] != read_text.strip():
            by, at = (
                versions.last_change("review_comment", existing[-1].uid)
                if existing
                else (None, None)
            )
            raise ConflictError(
                [Conflict("review_comment", (review_id, kpi_id), text, before[0], by, at)]
            )
        text = text.strip()
        if existing:
            first, rest = existing[0], existing[1:]
            for extra in rest:
                extra.delete_instance()
            if text:
                models.ReviewComment.update(text=text, author=author.strip()).where(
                    models.ReviewComment.id == first.id
                ).execute()
            else:
                first.delete_instance()
        elif text:
            models.ReviewComment.create(
                review=review_id, kpi=kpi_id, text=text, author=author.strip()
            )
    return before


def comment_text(review_id: int, kpi_id: int | None) -> str:
    """The review's comment on a KPI as it is stored now (what ``set_comment`` compares a
    ``read_text`` with)."""
    kpi_match = (
        models.ReviewComment.kpi.is_null() if kpi_id is None else models.ReviewComment.kpi == kpi_id
    )
    rows = (
        models.ReviewComment.select(models.ReviewComment.text)
        .where((models.ReviewComment.review == review_id) & kpi_match)
        .order_by(models.ReviewComment.id)
    )
    return "\n\n".join(row.text for row in rows)


def add_comment(
    workspace: Workspace, review_id: int, kpi_id: int | None, text: str, author: str = ""
) -> tuple[str, str]:
    """The same as ``set_comment``: a review keeps one comment per KPI."""
    return set_comment(workspace, review_id, kpi_id, text, author)


def _validate_decision(data: DecisionData) -> None:
    if not data.text.strip():
        raise ReviewError(N_("A decision needs a text."))


def add_decision(workspace: Workspace, review_id: int, data: DecisionData) -> int:
    _validate_decision(data)
    with workspace.atomic():
        _require_open(review_id)
        decision = models.Decision.create(
            review=review_id,
            kpi=data.kpi_id,
            goal=data.goal_id,
            text=data.text.strip(),
            decided_on=data.decided_on,
            decided_by=data.decided_by.strip(),
        )
    return decision.id


def update_decision(
    workspace: Workspace,
    decision_id: int,
    data: DecisionData,
    *,
    read_version: int | None = None,
) -> DecisionData:
    """With ``read_version``, a decision someone changed since it was read raises
    ``ConflictError`` and nothing is saved."""
    _validate_decision(data)
    with workspace.atomic():
        decision = models.Decision.get_by_id(decision_id)
        _require_open(decision.review_id)
        before = _decision_data(decision)
        fields = {
            "kpi": data.kpi_id,
            "goal": data.goal_id,
            "text": data.text.strip(),
            "decided_on": data.decided_on,
            "decided_by": data.decided_by.strip(),
        }
        if read_version is None:
            models.Decision.update(**fields).where(models.Decision.id == decision_id).execute()
        elif not versions.update_checked(models.Decision, decision_id, read_version, **fields):
            raise row_conflict(models.Decision, decision_id, fields)
    return before


def delete_decision(workspace: Workspace, decision_id: int) -> DeletedDecision:
    with workspace.atomic():
        decision = models.Decision.get_by_id(decision_id)
        _require_open(decision.review_id)
        deleted = DeletedDecision(decision.id, decision.review_id, _decision_data(decision))
        decision.delete_instance()
    return deleted


def restore_decision(workspace: Workspace, deleted: DeletedDecision) -> int:
    with workspace.atomic():
        _require_open(deleted.review_id)
        data = deleted.data
        models.Decision.insert(
            id=deleted.id,
            review=deleted.review_id,
            kpi=data.kpi_id,
            goal=data.goal_id,
            text=data.text,
            decided_on=data.decided_on,
            decided_by=data.decided_by,
        ).execute()
    return deleted.id


def add_action(
    workspace: Workspace, review_id: int, data: ActionData, *, now: datetime | None = None
) -> int:
    """An action agreed in the review (which must be open)."""
    with workspace.atomic():
        _require_open(review_id)
        return action_service.create_action(workspace, data, review_id, now=now)


def _require_action_editable(action_id: int) -> None:
    action = models.Action.get_by_id(action_id)
    if action.review_id is not None:
        _require_open(action.review_id)


def update_action(
    workspace: Workspace, action_id: int, data: ActionData, *, read_version: int | None = None
) -> ActionData:
    """Edit an action of an open review; return what it was. Status: see ``set_action_status``."""
    with workspace.atomic():
        _require_action_editable(action_id)
        return action_service.update_action(workspace, action_id, data, read_version=read_version)


def delete_action(workspace: Workspace, action_id: int) -> action_service.DeletedAction:
    with workspace.atomic():
        _require_action_editable(action_id)
        return action_service.delete_action(workspace, action_id)


def restore_action(workspace: Workspace, deleted: action_service.DeletedAction) -> int:
    with workspace.atomic():
        if deleted.review_id is not None:
            _require_open(deleted.review_id)
        return action_service.restore_action(workspace, deleted)


def set_action_status(
    workspace: Workspace,
    action_id: int,
    status: str,
    *,
    now: datetime | None = None,
    read_version: int | None = None,
) -> action_service.StatusChange:
    """An action's status may change after its review closed: that is what follow-up checks."""
    return action_service.set_status(
        workspace, action_id, status, now=now, read_version=read_version
    )
