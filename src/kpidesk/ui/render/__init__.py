"""Qt drawing handed to the export service: the PDF report and chart images (PNG, SVG).

Nothing here uses widgets, so it runs under a bare ``QGuiApplication`` (the command line
starts an offscreen one with :func:`ensure_gui_application`) as well as in the app.
"""

from __future__ import annotations

import os
import sys

from kpidesk.ui.render.charts import chart_image, draw_kpi_chart, save_chart_image
from kpidesk.ui.render.pdf_report import render_pdf_report

__all__ = [
    "chart_image",
    "draw_kpi_chart",
    "ensure_gui_application",
    "render_pdf_report",
    "save_chart_image",
]


def ensure_gui_application(*, offscreen: bool = False) -> object:
    """The running Qt application, or a new ``QGuiApplication``.

    Without a display it runs offscreen; with ``offscreen`` (the command line) it does so on
    Linux even with one, so a stale ``DISPLAY`` over ssh cannot stop an export. Windows and
    macOS keep their native platform, which always has fonts. Call before anything else
    creates Qt objects: fonts and painting need an application.
    """
    if not os.environ.get("QT_QPA_PLATFORM") and (
        not _has_display() or (offscreen and sys.platform not in ("win32", "darwin"))
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QGuiApplication

    existing = QGuiApplication.instance()
    if existing is not None:
        return existing
    return QGuiApplication([sys.argv[0] if sys.argv else "kpidesk"])


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
