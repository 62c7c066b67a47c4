"""Render the main window on the demo workspace to PNGs, in Swedish and English.

    .venv/bin/python tools/screenshots.py docs/screenshots

Runs offscreen with a temporary home, so the user's own settings are never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KPIDESK_HOME"] = tempfile.mkdtemp(prefix="kpidesk-shots-")


def main(out_dir: str) -> int:
    from PySide6.QtWidgets import QApplication

    from kpidesk import i18n
    from kpidesk.domain.periods import Period
    from kpidesk.paths import demo_workspace_path
    from kpidesk.services.demo import build_demo
    from kpidesk.ui.library_picker import LibraryPicker
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.settings import AppSettings
    from kpidesk.ui.units_dialog import UnitsDialog

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    build_demo(demo_workspace_path(), until=Period.month(2026, 10))
    for language in ("en", "sv"):
        i18n.set_language(language)
        settings = AppSettings()
        settings.language = language
        window = MainWindow(settings)
        window.resize(1280, 800)
        window.show()
        window.open_demo()
        app.processEvents()
        window.grab().save(str(out / f"main-window-{language}.png"))
        for key in ("goals", "kpis", "data", "reviews", "actions"):
            window.show_page(list(window.pages).index(key))
            app.processEvents()
            window.grab().save(str(out / f"{key}-{language}.png"))
        window.show_page(0)
        window.health_panel.show()
        app.processEvents()
        window.grab().save(str(out / f"health-{language}.png"))
        window.health_panel.hide()
        units = UnitsDialog(window.session, window)
        units.resize(900, 520)
        units.show()
        app.processEvents()
        units.grab().save(str(out / f"units-{language}.png"))
        units.close()
        picker = LibraryPicker(set(), parent=window)
        picker.set_checked({"CSAT", "NPS"})
        picker.show()
        app.processEvents()
        picker.grab().save(str(out / f"library-{language}.png"))
        picker.close()
        window.close_workspace()
        app.processEvents()
        window.grab().save(str(out / f"welcome-{language}.png"))
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
