"""The pack's strategy sheet: the strategy on one page drawn with cells. The vision across
the top, a row of boxes per perspective (its name in the first column), each goal a box
with its state's colour, its KPIs under it with their status symbols, then its initiatives;
a goal with a parent names it ("→ Customers who come back"), as the map's arrows do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from kpidesk import palette
from kpidesk.domain.status import JUDGED, STATUS_LABELS
from kpidesk.domain.strategy_layout import StrategyMap
from kpidesk.io.pack_cells import FONT_NAME
from kpidesk.io.xlsx_safety import set_text

if TYPE_CHECKING:
    from kpidesk.io.pack_cells import PackCells

COLUMNS = 4
"""Goals side by side in a perspective's rows."""


def _hex(color: str) -> str:
    return color.lstrip("#").upper()


def write_strategy_sheet(
    writer: PackCells, sheet: Worksheet, smap: StrategyMap, title: str, subtitle: str
) -> None:
    _ = writer._
    sheet.sheet_view.showGridLines = False
    writer.title_rows(sheet, title, subtitle)
    writer.widths(sheet, [20] + [34] * COLUMNS)
    vision_font = Font(name=FONT_NAME, size=14, bold=True, color="FFFFFF")
    mission_font = Font(name=FONT_NAME, size=10, italic=True, color="FFFFFF")
    band_font = Font(name=FONT_NAME, size=11, bold=True)
    goal_font = Font(name=FONT_NAME, size=11, bold=True)
    line_font = Font(name=FONT_NAME, size=10)
    muted_font = Font(name=FONT_NAME, size=10, italic=True, color="5B6475")
    navy = PatternFill("solid", fgColor="20365C")
    band_fill = PatternFill("solid", fgColor="F3F6FB")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    row = 4
    last_column = 1 + COLUMNS
    if smap.vision:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
        cell = sheet.cell(row=row, column=1)
        set_text(cell, smap.vision)
        cell.font, cell.fill, cell.alignment = vision_font, navy, centre
        sheet.row_dimensions[row].height = 30
        row += 1
    if smap.mission:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
        cell = sheet.cell(row=row, column=1)
        set_text(cell, smap.mission)
        cell.font, cell.fill, cell.alignment = mission_font, navy, centre
        sheet.row_dimensions[row].height = 20
        row += 1
    titles = {goal.id: goal.title for goal in smap.goals}
    parents = dict(smap.links)
    for key, label in smap.perspectives:
        goals = [goal for goal in smap.goals if goal.perspective == key]
        row += 1
        first = row
        for start in range(0, len(goals), COLUMNS):
            for index, goal in enumerate(goals[start : start + COLUMNS]):
                column = 2 + index
                side = Side(style="medium", color=_hex(palette.SYMBOL_COLORS[goal.status]))
                head = sheet.cell(row=row, column=column)
                set_text(head, f"{goal.status.symbol} {goal.title}")
                head.font = goal_font
                head.fill = writer.styles.status_fills[goal.status]
                head.alignment = wrap
                head.border = Border(left=side, right=side, top=side)
                lines = [f"{kpi.status.symbol} {kpi.name}" for kpi in goal.kpis]
                lines += [
                    f"▸ {initiative.title}"
                    + (
                        " " + _("({count} late)").format(count=initiative.late)
                        if initiative.late
                        else ""
                    )
                    for initiative in goal.initiatives
                ]
                if goal.id in parents and parents[goal.id] in titles:
                    lines.append(f"→ {titles[parents[goal.id]]}")
                body = sheet.cell(row=row + 1, column=column)
                set_text(body, "\n".join(lines))
                body.font = line_font if goal.kpis else muted_font
                body.alignment = wrap
                body.border = Border(left=side, right=side, bottom=side)
            most = max(
                len(g.kpis) + len(g.initiatives) + (1 if g.id in parents else 0)
                for g in goals[start : start + COLUMNS]
            )
            sheet.row_dimensions[row].height = 32
            sheet.row_dimensions[row + 1].height = max(16, 14 * most + 4)
            row += 2
        sheet.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
        cell = sheet.cell(row=first, column=1)
        set_text(cell, label)
        cell.font, cell.fill = band_font, band_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True, indent=1)
    row += 1
    set_text(
        sheet.cell(row=row, column=1),
        "   ".join(f"{status.symbol} {_(STATUS_LABELS[status])}" for status in JUDGED),
    )
    sheet.cell(row=row, column=1).font = muted_font
    writer.print_setup(sheet, "1:2")
