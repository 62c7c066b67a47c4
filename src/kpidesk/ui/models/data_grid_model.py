"""The Data page's grid as a table model: the values of periods × KPIs (or units × periods),
their comments, status and what is calculated, and typing and pasting into it."""

from __future__ import annotations

from datetime import UTC

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
)

from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import format_period
from kpidesk.domain.status import STATUS_LABELS, Status
from kpidesk.i18n import _, current_language
from kpidesk.palette import FILL_COLORS
from kpidesk.services import audit
from kpidesk.services import targets as target_service
from kpidesk.services.data_entry import (
    CellOrigin,
    Grid,
    GridCell,
    GridKpi,
    GridLayout,
    GridMode,
)
from kpidesk.store.access import EVERYTHING, Access

COMMENT_ROLE = Qt.ItemDataRole.UserRole
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
CALCULATED_FILL = "#eceff2"
COMMENT_MARK = "#bc4c00"
SYMBOL_WIDTH = 16


def decimal_hint() -> str | None:
    """English users write ``1,234`` for a thousand; Swedish ones mean a decimal comma."""
    return "." if current_language() == "en" else None


class DataGridModel(QAbstractTableModel):
    """The grid of one :class:`Grid`: a row per KPI or unit, a column per period.

    The model never writes: an edit is handed to ``cellEdited`` and the page stores it
    through a service, then refreshes the model.
    """

    cellEdited = Signal(int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self.grid: Grid | None = None
        self.read_only = False
        self.currency = "SEK"
        self.access: Access = EVERYTHING

    def set_rows(
        self,
        grid: Grid | None,
        *,
        read_only: bool = False,
        currency: str = "SEK",
        access: Access = EVERYTHING,
    ) -> None:
        """``access``: the person's rights (an updater types values of their units only, and
        no targets)."""
        self.beginResetModel()
        self.grid = grid
        self.read_only = read_only
        self.currency = currency
        self.access = access
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.grid is None else len(self.grid.periods)

    def cell(self, index: QModelIndex | QPersistentModelIndex) -> GridCell:
        assert self.grid is not None
        return self.grid.cell(index.row(), index.column())

    def kpi_of(self, row: int) -> GridKpi:
        assert self.grid is not None
        return self.grid.rows[row].kpi

    # texts ------------------------------------------------------------------------------
    def display_text(self, kpi: GridKpi, low: float | None, high: float | None) -> str:
        if low is None:
            return ""
        return target_service.format_target(low, high, kpi, currency=self.currency)

    @staticmethod
    def plain_text(low: float | None, high: float | None = None) -> str:
        """A number as it can be typed back: full precision, no grouping, no unit."""
        if low is None:
            return ""
        text = format_number(low, None, grouping=False)
        if high is not None:
            text += " – " + format_number(high, None, grouping=False)
        return text

    def cell_label(self, row: int, column: int) -> str:
        """``Revenue, March 2026`` or ``Butik Umeå, March 2026``: where a cell is, in words."""
        assert self.grid is not None
        grid_row = self.grid.rows[row]
        name = grid_row.kpi.name if self.grid.layout is GridLayout.KPIS else grid_row.label
        return _("{row}, {period}").format(
            row=name, period=format_period(self.grid.periods[column])
        )

    def tooltip(self, row: int, column: int) -> str:
        assert self.grid is not None
        cell = self.grid.cell(row, column)
        kpi = self.kpi_of(row)
        lines = []
        if cell.comment:
            lines.append(_("Comment: {text}").format(text=cell.comment))
        stored = [v for v in (cell.value, cell.value_high) if v is not None]
        if any(round(v, kpi.decimals) != v for v in stored):  # more precise than shown
            lines.append(
                _("Stored: {value}").format(value=self.plain_text(cell.value, cell.value_high))
            )
        if kpi.calculated and self.grid.mode is GridMode.VALUES:
            lines.append(_("Calculated from other KPIs: {formula}").format(formula=kpi.formula))
        elif cell.origin is CellOrigin.ROLLED_UP:
            lines.append(
                _("Rolled up from the sub-units; type a value to enter one for this unit.")
            )
        elif cell.origin is CellOrigin.INHERITED:
            lines.append(
                _(
                    "The target that applies here (from a path, the target for every unit, "
                    "or the sub-units); type one to set this cell's own."
                )
            )
        elif cell.origin is CellOrigin.STORED and cell.source and cell.source != "typed":
            lines.append(_("Source: {source}").format(source=cell.source))
        if self.grid.mode is GridMode.VALUES and cell.target is not None:
            lines.append(
                _("Target: {target}").format(
                    target=self.display_text(kpi, cell.target[0], cell.target[1])
                )
            )
            if cell.status is not Status.NO_DATA:
                lines.append(f"{cell.status.symbol} {_(STATUS_LABELS[cell.status])}")
        if self.grid.mode is GridMode.VALUES and cell.origin is CellOrigin.STORED:
            lines += self._last_change(kpi, cell)
        return "\n".join(lines)

    def _last_change(self, kpi: GridKpi, cell: GridCell) -> list[str]:
        """Who changed the stored value last, when, and from what (the change log's)."""
        kpi_id, unit_id, period = cell.key
        if unit_id is None:
            return []
        entry = audit.last_change(kpi_id, unit_id, period)
        if entry is None:
            return []
        when = entry.at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
        old = next((edit.old for edit in entry.edits if edit.field == "value"), None)
        if entry.op == "update" and old is not None:
            return [
                _("Changed by {who} on {when}, from {old}").format(
                    who=entry.actor or "?", when=when, old=self.display_text(kpi, old, None)
                )
            ]
        return [_("Entered by {who} on {when}").format(who=entry.actor or "?", when=when)]

    # Qt ---------------------------------------------------------------------------------
    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if self.grid is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_period(self.grid.periods[section], short=True)
            if role == Qt.ItemDataRole.ToolTipRole:
                return format_period(self.grid.periods[section])
            return None
        row = self.grid.rows[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return "\u2003" * row.depth + row.label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and self.grid.layout is GridLayout.KPIS:
            kpi = row.kpi
            if kpi.calculated:
                return _("Calculated from other KPIs: {formula}").format(formula=kpi.formula)
            return kpi.name
        if role == Qt.ItemDataRole.FontRole and row.unit_id is None:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid() or self.grid is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def editable(self, row: int, column: int) -> bool:
        if self.grid is None or self.read_only or not self.grid.cell(row, column).editable:
            return False
        if self.grid.mode is GridMode.TARGETS:
            return self.access.edits_definitions
        return self.access.may_write_unit(self.grid.cell(row, column).unit_id)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or self.grid is None:
            return None
        cell = self.cell(index)
        kpi = self.kpi_of(index.row())
        derived = cell.origin in (CellOrigin.CALCULATED, CellOrigin.ROLLED_UP, CellOrigin.INHERITED)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(kpi, cell.shown, cell.shown_high)
        if role == Qt.ItemDataRole.EditRole:
            return self.plain_text(cell.value, cell.value_high)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(index.row(), index.column()) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and derived:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and derived:
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.BackgroundRole:
            if cell.origin is CellOrigin.CALCULATED or (
                kpi.calculated and self.grid.mode is GridMode.VALUES
            ):
                return QBrush(QColor(CALCULATED_FILL))
            if self.grid.mode is GridMode.VALUES and cell.status is not Status.NO_DATA:
                return QBrush(QColor(FILL_COLORS[cell.status]))
            return None
        if role == COMMENT_ROLE:
            return bool(cell.comment)
        if role == STATUS_ROLE:
            return cell.status.value if self.grid.mode is GridMode.VALUES else None
        return None

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: object,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.editable(index.row(), index.column()):
            return False
        self.cellEdited.emit(index.row(), index.column(), str(value if value is not None else ""))
        return False
