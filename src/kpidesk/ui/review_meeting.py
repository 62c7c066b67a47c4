"""The meeting: one review's agenda, and per KPI its numbers, a chart, a comment, decisions
and actions, all added in place.

The agenda lists the follow-up of earlier actions, then the KPIs (off target first), then
decisions and actions about anything else. A closed review shows what was presented and is
read-only; reopening asks for a note and leaves a trace, shown in the header. Edits go
through the undo stack; an edit of a review that has since been closed drops out of the
undo history instead of failing.

The chart is a small QPainter drawing (``KpiChart``) so the meeting does not depend on the
charts package; it can be swapped for the full KPI chart later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.domain.numbers import format_change, format_value
from kpidesk.domain.periods import Period, format_period
from kpidesk.domain.status import AGENDA_ORDER, Status, is_improvement
from kpidesk.i18n import _, ngettext
from kpidesk.palette import (
    ACTUAL_LINE,
    BAD_CHANGE,
    FILL_COLORS,
    GOOD_CHANGE,
    SYMBOL_COLORS,
    TARGET_LINE,
)
from kpidesk.services import actions as action_service
from kpidesk.services import goals as goal_service
from kpidesk.services import kpis as kpi_service
from kpidesk.services import reviews as review_service
from kpidesk.services.actions import ActionData, ActionRow, validate_action
from kpidesk.services.kpis import KpiFilter
from kpidesk.services.reviews import (
    Agenda,
    AgendaItem,
    DecisionData,
    DecisionRow,
    ReviewDetails,
    ReviewError,
    UnitFigures,
    local_time,
)
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    ActionStatusCombo,
    action_status_color,
    action_status_text,
    due_text,
    format_day,
)
from kpidesk.ui.forms import FieldBox, OptionalDateEdit, heading
from kpidesk.ui.icons import icon
from kpidesk.ui.kpi_cells import SPARK, STATUS, SparklineDelegate, status_text
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import MessageBar, MessageKind

FOLLOW_UP_KEY = ("follow_up", 0)
OTHER_KEY = ("other", 0)
KEY_ROLE = Qt.ItemDataRole.UserRole
ROW_ID = Qt.ItemDataRole.UserRole + 10
TREND = 5


def kpi_key(kpi_id: int) -> tuple[str, int]:
    return ("kpi", kpi_id)


# Formatting shared with the presenter -----------------------------------------------------------


def value_formatter(item: AgendaItem, currency: str) -> Callable[[float | None], str]:
    def fmt(value: float | None) -> str:
        return format_value(
            value,
            item.measure_unit,
            decimals=item.decimals,
            currency=currency,
            unit_label=item.unit_label,
        )

    return fmt


def target_text(figures: UnitFigures, fmt: Callable[[float | None], str]) -> str:
    if figures.target is not None and figures.target_high is not None:
        return f"{fmt(figures.target)} – {fmt(figures.target_high)}"
    return fmt(figures.target)


def change_parts(item: AgendaItem, figures: UnitFigures) -> tuple[str, str | None]:
    """``▲ +3.2%`` against the previous period, and its colour (good or bad news)."""
    value, before = figures.value, figures.previous_value
    text = format_change(value, before, item.measure_unit)
    if not text or value is None or before is None:
        return "", None
    arrow = "▲" if value > before else "▼" if value < before else "▶"
    good = is_improvement(value - before, item.direction)
    color = None if good is None else GOOD_CHANGE if good else BAD_CHANGE
    return f"{arrow} {text}", color


def period_label(key: str, *, short: bool = False) -> str:
    try:
        return format_period(Period.from_key(key), short=short)
    except ValueError:
        return key


def status_counts_text(statuses: list[Status]) -> str:
    return "   ".join(
        f"{status.symbol} {sum(1 for s in statuses if s is status)}"
        for status in AGENDA_ORDER
        if any(s is status for s in statuses)
    )


@cache
def status_icon(status: Status) -> QIcon:
    """A small muted square with the status symbol in its saturated colour."""
    pixmap = QPixmap(40, 40)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(FILL_COLORS[status]))
    painter.setPen(QPen(QColor(SYMBOL_COLORS[status]), 2))
    painter.drawRoundedRect(QRectF(2, 2, 36, 36), 8, 8)
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, 40, 40), Qt.AlignmentFlag.AlignCenter, status.symbol)
    painter.end()
    result = QIcon()
    result.addPixmap(pixmap, QIcon.Mode.Normal)
    result.addPixmap(pixmap, QIcon.Mode.Selected)
    return result


def describe_event(event: review_service.ReviewEventRow) -> str:
    moment = local_time(event.at)
    when = moment.strftime("%Y-%m-%d %H:%M") if moment else ""
    text = f"{event.label} {when}"
    if event.note:
        text += f": “{event.note}”"
    return text


# The chart --------------------------------------------------------------------------------------


def x_labels(
    texts: list[str],
    centres: list[float],
    width_of: Callable[[str], float],
    *,
    left_edge: float,
    right_edge: float,
    gap: float,
) -> list[tuple[float, str]]:
    """Where to write the period labels under a small chart: the last, the first and the
    middle one, centred under their points and kept inside the edges, leaving out any that
    would overlap one already placed. Returns (left x, text) pairs."""
    count = len(texts)
    if not count:
        return []
    order = list(dict.fromkeys([count - 1, 0, (count - 1) // 2]))
    placed: list[tuple[float, float, str]] = []
    for index in order:
        text = texts[index]
        width = width_of(text)
        x = min(max(centres[index] - width / 2, left_edge), right_edge - width)
        if any(x < right + gap and x + width + gap > start for start, right, _t in placed):
            continue
        placed.append((x, x + width, text))
    return [(x, text) for x, _right, text in sorted(placed)]


class KpiChart(QWidget):
    """Actual as a solid line with points, target dashed, the last point in its status colour."""

    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0) -> None:
        super().__init__(parent)
        self.scale = scale
        self.periods: list[str] = []
        self.values: list[float | None] = []
        self.targets: list[float | None] = []
        self.status = Status.NO_DATA
        self.title = ""
        self.formatter: Callable[[float | None], str] = lambda v: "" if v is None else f"{v:g}"
        self.setMinimumSize(QSize(int(260 * scale), int(150 * scale)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Chart"))

    def set_series(
        self,
        periods: list[str] | tuple[str, ...],
        values: list[float | None] | tuple[float | None, ...],
        targets: list[float | None] | tuple[float | None, ...],
        status: Status,
        formatter: Callable[[float | None], str],
        title: str = "",
    ) -> None:
        self.periods = list(periods)
        self.values = list(values)
        self.targets = list(targets) + [None] * (len(self.values) - len(targets))
        self.status = status
        self.formatter = formatter
        self.title = title
        self.setToolTip(title)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(int(420 * self.scale), int(190 * self.scale))

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        bounds = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        count = len(self.values)
        known = [v for v in self.values if v is not None]
        if not known:
            painter.setPen(muted)
            painter.drawText(bounds, Qt.AlignmentFlag.AlignCenter, _("No values to chart"))
            return
        numbers = known + [t for t in self.targets if t is not None]
        low, high = min(numbers), max(numbers)
        if low == high:
            spread = abs(low) * 0.1 or 1.0
            low, high = low - spread, high + spread
        pad = (high - low) * 0.08
        low, high = low - pad, high + pad
        ticks = [high - pad, (high + low) / 2, low + pad]
        labels = [self.formatter(t) for t in ticks]
        left = max(metrics.horizontalAdvance(label) for label in labels) + 10 * self.scale
        line_height = metrics.height()
        plot = QRectF(
            bounds.left() + left,
            bounds.top() + line_height + 8 * self.scale,
            bounds.width() - left - 10 * self.scale,
            bounds.height() - 2 * line_height - 14 * self.scale,
        )
        if plot.width() < 20 or plot.height() < 20:
            return

        def at(index: int, value: float) -> QPointF:
            x = plot.left() + plot.width() * (index / max(count - 1, 1))
            y = plot.bottom() - plot.height() * (value - low) / (high - low)
            return QPointF(x, y)

        grid = QColor(muted)
        grid.setAlpha(70)
        if plot.height() < 3 * line_height:  # no room for the middle label: top and bottom
            ticks, labels = ticks[::2], labels[::2]
        if plot.height() < 2 * line_height:
            ticks, labels = ticks[:1], labels[:1]
        for tick, label in zip(ticks, labels, strict=True):
            y = at(0, tick).y()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(bounds.left(), y - line_height / 2, left - 6 * self.scale, line_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

        # x labels: the last, first and middle period, each only where it overlaps none
        painter.setPen(muted)
        for x, text in x_labels(
            [period_label(p, short=True) for p in self.periods[:count]],
            [at(index, low).x() for index in range(min(count, len(self.periods)))],
            metrics.horizontalAdvance,
            left_edge=plot.left() - left / 2,
            right_edge=plot.right() + 6,
            gap=8 * self.scale,
        ):
            painter.drawText(QPointF(x, plot.bottom() + line_height + 2), text)

        # target, dashed, broken where a period has none
        target_pen = QPen(QColor(TARGET_LINE), 1.6 * self.scale, Qt.PenStyle.DashLine)
        if palette.color(QPalette.ColorRole.Window).lightness() < 128:
            target_pen.setColor(text_color)
        painter.setPen(target_pen)
        self._draw_series(painter, self.targets, at)

        actual = QColor(ACTUAL_LINE)
        if palette.color(QPalette.ColorRole.Window).lightness() < 128:
            actual = QColor("#6cb6ff")
        painter.setPen(QPen(actual, 2.2 * self.scale))
        self._draw_series(painter, self.values, at)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(actual)
        radius = 2.4 * self.scale
        for index, value in enumerate(self.values):
            if value is not None:
                painter.drawEllipse(at(index, value), radius, radius)
        last = max(i for i, v in enumerate(self.values) if v is not None)
        painter.setBrush(QColor(SYMBOL_COLORS[self.status]))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Base), 1.5 * self.scale))
        point = at(last, self.values[last])  # type: ignore[arg-type]
        painter.drawEllipse(point, 5 * self.scale, 5 * self.scale)

        # legend
        legend_y = bounds.top() + line_height / 2 + 2
        x = plot.left()
        for label, pen in (
            (_("Actual"), QPen(actual, 2.2 * self.scale)),
            (_("Target"), target_pen),
        ):
            painter.setPen(pen)
            painter.drawLine(QPointF(x, legend_y), QPointF(x + 22 * self.scale, legend_y))
            painter.setPen(text_color)
            painter.drawText(
                QPointF(x + 28 * self.scale, legend_y + metrics.ascent() / 2 - 1), label
            )
            x += 40 * self.scale + metrics.horizontalAdvance(label)

    @staticmethod
    def _draw_series(
        painter: QPainter, series: list[float | None], at: Callable[[int, float], QPointF]
    ) -> None:
        path = QPainterPath()
        drawing = False
        for index, value in enumerate(series):
            if value is None:
                drawing = False
                continue
            if drawing:
                path.lineTo(at(index, value))
            else:
                path.moveTo(at(index, value))
                drawing = True
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)


# Undo ------------------------------------------------------------------------------------------


class ReviewCommand(CallbackCommand):
    """An edit inside a review. Once the review is closed (or gone), the edit drops out of the
    undo history when reached instead of failing: a closed review is changed only by
    reopening it."""

    def __init__(self, text: str, review_id: int, do, undo, done=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(text, do, undo, done)
        self.review_id = review_id

    def _review_open(self) -> bool:
        try:
            return not review_service.review_info(self.review_id).closed
        except ReviewError:
            return False

    def redo(self) -> None:
        if not self._review_open():
            self.setObsolete(True)
            return
        super().redo()

    def undo(self) -> None:
        if not self._review_open():
            self.setObsolete(True)
            return
        super().undo()


# Dialogs ---------------------------------------------------------------------------------------


def _kpi_choices() -> list[tuple[str, int]]:
    return [
        (kpi_title(row.data.name, row.data.code), row.id)
        for row in kpi_service.list_kpis(KpiFilter(show_archived=True))
    ]


def _goal_choices() -> list[tuple[str, int]]:
    return [("\u2003" * g.depth + g.data.title, g.id) for g in goal_service.goal_tree()]


def _link_combo(nothing: str, choices: list[tuple[str, int]], current: int | None) -> QComboBox:
    combo = QComboBox()
    combo.addItem(nothing, None)
    for text, value in choices:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class ActionEditor(QDialog):
    """Every field of an action; the message for a missing title shows beside the field."""

    def __init__(self, data: ActionData, *, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New action") if new else _("Edit action"))
        self.setMinimumWidth(520)
        form = QFormLayout(self)
        self.title_edit = QLineEdit(data.title)
        self.title_field = FieldBox(self.title_edit, _("What is to be done, concretely."))
        form.addRow(_("&What:"), self.title_field)
        self.description_edit = QPlainTextEdit(data.description)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(70)
        form.addRow(_("&Details:"), self.description_edit)
        self.owner_edit = QLineEdit(data.owner)
        form.addRow(_("&Owner:"), self.owner_edit)
        self.due_edit = OptionalDateEdit()
        self.due_edit.set_value(data.due_date)
        form.addRow(_("D&ue:"), FieldBox(self.due_edit, stretch=False))
        self.status_combo = ActionStatusCombo(data.status)
        form.addRow(_("&Status:"), self.status_combo)
        self.kpi_combo = _link_combo(_("No KPI"), _kpi_choices(), data.kpi_id)
        form.addRow(_("&KPI:"), self.kpi_combo)
        self.goal_combo = _link_combo(_("No goal"), _goal_choices(), data.goal_id)
        form.addRow(_("&Goal:"), self.goal_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def result_data(self) -> ActionData:
        return ActionData(
            title=self.title_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            owner=self.owner_edit.text().strip(),
            due_date=self.due_edit.value(),
            status=self.status_combo.status(),
            kpi_id=self.kpi_combo.currentData(),
            goal_id=self.goal_combo.currentData(),
        )

    def accept(self) -> None:
        problems = validate_action(self.result_data())
        self.title_field.set_error(_(problems["title"]) if "title" in problems else None)
        if not problems:
            super().accept()


class DecisionEditor(QDialog):
    def __init__(self, data: DecisionData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Edit decision"))
        self.setMinimumWidth(520)
        form = QFormLayout(self)
        self.text_edit = QLineEdit(data.text)
        self.text_field = FieldBox(self.text_edit)
        form.addRow(_("&Decision:"), self.text_field)
        self.date_edit = OptionalDateEdit()
        self.date_edit.set_value(data.decided_on)
        form.addRow(_("Decided &on:"), FieldBox(self.date_edit, stretch=False))
        self.by_edit = QLineEdit(data.decided_by)
        form.addRow(_("Decided &by:"), self.by_edit)
        self.kpi_combo = _link_combo(_("No KPI"), _kpi_choices(), data.kpi_id)
        form.addRow(_("&KPI:"), self.kpi_combo)
        self.goal_combo = _link_combo(_("No goal"), _goal_choices(), data.goal_id)
        form.addRow(_("&Goal:"), self.goal_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def result_data(self) -> DecisionData:
        return DecisionData(
            text=self.text_edit.text().strip(),
            decided_on=self.date_edit.value(),
            decided_by=self.by_edit.text().strip(),
            kpi_id=self.kpi_combo.currentData(),
            goal_id=self.goal_combo.currentData(),
        )

    def accept(self) -> None:
        if not self.result_data().text:
            self.text_field.set_error(_("A decision needs a text."))
            return
        super().accept()


def confirm_close(parent: QWidget, title: str, details: str) -> bool:
    """Ask before closing a review; tests replace this function."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _("Close review"),
        _("Close the review “{title}”?").format(title=title),
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(details)
    close = box.addButton(_("Close review"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(close)
    box.exec()
    return box.clickedButton() is close


class ReopenDialog(QDialog):
    """Reopening is explicit: it says what it means, and asks why."""

    def __init__(self, title: str, closed_at: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Reopen review"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        text = QLabel(
            _(
                "“{title}” was closed {closed}. Reopening makes it editable again. The numbers "
                "stay as they were presented, and the reopening is kept in the review's trace "
                "with the time and your note."
            ).format(title=title, closed=closed_at)
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(_("Why is it reopened?"))
        self.note_edit.setAccessibleName(_("Why is it reopened?"))
        self.note_field = FieldBox(self.note_edit, _("Required: the note is kept in the trace."))
        layout.addWidget(self.note_field)
        self.refresh_box = QCheckBox(_("Show today's numbers instead of those presented"))
        layout.addWidget(self.refresh_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.reopen_button = self.buttons.addButton(
            _("Reopen"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.reopen_button.setEnabled(False)
        self.note_edit.textChanged.connect(
            lambda text: self.reopen_button.setEnabled(bool(text.strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


def ask_reopen(parent: QWidget, title: str, closed_at: str) -> tuple[str, bool] | None:
    """The note and whether to show today's numbers, or None if cancelled; tests replace it."""
    dialog = ReopenDialog(title, closed_at, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.note_edit.text().strip(), dialog.refresh_box.isChecked()


# The parts of the meeting ----------------------------------------------------------------------


def _tree(headers: list[str], name: str) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setAccessibleName(name)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    tree.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
    return tree


def _fit_height(tree: QTreeWidget, minimum_rows: int = 1) -> None:
    """Show every row of a short list without its own scroll bar (the page scrolls)."""
    rows = max(tree.topLevelItemCount(), minimum_rows)
    row_height = tree.sizeHintForRow(0) if tree.topLevelItemCount() else 24
    row_height = max(row_height, 24)
    tree.setFixedHeight(tree.header().sizeHint().height() + rows * row_height + 6)


def fit_columns(tree: QTreeWidget, caps: dict[int, int]) -> None:
    """Size columns to their contents, but no wider than their cap (the rest elide)."""
    for column, cap in caps.items():
        tree.resizeColumnToContents(column)
        tree.setColumnWidth(column, min(tree.columnWidth(column), cap))


def _link_text(kpi_name: str, goal_title: str) -> str:
    return " · ".join(part for part in (kpi_name, goal_title) if part)


class RecordPanel(QWidget):
    """Decisions and actions about one KPI (or, with no KPI, about anything else)."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        self.kpi_id: int | None = None
        self.default_owner = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        layout.addWidget(heading(_("Decisions")))
        self.decisions = _tree(
            [_("Decision"), _("Date"), _("Decided by"), _("About")], _("Decisions")
        )
        self.decisions.itemDoubleClicked.connect(lambda *_args: self.edit_decision())
        self.decisions.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.decisions)
        form = QHBoxLayout()
        self.decision_text = QLineEdit()
        self.decision_text.setPlaceholderText(_("What was decided"))
        self.decision_text.setAccessibleName(_("New decision"))
        self.decision_text.returnPressed.connect(self.add_decision)
        self.decision_date = OptionalDateEdit()
        self.decision_date.setAccessibleName(_("Decided on"))
        self.decision_by = QLineEdit()
        self.decision_by.setPlaceholderText(_("Decided by"))
        self.decision_by.setAccessibleName(_("Decided by"))
        self.decision_by.returnPressed.connect(self.add_decision)
        self.add_decision_button = QPushButton(icon("plus"), _("Add decision"))
        self.add_decision_button.clicked.connect(self.add_decision)
        self.edit_decision_button = QPushButton(_("Edit…"))
        self.edit_decision_button.clicked.connect(self.edit_decision)
        self.remove_decision_button = QPushButton(_("Remove"))
        self.remove_decision_button.clicked.connect(self.remove_decision)
        form.addWidget(self.decision_text, 3)
        form.addWidget(self.decision_date)
        form.addWidget(self.decision_by, 1)
        for button in (
            self.add_decision_button,
            self.edit_decision_button,
            self.remove_decision_button,
        ):
            form.addWidget(button)
        layout.addLayout(form)
        self.decision_error = QLabel()
        self.decision_error.setStyleSheet("color: #b42318;")
        self.decision_error.hide()
        layout.addWidget(self.decision_error)

        layout.addSpacing(8)
        layout.addWidget(heading(_("Actions")))
        self.actions = _tree(
            [_("Action"), _("Owner"), _("Due"), _("Status"), _("About")], _("Actions")
        )
        self.actions.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.actions.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.actions.header().setStretchLastSection(False)
        self.actions.itemDoubleClicked.connect(lambda *_args: self.edit_action())
        self.actions.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.actions)
        form = QHBoxLayout()
        self.action_title = QLineEdit()
        self.action_title.setPlaceholderText(_("What is to be done"))
        self.action_title.setAccessibleName(_("New action"))
        self.action_title.returnPressed.connect(self.add_action)
        self.action_owner = QLineEdit()
        self.action_owner.setPlaceholderText(_("Owner"))
        self.action_owner.setAccessibleName(_("Owner"))
        self.action_owner.returnPressed.connect(self.add_action)
        self.action_due = OptionalDateEdit()
        self.action_due.setAccessibleName(_("Due"))
        self.action_goal = QComboBox()
        self.action_goal.setAccessibleName(_("Goal"))
        self.action_goal.setMaximumWidth(220)
        self.add_action_button = QPushButton(icon("plus"), _("Add action"))
        self.add_action_button.clicked.connect(self.add_action)
        self.edit_action_button = QPushButton(_("Edit…"))
        self.edit_action_button.clicked.connect(self.edit_action)
        self.remove_action_button = QPushButton(_("Remove"))
        self.remove_action_button.clicked.connect(self.remove_action)
        form.addWidget(self.action_title, 3)
        form.addWidget(self.action_owner, 1)
        form.addWidget(self.action_due)
        form.addWidget(self.action_goal, 1)
        for button in (self.add_action_button, self.edit_action_button, self.remove_action_button):
            form.addWidget(button)
        layout.addLayout(form)
        self.action_error = QLabel()
        self.action_error.setStyleSheet("color: #b42318;")
        self.action_error.hide()
        layout.addWidget(self.action_error)
        self.form_widgets = [
            self.decision_text,
            self.decision_date,
            self.decision_by,
            self.add_decision_button,
            self.action_title,
            self.action_owner,
            self.action_due,
            self.action_goal,
            self.add_action_button,
        ]
        self._decision_rows: dict[int, DecisionRow] = {}
        self._action_rows: dict[int, ActionRow] = {}
        self._writable = False
        self._dated_for: tuple[int | None, date | None] | None = None

    def fill(
        self,
        kpi_id: int | None,
        decisions: list[DecisionRow],
        actions: list[ActionRow],
        *,
        writable: bool,
        held_on: date | None,
        owner: str,
        goal_ids: tuple[int, ...],
        kpi_changed: bool,
        review_id: int | None = None,
    ) -> None:
        """Show the decisions and actions; the forms' dates default to the review's "held
        on" date (and a month after it), set again for another KPI, another review or a
        changed date, so a new decision never takes another review's date."""
        self.kpi_id = kpi_id
        self._writable = writable
        self._decision_rows = {row.id: row for row in decisions}
        self._action_rows = {row.id: row for row in actions}
        selected_decision = self._selected(self.decisions)
        selected_action = self._selected(self.actions)
        self.decisions.clear()
        for row in decisions:
            item = QTreeWidgetItem(
                [
                    row.data.text,
                    format_day(row.data.decided_on),
                    row.data.decided_by,
                    _link_text(row.kpi_name if kpi_id is None else "", row.goal_title),
                ]
            )
            item.setData(0, ROW_ID, row.id)
            item.setToolTip(0, row.data.text)
            self.decisions.addTopLevelItem(item)
        if not decisions:
            placeholder = QTreeWidgetItem([_("No decisions yet.")])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.decisions.addTopLevelItem(placeholder)
        for column in (1, 2):
            self.decisions.resizeColumnToContents(column)
        self.decisions.setColumnWidth(0, max(self.decisions.columnWidth(0), 320))
        _fit_height(self.decisions)

        self.actions.clear()
        for row in actions:
            item = QTreeWidgetItem(
                [
                    row.data.title,
                    row.data.owner,
                    due_text(row.data.due_date, row.days_overdue),
                    "",
                    _link_text(row.kpi_name if kpi_id is None else "", row.goal_title),
                ]
            )
            item.setData(0, ROW_ID, row.id)
            item.setToolTip(0, row.data.description or row.data.title)
            if row.overdue:
                item.setForeground(2, QBrush(QColor(OVERDUE_COLOR)))
            self.actions.addTopLevelItem(item)
            combo = ActionStatusCombo(row.data.status)
            combo.setEnabled(self.meeting.session_writable())
            combo.statusChosen.connect(
                lambda status, action_id=row.id: self.meeting.set_action_status(action_id, status)
            )
            self.actions.setItemWidget(item, 3, combo)
        if not actions:
            placeholder = QTreeWidgetItem([_("No actions yet.")])
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.actions.addTopLevelItem(placeholder)
        _fit_height(self.actions)
        self._select(self.decisions, selected_decision)
        self._select(self.actions, selected_action)

        for widget in self.form_widgets:
            widget.setVisible(writable)
        dated_for = (review_id, held_on)
        if kpi_changed or dated_for != self._dated_for:
            self._dated_for = dated_for
            self.decision_date.set_value(held_on)
            self.action_due.set_value(held_on + timedelta(days=30) if held_on else None)
        if kpi_changed:
            self.action_owner.setText(owner)
            self.decision_error.hide()
            self.action_error.hide()
            self.action_goal.clear()
            self.action_goal.addItem(_("No goal"), None)
            linked = [(t, g) for t, g in _goal_choices() if g in goal_ids]
            for text, goal_id in linked + [c for c in _goal_choices() if c[1] not in goal_ids]:
                self.action_goal.addItem(text.strip(), goal_id)
            if len(goal_ids) == 1:
                self.action_goal.setCurrentIndex(max(0, self.action_goal.findData(goal_ids[0])))
        self._update_buttons()

    @staticmethod
    def _selected(tree: QTreeWidget) -> int | None:
        item = tree.currentItem()
        return item.data(0, ROW_ID) if item is not None else None

    @staticmethod
    def _select(tree: QTreeWidget, row_id: int | None) -> None:
        if row_id is None:
            return
        for index in range(tree.topLevelItemCount()):
            if tree.topLevelItem(index).data(0, ROW_ID) == row_id:
                tree.setCurrentItem(tree.topLevelItem(index))

    def _update_buttons(self) -> None:
        has_decision = self._selected(self.decisions) is not None
        has_action = self._selected(self.actions) is not None
        for button, enabled in (
            (self.edit_decision_button, has_decision),
            (self.remove_decision_button, has_decision),
            (self.edit_action_button, has_action),
            (self.remove_action_button, has_action),
        ):
            button.setVisible(self._writable)
            button.setEnabled(self._writable and enabled)

    # commands -----------------------------------------------------------------------------
    def add_decision(self) -> None:
        text = self.decision_text.text().strip()
        if not text:
            self.decision_error.setText(_("A decision needs a text."))
            self.decision_error.show()
            return
        self.decision_error.hide()
        data = DecisionData(
            text,
            decided_on=self.decision_date.value(),
            decided_by=self.decision_by.text().strip(),
            kpi_id=self.kpi_id,
        )
        self.decision_text.clear()
        self.meeting.add_decision(data)

    def edit_decision(self) -> None:
        row = self._decision_rows.get(self._selected(self.decisions) or -1)
        if row is not None and self._writable:
            self.meeting.edit_decision(row)

    def remove_decision(self) -> None:
        row = self._decision_rows.get(self._selected(self.decisions) or -1)
        if row is not None and self._writable:
            self.meeting.remove_decision(row.id)

    def add_action(self) -> None:
        title = self.action_title.text().strip()
        if not title:
            self.action_error.setText(_("An action needs to say what is to be done."))
            self.action_error.show()
            return
        self.action_error.hide()
        data = ActionData(
            title,
            owner=self.action_owner.text().strip(),
            due_date=self.action_due.value(),
            kpi_id=self.kpi_id,
            goal_id=self.action_goal.currentData(),
        )
        self.action_title.clear()
        self.meeting.add_action(data)

    def edit_action(self) -> None:
        row = self._action_rows.get(self._selected(self.actions) or -1)
        if row is not None and self._writable:
            self.meeting.edit_action(row)

    def remove_action(self) -> None:
        row = self._action_rows.get(self._selected(self.actions) or -1)
        if row is not None and self._writable:
            self.meeting.remove_action(row.id)


class KpiItemView(QWidget):
    """One KPI of the agenda: status, figures per unit, chart, comment, decisions, actions."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        self.item: AgendaItem | None = None
        self.currency = "SEK"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.subtitle = QLabel()
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)

        numbers = QHBoxLayout()
        self.figures = _tree(
            [_("Status"), _("Unit"), _("Actual"), _("Target"), _("vs previous"), _("Trend")],
            _("Figures"),
        )
        self.figures.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.figures.header().setSectionResizeMode(TREND, QHeaderView.ResizeMode.Fixed)
        self.figures.header().resizeSection(TREND, 96)
        self.figures.header().setStretchLastSection(False)
        self.figures.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures.setItemDelegateForColumn(TREND, SparklineDelegate(self.figures))
        self.figures.setToolTip(_("Choose a unit to chart it"))
        self.figures.currentItemChanged.connect(self._chart_selected_unit)
        numbers.addWidget(self.figures, 5)
        chart_box = QVBoxLayout()
        self.chart = KpiChart()
        chart_box.addWidget(self.chart, 1)
        self.chart_caption = QLabel()
        self.chart_caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.chart_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        chart_box.addWidget(self.chart_caption)
        numbers.addLayout(chart_box, 4)
        layout.addLayout(numbers)

        layout.addWidget(heading(_("Comment")))
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(_("Why is it here, and what now?"))
        self.comment.setAccessibleName(_("Comment"))
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(64)
        self.comment.installEventFilter(self)
        layout.addWidget(self.comment)
        layout.addSpacing(6)
        self.records = RecordPanel(meeting)
        layout.addWidget(self.records)
        layout.addStretch()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.comment and event.type() == QEvent.Type.FocusOut:
            self.save_comment()
        return False

    def save_comment(self) -> None:
        if self.item is None or self.comment.isReadOnly():
            return
        saved = self.item.comment.text if self.item.comment else ""
        text = self.comment.toPlainText().strip()
        if text != saved:
            self.meeting.set_comment(self.item.kpi_id, text)

    def show_item(self, item: AgendaItem, agenda: Agenda, *, writable: bool) -> None:
        changed = self.item is None or self.item.kpi_id != item.kpi_id
        self.item = item
        self.currency = agenda.currency
        status = item.status
        warning = any(w.kpi_id == item.kpi_id for w in agenda.warnings)
        code = "" if kpi_title(item.name, item.code) == item.name else f" ({_html(item.code)})"
        self.title.setText(
            f"<span style='color:{SYMBOL_COLORS[status]}'><b>{status_text(status)}</b></span>"
            f"&nbsp;&nbsp;<b>{_html(item.name)}</b>{code}"
            + (
                f"&nbsp;&nbsp;<span style='color:{OVERDUE_COLOR}'>⚠ {_html(_('No action'))}</span>"
                if warning
                else ""
            )
        )
        parts = [period_label(item.figures[0].period)] if item.figures else []
        if item.owner:
            parts.append(_("Owner: {owner}").format(owner=item.owner))
        self.subtitle.setText(" · ".join(parts))
        fmt = value_formatter(item, agenda.currency)
        previous_unit = self._selected_unit()
        self.figures.blockSignals(True)
        self.figures.clear()
        for figures in item.figures:
            change, color = change_parts(item, figures)
            row = QTreeWidgetItem(
                [
                    status_text(figures.status),
                    figures.unit,
                    fmt(figures.value),
                    target_text(figures, fmt),
                    change,
                    "",
                ]
            )
            row.setBackground(0, QBrush(QColor(FILL_COLORS[figures.status])))
            row.setForeground(0, QBrush(QColor(SYMBOL_COLORS[figures.status])))
            if color:
                row.setForeground(4, QBrush(QColor(color)))
            for column in (2, 3, 4):
                row.setTextAlignment(
                    column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            row.setData(TREND, SPARK, figures.sparkline)
            row.setData(TREND, STATUS, figures.status.value)
            row.setData(0, ROW_ID, figures.unit_id)
            self.figures.addTopLevelItem(row)
        _fit_height(self.figures)
        self.figures.setMinimumHeight(140)
        # every column whole: the table is never narrower than its figures
        header = self.figures.header()
        widths = sum(header.sectionSizeHint(c) for c in range(header.count()))
        self.figures.setMinimumWidth(max(widths, header.length()) + 2 * self.figures.frameWidth())
        self.figures.blockSignals(False)
        target_unit = previous_unit if not changed else None
        rows = [self.figures.topLevelItem(i) for i in range(self.figures.topLevelItemCount())]
        chosen = next((r for r in rows if r.data(0, ROW_ID) == target_unit), None)
        if chosen is None and rows:
            order = {status: index for index, status in enumerate(AGENDA_ORDER)}
            chosen = rows[
                min(range(len(item.figures)), key=lambda i: order[item.figures[i].status])
            ]
        if chosen is not None:
            self.figures.setCurrentItem(chosen)
        self._chart_selected_unit()

        saved = item.comment.text if item.comment else ""
        if changed or (self.comment.toPlainText().strip() != saved and not self.comment.hasFocus()):
            self.comment.setPlainText(saved)
        self.comment.setReadOnly(not writable)
        self.comment.setPlaceholderText(
            _("Why is it here, and what now?") if writable else _("No comment.")
        )
        held_on = agenda.review.held_on
        self.records.fill(
            item.kpi_id,
            item.decisions,
            item.actions,
            writable=writable,
            held_on=held_on,
            owner=item.owner,
            goal_ids=item.goal_ids,
            kpi_changed=changed,
            review_id=agenda.review.id,
        )

    def _selected_unit(self) -> int | None:
        current = self.figures.currentItem()
        return current.data(0, ROW_ID) if current is not None else None

    def _chart_selected_unit(self) -> None:
        if self.item is None:
            return
        unit_id = self._selected_unit()
        figures = next(
            (f for f in self.item.figures if f.unit_id == unit_id),
            self.item.figures[0] if self.item.figures else None,
        )
        if figures is None:
            return
        self.chart.set_series(
            figures.periods,
            figures.values,
            figures.targets,
            figures.status,
            value_formatter(self.item, self.currency),
            figures.unit,
        )
        first = period_label(figures.periods[0], short=True) if figures.periods else ""
        last = period_label(figures.periods[-1], short=True) if figures.periods else ""
        self.chart_caption.setText(f"{figures.unit}: {first} – {last}")


class FollowUpView(QWidget):
    """Earlier reviews' actions: what became of them. Status changes in place while open."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.meeting = meeting
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        title = QLabel(_("Follow-up of earlier actions"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.intro)
        self.tree = _tree(
            [
                _("Status"),
                _("Action"),
                _("Owner"),
                _("Due"),
                _("KPI"),
                _("From review"),
                _("Status now"),
            ],
            _("Follow-up"),
        )
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.tree.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustIgnored)
        layout.addWidget(self.tree, 1)
        layout.addStretch()

    def show_agenda(self, agenda: Agenda, *, writable: bool) -> None:
        self._show_agenda(agenda, writable=writable)
        self.tree.setVisible(bool(agenda.follow_up))
        sources = {entry.from_review_id for entry in agenda.follow_up}
        self.tree.setColumnHidden(5, len(sources) <= 1)
        if len(sources) == 1:
            self.intro.setText(
                self.intro.text()
                + " "
                + _("All from “{review}”.").format(review=agenda.follow_up[0].from_review_title)
            )
        fit_columns(self.tree, {2: 100, 3: 245, 4: 110, 5: 150, 6: 120})
        self.tree.setColumnWidth(0, 130)

    def _show_agenda(self, agenda: Agenda, *, writable: bool) -> None:
        closed = agenda.review.closed
        if not agenda.follow_up:
            self.intro.setText(_("No earlier actions to follow up."))
        elif closed:
            self.intro.setText(
                _(
                    "The status each action had when this review was closed, and what became "
                    "of it since."
                )
            )
        else:
            self.intro.setText(
                _(
                    "Every action of the last review, and the unfinished ones of earlier "
                    "reviews. Change their status here as you go through them."
                )
            )
        self.tree.setColumnHidden(6, not closed)
        self.tree.clear()
        for entry in agenda.follow_up:
            item = QTreeWidgetItem(
                [
                    "",
                    entry.title,
                    entry.owner,
                    due_text(
                        entry.due_date,
                        action_service.days_overdue(
                            entry.due_date, entry.status, self.meeting.current_day()
                        )
                        if entry.overdue
                        else 0,
                    ),
                    entry.kpi_name,
                    entry.from_review_title,
                    action_status_text(entry.status_now) if entry.status_now else _("Deleted"),
                ]
            )
            item.setToolTip(1, entry.title)
            item.setToolTip(4, entry.kpi_name)
            if entry.overdue:
                item.setForeground(3, QBrush(QColor(OVERDUE_COLOR)))
            if entry.status_now and (color := action_status_color(entry.status_now)):
                item.setForeground(6, QBrush(QColor(color)))
            self.tree.addTopLevelItem(item)
            if closed or entry.status_now is None:
                item.setText(0, action_status_text(entry.status))
                if color := action_status_color(entry.status):
                    item.setForeground(0, QBrush(QColor(color)))
            else:
                combo = ActionStatusCombo(entry.status_now)
                combo.setEnabled(writable)
                combo.statusChosen.connect(
                    lambda status, action_id=entry.action_id: self.meeting.set_action_status(
                        action_id, status
                    )
                )
                self.tree.setItemWidget(item, 0, combo)

    def status_combo(self, row: int) -> ActionStatusCombo | None:
        item = self.tree.topLevelItem(row)
        widget = self.tree.itemWidget(item, 0) if item is not None else None
        return widget if isinstance(widget, ActionStatusCombo) else None


class OtherView(QWidget):
    """Decisions and actions not about a KPI on the agenda: goals, the business as a whole."""

    def __init__(self, meeting: ReviewMeeting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        title = QLabel(_("Other decisions and actions"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel(_("Not about one KPI: link them to a goal, or to nothing."))
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(intro)
        self.records = RecordPanel(meeting)
        layout.addWidget(self.records)
        layout.addStretch()
        self._shown = False

    def show_agenda(self, agenda: Agenda, *, writable: bool) -> None:
        self.records.fill(
            None,
            agenda.other_decisions,
            agenda.other_actions,
            writable=writable,
            held_on=agenda.review.held_on,
            owner="",
            goal_ids=(),
            kpi_changed=not self._shown,
            review_id=agenda.review.id,
        )
        self._shown = True


class WarningPanel(QFrame):
    """Every red KPI without an action, each a link to its agenda item."""

    kpiChosen = Signal(int)

    def __init__(
        self, warnings: list[review_service.AgendaWarning], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewWarnings")
        self.setStyleSheet(
            f"#reviewWarnings {{ background: {FILL_COLORS[Status.AMBER]};"
            " border: 1px solid rgba(154, 103, 0, 0.4); border-radius: 6px; }"
            f" #reviewWarnings QLabel {{ color: #5c3d00; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        symbol = QLabel()
        symbol.setPixmap(icon("triangle-alert", QColor(SYMBOL_COLORS[Status.AMBER])).pixmap(18, 18))
        layout.addWidget(symbol, 0, Qt.AlignmentFlag.AlignTop)
        heading_text = ngettext(
            "{count} KPI off track without an action:",
            "{count} KPIs off track without an action:",
            len(warnings),
        ).format(count=len(warnings))
        links = "<br>".join(
            f"⚠ <a href='{w.kpi_id}' style='color:#5c3d00'>{_html(w.text())}</a>" for w in warnings
        )
        self.label = QLabel(f"<b>{_html(heading_text)}</b><br>{links}")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.linkActivated.connect(lambda link: self.kpiChosen.emit(int(link)))
        layout.addWidget(self.label, 1)
        self.warnings = warnings

    @property
    def text(self) -> str:
        return "\n".join(w.text() for w in self.warnings)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The meeting -----------------------------------------------------------------------------------


class ReviewMeeting(QWidget):
    """One review, as held: header with its trace, warnings, the agenda and the item shown."""

    reviewChanged = Signal()
    """The review was closed or reopened (the page refreshes its list)."""

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.review_id: int | None = None
        self.agenda: Agenda | None = None
        self.today: date | None = None
        self.presenter = None
        self._loading = False
        self._new_review = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        self.title_label = QLabel()
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.title_label)
        meta_row = QHBoxLayout()
        self.state_icon = QLabel()
        meta_row.addWidget(self.state_icon, 0, Qt.AlignmentFlag.AlignTop)
        self.meta_label = QLabel()
        self.meta_label.setWordWrap(True)
        meta_row.addWidget(self.meta_label, 1)
        titles.addLayout(meta_row)
        self.trace_label = QLabel()
        self.trace_label.setWordWrap(True)
        self.trace_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.trace_label.setAccessibleName(_("Trace"))
        titles.addWidget(self.trace_label)
        header.addLayout(titles, 1)
        buttons = QVBoxLayout()
        row = QHBoxLayout()
        self.present_button = QPushButton(icon("presentation"), _("Present (F11)"))
        self.present_button.setToolTip(_("Full screen, one KPI at a time; arrow keys move"))
        self.present_button.clicked.connect(self.present)
        self.close_button = QPushButton(icon("lock"), _("Close review…"))
        self.close_button.clicked.connect(self.close_review)
        self.reopen_button = QPushButton(icon("undo-2"), _("Reopen…"))
        self.reopen_button.clicked.connect(self.reopen_review)
        for button in (self.present_button, self.close_button, self.reopen_button):
            row.addWidget(button)
        buttons.addLayout(row)
        buttons.addStretch()
        header.addLayout(buttons)
        outer.addLayout(header)

        details = QHBoxLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName(_("Title"))
        self.title_edit.editingFinished.connect(self._save_details)
        self.participants_edit = QLineEdit()
        self.participants_edit.setPlaceholderText(_("Names, separated by commas"))
        self.participants_edit.setAccessibleName(_("Participants"))
        self.participants_edit.editingFinished.connect(self._save_details)
        self.held_edit = OptionalDateEdit()
        self.held_edit.setAccessibleName(_("Held on"))
        self.held_edit.dateChanged.connect(self._save_details)
        self.details_labels = []
        for text, widget, stretch in (
            (_("&Title:"), self.title_edit, 2),
            (_("&Participants:"), self.participants_edit, 3),
            (_("&Held on:"), self.held_edit, 0),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            self.details_labels.append(label)
            details.addWidget(label)
            details.addWidget(widget, stretch)
        self.details_row = QWidget()
        self.details_row.setLayout(details)
        details.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.details_row)

        self.banner_area = QVBoxLayout()
        outer.addLayout(self.banner_area)
        self.banners: list[QWidget] = []

        splitter = QSplitter()
        self.agenda_list = QListWidget()
        self.agenda_list.setAccessibleName(_("Agenda"))
        self.agenda_list.setIconSize(QSize(20, 20))
        self.agenda_list.setSpacing(1)
        self.agenda_list.setWordWrap(True)
        self.agenda_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.agenda_list.setMinimumWidth(230)
        self.agenda_list.currentItemChanged.connect(self._show_current)
        splitter.addWidget(self.agenda_list)
        self.stack = QStackedWidget()
        self.item_view = KpiItemView(self)
        self.follow_up_view = FollowUpView(self)
        self.other_view = OtherView(self)
        for view in (self.item_view, self.follow_up_view, self.other_view):
            self.stack.addWidget(view)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.stack)
        splitter.addWidget(self.scroll)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 820])
        outer.addWidget(splitter, 1)

        self.present_shortcut = QShortcut(QKeySequence("F11"), self)
        self.present_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.present_shortcut.activated.connect(self.present)

    # state ------------------------------------------------------------------------------------
    def current_day(self) -> date:
        return self.today or date.today()

    def session_writable(self) -> bool:
        return self.session.is_open and not self.session.read_only

    def writable(self) -> bool:
        return self.session_writable() and self.agenda is not None and not self.agenda.review.closed

    def set_review(self, review_id: int | None) -> None:
        if review_id != self.review_id:
            self.commit_pending()
            self._new_review = True
        self.review_id = review_id
        self.reload()

    def reload(self) -> None:
        if self.review_id is None or not self.session.is_open:
            self.agenda = None
            return
        try:
            self.agenda = review_service.agenda(self.review_id, today=self.current_day())
        except ReviewError:
            self.review_id = None
            self.agenda = None
            return
        self._fill()

    def _fill(self) -> None:
        agenda = self.agenda
        if agenda is None:
            return
        self._loading = True
        try:
            review = agenda.review
            writable = self.writable()
            self.title_label.setText(review.title)
            units = ", ".join(review.unit_names)
            meta = [period_label(review.period.key), units]
            if review.held_on:
                meta.append(_("held {date}").format(date=format_day(review.held_on)))
            if review.participants:
                meta.append(
                    _("Participants: {names}").format(names=", ".join(review.participant_names))
                )
            state = _("Closed") if review.closed else _("Open")
            self.state_icon.setPixmap(icon("lock" if review.closed else "pencil").pixmap(16, 16))
            self.meta_label.setText(f"<b>{state}</b> · " + " · ".join(_html(m) for m in meta))
            trace = [describe_event(event) for event in agenda.events]
            if agenda.kept and not review.closed:
                trace.append(_("The numbers are those presented when the review was closed."))
            self.trace_label.setText(" · ".join(trace))
            self.title_edit.setText(review.title)
            self.title_edit.setCursorPosition(0)
            self.participants_edit.setText(review.participants)
            self.held_edit.blockSignals(True)
            self.held_edit.set_value(review.held_on)
            self.held_edit.blockSignals(False)
            self.details_row.setVisible(writable)
            self.close_button.setVisible(not review.closed)
            self.reopen_button.setVisible(review.closed)
            self.close_button.setEnabled(self.session_writable())
            self.reopen_button.setEnabled(self.session_writable())
            self._fill_banners(agenda)
            self._fill_agenda_list(agenda)
        finally:
            self._loading = False
        self._show_current()

    def _fill_banners(self, agenda: Agenda) -> None:
        for banner in self.banners:
            banner.hide()
            banner.deleteLater()
        self.banners = []
        if agenda.review.closed:
            closed = local_time(agenda.review.closed_at)
            bar = MessageBar(
                MessageKind.INFO,
                _(
                    "Closed {when}: this is what was presented, kept as it was. "
                    "Reopen it to change anything."
                ).format(when=closed.strftime("%Y-%m-%d %H:%M") if closed else ""),
                closable=False,
            )
            self.banner_area.addWidget(bar)
            self.banners.append(bar)
        if agenda.warnings:
            panel = WarningPanel(agenda.warnings)
            panel.kpiChosen.connect(lambda kpi_id: self.select_key(kpi_key(kpi_id)))
            self.banner_area.addWidget(panel)
            self.banners.append(panel)

    def _fill_agenda_list(self, agenda: Agenda) -> None:
        current = None if self._new_review else self.current_key()
        self._new_review = False
        warned = {w.kpi_id for w in agenda.warnings}
        self.agenda_list.blockSignals(True)
        self.agenda_list.clear()
        follow = QListWidgetItem(
            icon("history"),
            _("Follow-up")
            + "\n"
            + _("{count} earlier actions").format(count=len(agenda.follow_up)),
        )
        follow.setData(KEY_ROLE, FOLLOW_UP_KEY)
        self.agenda_list.addItem(follow)
        for item in agenda.items:
            name = item.name + ("   ⚠" if item.kpi_id in warned else "")
            if len(item.figures) == 1:
                figures = item.figures[0]
                fmt = value_formatter(item, agenda.currency)
                second = fmt(figures.value) or _("No value")
                if figures.target is not None:
                    second += "  " + _("(target {target})").format(target=fmt(figures.target))
            else:
                second = status_counts_text([f.status for f in item.figures])
            entry = QListWidgetItem(status_icon(item.status), f"{name}\n{second}")
            entry.setData(KEY_ROLE, kpi_key(item.kpi_id))
            # wrapped in the list; a word too long for it is elided, and read here in full
            entry.setToolTip(f"{status_text(item.status)}: {item.name}\n{second}")
            if item.kpi_id in warned:
                entry.setForeground(QBrush(QColor(OVERDUE_COLOR)))
            self.agenda_list.addItem(entry)
        count = len(agenda.other_decisions) + len(agenda.other_actions)
        other = QListWidgetItem(
            icon("list-checks"),
            _("Other decisions and actions") + "\n" + _("{count} recorded").format(count=count),
        )
        other.setData(KEY_ROLE, OTHER_KEY)
        self.agenda_list.addItem(other)
        self.agenda_list.blockSignals(False)
        if current is None:
            current = (
                kpi_key(agenda.items[0].kpi_id)
                if agenda.items and not agenda.follow_up
                else FOLLOW_UP_KEY
            )
        self.select_key(current)

    def agenda_keys(self) -> list[tuple[str, int]]:
        return [
            tuple(self.agenda_list.item(i).data(KEY_ROLE))  # type: ignore[misc]
            for i in range(self.agenda_list.count())
        ]

    def current_key(self) -> tuple[str, int] | None:
        item = self.agenda_list.currentItem()
        return tuple(item.data(KEY_ROLE)) if item is not None else None  # type: ignore[return-value]

    def select_key(self, key: tuple[str, int]) -> None:
        for index in range(self.agenda_list.count()):
            if tuple(self.agenda_list.item(index).data(KEY_ROLE)) == tuple(key):
                self.agenda_list.setCurrentRow(index)
                return
        if self.agenda_list.count():
            self.agenda_list.setCurrentRow(0)

    def _show_current(self, *_args: object) -> None:
        if self.agenda is None or self._loading:
            return
        key = self.current_key()
        writable = self.writable()
        if key is None or key[0] == "follow_up":
            self.follow_up_view.show_agenda(self.agenda, writable=self.session_writable())
            self.stack.setCurrentWidget(self.follow_up_view)
        elif key[0] == "other":
            self.other_view.show_agenda(self.agenda, writable=writable)
            self.stack.setCurrentWidget(self.other_view)
        else:
            item = self.agenda.item(key[1])
            if item is None:
                return
            if self.item_view.item is not None and self.item_view.item.kpi_id != item.kpi_id:
                self.item_view.save_comment()
            self.item_view.show_item(item, self.agenda, writable=writable)
            self.stack.setCurrentWidget(self.item_view)

    def commit_pending(self) -> None:
        """Save a comment still being typed (before closing, presenting or moving on)."""
        if self.stack.currentWidget() is self.item_view:
            self.item_view.save_comment()

    # commands -----------------------------------------------------------------------------
    def _push(self, text: str, do, undo) -> None:  # type: ignore[no-untyped-def]
        if self.review_id is None:
            return
        self.session.undo_stack.push(
            ReviewCommand(text, self.review_id, do, undo, self.session.dataChanged.emit)
        )

    def _check(self) -> bool:
        return self.review_id is not None and self.writable()

    def set_comment(self, kpi_id: int, text: str) -> None:
        if not self._check():
            return
        workspace, review_id = self.session.workspace, self.review_id
        before: dict[str, tuple[str, str]] = {}

        def do() -> None:
            before["comment"] = review_service.set_comment(workspace, review_id, kpi_id, text)

        def undo() -> None:
            old_text, author = before["comment"]
            review_service.set_comment(workspace, review_id, kpi_id, old_text, author)

        self._push(_("Edit comment"), do, undo)

    def add_decision(self, data: DecisionData) -> None:
        if not self._check():
            return
        workspace, review_id = self.session.workspace, self.review_id
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = review_service.add_decision(workspace, review_id, data)

        self._push(
            _("Add decision"),
            do,
            lambda: review_service.delete_decision(workspace, created["id"]),
        )

    def open_editor(self, editor: QDialog) -> bool:
        """Show an editor modally; tests replace this to fill and accept it."""
        return editor.exec() == QDialog.DialogCode.Accepted

    def edit_decision(self, row: DecisionRow) -> None:
        if not self._check():
            return
        editor = DecisionEditor(row.data, self)
        if not self.open_editor(editor):
            return
        data, before, workspace = editor.result_data(), row.data, self.session.workspace
        if data == before:
            return
        self._push(
            _("Edit decision"),
            lambda: review_service.update_decision(workspace, row.id, data),
            lambda: review_service.update_decision(workspace, row.id, before),
        )

    def remove_decision(self, decision_id: int) -> None:
        if not self._check():
            return
        workspace = self.session.workspace
        deleted: dict[str, review_service.DeletedDecision] = {}

        def do() -> None:
            deleted["row"] = review_service.delete_decision(workspace, decision_id)

        self._push(
            _("Remove decision"),
            do,
            lambda: review_service.restore_decision(workspace, deleted["row"]),
        )

    def add_action(self, data: ActionData) -> None:
        if not self._check():
            return
        workspace, review_id = self.session.workspace, self.review_id
        created: dict[str, int] = {}

        def do() -> None:
            created["id"] = review_service.add_action(workspace, review_id, data)

        self._push(
            _("Add action “{title}”").format(title=data.title),
            do,
            lambda: action_service.delete_action(workspace, created["id"]),
        )

    def edit_action(self, row: ActionRow) -> None:
        if not self._check():
            return
        editor = ActionEditor(row.data, new=False, parent=self)
        if not self.open_editor(editor):
            return
        data, before, workspace = editor.result_data(), row.data, self.session.workspace
        if data == before:
            return
        self._push(
            _("Edit action “{title}”").format(title=data.title),
            lambda: review_service.update_action(workspace, row.id, data),
            lambda: review_service.update_action(workspace, row.id, before),
        )

    def remove_action(self, action_id: int) -> None:
        if not self._check():
            return
        workspace = self.session.workspace
        deleted: dict[str, action_service.DeletedAction] = {}

        def do() -> None:
            deleted["row"] = review_service.delete_action(workspace, action_id)

        self._push(
            _("Remove action"),
            do,
            lambda: review_service.restore_action(workspace, deleted["row"]),
        )

    def set_action_status(self, action_id: int, status: str) -> None:
        """Status may change even for an earlier (closed) review's action: follow-up."""
        if not self.session_writable():
            return
        workspace = self.session.workspace
        before: dict[str, action_service.StatusChange] = {}

        def do() -> None:
            before["change"] = review_service.set_action_status(workspace, action_id, status)

        self.session.undo_stack.push(
            CallbackCommand(
                _("Change action status"),
                do,
                lambda: action_service.restore_status(workspace, action_id, before["change"]),
                self.session.dataChanged.emit,
            )
        )

    def _save_details(self) -> None:
        if self._loading or not self._check() or self.agenda is None:
            return
        review = self.agenda.review
        details = ReviewDetails(
            self.title_edit.text().strip() or review.title,
            self.participants_edit.text().strip(),
            self.held_edit.value(),
        )
        before = ReviewDetails(review.title, review.participants, review.held_on)
        if details == before:
            return
        workspace, review_id = self.session.workspace, self.review_id
        self._push(
            _("Edit review details"),
            lambda: review_service.update_details(workspace, review_id, details),
            lambda: review_service.update_details(workspace, review_id, before),
        )

    def close_review(self) -> None:
        if not self._check() or self.agenda is None:
            return
        self.commit_pending()
        agenda = review_service.agenda(self.review_id, today=self.current_day())
        details = _(
            "What is shown now (values, targets, statuses) is kept as it was presented, even if "
            "the data changes later, and the review becomes read-only. Reopening it later is "
            "possible and leaves a trace."
        )
        if agenda.warnings:
            details += "\n\n" + ngettext(
                "{count} KPI is off track without an action.",
                "{count} KPIs are off track without an action.",
                len(agenda.warnings),
            ).format(count=len(agenda.warnings))
        if not confirm_close(self, agenda.review.title, details):
            return
        review_service.close_review(
            self.session.workspace, self.review_id, today=self.current_day()
        )
        self.reviewChanged.emit()
        self.session.dataChanged.emit()

    def reopen_review(self) -> None:
        if self.agenda is None or not self.session_writable() or not self.agenda.review.closed:
            return
        closed = local_time(self.agenda.review.closed_at)
        answer = ask_reopen(
            self, self.agenda.review.title, closed.strftime("%Y-%m-%d %H:%M") if closed else ""
        )
        if answer is None:
            return
        note, refresh = answer
        review_service.reopen_review(self.session.workspace, self.review_id, note, refresh=refresh)
        self.reviewChanged.emit()
        self.session.dataChanged.emit()

    def present(self) -> None:
        """Presenter mode: full screen, one KPI at a time, from the item shown now."""
        if self.agenda is None:
            return
        from kpidesk.ui.presenter import PresenterWindow

        self.commit_pending()
        if self.presenter is not None:
            self.presenter.close()
        presenter = PresenterWindow(self.agenda, start=self.current_key())
        presenter.keyChanged.connect(self.select_key)
        presenter.closed.connect(self._presenter_closed)
        self.presenter = presenter
        presenter.show_full_screen(self.screen())

    def _presenter_closed(self) -> None:
        self.presenter = None


def grid_of_charts(
    item: AgendaItem, currency: str, *, scale: float, columns: int = 2
) -> tuple[QWidget, list[KpiChart]]:
    """One chart per unit, in a grid (used by the presenter)."""
    widget = QWidget()
    layout = QGridLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    charts = []
    count = len(item.figures)
    columns = 1 if count == 1 else columns
    for index, figures in enumerate(item.figures):
        box = QVBoxLayout()
        caption = QLabel(f"{figures.status.symbol} {figures.unit}")
        font = QFont()
        font.setBold(True)
        caption.setFont(font)
        palette = caption.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(SYMBOL_COLORS[figures.status]))
        caption.setPalette(palette)
        box.addWidget(caption)
        chart = KpiChart(scale=scale)
        chart.set_series(
            figures.periods,
            figures.values,
            figures.targets,
            figures.status,
            value_formatter(item, currency),
            figures.unit,
        )
        box.addWidget(chart, 1)
        charts.append(chart)
        layout.addLayout(box, index // columns, index % columns)
    return widget, charts
