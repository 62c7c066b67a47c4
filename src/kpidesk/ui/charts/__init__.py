"""Charts: a KPI's chart window and the comparison of units.

Importing this package loads neither pyqtgraph nor the windows: :func:`open_kpi_chart` and
:func:`open_comparison` do, the first time they are called, and then reuse one window of
each per session (a closed window is hidden, not deleted, and shown again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kpidesk.ui.charts.comparison import ComparisonWindow
    from kpidesk.ui.charts.kpi_chart import KpiChartWindow
    from kpidesk.ui.session import WorkspaceSession

_chart_windows: WeakKeyDictionary[WorkspaceSession, KpiChartWindow] = WeakKeyDictionary()
_comparison_windows: WeakKeyDictionary[WorkspaceSession, ComparisonWindow] = WeakKeyDictionary()


def kpi_chart_window(session: WorkspaceSession, parent: QWidget | None = None) -> KpiChartWindow:
    """The session's chart window, made on first use."""
    window = _chart_windows.get(session)
    if window is None:
        from kpidesk.ui.charts.kpi_chart import KpiChartWindow

        window = KpiChartWindow(session, parent)
        _chart_windows[session] = window
    return window


def open_kpi_chart(
    session: WorkspaceSession, kpi_id: int, parent: QWidget | None = None
) -> KpiChartWindow:
    """Show ``kpi_id`` in the session's chart window and bring the window to the front."""
    window = kpi_chart_window(session, parent)
    window.show_kpi(kpi_id)
    _bring_forward(window)
    return window


def comparison_window(session: WorkspaceSession, parent: QWidget | None = None) -> ComparisonWindow:
    window = _comparison_windows.get(session)
    if window is None:
        from kpidesk.ui.charts.comparison import ComparisonWindow

        window = ComparisonWindow(session, parent)
        _comparison_windows[session] = window
    return window


def open_comparison(
    session: WorkspaceSession, kpi_id: int | None = None, parent: QWidget | None = None
) -> ComparisonWindow:
    """Show the comparison of units (for ``kpi_id``, else the KPI shown before)."""
    window = comparison_window(session, parent)
    window.show_kpi(kpi_id)
    _bring_forward(window)
    return window


def forget_windows(session: WorkspaceSession) -> None:
    """Close and delete the session's chart and comparison windows (e.g. after a change of
    language: the next open builds them again, in the new language)."""
    for windows in (_chart_windows, _comparison_windows):
        window = windows.pop(session, None)
        if window is not None:
            window.close()
            window.deleteLater()


def _bring_forward(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
