"""The open workspace and the view's context (period and unit) that every page respects."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from kpidesk.domain.errors import DomainError
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.services import follow_up, overview
from kpidesk.services.people import access
from kpidesk.store.access import EVERYTHING, Access
from kpidesk.store.errors import WorkspaceError
from kpidesk.store.file_lock import LockHolder
from kpidesk.store.workspace import Workspace
from kpidesk.ui.live import LiveUpdates
from kpidesk.ui.settings import AppSettings, Location


@dataclass(frozen=True, slots=True)
class ViewContext:
    period: Period
    unit_id: int | None


FOLLOW_UP_KEY = "next_follow_up"

log = logging.getLogger(__name__)


class WorkspaceSession(QObject):
    """Holds at most one open workspace; pages listen to its signals."""

    workspaceChanged = Signal()
    contextChanged = Signal()
    dataChanged = Signal()
    """Something in the workspace changed (an edit, an undo, an import); pages refresh."""

    def __init__(self, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.workspace: Workspace | None = None
        self.lock_holder: LockHolder | None = None
        self._context: ViewContext | None = None
        self.undo_stack = QUndoStack(self)
        self.dataChanged.connect(self._keep_unit_valid)
        self._live: LiveUpdates | None = None
        self._access: Access | None = None

    @property
    def is_open(self) -> bool:
        return self.workspace is not None

    @property
    def path(self) -> Path | None:
        """The open workspace's file (None on a server)."""
        return self.workspace.path if self.workspace else None

    @property
    def location(self) -> Location | None:
        """The open workspace's file or server address: what settings are keyed on."""
        return self.workspace.location if self.workspace else None

    @property
    def author(self) -> str:
        """Who this person is in the open workspace: the login on a server, else the name
        in Settings (else the computer's user name)."""
        if self.workspace is None:
            return self.settings.author_name
        if self.workspace.server is not None:
            return access(self.workspace).name
        return self.workspace.actor

    @property
    def access(self) -> Access:
        """What this person may do in the open workspace (everything in a file)."""
        if self.workspace is None:
            return EVERYTHING
        if self._access is None:
            self._access = access(self.workspace)
        return self._access

    @property
    def read_only(self) -> bool:
        """Nothing can be changed: a workspace open read-only, or a viewer's."""
        if self.workspace is None:
            return False
        return self.workspace.read_only or not self.access.writes

    @property
    def definitions_read_only(self) -> bool:
        """Goals, KPIs, targets and units cannot be changed (read-only, or an updater's)."""
        return self.read_only or not self.access.edits_definitions

    @property
    def context(self) -> ViewContext | None:
        return self._context

    def attach(self, workspace: Workspace, lock_holder: LockHolder | None = None) -> None:
        """Make ``workspace`` the open one, closing the one before."""
        self._close_current()
        if workspace.server is None and self.settings.author_name:
            workspace.actor = self.settings.author_name
        self.workspace = workspace
        self.lock_holder = lock_holder
        self._context = self._remembered_context(workspace.location)
        self._live = LiveUpdates.start(workspace, self)
        if self._live is not None:
            self._live.changed.connect(lambda _tables: self.dataChanged.emit())
        self.workspaceChanged.emit()
        self.contextChanged.emit()

    def close(self) -> None:
        if self.workspace is None:
            return
        self._close_current()
        self.workspaceChanged.emit()

    def _close_current(self) -> None:
        self.undo_stack.clear()
        if self._live is not None:
            self._live.stop()
            self._live.deleteLater()
            self._live = None
        if self.workspace is not None:
            self._remember_follow_up(self.workspace)
            self.workspace.close()
        self.workspace = None
        self.lock_holder = None
        self._context = None
        self._access = None

    def _remember_follow_up(self, workspace: Workspace) -> None:
        """Keep the next follow-up in settings, for the welcome screen (no workspace open)."""
        try:
            with workspace.bound():
                upcoming = follow_up.next_follow_up(date.today())
        except (WorkspaceError, DomainError) as error:
            log.info("the next follow-up of %s was not read: %s", workspace.location, error)
            return
        self.settings.set_workspace_value(
            workspace.location,
            FOLLOW_UP_KEY,
            f"{upcoming.day.isoformat()} {upcoming.missing}" if upcoming else "-",
        )

    def remembered_follow_up(self, location: Location) -> str:
        """The next follow-up of a workspace as it was when last closed here ("": none)."""
        stored = self.settings.workspace_value(location, FOLLOW_UP_KEY) or ""
        day, _, missing = stored.partition(" ")
        try:
            return follow_up.due_text(date.fromisoformat(day), int(missing or 0))
        except ValueError:
            return ""

    def _keep_unit_valid(self) -> None:
        """After an edit, fall back to the root unit if the chosen unit is gone (runs first)."""
        if self._context is None or self.workspace is None:
            return
        units = overview.unit_tree()
        if units and self._context.unit_id not in {unit.id for unit in units}:
            self._context = ViewContext(self._context.period, units[0].id)
            self._remember()

    def set_period(self, period: Period) -> None:
        if self._context is None or self._context.period == period:
            return
        self._context = ViewContext(period, self._context.unit_id)
        self._remember()
        self.contextChanged.emit()

    def show_newest_data(self) -> None:
        """After values came in (an import): a view later than every value moves back to the
        newest period with values, so they show instead of "No data"."""
        context = self._context
        if context is None or not self.is_open:
            return
        newest = overview.data_period_range(context.period.kind)
        if newest is not None and context.period > newest[1]:
            self.set_period(newest[1])

    def set_unit(self, unit_id: int | None) -> None:
        if self._context is None or self._context.unit_id == unit_id:
            return
        self._context = ViewContext(self._context.period, unit_id)
        self._remember()
        self.contextChanged.emit()

    def _remember(self) -> None:
        if self.workspace is None or self._context is None:
            return
        location = self.workspace.location
        self.settings.set_workspace_value(location, "period", self._context.period.key)
        self.settings.set_workspace_value(location, "unit", str(self._context.unit_id or ""))

    def _remembered_context(self, location: Location) -> ViewContext:
        units = overview.unit_tree()
        unit_ids = {unit.id for unit in units}
        period: Period | None = None
        stored_period = self.settings.workspace_value(location, "period")
        if stored_period:
            try:
                period = Period.from_key(stored_period)
            except ValueError:
                period = None
        if period is None:
            period = overview.default_period(PeriodKind.MONTH)
        stored_unit = self.settings.workspace_value(location, "unit")
        unit_id = int(stored_unit) if stored_unit and stored_unit.isdigit() else None
        if unit_id not in unit_ids:
            unit_id = units[0].id if units else None
        return ViewContext(period, unit_id)
