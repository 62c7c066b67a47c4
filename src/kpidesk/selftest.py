"""``kpidesk --self-test``: prove that this installation works, in a few seconds, unattended.

It starts Qt offscreen (unless ``QT_QPA_PLATFORM`` names another platform, e.g. ``xcb``
under Xvfb or ``windows`` on a CI runner), writes the demo workspace into a temporary
folder, opens it in the real main window, paints every page, exports a review pack and a
PDF report, and checks what it wrote: the files exist, the workbook opens with openpyxl and
has its sheets, the PDF starts with ``%PDF`` and has pages. It also checks what a frozen
bundle can lose on the way: the resources, the compiled catalogues and Qt's own
``qtbase_sv.qm``.

Prints one line, ``self-test ok: demo opened, pack 12 sheets, PDF 9 pages, 1.8 s``, and
exits 0; on any failure one line ``self-test failed: <reason>`` on stderr and exit 1.
The user's own settings, recent files and logs are never touched: everything goes to the
temporary folder, which is removed afterwards.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
PAINT_TIMEOUT_MS = 30_000
EXPORTS_MODULE = "kpidesk.services.exports"


class SelfTestError(Exception):
    """A check that did not hold; its message is the one-line reason."""


@dataclass
class Outcome:
    parts: list[str] = field(default_factory=list)


# Checking outputs (no Qt) -------------------------------------------------------------


def check_xlsx(path: Path, expected_sheets: list[str] | None = None) -> list[str]:
    """The sheet names of the workbook at ``path``; raises SelfTestError if it is unusable."""
    if not path.is_file() or path.stat().st_size == 0:
        raise SelfTestError(f"the review pack {path.name} was not written")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except Exception as error:
        raise SelfTestError(f"the review pack {path.name} does not open: {error}") from error
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    if not names:
        raise SelfTestError(f"the review pack {path.name} has no sheets")
    missing = [name for name in expected_sheets or [] if name not in names]
    if missing:
        raise SelfTestError(f"the review pack lacks the sheets {', '.join(missing)}")
    return names


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_PAGE_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", re.DOTALL)
_PAGE_COUNT_FIRST = re.compile(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", re.DOTALL)


def pdf_page_count(path: Path) -> int:
    """The number of pages of the PDF at ``path``; raises SelfTestError if it is not one."""
    if not path.is_file():
        raise SelfTestError(f"the PDF {path.name} was not written")
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise SelfTestError(f"{path.name} does not start with %PDF")
    if b"%%EOF" not in data[-1024:]:
        raise SelfTestError(f"{path.name} is cut short (no %%EOF at the end)")
    counts = [int(m) for m in _PAGE_COUNT.findall(data) + _PAGE_COUNT_FIRST.findall(data)]
    pages = max(counts) if counts else len(_PAGE_OBJECT.findall(data))
    if pages == 0:
        raise SelfTestError(f"the PDF {path.name} has no pages")
    return pages


# Set-up --------------------------------------------------------------------------------


def _isolate(folder: Path) -> None:
    """Point every user folder at ``folder`` and Qt at the offscreen platform."""
    os.environ["KPIDESK_HOME"] = str(folder / "home")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")


def _check_resources() -> None:
    from kpidesk import i18n
    from kpidesk.paths import resources_dir

    root = resources_dir()
    for relative in ("icons/kpidesk.svg", "kpi_library.json"):
        if not (root / relative).is_file():
            raise SelfTestError(f"the resource {relative} is missing from {root}")
    if not list((root / "icons" / "lucide").glob("*.svg")):
        raise SelfTestError(f"the icons are missing from {root / 'icons' / 'lucide'}")
    for language in i18n.LANGUAGES:
        if language == i18n.DEFAULT_LANGUAGE:
            continue
        catalogue = root / "locale" / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
        if not catalogue.is_file():
            raise SelfTestError(
                f"the compiled catalogue {catalogue} is missing (in a checkout: make venv)"
            )


def _check_qt_translations(language: str = "sv") -> None:
    from PySide6.QtCore import QLibraryInfo, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load(f"qtbase_{language}", folder):
        raise SelfTestError(f"Qt's qtbase_{language}.qm does not load from {folder}")


def _check_swedish_sorting() -> None:
    """Swedish sorts å, ä, ö after z: Qt's collation (ICU's data) is there."""
    from PySide6.QtCore import QCollator, QLocale

    words = ["ö", "z", "å", "a", "ä"]
    if sorted(words, key=QCollator(QLocale("sv_SE")).sortKey) != ["a", "z", "å", "ä", "ö"]:
        raise SelfTestError("Swedish collation is missing (Å, Ä, Ö do not sort after Z)")


def _wait_for(signal: Any, timeout_ms: int, what: str) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired: list[bool] = []

    def done() -> None:
        fired.append(True)
        loop.quit()

    signal.connect(done)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not fired:
        raise SelfTestError(f"{what} did not happen within {timeout_ms / 1000:.0f} s")


# Exports -------------------------------------------------------------------------------


def _export_service() -> Any | None:
    """``kpidesk.services.exports`` if this build has it, else None."""
    try:
        return importlib.import_module(EXPORTS_MODULE)
    except ModuleNotFoundError as error:
        if error.name == EXPORTS_MODULE:
            return None
        raise


def _export_with_service(exports: Any, window: Any, out: Path) -> list[str] | None:
    """Export a review pack and a PDF report through the export service, and check them.

    Uses ``run_export`` with an ``ExportRequest`` and, for the PDF, the renderer from
    ``kpidesk.ui.render``. Returns None when this build's export service lacks any of them;
    the caller then says that packs were not checked.
    """
    run_export = getattr(exports, "run_export", None)
    request = getattr(exports, "ExportRequest", None)
    formats = getattr(exports, "ExportFormat", None)
    try:
        from kpidesk.ui.render import render_pdf_report
    except ImportError:
        return None
    if run_export is None or request is None or formats is None:
        return None
    workspace = window.session.workspace
    period = getattr(window.session.context, "period", None)
    pack = out / "review-pack.xlsx"
    pdf = out / "report.pdf"
    packed = run_export(request(formats.PACK, pack, period=period), workspace=workspace)
    drawn = run_export(
        request(formats.PDF, pdf, period=period),
        workspace=workspace,
        render_pdf=render_pdf_report,
    )
    sheets = check_xlsx(pack)
    if len(sheets) < packed.count + 1:
        raise SelfTestError(
            f"the review pack has {len(sheets)} sheets for {packed.count} KPIs and a cover"
        )
    pages = pdf_page_count(pdf)
    if drawn.count and pages != drawn.count:
        raise SelfTestError(f"the PDF has {pages} pages; the renderer drew {drawn.count}")
    return [f"pack {len(sheets)} sheets", f"PDF {pages} pages"]


def _export_fallback(window: Any, out: Path) -> list[str]:
    """Without the export service: the measurements CSV, and the window printed to a PDF."""
    from PySide6.QtCore import QMarginsF, Qt
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    from kpidesk.services.workspaces import export_measurements_csv

    csv_path = out / "measurements.csv"
    rows = export_measurements_csv(window.session.workspace, csv_path)
    if rows == 0 or not csv_path.is_file():
        raise SelfTestError("the CSV export wrote no measurements")
    pdf = out / "window.pdf"
    writer = QPdfWriter(str(pdf))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(10, 10, 10, 10),
        )
    )
    writer.setResolution(96)
    image = window.grab()
    painter = QPainter(writer)
    try:
        target = painter.viewport()
        scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
        painter.drawPixmap(0, 0, scaled.width(), scaled.height(), image)
    finally:
        painter.end()
    pages = pdf_page_count(pdf)
    return [
        f"CSV {rows} rows",
        f"window PDF {pages} page{'s' if pages != 1 else ''}",
        "pack and report PDF not checked (no export service in this build)",
    ]


# The run -------------------------------------------------------------------------------


def _run(folder: Path) -> list[str]:
    from kpidesk import i18n

    _check_resources()
    from kpidesk.app import setup_logging

    setup_logging()

    from PySide6.QtWidgets import QApplication

    from kpidesk.services.demo import build_demo
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.settings import AppSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    _check_qt_translations()
    _check_swedish_sorting()

    demo = build_demo(folder / "demo.kpidesk", language=i18n.current_language())
    window = MainWindow(AppSettings())
    try:
        if not window.open_workspace(demo) or not window.session.is_open:
            reasons = "; ".join(bar.label.text() for bar in window.messages()) or "no reason"
            raise SelfTestError(f"the demo workspace did not open: {reasons}")
        if window.session.read_only:
            raise SelfTestError("the demo workspace opened read-only")
        painted = window.watch_first_paint()
        window.show()
        _wait_for(painted, PAINT_TIMEOUT_MS, "the first paint of the main window")
        for index in range(window.navigation.count()):
            window.show_page(index)
            app.processEvents()
            if window.grab().isNull():
                raise SelfTestError(f"page {index + 1} did not paint")
        window.show_page(0)
        app.processEvents()

        out = folder / "exports"
        out.mkdir()
        exports = _export_service()
        parts = _export_with_service(exports, window, out) if exports is not None else None
        if parts is None:
            parts = _export_fallback(window, out)
            if exports is not None:
                parts[-1] = "pack and report PDF not checked (export service not wired in)"
        return ["demo opened", *parts]
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()


def run() -> int:
    """The ``--self-test`` command; prints one line and returns the exit code."""
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="kpidesk-selftest-"))
    errors: list[str] = []
    previous_hook = sys.excepthook

    def record(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        # Exceptions raised inside Qt's calls into Python (paint events, slots) land here.
        errors.append(_one_line(value))
        traceback.print_exception(kind, value, tb, file=sys.stderr)

    sys.excepthook = record
    try:
        _isolate(folder)
        parts = _run(folder)
        if errors:
            raise SelfTestError(f"an error inside Qt's event handling: {errors[0]}")
    except SelfTestError as error:
        print(f"self-test failed: {error}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    except Exception as error:
        print(f"self-test failed: {_one_line(error)}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    finally:
        sys.excepthook = previous_hook
        _close_log_files(folder)
        shutil.rmtree(folder, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print(f"self-test ok: {', '.join(parts)}, {elapsed:.1f} s", flush=True)
    return EXIT_OK


def _close_log_files(folder: Path) -> None:
    """Close the log files opened under ``folder`` (Windows cannot delete open files)."""
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        name = getattr(handler, "baseFilename", "")
        if name and Path(name).is_relative_to(folder):
            root.removeHandler(handler)
            handler.close()


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:300]
