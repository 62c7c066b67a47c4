"""Where everything of a strategy map goes, in points: the vision at the top, one band per
perspective, the goals as boxes in their band (wrapping to more rows), each box with its
title, its KPIs and its initiatives a line each, and an arrow from each sub-goal to its goal.

Pure: text is measured by an average character width and a line height the renderer gives,
so a test can check the geometry without a screen and every renderer (window, PNG, SVG,
PDF) draws the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from kpidesk.domain.periods import Period
from kpidesk.domain.status import Status


@dataclass(frozen=True, slots=True)
class MapKpi:
    id: int
    code: str
    name: str
    status: Status


@dataclass(frozen=True, slots=True)
class MapInitiative:
    id: int
    title: str
    status: str
    """``planned``, ``active``, ``done`` or ``stopped``."""
    late: int
    """Milestones past their day and not done."""


@dataclass(frozen=True, slots=True)
class MapGoal:
    id: int
    title: str
    perspective: str
    status: Status
    kpis: tuple[MapKpi, ...]
    initiatives: tuple[MapInitiative, ...] = ()


@dataclass(frozen=True)
class StrategyMap:
    """What a strategy map shows, built by ``services.strategy``."""

    vision: str
    mission: str
    period: Period
    unit: str
    perspectives: tuple[tuple[str, str], ...]
    """(key, label) of each band that holds goals, top to bottom."""
    goals: tuple[MapGoal, ...]
    links: tuple[tuple[int, int], ...]
    """(sub-goal, goal) pairs, both drawn."""

    def goal(self, goal_id: int) -> MapGoal | None:
        return next((g for g in self.goals if g.id == goal_id), None)


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.right and self.y <= y <= self.bottom


@dataclass(frozen=True, slots=True)
class Metrics:
    """What the renderer's fonts measure, in points."""

    char_width: float = 6.2
    line_height: float = 15.0
    title_line_height: float = 17.0
    vision_line_height: float = 22.0
    vision_char_width: float = 9.5


@dataclass(frozen=True, slots=True)
class GoalShape:
    """What the layout needs to know of a goal."""

    id: int
    band: str
    title: str
    lines: int
    """KPI and initiative lines under the title."""


@dataclass(frozen=True, slots=True)
class GoalBox:
    id: int
    rect: Rect
    title_lines: tuple[str, ...]
    line_top: float
    """Where the first KPI or initiative line starts."""


@dataclass(frozen=True, slots=True)
class Band:
    key: str
    label: str
    rect: Rect


@dataclass(frozen=True, slots=True)
class Arrow:
    source: int
    target: int
    start: tuple[float, float]
    end: tuple[float, float]


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    vision: Rect
    vision_lines: tuple[str, ...]
    mission_lines: tuple[str, ...]
    bands: tuple[Band, ...]
    boxes: dict[int, GoalBox] = field(default_factory=dict)
    arrows: tuple[Arrow, ...] = ()

    def goal_at(self, x: float, y: float) -> int | None:
        return next((box.id for box in self.boxes.values() if box.rect.contains(x, y)), None)


MARGIN = 20.0
LABEL_WIDTH = 118.0
GAP = 18.0
H_GAP = 48.0
BOX_PADDING = 8.0
BAND_PADDING = 14.0
MAX_COLUMNS = 4
MIN_BOX_WIDTH = 170.0
MAX_BOX_WIDTH = 330.0


def wrap(text: str, width: float, char_width: float, max_lines: int = 3) -> tuple[str, ...]:
    """Word-wrap ``text`` to lines of at most ``width`` points; the last line ends in "…"
    when the text needs more than ``max_lines``."""
    per_line = max(4, int(width / char_width))
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > per_line:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= per_line:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[: max(1, per_line - 1)].rstrip() + "…"]
    return tuple(lines) or ("",)


def _edge_point(rect: Rect, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from ``rect``'s centre toward a point leaves the rectangle."""
    cx, cy = rect.center
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return (cx, cy)
    scale = min(
        (rect.w / 2) / abs(dx) if dx else math.inf,
        (rect.h / 2) / abs(dy) if dy else math.inf,
    )
    return (cx + dx * scale, cy + dy * scale)


def layout_map(
    vision: str,
    mission: str,
    bands: Sequence[tuple[str, str]],
    goals: Sequence[GoalShape],
    links: Sequence[tuple[int, int]],
    *,
    width: float = 1120.0,
    metrics: Metrics | None = None,
) -> MapLayout:
    """Lay out a strategy map ``width`` points wide; its height follows from the content."""
    m = metrics or Metrics()
    inner = width - 2 * MARGIN
    vision_lines = wrap(vision, inner - 2 * BOX_PADDING, m.vision_char_width, 3) if vision else ()
    mission_lines = wrap(mission, inner - 2 * BOX_PADDING, m.char_width, 3) if mission else ()
    vision_height = (
        2 * BOX_PADDING
        + len(vision_lines) * m.vision_line_height
        + len(mission_lines) * m.line_height
    )
    vision_rect = Rect(MARGIN, MARGIN, inner, max(vision_height, 2 * BOX_PADDING))
    y = vision_rect.bottom + GAP
    area_x = MARGIN + LABEL_WIDTH
    area_w = width - MARGIN - area_x
    boxes: dict[int, GoalBox] = {}
    placed_bands = []
    for key, label in bands:
        members = [g for g in goals if g.band == key]
        if not members:
            continue
        columns = max(
            1, min(MAX_COLUMNS, len(members), int((area_w + H_GAP) // (MIN_BOX_WIDTH + H_GAP)))
        )
        box_w = min(MAX_BOX_WIDTH, (area_w - 2 * BAND_PADDING - (columns - 1) * H_GAP) / columns)
        top = y
        row_y = y + BAND_PADDING
        for start in range(0, len(members), columns):
            row = members[start : start + columns]
            shaped = []
            for goal in row:
                title = wrap(goal.title, box_w - 2 * BOX_PADDING, m.char_width * 1.18, 3)
                height = (
                    2 * BOX_PADDING
                    + len(title) * m.title_line_height
                    + (4 + goal.lines * m.line_height if goal.lines else 0)
                )
                shaped.append((goal, title, height))
            row_h = max(h for _g, _t, h in shaped)
            # every row centred in its band
            offset = (area_w - 2 * BAND_PADDING - len(row) * box_w - (len(row) - 1) * H_GAP) / 2
            for index, (goal, title, _h) in enumerate(shaped):
                x = area_x + BAND_PADDING + offset + index * (box_w + H_GAP)
                rect = Rect(x, row_y, box_w, row_h)
                line_top = row_y + BOX_PADDING + len(title) * m.title_line_height + 4
                boxes[goal.id] = GoalBox(goal.id, rect, title, line_top)
            row_y += row_h + GAP
        band_rect = Rect(MARGIN, top, inner, row_y - GAP + BAND_PADDING - top)
        placed_bands.append(Band(key, label, band_rect))
        y = band_rect.bottom + GAP / 2
    arrows = []
    for source, target in links:
        if source not in boxes or target not in boxes:
            continue
        a, b = boxes[source].rect, boxes[target].rect
        arrows.append(Arrow(source, target, _edge_point(a, b.center), _edge_point(b, a.center)))
    return MapLayout(
        width=width,
        height=y + MARGIN - GAP / 2,
        vision=vision_rect,
        vision_lines=vision_lines,
        mission_lines=mission_lines,
        bands=tuple(placed_bands),
        boxes=boxes,
        arrows=tuple(arrows),
    )
