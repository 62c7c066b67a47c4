"""Targets from history, offered to a workspace that has none (after its first import).

Without targets every KPI reads "No target": values, but no status. This dialog lists each
KPI without a target with the target history suggests for its latest period (the same
period last year plus the trend) and how it was derived; "Set the targets" stores such a
suggestion for every period of that fiscal year and every unit with values, as one undo
step. Targets are changed later on the Data page.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.naming import kpi_title
from kpidesk.domain.numbers import format_value
from kpidesk.domain.periods import format_period
from kpidesk.i18n import _, ngettext
from kpidesk.services import data_entry
from kpidesk.services import targets as target_service
from kpidesk.services.conflicts import ConflictError
from kpidesk.services.targets import TargetChange, TargetProposal
from kpidesk.ui import team
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand


class SuggestedTargetsDialog(QDialog):
    """Check the KPIs to give targets from their history; :meth:`apply` stores them."""

    def __init__(
        self,
        session: WorkspaceSession,
        parent: QWidget | None = None,
        proposals: list[TargetProposal] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_("Set targets from history"))
        workspace = session.workspace
        settings = workspace.settings() if workspace is not None else None
        self.currency = settings.currency if settings is not None else "SEK"
        if proposals is None:
            proposals = target_service.propose_targets(
                fiscal_start_month=settings.fiscal_year_start_month if settings else 1
            )
        self.proposals = proposals
        self.read = target_service.read_target_tokens_of(
            change for proposal in proposals for change in proposal.changes
        )
        self.stored: list[TargetChange] = []
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Without targets the scorecard shows values but no status. KPI Desk can set "
                "a target for every period of the year and every unit with values, from "
                "each one's own history: the same period last year plus the trend. Change "
                "them later on the Data page (Targets)."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(proposals), 4)
        self.table.setAccessibleName(_("Suggested targets"))
        self.table.setHorizontalHeaderLabels(
            [_("KPI"), _("Periods"), _("Suggested target"), _("How it was derived")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        kpis = data_entry.kpis_by_id(p.kpi_id for p in proposals)
        for row, proposal in enumerate(proposals):
            kpi = kpis[proposal.kpi_id]
            name = QTableWidgetItem(kpi_title(proposal.name, proposal.code))
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(row, 0, name)
            periods = _("{first} – {last}").format(
                first=format_period(proposal.first, short=True),
                last=format_period(proposal.last, short=True),
            )
            self.table.setItem(row, 1, QTableWidgetItem(periods))
            example = proposal.example
            if example is not None and proposal.example_period is not None:
                value = _("{value} in {period}").format(
                    value=format_value(
                        example.value,
                        kpi.measure_unit,
                        decimals=kpi.decimals,
                        currency=self.currency,
                        unit_label=kpi.unit_label,
                    ),
                    period=format_period(proposal.example_period),
                )
                how = target_service.explain(example, kpi, currency=self.currency)
            else:
                value = ngettext("{count} target", "{count} targets", len(proposal.changes)).format(
                    count=len(proposal.changes)
                )
                how = _("From each unit's own history.")
            value_item = QTableWidgetItem(value)
            value_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 2, value_item)
            how_item = QTableWidgetItem(how)
            how_item.setToolTip(how)
            self.table.setItem(row, 3, how_item)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # rows as high as their explanation wraps to at the width the table gets
        header.sectionResized.connect(lambda *_args: self.table.resizeRowsToContents())
        layout.addWidget(self.table, 1)
        self.empty = QLabel(
            _(
                "No KPI has enough history for a suggestion yet (a value for the same period "
                "last year is needed). Set targets on the Data page."
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setVisible(not proposals)
        layout.addWidget(self.empty)
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf222e;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.set_button = buttons.addButton(
            _("&Set the targets"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.set_button.setEnabled(bool(proposals) and not session.read_only)
        buttons.addButton(_("&Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(980, 460)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def checked(self) -> list[TargetProposal]:
        return [
            proposal
            for row, proposal in enumerate(self.proposals)
            if self.table.item(row, 0).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, kpi_ids: set[int]) -> None:
        for row, proposal in enumerate(self.proposals):
            state = Qt.CheckState.Checked if proposal.kpi_id in kpi_ids else Qt.CheckState.Unchecked
            self.table.item(row, 0).setCheckState(state)

    def apply(self) -> bool:
        """Store the checked KPIs' targets as one undo step; False if nothing was stored."""
        workspace = self.session.workspace
        changes = [change for proposal in self.checked() for change in proposal.changes]
        if workspace is None or not changes or self.session.read_only:
            return False
        read = [replace(change, read=self.read.get(change.key)) for change in changes]

        def save(checked: list[TargetChange]) -> list[TargetChange]:
            return target_service.set_targets(workspace, checked)

        try:
            try:
                before = save(read)
            except ConflictError as conflict:
                before = team.settle_conflict(self, conflict, save, read)
        except DomainError as error:
            self.error.setText(error.message)
            self.error.show()
            return False
        if before is None:  # theirs kept
            self.session.dataChanged.emit()
            return False
        self.stored = changes
        state = {"skip": True}

        def redo() -> None:
            if state.pop("skip", False):
                return
            target_service.set_targets(workspace, changes)

        self.session.undo_stack.push(
            CallbackCommand(
                ngettext(
                    "Set targets from history for {count} KPI",
                    "Set targets from history for {count} KPIs",
                    len(self.checked()),
                ).format(count=len(self.checked())),
                redo,
                lambda: target_service.set_targets(workspace, before),
                self.session.dataChanged.emit,
            )
        )
        self.session.dataChanged.emit()
        return True

    def _accept(self) -> None:
        if self.apply():
            self.accept()
