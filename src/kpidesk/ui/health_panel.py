"""The KPI health panel: where the model is weak, each finding a link to the thing to fix."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.status import Status
from kpidesk.i18n import _
from kpidesk.palette import SYMBOL_COLORS
from kpidesk.ui.icons import icon
from kpidesk.ui.session import WorkspaceSession

SUBJECT = Qt.ItemDataRole.UserRole


class HealthPanel(QDockWidget):
    """Findings from ``services.health``; activating one asks to show its goal or KPI."""

    showGoal = Signal(int)
    showKpi = Signal(int)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(_("KPI health"), parent)
        self.setObjectName("healthPanel")
        self.setMinimumHeight(160)
        self.session = session
        body = QWidget()
        layout = QVBoxLayout(body)
        self.intro = QLabel(
            _(
                "Few, well-defined KPIs with owners, targets and fresh data, and "
                "a mix of leading and lagging ones for every goal."
            )
        )
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName(_("Findings"))
        self.findings.itemActivated.connect(self._activated)
        layout.addWidget(self.findings, 1)
        self.setWidget(body)
        session.workspaceChanged.connect(self.refresh)
        session.dataChanged.connect(self.refresh)
        self.visibilityChanged.connect(lambda visible: visible and self.refresh())

    def refresh(self) -> None:
        self.findings.clear()
        if not self.session.is_open or not self.isVisible():
            return
        from kpidesk.domain.health import Severity, SubjectKind
        from kpidesk.services.health import workspace_health

        items = workspace_health()
        warning = icon("triangle-alert", QColor(SYMBOL_COLORS[Status.AMBER]))
        info = icon("info", QColor(SYMBOL_COLORS[Status.NO_DATA]))
        for entry in items:
            finding = entry.finding
            item = QListWidgetItem(
                warning if finding.severity == Severity.WARNING else info, entry.message
            )
            item.setData(SUBJECT, (finding.subject_kind.value, finding.subject_id))
            if finding.subject_kind is not SubjectKind.WORKSPACE:
                item.setToolTip(_("Double-click or press Enter to go there"))
            self.findings.addItem(item)
        if not items:
            self.findings.addItem(
                QListWidgetItem(icon("info"), _("Nothing to improve was found: well done."))
            )

    def _activated(self, item: QListWidgetItem) -> None:
        subject = item.data(SUBJECT)
        if not subject:
            return
        from kpidesk.domain.health import SubjectKind

        kind, subject_id = subject
        if kind == SubjectKind.GOAL.value and subject_id is not None:
            self.showGoal.emit(int(subject_id))
        elif kind == SubjectKind.KPI.value and subject_id is not None:
            self.showKpi.emit(int(subject_id))
