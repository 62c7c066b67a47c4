""" "What works" notes: a tip for a KPI (often from the unit doing best on it), who wrote it
and when, and once someone tried it, when and how it went. Tips live on after the review
they were written in and are shown beside their KPI in later reviews, in the review pack
and in the unit comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_
from kpidesk.store import models
from kpidesk.store.workspace import Workspace


class TipError(DomainError):
    pass


@dataclass(frozen=True)
class TipData:
    """Every editable field of a tip."""

    text: str
    author: str = ""
    unit_id: int | None = None
    tried_on: date | None = None
    result: str = ""


@dataclass(frozen=True)
class TipRow:
    id: int
    kpi_id: int
    data: TipData
    unit: str
    created_at: datetime | None
    review_id: int | None
    review_title: str

    @property
    def tried(self) -> bool:
        return self.data.tried_on is not None


def _row(tip: models.Tip, units: dict[int, str], reviews: dict[int, str]) -> TipRow:
    return TipRow(
        id=tip.id,
        kpi_id=tip.kpi_id,
        data=TipData(
            text=tip.text,
            author=tip.author,
            unit_id=tip.unit_id,
            tried_on=tip.tried_on,
            result=tip.result,
        ),
        unit=units.get(tip.unit_id, "") if tip.unit_id is not None else "",
        created_at=tip.created_at,
        review_id=tip.review_id,
        review_title=reviews.get(tip.review_id, "") if tip.review_id is not None else "",
    )


def list_tips(
    *, kpi_ids: list[int] | None = None, unit_ids: list[int] | None = None
) -> list[TipRow]:
    """Tips, newest first; for some KPIs, or for some units (tips without a unit are for
    every unit and come with any)."""
    query = models.Tip.select()
    if kpi_ids is not None:
        query = query.where(models.Tip.kpi.in_(kpi_ids))
    if unit_ids is not None:
        query = query.where(models.Tip.unit.in_(unit_ids) | models.Tip.unit.is_null())
    tips = list(query.order_by(models.Tip.created_at.desc(), models.Tip.id.desc()))
    units = {u.id: u.name for u in models.Unit.select(models.Unit.id, models.Unit.name)}
    reviews = {r.id: r.title for r in models.Review.select(models.Review.id, models.Review.title)}
    return [_row(tip, units, reviews) for tip in tips]


def tips_by_kpi(kpi_ids: list[int]) -> dict[int, list[TipRow]]:
    grouped: dict[int, list[TipRow]] = {}
    for row in list_tips(kpi_ids=kpi_ids):
        grouped.setdefault(row.kpi_id, []).append(row)
    return grouped


def _validate(data: TipData) -> None:
    if not data.text.strip():
        raise TipError(N_("A tip needs a text."))
    if data.result.strip() and data.tried_on is None:
        raise TipError(N_("Give the day the tip was tried, or leave its result empty."))


def add_tip(
    workspace: Workspace,
    kpi_id: int,
    data: TipData,
    *,
    review_id: int | None = None,
    now: datetime | None = None,
) -> int:
    _validate(data)
    with workspace.atomic():
        if models.Kpi.get_or_none(models.Kpi.id == kpi_id) is None:
            raise TipError(N_("The KPI no longer exists."))
        if (
            review_id is not None
            and models.Review.get_or_none(models.Review.id == review_id) is None
        ):
            review_id = None
        fields = {
            "kpi": kpi_id,
            "unit": data.unit_id,
            "review": review_id,
            "text": data.text.strip(),
            "author": data.author.strip(),
            "tried_on": data.tried_on,
            "result": data.result.strip(),
        }
        if now is not None:
            fields["created_at"] = now
        return models.Tip.create(**fields).id


def _tip(tip_id: int) -> models.Tip:
    tip = models.Tip.get_or_none(models.Tip.id == tip_id)
    if tip is None:
        raise TipError(N_("The tip no longer exists."))
    return tip


def update_tip(workspace: Workspace, tip_id: int, data: TipData) -> TipData:
    """Change a tip (also to mark it tried, with the result); returns what it was."""
    _validate(data)
    with workspace.atomic():
        tip = _tip(tip_id)
        before = TipData(tip.text, tip.author, tip.unit_id, tip.tried_on, tip.result)
        models.Tip.update(
            text=data.text.strip(),
            author=data.author.strip(),
            unit=data.unit_id,
            tried_on=data.tried_on,
            result=data.result.strip(),
        ).where(models.Tip.id == tip_id).execute()
    return before


@dataclass(frozen=True)
class DeletedTip:
    kpi_id: int
    review_id: int | None
    data: TipData
    created_at: datetime


def delete_tip(workspace: Workspace, tip_id: int) -> DeletedTip:
    with workspace.atomic():
        tip = _tip(tip_id)
        deleted = DeletedTip(
            tip.kpi_id,
            tip.review_id,
            TipData(tip.text, tip.author, tip.unit_id, tip.tried_on, tip.result),
            tip.created_at,
        )
        tip.delete_instance()
    return deleted


def restore_tip(workspace: Workspace, deleted: DeletedTip) -> int:
    return add_tip(
        workspace,
        deleted.kpi_id,
        deleted.data,
        review_id=deleted.review_id,
        now=deleted.created_at,
    )
