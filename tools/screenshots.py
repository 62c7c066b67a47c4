"""Render the app's windows to PNGs at 1280×800, in Swedish and English.

    .venv/bin/python tools/screenshots.py docs/screenshots [--only first-hour|reporting|server]

Two sets: the main window's pages and every dialog on the demo workspace, and a new user's
first hour on a workspace made from a chain's own workbook (``tests/first_hour.py``): each
step of the import wizard (file, layout, mapping, check, done; a weekly file's check), the
definition of a new KPI, the offer of targets, the scorecard with "No target" and with
targets, the data grid, the chart, Compare Units, a review meeting and presenter mode; last,
the same chain's bookkeeping imported from a SIE file (``tests/sie_company.py``): the SIE
step's KPI values and units, the check and the done page (``sie-import-*``). And the app on a
workspace on a PostgreSQL server (a throw-away one, started as the tests start theirs,
``tests/pgserver.py``; left out where PostgreSQL is not installed): the Open Server Workspace
dialog over the window, the scorecard with the server in the title and the status bar (the
title drawn above the window: offscreen there is no title bar), and the welcome screen
listing it.

Runs offscreen with a home of its own (emptied first), so the user's own settings are never
touched. Two runs of the same code give the same pixels: the home's path is fixed and the
clock stands still at ``FROZEN_NOW`` (``tools/compare_screenshots.py`` compares two runs).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HOME = Path(tempfile.gettempdir()) / "kpidesk-screenshots"
os.environ["KPIDESK_HOME"] = str(HOME)


ROOT = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)
FROZEN_NOW = datetime(2026, 11, 16, 9, 30)
"""The moment every rendering takes place in: "overdue by", backups and stamps stay put."""


def freeze_clock(now: datetime = FROZEN_NOW) -> None:
    """Make ``date.today()`` and ``datetime.now()`` answer ``now`` in every KPI Desk module.

    Each module that asks the clock gets a stand-in class for its ``date`` and ``datetime``
    names; what the stand-ins build and return are the real types, and every real date is an
    instance of them, so nothing else changes.
    """
    import datetime as real
    import importlib
    import pkgutil

    import kpidesk

    class _Same(type):
        def __instancecheck__(cls, instance: object) -> bool:
            return isinstance(instance, cls.__mro__[1])

        def __subclasscheck__(cls, subclass: type) -> bool:
            return issubclass(subclass, cls.__mro__[1])

    class FrozenDate(real.date, metaclass=_Same):
        def __new__(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
            return real.date(*args, **kwargs)

        @classmethod
        def today(cls):  # type: ignore[no-untyped-def]
            return now.date()

    class FrozenDateTime(real.datetime, metaclass=_Same):
        def __new__(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
            return real.datetime(*args, **kwargs)

        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return now if tz is None else now.replace(tzinfo=tz)

        @classmethod
        def today(cls):  # type: ignore[no-untyped-def]
            return now

    for info in pkgutil.walk_packages(kpidesk.__path__, "kpidesk."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        names = vars(module)
        if names.get("date") is real.date:
            module.date = FrozenDate  # type: ignore[attr-defined]
        if names.get("datetime") is real.datetime:
            module.datetime = FrozenDateTime  # type: ignore[attr-defined]


def fresh_home() -> None:
    """An empty home at the fixed path, so that paths shown are the same in every run."""
    import shutil

    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)


def main(out_dir: str, only: str | None = None) -> int:
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
    fresh_home()
    freeze_clock()
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    if only == "first-hour":
        for language in ("en", "sv"):
            first_hour(out, language)
        return 0
    if only == "server":
        server_shots(out)
        return 0
    for language in ("en", "sv"):
        if only == "reporting":
            window = _demo_window(language)
            reporting_shots(window, out, language)
            window.close()
            continue
        if only == "strategy":
            window = _demo_window(language)
            strategy_shots(window, out, language)
            window.close()
            continue
        # the demo in the language it is shown in
        demo = demo_workspace_path()
        for leftover in demo.parent.glob(demo.name + "*"):
            leftover.unlink()
        build_demo(demo, until=Period.month(2026, 10), language=language)
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
            _settle()
            window.grab().save(str(out / f"{key}-{language}.png"))
            if key == "reviews":
                window.grab().save(str(out / f"review-meeting-{language}.png"))
                page = window.pages["reviews"]
                page.tabs.setCurrentIndex(page.tabs.count() - 1)
                _settle()
                window.grab().save(str(out / f"reviews-history-{language}.png"))
                page.tabs.setCurrentIndex(0)
        from kpidesk.store import models
        from kpidesk.ui.charts import comparison_window, kpi_chart_window

        window.open_chart(models.Kpi.get(models.Kpi.code == "REV").id)
        chart = kpi_chart_window(window.session)
        chart.resize(*SIZE)
        _settle()
        chart.grab().save(str(out / f"chart-{language}.png"))
        chart.close()
        window.compare_units()
        compare = comparison_window(window.session)
        compare.resize(*SIZE)
        _settle()
        compare.grab().save(str(out / f"comparison-{language}.png"))
        compare.close()
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
        demo_dialogs(window, out, language)
        strategy_shots(window, out, language)
        reporting_shots(window, out, language)
        window.close_workspace()
        app.processEvents()
        window.grab().save(str(out / f"welcome-{language}.png"))
        window.close()
    if only in ("reporting", "strategy"):
        return 0
    for language in ("en", "sv"):
        first_hour(out, language)
    server_shots(out)
    return 0


def _demo_window(language: str):  # type: ignore[no-untyped-def]
    from kpidesk import i18n
    from kpidesk.domain.periods import Period
    from kpidesk.paths import demo_workspace_path
    from kpidesk.services.demo import build_demo
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.settings import AppSettings

    demo = demo_workspace_path()
    for leftover in demo.parent.glob(demo.name + "*"):
        leftover.unlink()
    build_demo(demo, until=Period.month(2026, 10), language=language)
    i18n.set_language(language)
    settings = AppSettings()
    settings.language = language
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    window.open_demo()
    _settle()
    return window


def strategy_shots(window, out: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """The strategy map's window; the demo review's agenda on its first red KPI with the best
    unit and a tip beside it; the PDF report's strategy page (pdftoppm)."""
    import subprocess

    from kpidesk.domain.periods import Period
    from kpidesk.domain.status import Status
    from kpidesk.services import report_content
    from kpidesk.ui.render.pdf_report import render_pdf_report
    from kpidesk.ui.review.common import kpi_key

    map_window = window.open_strategy_map()
    map_window.resize(*SIZE)
    _settle()
    map_window.grab().save(str(out / f"strategy-map-{language}.png"))
    map_window.close()

    window.show_page(list(window.pages).index("reviews"))
    page = window.pages["reviews"]
    page.refresh()
    meeting = page.meeting
    item = next(i for i in meeting.agenda.items if i.status is Status.RED and i.tips)
    meeting.select_key(kpi_key(item.kpi_id))
    _settle()
    window.grab().save(str(out / f"review-best-practice-{language}.png"))

    pdf = HOME / f"report-{language}.pdf"
    content = report_content.build_report_content(Period.month(2026, 10), language=language)
    render_pdf_report(content, pdf, language)
    stem = out / f"pdf-strategy-{language}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "2", "-l", "2", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    window.show_page(0)


