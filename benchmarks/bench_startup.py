"""Start-up: process start until the main window on the demo workspace has painted its page.

Beside it, measured the same way in the same run: a bare PySide6 window with pyqtgraph
imported. Goal: ratio at most 1.0 (pyqtgraph is loaded only when a chart is first needed).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BASELINE = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
import pyqtgraph
app = QApplication(sys.argv[:1])
window = QMainWindow()
label = QLabel("bare window")
window.setCentralWidget(label)
class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))
        return False
watch = Watch()
label.installEventFilter(watch)
window.resize(1280, 800)
window.show()
app.exec()
"""


def _time_to_paint(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    for line in process.stdout:
        if line.startswith("painted"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{command} never painted")
    process.wait(timeout=30)
    return elapsed


def bench_startup(runs: int = 7) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KPIDESK_STARTUP_PROBE="1")
    env["KPIDESK_HOME"] = tempfile.mkdtemp(prefix="kpidesk-bench-startup-")
    app_command = [sys.executable, "-m", "kpidesk.cli"]
    _time_to_paint(app_command, env)  # first start writes the demo workspace; not timed
    baseline_command = [sys.executable, "-c", BASELINE]
    app_times, baseline_times = [], []
    for _run in range(runs):
        app_times.append(_time_to_paint(app_command, env))
        baseline_times.append(_time_to_paint(baseline_command, env))
    app, baseline = statistics.median(app_times), statistics.median(baseline_times)
    print(
        f"start-up to first painted page (median of {runs}): KPI Desk on the demo "
        f"{app:.3f} s, bare PySide6 window + pyqtgraph {baseline:.3f} s, ratio {app / baseline:.2f}"
        " (goal <= 1.0)"
    )
