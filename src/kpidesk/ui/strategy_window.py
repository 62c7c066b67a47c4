"""The strategy map in a window of its own (View → Strategy Map…): click a goal or a KPI to
go to it; export the map as PNG or SVG. And the dialog for the vision and mission."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QToolBar,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import _
from kpidesk.services import exports
from kpidesk.services import strategy as strategy_service
from kpidesk.services.strategy import Statement, StrategyMap
from kpidesk.ui.icons import icon
from kpidesk.ui.render.strategy_map import (
    line_rects,
    map_layout,
    paint_map,
    svg_bytes,
    write_png,
)
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand


class StrategyCanvas(QWidget):
    """The map at its own size; a click on a goal or a KPI line says which."""

    goalChosen = Signal(int)
    kpiChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.smap: StrategyMap | None = None
        self.shape = None
        self.setAccessibleName(_("Strategy map"))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_map(self, smap: StrategyMap) -> None:
        self.smap = smap
        self.shape = map_layout(smap)
        self.setFixedSize(int(self.shape.width), int(self.shape.height))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.smap is None or self.shape is None:
            return
        painter = QPainter(self)
        paint_map(painter, self.smap, self.shape)
        painter.end()

    def item_at(self, point: QPointF) -> tuple[str, int] | None:
        """("kpi", id) or ("goal", id) under ``point``, or None."""
        if self.smap is None or self.shape is None:
            return None
        for rect, kind, item_id in line_rects(self.smap, self.shape):
            if kind == "kpi" and rect.contains(point):
                return ("kpi", item_id)
        goal_id = self.shape.goal_at(point.x(), point.y())
        return ("goal", goal_id) if goal_id is not None else None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        hit = self.item_at(event.position())
        if hit is None:
            return
        (self.kpiChosen if hit[0] == "kpi" else self.goalChosen).emit(hit[1])


class StrategyMapWindow(QMainWindow):
    goalChosen = Signal(int)
    kpiChosen = Signal(int)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(_("Strategy map"))
        self.resize(1180, 800)
        toolbar = QToolBar(_("Strategy map"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(toolbar)
        self.png_action = toolbar.addAction(icon("save"), _("Save as &PNG…"), self.save_png)
        self.svg_action = toolbar.addAction(icon("save"), _("Save as &SVG…"), self.save_svg)
        toolbar.addSeparator()
        toolbar.addAction(icon("pencil"), _("&Vision and Mission…"), self.edit_statement)
        self.hint = QLabel(_("Click a goal or a KPI to go to it."))
        self.hint.setContentsMargins(12, 0, 0, 0)
        toolbar.addWidget(self.hint)
        self.canvas = StrategyCanvas()
        self.canvas.goalChosen.connect(self.goalChosen)
        self.canvas.kpiChosen.connect(self.kpiChosen)
        scroll = QScrollArea()
        scroll.setWidget(self.canvas)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setCentralWidget(scroll)
        close = QAction(_("&Close"), self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)
        session.dataChanged.connect(self.refresh)
        session.contextChanged.connect(self.refresh)

    def refresh(self) -> None:
        context = self.session.context
        if not self.session.is_open or context is None or not self.isVisible():
            return
        settings = self.session.workspace.settings()
        self.canvas.set_map(
            strategy_service.strategy_map(
                context.period,
                context.unit_id,
                fiscal_start_month=settings.fiscal_year_start_month,
            )
        )

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.refresh()

    def _destination(self, suffix: str, kind: str) -> Path | None:
        name = _("Strategy map") + f".{suffix}"
        start = str(Path(self.session.path).parent / name) if self.session.path else name
        path, _filter = QFileDialog.getSaveFileName(self, kind, start, f"{kind} (*.{suffix})")
        if not path:
            return None
        path_ = Path(path)
        return path_ if path_.suffix.lower() == f".{suffix}" else path_.with_suffix(f".{suffix}")

    def save_png(self, path: Path | None = None) -> Path | None:
        path = path or self._destination("png", _("PNG image"))
        if path is None or self.canvas.smap is None:
            return None
        smap = self.canvas.smap
        return self._save(path, lambda partial: write_png(smap, partial))

    def save_svg(self, path: Path | None = None) -> Path | None:
        path = path or self._destination("svg", _("SVG image"))
        if path is None or self.canvas.smap is None:
            return None
        data = svg_bytes(self.canvas.smap, _("Strategy map"))
        return self._save(path, lambda partial: Path(partial).write_bytes(data))

    def _save(self, path: Path, write) -> Path | None:  # type: ignore[no-untyped-def]
        try:
            return exports.save_file(path, write, self.session.path)
        except (DomainError, OSError) as error:
            QMessageBox.warning(self, _("Strategy map"), str(error))
            return None

    def edit_statement(self) -> None:
        edit_statement(self.session, self)


class StatementDialog(QDialog):
    def __init__(self, statement: Statement, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Vision and Mission"))
        self.setMinimumWidth(560)
        form = QFormLayout(self)
        self.vision = QPlainTextEdit(statement.vision)
        self.vision.setTabChangesFocus(True)
        self.vision.setFixedHeight(64)
        self.vision.setPlaceholderText(_("Where the business is heading, in one sentence"))
        form.addRow(_("&Vision:"), self.vision)
        self.mission = QPlainTextEdit(statement.mission)
        self.mission.setTabChangesFocus(True)
        self.mission.setFixedHeight(80)
        self.mission.setPlaceholderText(_("Why the business exists and for whom"))
        form.addRow(_("&Mission:"), self.mission)
        note = QLabel(_("The vision heads the strategy map and the first page of the report."))
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def statement(self) -> Statement:
        return Statement(self.vision.toPlainText().strip(), self.mission.toPlainText().strip())


def edit_statement(session: WorkspaceSession, parent: QWidget | None = None) -> None:
    """Workspace → Vision and Mission…: an undoable edit."""
    if not session.is_open:
        return
    dialog = StatementDialog(strategy_service.read_statement(), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    after, workspace = dialog.statement(), session.workspace
    before = strategy_service.read_statement()
    if after == before:
        return
    session.undo_stack.push(
        CallbackCommand(
            _("Edit vision and mission"),
            lambda: strategy_service.set_statement(workspace, after),
            lambda: strategy_service.set_statement(workspace, before),
            session.dataChanged.emit,
        )
    )
