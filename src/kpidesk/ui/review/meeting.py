"""The meeting: one review's agenda, and per KPI its numbers, a chart, a comment, decisions
and actions, all added in place.

The agenda lists the follow-up of earlier actions, then the KPIs (off target first), then
decisions and actions about anything else. A closed review shows what was presented and is
read-only; reopening asks for a note and leaves a trace, shown in the header. Edits go
through the undo stack; an edit of a review that has since been closed drops out of the
undo history instead of failing.

The parts are modules beside this one (see the package); the chart is ``chart.KpiChart``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import _, ngettext
from kpidesk.services import actions as action_service
from kpidesk.services import reviews as review_service
from kpidesk.services.actions import ActionData, ActionRow
from kpidesk.services.reviews import (
    Agenda,
    DecisionData,
    DecisionRow,
    ReviewDetails,
    ReviewError,
    local_time,
)
from kpidesk.ui import team
from kpidesk.ui.action_status import (
    OVERDUE_COLOR,
    format_day,
)
from kpidesk.ui.forms import OptionalDateEdit
from kpidesk.ui.icons import icon
from kpidesk.ui.kpi_cells import status_text
from kpidesk.ui.review.agenda import FollowUpView, OtherView, WarningPanel
from kpidesk.ui.review.common import (
    FOLLOW_UP_KEY,
    KEY_ROLE,
    OTHER_KEY,
    _html,
    describe_event,
    kpi_key,
    period_label,
    status_counts_text,
    status_icon,
    value_formatter,
)
from kpidesk.ui.review.editors import (
    ActionEditor,
    DecisionEditor,
    ask_reopen,
    confirm_close,
)
from kpidesk.ui.review.kpi_item import KpiItemView
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand
from kpidesk.ui.widgets import MessageBar, MessageKind

# Formatting shared with the presenter -----------------------------------------------------------


# The chart --------------------------------------------------------------------------------------


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


# The parts of the meeting ----------------------------------------------------------------------


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
            if item.best is not None:
                second += "\n" + _("★ Best: {unit}").format(unit=item.best.unit)
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

    def set_comment(self, kpi_id: int, text: str, *, read_text: str | None = None) -> None:
        """``read_text``: the comment as it was when editing began; one someone else saved
        meanwhile asks keep theirs, keep mine, or merge the two by hand."""
        if not self._check():
            return
        workspace, review_id, author = self.session.workspace, self.review_id, self.session.author

        def save(value: str, read: str | None) -> tuple[str, str]:
            return review_service.set_comment(
                workspace, review_id, kpi_id, value, author, read_text=read
            )

        if read_text is None:
            saved: str | None = text
            first = save(text, None)
        else:
            saved, first = team.save_comment(self, save, read_text, text)
        if saved is None:  # theirs kept
            self.session.dataChanged.emit()
            return
        before = {"comment": first}

        def do() -> None:
            before["comment"] = save(saved, None)

        def undo() -> None:
            old_text, old_author = before["comment"]
            review_service.set_comment(workspace, review_id, kpi_id, old_text, old_author)

        self._push(_("Edit comment"), team.skip_first(do), undo)

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

    def _decision_row(self, decision_id: int) -> DecisionRow | None:
        agenda = self.agenda
        rows = [] if agenda is None else agenda.other_decisions
        rows = rows + [d for item in (agenda.items if agenda else []) for d in item.decisions]
        return next((row for row in rows if row.id == decision_id), None)

    def _action_row(self, action_id: int) -> ActionRow | None:
        agenda = self.agenda
        rows = [] if agenda is None else agenda.other_actions
        rows = rows + [a for item in (agenda.items if agenda else []) for a in item.actions]
        return next((row for row in rows if row.id == action_id), None)

    def _reopen(self, read, edit) -> None:  # type: ignore[no-untyped-def]
        """Someone else's version kept: shown, and the editor opened again holding it."""
        self.session.dataChanged.emit()
        self.reload()
        row = read()
        if row is not None:
            edit(row)

    def edit_decision(self, row: DecisionRow) -> None:
        if not self._check():
            return
        editor = DecisionEditor(row.data, self)
        if not self.open_editor(editor):
            return
        data, before, workspace = editor.result_data(), row.data, self.session.workspace
        if data == before:
            return
        saved, replaced = team.save_told(
            self,
            lambda version: review_service.update_decision(
                workspace, row.id, data, read_version=version
            ),
            row.row_version,
        )
        if not saved:  # theirs kept: shown, and the editor again holding theirs
            self._reopen(lambda: self._decision_row(row.id), self.edit_decision)
            return
        self._push(
            _("Edit decision"),
            team.skip_first(lambda: review_service.update_decision(workspace, row.id, data)),
            lambda: review_service.update_decision(workspace, row.id, replaced),
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
        saved, replaced = team.save_told(
            self,
            lambda version: review_service.update_action(
                workspace, row.id, data, read_version=version
            ),
            row.row_version,
        )
        if not saved:  # theirs kept: shown, and the editor again holding theirs
            self._reopen(lambda: self._action_row(row.id), self.edit_action)
            return
        self._push(
            _("Edit action “{title}”").format(title=data.title),
            team.skip_first(lambda: review_service.update_action(workspace, row.id, data)),
            lambda: review_service.update_action(workspace, row.id, replaced),
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

    def set_action_status(
        self, action_id: int, status: str, read_version: int | None = None
    ) -> None:
        """Status may change even for an earlier (closed) review's action: follow-up.
        ``read_version``: the action's as the list read it (someone else's change asks)."""
        if not self.session_writable():
            return
        workspace = self.session.workspace
        saved, change = team.save_told(
            self,
            lambda version: review_service.set_action_status(
                workspace, action_id, status, read_version=version
            ),
            read_version,
        )
        if not saved:
            self.session.dataChanged.emit()
            return
        before = {"change": change}

        def do() -> None:
            before["change"] = review_service.set_action_status(workspace, action_id, status)

        self.session.undo_stack.push(
            CallbackCommand(
                _("Change action status"),
                team.skip_first(do),
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
        saved, replaced = team.save_told(
            self,
            lambda version: review_service.update_details(
                workspace, review_id, details, read_version=version
            ),
            review.row_version,
        )
        if not saved:  # theirs kept: the fields show theirs
            self.reload()
            return
        self._push(
            _("Edit review details"),
            team.skip_first(lambda: review_service.update_details(workspace, review_id, details)),
            lambda: review_service.update_details(workspace, review_id, replaced),
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
        from kpidesk.ui.review.presenter import PresenterWindow

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
