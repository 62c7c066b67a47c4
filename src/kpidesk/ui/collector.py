"""Python's cycle collector, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation fills up. When
that is a worker thread (an import or an export) and the garbage holds a Qt object, the
object is destroyed off the GUI thread and Qt crashes the process (seen as a segmentation
fault "Garbage-collecting" inside openpyxl in an export worker). So the automatic collector
is switched off while the app runs, and a timer on the GUI thread collects each generation
when it is as full as the automatic collector would let it grow.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 300


class GuiThreadCollector(QObject):
    """Owns the cyclic collector while a QApplication runs; see the module's docstring."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_when_due)
        self._timer.start()

    def collect_when_due(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            threshold = self._thresholds[generation]
            if threshold and counts[generation] > threshold:
                gc.collect(generation)  # an older generation takes the younger ones with it
                return

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Install the collector for ``app`` (once): call right after the QApplication exists."""
    existing = app.findChild(GuiThreadCollector)
    return existing if existing is not None else GuiThreadCollector(app)