def reporting_shots(window, out: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """A round for October 2026 due 10 November, four of six owners' templates returned;
    the Reporting page on 16 November, and the scorecard with the next follow-up."""
    from datetime import date

    from kpidesk.domain.periods import Period
    from kpidesk.domain.rhythm import Rhythm
    from kpidesk.services import follow_up, reporting
    from kpidesk.services.follow_up import FollowUpRhythm
    from kpidesk.services.importing import ImportOptions, run_import
    from kpidesk.store import models

    workspace = window.session.workspace
    folder = HOME / f"round-{language}"
    folder.mkdir(parents=True, exist_ok=True)
    started = reporting.start_round(workspace, Period.month(2026, 10), date(2026, 11, 10), folder)
    for each in started.files[:4]:
        run_import(workspace, each.path, ImportOptions())
    with workspace.atomic():  # delivered on the frozen day, whenever the pictures are made
        models.ReportingDelivery.update(delivered_at=datetime(2026, 11, 9, 14, 0)).where(
            models.ReportingDelivery.delivered_at.is_null(False)
        ).execute()
    follow_up.set_rhythm(workspace, FollowUpRhythm(Rhythm.MONTHLY, date(2026, 12, 3)))
    window.session.dataChanged.emit()
    window.show_page(list(window.pages).index("reporting"))
    page = window.current_page()
    page.folder = folder
    page.refresh()
    page.select_owner(started.files[-1].owner)
    _settle()
    window.grab().save(str(out / f"reporting-{language}.png"))
    window.show_page(0)
    _settle()
    window.grab().save(str(out / f"scorecard-follow-up-{language}.png"))


def server_shots(out: Path) -> None:
    """The app on the demo published onto a throw-away PostgreSQL server, in both languages."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.pgserver import start_server

        server = start_server()
    except (ImportError, LookupError, RuntimeError, OSError) as error:
        print(f"screenshots: no server shots ({error})")
        return
    try:
        for language in ("en", "sv"):
            _server_shots(server, out, language)
    finally:
        server.stop()


def _server_shots(server, out: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from kpidesk import i18n
    from kpidesk.domain.periods import Period
    from kpidesk.services.demo import build_demo
    from kpidesk.services.servers import publish
    from kpidesk.store.location import parse_server_url
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.server_dialog import ServerDialog
    from kpidesk.ui.settings import AppSettings

    title_height = 30
    fresh_home()
    demo = HOME / f"solbacka-{language}.kpidesk"
    build_demo(demo, until=Period.month(2026, 10), language=language)
    dbname = f"solbacka_{language}"
    server.psql("postgres", f"DROP DATABASE IF EXISTS {dbname}")
    server.psql("postgres", f"CREATE DATABASE {dbname} TEMPLATE kpidesk_schema")
    url = server.url(dbname)
    publish(demo, url)
    i18n.set_language(language)
    settings = AppSettings()
    settings.language = language
    window = MainWindow(settings)
    window.resize(SIZE[0], SIZE[1] - title_height)
    window.show()
    _settle()

    def framed(pixmap: QPixmap) -> QPixmap:
        """The window with its title drawn above it, as a desktop shows it."""
        whole = QPixmap(SIZE[0], SIZE[1])
        whole.fill(QColor("#2b2d31"))
        painter = QPainter(whole)
        painter.drawPixmap(0, title_height, pixmap)
        painter.setPen(QColor("#f2f3f5"))
        font = QFont(QApplication.font())
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(
            QRect(0, 0, SIZE[0], title_height), Qt.AlignmentFlag.AlignCenter, window.windowTitle()
        )
        painter.end()
        return whole

    address = parse_server_url(url)
    dialog = ServerDialog(lambda *_args: None, window, address=address)
    dialog.host_edit.setText("db.solbacka.se")
    dialog.port_spin.setValue(5432)
    dialog.database_edit.setText("solbacka")
    dialog.user_edit.setText("karin")
    dialog.password_edit.setText("********")
    dialog.remember_check.setChecked(True)
    dialog.ssl_combo.setCurrentIndex(dialog.ssl_combo.findData("verify-full"))
    dialog.show()
    _settle()
    shot = window.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 70))
    picture = dialog.grab()
    painter.drawPixmap(
        QPoint((shot.width() - picture.width()) // 2, (shot.height() - picture.height()) // 3),
        picture,
    )
    painter.end()
    framed(shot).save(str(out / f"server-open-dialog-{language}.png"))
    dialog.close()

    assert window.open_workspace(url), "the server workspace did not open"
    window.show_page(0)
    _settle()
    framed(window.grab()).save(str(out / f"server-scorecard-{language}.png"))
    window.close_workspace()
    _settle()
    framed(window.grab()).save(str(out / f"server-welcome-{language}.png"))
    window.close()


def demo_dialogs(window, out: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """Every dialog of the app, each as it opens on the demo workspace."""
    from kpidesk.domain.periods import Period
    from kpidesk.services import overview, reviews, units
    from kpidesk.store import models
    from kpidesk.ui.crash import ErrorReportDialog
    from kpidesk.ui.delete_unit_dialog import DeleteUnitDialog
    from kpidesk.ui.export_dialog import ExportDialog
    from kpidesk.ui.restore_dialog import RestoreDialog
    from kpidesk.ui.review.editors import ActionEditor, DecisionEditor, ReopenDialog
    from kpidesk.ui.target_dialog import TargetDialog

    def shot(dialog, name: str) -> bool:  # type: ignore[no-untyped-def]
        dialog.show()
        _settle()
        dialog.grab().save(str(out / f"{name}-{language}.png"))
        dialog.close()
        return False

    session = window.session
    revenue = models.Kpi.get(models.Kpi.code == "REV").id
    kpis = window.pages["kpis"]
    window.show_page(list(window.pages).index("kpis"))
    _settle()
    kpis.select_kpi(revenue)
    kpis.open_editor = lambda editor: shot(editor, "kpi-editor")
    kpis.edit_selected()
    kpis.open_editor = lambda editor: shot(editor, "kpi-new")
    kpis.new_kpi()

    reviews_page = window.pages["reviews"]
    window.show_page(list(window.pages).index("reviews"))
    _settle()
    reviews_page.open_start_dialog = lambda dialog: shot(dialog, "review-start")
    reviews_page.start_review()
    review = reviews.list_reviews()[-1]
    agenda = reviews.agenda(review.id)
    item = next(i for i in agenda.items if i.actions or i.decisions)
    if item.actions:
        shot(ActionEditor(item.actions[0].data, new=False, parent=window), "action-editor")
    if item.decisions:
        shot(DecisionEditor(item.decisions[0].data, window), "decision-editor")
    shot(ReopenDialog(review.title, "2026-10-05 10:00", window), "review-reopen")

    root = next(node for node in overview.unit_tree() if node.parent_id is None)
    store = next(node for node in overview.unit_tree() if node.parent_id == root.id)
    allowed = set(units.move_data_candidates(store.id))
    candidates = [node for node in overview.unit_tree() if node.id in allowed]
    usage = units.unit_usage(store.id)
    shot(DeleteUnitDialog(store.name, usage, candidates, root.id, window), "unit-delete")

    target = TargetDialog(session, revenue, store.id, Period.month(2026, 10), parent=window)
    shot(target, "target-dialog")
    shot(ExportDialog(session, window), "export")
    shot(RestoreDialog(session.workspace.path, window), "restore")
    report = 'Traceback (most recent call last):\n  File "kpidesk/app.py", line 1\nValueError: x'
    shot(ErrorReportDialog(report, window), "error-report")
    window.show_page(0)
    _settle()


def _settle(seconds: float = 0.3) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def _idle(wizard) -> None:  # type: ignore[no-untyped-def]
    import time

    from PySide6.QtWidgets import QApplication

    start = time.monotonic()
    while wizard.busy and time.monotonic() - start < 120:
        QApplication.processEvents()
        time.sleep(0.02)
    wizard.wait_until_idle()
    QApplication.processEvents()


def first_hour(out: Path, language: str) -> None:
    """The windows a new user meets in the first hour, on a workspace of their own."""
    sys.path.insert(0, str(ROOT))
    from tests.first_hour import write_chain_workbook

    from kpidesk import i18n
    from kpidesk.domain.periods import Period
    from kpidesk.services import reviews
    from kpidesk.services.reviews import DecisionData
    from kpidesk.store import models
    from kpidesk.ui.import_wizard import ImportWizard
    from kpidesk.ui.main_window import MainWindow
    from kpidesk.ui.review.presenter import PresenterWindow
    from kpidesk.ui.settings import AppSettings
    from kpidesk.ui.suggested_targets import SuggestedTargetsDialog

    i18n.set_language(language)
    settings = AppSettings()
    settings.language = language
    folder = HOME / f"first-hour-{language}"
    folder.mkdir()
    book = write_chain_workbook(folder / ("kedjan.xlsx" if language == "sv" else "chain.xlsx"))
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    assert window.create_and_open(folder / f"{book.stem}.kpidesk")

    def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        _settle()
        widget.grab().save(str(out / f"first-hour-{name}-{language}.png"))

    wizard = ImportWizard(window.session, window)
    wizard.resize(*SIZE)
    wizard.show()
    wizard.set_path(book)
    _idle(wizard)
    shot(wizard, "import-file")
    wizard.next_button.click()
    _idle(wizard)
    shot(wizard, "import-layout")
    wizard.next_button.click()
    _idle(wizard)
    shot(wizard, "import-mapping")
    from kpidesk.domain.periods import PeriodKind
    from kpidesk.services.import_mapping import new_kpi_for
    from kpidesk.ui.new_kpi_dialog import NewKpiDialog

    label = "Snittköp" if language == "sv" else "Average purchase"
    define = NewKpiDialog(label, new_kpi_for(label, frequency=PeriodKind.MONTH), wizard)
    shot(define, "import-define-kpi")
    define.close()
    wizard.next_button.click()
    _idle(wizard)
    shot(wizard, "import-check")
    wizard.next_button.click()
    _idle(wizard)
    shot(wizard, "import-done")
    offer = SuggestedTargetsDialog(window.session, wizard)
    offer.resize(1100, 520)
    offer.show()
    shot(offer, "targets-offer")
    offer.close()
    wizard.close()
    window.show_page(0)
    shot(window, "scorecard-no-target")
    window.health_panel.show()
    shot(window, "scorecard-health")
    window.health_panel.hide()
    offer.apply()
    shot(window, "scorecard-targets")

    weekly = ImportWizard(window.session, window)
    weekly.resize(*SIZE)
    weekly.show()
    weekly.set_path(book)
    _idle(weekly)
    weekly.file_step.select_sheet("Vecka")
    _idle(weekly)
    for _step in range(3):
        weekly.next_button.click()
        _idle(weekly)
    shot(weekly, "import-weekly")
    weekly.check_step.roll_up_check.setChecked(True)
    _idle(weekly)
    shot(weekly, "import-weekly-rolled-up")
    weekly.close()

    window.show_page(list(window.pages).index("data"))
    shot(window, "data")
    revenue = models.Kpi.get(models.Kpi.code == "REV").id
    window.open_chart(revenue)
    from kpidesk.ui.charts import comparison_window, kpi_chart_window

    chart = kpi_chart_window(window.session)
    chart.resize(*SIZE)
    shot(chart, "chart")
    chart.close()
    window.compare_units()
    compare = comparison_window(window.session)
    compare.resize(*SIZE)
    shot(compare, "comparison")
    compare.close()

    workspace = window.session.workspace
    stores = [u.id for u in models.Unit.select().where(models.Unit.parent.is_null(False))]
    review_id = reviews.start_review(workspace, Period.month(2025, 12), stores)
    nps = models.Kpi.get(models.Kpi.code == "NPS").id
    reviews.add_decision(
        workspace,
        review_id,
        DecisionData(
            text="Ring upp kunder som gav 0–6" if language == "sv" else "Call back detractors",
            kpi_id=nps,
        ),
    )
    window.show_page(list(window.pages).index("reviews"))
    page = window.pages["reviews"]
    page.show_review(review_id)
    shot(window, "review-meeting")
    agenda = reviews.agenda(review_id)
    presenter = PresenterWindow(agenda, start=("kpi", nps))
    presenter.resize(*SIZE)
    presenter.show()
    shot(presenter, "presenter")
    presenter.close()
    sie_import_shots(window, folder, out, language)
    window.close()
    window.session.close()


def sie_import_shots(window, folder: Path, out: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """The chain's bookkeeping for 2026 from a SIE file, into the first hour's workspace:
    its stores are the cost centres, its "Omsättning" takes the net sales."""
    from tests.sie_company import write_company_sie

    from kpidesk.ui.import_wizard import ImportWizard

    path = write_company_sie(folder / ("bokforing.se" if language == "sv" else "bookkeeping.se"))
    wizard = ImportWizard(window.session, window)
    wizard.resize(*SIZE)
    wizard.show()
    wizard.set_path(path)
    _idle(wizard)

    def shot(name: str) -> None:
        _settle()
        wizard.grab().save(str(out / f"sie-import-{name}-{language}.png"))

    shot("preview")
    wizard.sie_step.show_tab(2)
    shot("units")
    wizard.sie_step.show_tab(0)
    wizard.next_button.click()
    _idle(wizard)
    shot("check")
    wizard.next_button.click()
    _idle(wizard)
    shot("done")
    wizard.close()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--only")]
    only = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
    sys.exit(main(arguments[0] if arguments else "docs/screenshots", only))
