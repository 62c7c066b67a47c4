"""Start-up: logging, the Qt application, translations, the exception hook, the main window."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kpidesk import __version__, i18n
from kpidesk.paths import demo_workspace_path, user_log_dir

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from kpidesk.store.location import ServerAddress
    from kpidesk.ui.settings import AppSettings

log = logging.getLogger("kpidesk")

EXIT_NO_DISPLAY = 6


def setup_logging() -> Path:
    """Log to a rotating file in the platform's log folder (1 MB × 5)."""
    path = user_log_dir() / "kpidesk.log"
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h, logging.FileHandler)]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def has_display() -> bool:
    """False on a Linux machine with no X11 or Wayland display and no other Qt platform."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def qt_language(settings_language: str | None, explicit: str | None) -> str:
    """The language to show: the command line's, then the saved setting, then the system's."""
    if explicit:
        return i18n.set_language(explicit)
    if settings_language:
        return i18n.set_language(settings_language)
    from PySide6.QtCore import QLocale

    return i18n.set_language(i18n.normalise_language(QLocale.system().name()) or None)


class QtTranslations:
    """Qt's own catalogue (``qtbase_sv.qm``) for the dialogs Qt draws itself."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.translator = None

    def apply(self, language: str) -> None:
        from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

        if self.translator is not None:
            self.app.removeTranslator(self.translator)
            self.translator = None
        QLocale.setDefault(QLocale("sv_SE" if language == "sv" else "en_GB"))
        if language == "en":
            return
        translator = QTranslator(self.app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", folder):
            self.app.installTranslator(translator)
            self.translator = translator


def choose_start_workspace(
    settings: AppSettings, explicit: Path | ServerAddress | None
) -> Path | ServerAddress | None:
    """What to open at start: the given workspace, else the last one (a file still there, or
    a server), else the demo the first time."""
    if explicit is not None:
        return explicit
    last = settings.last_workspace
    if last is not None and (not isinstance(last, Path) or last.exists()):
        return last
    if not settings.opened_any:
        return demo_workspace_path()
    return None


def run_app(
    path: Path | str | None = None, *, read_only: bool = False, language: str | None = None
) -> int:
    started = time.perf_counter()
    if not has_display():
        print(
            i18n._(
                "kpidesk: no display: KPI Desk needs a graphical desktop (set DISPLAY, "
                "or use the command line: kpidesk --help)."
            ),
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY
    setup_logging()
    log.info("KPI Desk %s starting", __version__)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kpidesk.ui.collector import collect_on_gui_thread
    from kpidesk.ui.crash import ExceptionHook
    from kpidesk.ui.icons import app_icon
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.settings import AppSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    collect_on_gui_thread(app)
    app.setApplicationName("KPI Desk")
    app.setOrganizationName("KPI Desk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("kpidesk")
    app.setWindowIcon(app_icon())
    settings = AppSettings()
    qt_translations = QtTranslations(app)
    qt_translations.apply(qt_language(settings.language, language))

    hook = ExceptionHook()
    hook.install()
    window = MainWindow(settings)
    window.languageChanged.connect(qt_translations.apply)

    from kpidesk.store.location import workspace_location

    start = choose_start_workspace(settings, workspace_location(path) if path else None)
    if start is not None:
        if start == demo_workspace_path() and path is None:
            window.open_demo()
        else:
            window.open_workspace(start, read_only=read_only)

    if os.environ.get("KPIDESK_STARTUP_PROBE"):

        def report() -> None:
            print(f"painted {time.perf_counter() - started:.3f}", flush=True)
            app.quit()

        window.watch_first_paint().connect(report)
    quit_after = os.environ.get("KPIDESK_QUIT_AFTER_MS")
    if quit_after:
        QTimer.singleShot(int(quit_after), window.close)
    window.show()
    code = app.exec()
    hook.uninstall()
    log.info("KPI Desk exiting with %s", code)
    return code
