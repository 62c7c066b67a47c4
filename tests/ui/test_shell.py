"""Clicking through the app shell: new, open, recent, drop, bad files, read-only, language."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from kpidesk import i18n
from kpidesk.domain.periods import Period
from kpidesk.store.workspace import Workspace
from kpidesk.ui import dialogs
from kpidesk.ui.crash import ExceptionHook
from kpidesk.ui.main_window import MainWindow
from kpidesk.ui.pages.registry import PAGES
from kpidesk.ui.widgets import MessageKind


def nav_titles(window):
    return [window.navigation.item(i).text() for i in range(window.navigation.count())]


def test_starts_on_the_welcome_screen(window):
    assert not window.session.is_open
    assert window.root_stack.currentWidget() is window.welcome
    assert not window.action_save_copy.isEnabled()
    assert window.welcome.no_recent.isVisible()


def test_new_workspace_from_the_welcome_screen(window, tmp_path, monkeypatch, qtbot):
    target = tmp_path / "Bageriet.kpidesk"
    monkeypatch.setattr(dialogs, "ask_new_workspace", lambda parent, start=None: target)
    qtbot.mouseClick(window.welcome.new_button, Qt.MouseButton.LeftButton)
    assert window.session.is_open and target.exists()
    assert "Bageriet" in window.windowTitle()
    assert window.path_label.text() == str(target)
    assert nav_titles(window) == [
        "Scorecard",
        "Goals",
        "KPIs",
        "Data",
        "Reviews",
        "Actions",
        "Reporting",
    ]
    assert window.context_bar.unit_combo.currentText() == "Bageriet"
    assert window.settings.recent_files[0] == target.resolve()


def test_new_refuses_an_existing_file(window, tmp_path, monkeypatch):
    target = tmp_path / "taken.kpidesk"
    target.write_text("not mine")
    monkeypatch.setattr(dialogs, "ask_new_workspace", lambda parent, start=None: target)
    window.action_new.trigger()
    assert not window.session.is_open
    assert target.read_text() == "not mine"
    [bar] = window.messages()
    assert bar.kind is MessageKind.ERROR and "already exists" in bar.text


def test_open_close_and_reopen_from_recent(window, tmp_path, monkeypatch, qtbot):
    path = tmp_path / "a.kpidesk"
    Workspace.create(path, "Alfa AB").close()
    monkeypatch.setattr(dialogs, "ask_open_workspace", lambda parent, start=None: path)
    window.action_open.trigger()
    assert window.session.path == path
    window.action_close.trigger()
    assert not window.session.is_open
    assert window.welcome.recent_list.count() == 1
    item = window.welcome.recent_list.item(0)
    assert "a" in item.text()
    window.welcome.recent_list.itemActivated.emit(item)
    assert window.session.path == path


def test_open_recent_menu(window, tmp_path):
    paths = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.kpidesk"
        Workspace.create(path, name).close()
        window.open_workspace(path)
        paths.append(path)
    window._fill_recent_menu()
    actions = [a for a in window.recent_menu.actions() if a.text().startswith("&")]
    assert [a.text() for a in actions] == ["&1 two.kpidesk", "&2 one.kpidesk"]
    actions[1].trigger()
    assert window.session.path == paths[0]


def test_a_dropped_workspace_opens(window, tmp_path):
    path = tmp_path / "dropped.kpidesk"
    Workspace.create(path, "Dropped").close()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    assert window.session.path == path


def test_other_drops_are_refused(window, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "holiday.png"))])
    enter = QDragEnterEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"name;value\n", "is not a KPI Desk workspace"), (b"", "is empty")],
)
def test_a_bad_file_gets_a_message_and_the_open_workspace_stays(
    window, tmp_path, content, expected
):
    good = tmp_path / "good.kpidesk"
    Workspace.create(good, "Good").close()
    window.open_workspace(good)
    bad = tmp_path / "bad.kpidesk"
    bad.write_bytes(content)
    assert window.open_workspace(bad) is False
    [bar] = window.messages()
    assert bar.kind is MessageKind.ERROR and expected in bar.text and "bad.kpidesk" in bar.text
    assert window.session.path == good
    assert bad.read_bytes() == content


def test_a_workspace_open_elsewhere_opens_read_only_with_a_banner(window, tmp_path, qtbot):
    path = tmp_path / "shared.kpidesk"
    Workspace.create(path, "Shared").close()
    other = Workspace.open(path)  # another holder of the lock (its own lock file handle)
    try:
        assert window.open_workspace(path)
        assert window.session.read_only
        banner = window.read_only_banner
        assert banner is not None and banner.isVisible()
        assert "Read-only" in banner.text and other._lock is not None
        # the other holder still has it: "open for writing" keeps it read-only
        qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
        assert window.session.read_only
    finally:
        other.close()
    qtbot.mouseClick(window.read_only_banner.action_button, Qt.MouseButton.LeftButton)
    assert window.session.is_open and not window.session.read_only
    assert window.read_only_banner is None


def test_switching_language_rebuilds_the_window(window, tmp_path):
    path = tmp_path / "lang.kpidesk"
    Workspace.create(path, "Språk AB").close()
    window.open_workspace(path)
    window.navigation.setCurrentRow(2)
    window.language_actions["sv"].trigger()
    try:
        assert i18n.current_language() == "sv"
        assert nav_titles(window) == [
            "Styrkort",
            "Mål",
            "Nyckeltal",
            "Data",
            "Uppföljningar",
            "Åtgärder",
            "Rapportering",
        ]
        assert [
            m.title() for m in window.menuBar().findChildren(type(window.recent_menu)) if m.title()
        ][:1]
        assert window.menuBar().actions()[0].text() == "&Arkiv"
        assert window.navigation.currentRow() == 2
        assert window.session.path == path
        assert window.settings.language == "sv"
    finally:
        window.language_actions["en"].trigger()
    assert nav_titles(window)[0] == "Scorecard"


def test_period_and_unit_pickers_drive_the_context_and_are_remembered(window, demo_copy):
    window.open_workspace(demo_copy)
    context = window.session.context
    assert context.period == Period.month(2026, 10)
    window.context_bar.previous_button.click()
    assert window.session.context.period == Period.month(2026, 9)
    quarter_index = window.context_bar.kind_combo.findData("quarter")
    window.context_bar.kind_combo.setCurrentIndex(quarter_index)
    assert window.session.context.period == Period.quarter(2026, 3)
    unit_names = [
        window.context_bar.unit_combo.itemText(i).strip("\u2003")
        for i in range(window.context_bar.unit_combo.count())
    ]
    assert unit_names[0] == "Solbacka Hem AB" and "Umeå store" in unit_names
    window.context_bar.unit_combo.setCurrentIndex(2)
    chosen_unit = window.session.context.unit_id
    window.close_workspace()
    window.open_workspace(demo_copy)
    assert window.session.context.period == Period.quarter(2026, 3)
    assert window.session.context.unit_id == chosen_unit


def test_save_a_copy_while_open(window, demo_copy, tmp_path):
    window.open_workspace(demo_copy)
    copy = tmp_path / "copy.kpidesk"
    assert window.save_copy_to(copy)
    with Workspace.open(copy, read_only=True) as opened_copy:
        assert opened_copy.table_counts()["measurement"] > 1000


def test_geometry_is_remembered(qtbot, settings):
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(780, 520)
    geometry = first.geometry()
    first.close()
    assert settings.geometry is not None
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    assert second.size() == geometry.size()


def test_exception_hook_shows_a_copyable_report(qtbot):
    hook = ExceptionHook(show_dialog=False)
    try:
        raise ValueError("the report names this")
    except ValueError as error:
        hook(type(error), error, error.__traceback__)
    dialog = hook.last_dialog
    qtbot.addWidget(dialog)
    assert "ValueError: the report names this" in dialog.text.toPlainText()
    assert "KPI Desk" in dialog.text.toPlainText()
    dialog.copy_button.click()
    assert "the report names this" in QGuiApplication.clipboard().text()


def test_about_names_version_and_licences():
    from kpidesk.ui.about import about_html

    html = about_html()
    assert "KPI Desk" in html and "LGPL-3.0" in html and "peewee" in html


def test_demo_is_created_in_the_data_folder_and_opened(window):
    from kpidesk.paths import demo_workspace_path

    assert window.open_demo()
    assert window.session.path == demo_workspace_path()
    assert Path(demo_workspace_path()).exists()


def test_restore_from_backup_replaces_the_workspace_and_keeps_the_present(
    window, demo_copy, monkeypatch
):
    from kpidesk.services.backups import create_backup, list_backups
    from kpidesk.store import models

    create_backup(demo_copy)
    window.open_workspace(demo_copy)
    before = models.Measurement.select().count()
    with window.session.workspace.atomic():
        models.Measurement.delete().execute()
    chosen = list_backups(demo_copy)[0].path
    seen = {}

    def choose(dialog):
        seen["rows"] = dialog.list.topLevelItemCount()
        seen["contents"] = dialog.list.topLevelItem(0).text(2)
        return chosen

    monkeypatch.setattr(window, "open_restore_dialog", choose)
    assert window.restore_from_backup()
    assert seen["rows"] >= 1 and "measurements" in seen["contents"]
    assert window.session.is_open and models.Measurement.select().count() == before
    assert any("before-restore" in info.reason for info in list_backups(demo_copy))


def test_a_read_only_file_opens_read_only(window, tmp_path, monkeypatch):
    from kpidesk.store.errors import WorkspaceNotWritableError
    from kpidesk.ui import main_window

    path = tmp_path / "locked-down.kpidesk"
    Workspace.create(path, "RO").close()
    real_open = Workspace.open

    def open_as_if_read_only(target, *, read_only=False, **kwargs):
        if not read_only:  # what Workspace.open says for a file without write permission
            raise WorkspaceNotWritableError(target)
        return real_open(target, read_only=True, **kwargs)

    monkeypatch.setattr(main_window.Workspace, "open", open_as_if_read_only)
    assert window.open_workspace(path)
    assert window.session.read_only and window.read_only_banner is not None


def test_file_export_opens_the_dialog_with_the_shown_review(window, demo_copy, monkeypatch):
    from kpidesk.ui import export_dialog

    opened = []
    monkeypatch.setattr(
        export_dialog.ExportDialog, "exec", lambda dialog: opened.append(dialog.review_id) or 0
    )
    window.open_workspace(demo_copy)
    window.action_export.trigger()
    window.show_page(list(window.pages).index("reviews"))
    review = window.current_page().current_review_id()
    window.action_export.trigger()
    assert opened == [None, review] and review is not None


def test_pages_are_built_when_first_shown_and_each_is_reachable(window, demo_copy):
    window.open_workspace(demo_copy)
    assert list(window.pages.built()) == ["scorecard"]
    assert list(window.pages) == [spec.key for spec in PAGES]
    for number, spec in enumerate(PAGES):
        action = window.page_actions[number]
        assert action.shortcut().toString() == f"Ctrl+{number + 1}"
        assert action.text() == spec.title()
        action.trigger()
        page = window.current_page()
        assert page.key == spec.key
        assert window.page_stack.currentWidget() is page and page.isVisible()
        assert window.navigation.currentRow() == number
    assert list(window.pages.built()) == [spec.key for spec in PAGES]
    assert [window.page_stack.widget(i) for i in range(window.page_stack.count())] == [
        window.pages[spec.key] for spec in PAGES
    ]


def test_a_page_shown_through_another_is_built_on_the_way(window, demo_copy):
    window.open_workspace(demo_copy)
    kpi = window.pages["scorecard"].scorecard.rows[0].kpi.id
    window.show_kpi(kpi)
    assert window.current_page().key == "kpis"
    assert window.current_page().selected_kpi_id() == kpi


def test_opening_or_switching_language_refreshes_the_shown_page_once(
    window, demo_copy, monkeypatch
):
    from kpidesk.ui.pages import kpis, scorecard

    refreshed = []
    monkeypatch.setattr(scorecard.ScorecardPage, "refresh", lambda p: refreshed.append(p.key))
    monkeypatch.setattr(kpis.KpisPage, "refresh", lambda p: refreshed.append(p.key))
    window.open_workspace(demo_copy)
    assert refreshed == ["scorecard"]
    window.show_page(2)
    assert refreshed == ["scorecard", "kpis"]
    window.language_actions["sv"].trigger()
    try:
        assert refreshed == ["scorecard", "kpis", "kpis"]
        assert list(window.pages.built()) == ["kpis"]
        assert window.current_page() is window.page_stack.currentWidget()
    finally:
        window.language_actions["en"].trigger()


def test_start_up_loads_only_what_the_first_page_needs(demo_file, tmp_path):
    """Other pages, dialogs, the demo builder and charts load when first needed."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    shutil.copy(demo_file, home / "data" / "demo.kpidesk")
    later = (
        "pyqtgraph",
        "numpy",
        "kpidesk.services.demo",
        "kpidesk.services.reviews",
        "kpidesk.services.backups",
        "kpidesk.services.health",
        "kpidesk.ui.pages.goals",
        "kpidesk.ui.pages.kpis",
        "kpidesk.ui.pages.data",
        "kpidesk.ui.pages.reviews",
        "kpidesk.ui.pages.actions",
        "kpidesk.ui.review.meeting",
        "kpidesk.ui.charts",
        "kpidesk.ui.import_wizard",
        "kpidesk.ui.export_dialog",
        "kpidesk.ui.units_dialog",
        "kpidesk.ui.restore_dialog",
        "kpidesk.ui.about",
    )
    code = (
        "import sys\n"
        "from kpidesk.cli import main\n"
        "main([])\n"
        f"print(sorted(m for m in sys.modules if m.startswith({later!r})))\n"
    )
    env = dict(
        os.environ, KPIDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen", KPIDESK_STARTUP_PROBE="1"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    painted, loaded = result.stdout.splitlines()
    assert painted.startswith("painted ")
    assert loaded == "[]"
