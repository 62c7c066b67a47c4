"""The app on a workspace on a PostgreSQL server (the session's throw-away server, see
tests/pgserver.py): the Open Server Workspace dialog and its password, the recent list and the
welcome screen, the server in the title and status bar, settings keyed on the URL, then page by
page (scorecard, a typed value and its undo, an import through the wizard and its undo, a
review pack, a review), a client older than the server's schema, and a lost connection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import psycopg
import pytest
from PySide6.QtWidgets import QApplication, QLineEdit

from kpidesk.domain.periods import Period
from kpidesk.services.exports import ExportFormat
from kpidesk.store import models
from kpidesk.store.location import ServerAddress, parse_server_url
from kpidesk.ui.export_dialog import ExportDialog
from kpidesk.ui.import_wizard import ImportWizard, Step
from kpidesk.ui.pages.scorecard import COL_KPI
from kpidesk.ui.server_dialog import ServerDialog
from kpidesk.ui.settings import AppSettings
from tests.pgserver import PASSWORD, PASSWORD_ROLE

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def raw(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


@pytest.fixture
def demo_url(pg_url, demo_file) -> str:
    """The demo published onto a fresh database; the superuser's URL (no password)."""
    from kpidesk.services.servers import publish

    publish(demo_file, pg_url)
    return pg_url


@pytest.fixture
def password_url(demo_url) -> str:
    """The same database, for the role that logs in with a password."""
    with raw(demo_url) as connection:
        connection.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {PASSWORD_ROLE}")
        connection.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PASSWORD_ROLE}")
    return demo_url.replace("postgres@", f"{PASSWORD_ROLE}@")


class MemoryKeyring:
    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.kept.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.kept[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.kept.pop((service, user), None)


@pytest.fixture
def keyring_memory(monkeypatch, tmp_path) -> MemoryKeyring:
    """No password from libpq's own places; a keyring in memory."""
    for name in ("PGPASSWORD", "PGSERVICE", "PGSERVICEFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    import keyring

    memory = MemoryKeyring()
    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, getattr(memory, name))
    return memory


def answering(window, fill) -> list[ServerDialog]:
    """Replace showing the dialog by ``fill(dialog)``, which clicks Open itself."""
    shown: list[ServerDialog] = []

    def run(dialog: ServerDialog) -> bool:
        shown.append(dialog)
        return fill(dialog)

    window.server_opening().run_dialog = run
    return shown


def settle() -> None:
    for _round in range(3):
        QApplication.processEvents()


def test_the_dialog_asks_for_the_password_and_keeps_it_only_when_told(
    window, password_url, keyring_memory
):
    address = parse_server_url(password_url)

    def wrong_then_right(dialog: ServerDialog) -> bool:
        assert dialog.host_edit.text() == "127.0.0.1"
        assert dialog.database_edit.text() == address.dbname
        assert dialog.user_edit.text() == PASSWORD_ROLE
        assert "password" in dialog.message_label.text().lower()
        dialog.password_edit.setText("wrong")
        assert not dialog.try_open()
        assert "password" in dialog.message_label.text().lower()
        dialog.password_edit.setText(PASSWORD)
        dialog.remember_check.setChecked(True)
        return dialog.try_open()

    shown = answering(window, wrong_then_right)
    assert window.open_workspace(password_url)  # from the recent list or the command line
    assert len(shown) == 1
    assert not window.session.read_only
    assert keyring_memory.kept == {("KPI Desk", address.identity): PASSWORD}

    # the server in the title and the status bar; no password anywhere in the settings
    title = window.windowTitle()
    assert title == f"Solbacka Hem AB on {address.server} – KPI Desk"
    assert window.path_label.text() == (
        f"Server {address.server}, database {address.dbname}, as {PASSWORD_ROLE}"
    )
    assert window.settings.recent_files[0] == address
    window.session.set_period(Period.month(2026, 3))
    window.settings.sync()
    saved = window.settings.path.read_text()
    assert address.url in saved and PASSWORD not in saved
    assert window.settings.workspace_value(address, "period") == "2026-03"

    # again from the welcome screen: the keyring's password, no dialog
    window.close_workspace()
    welcome = window.welcome
    item = welcome.recent_list.item(0)
    name, where = item.text().split("\n")
    assert name.split("  ·  ")[0] == address.dbname
    assert where.startswith(f"on the server {address.server}")
    welcome.recent_list.itemActivated.emit(item)
    assert window.session.is_open and len(shown) == 1
    assert window.session.context.period == Period.month(2026, 3)  # remembered by URL

    # unticked, a typed password is not kept (and one kept before is forgotten)
    window.close_workspace()
    keyring_memory.kept.clear()

    def typed_not_remembered(dialog: ServerDialog) -> bool:
        dialog.password_edit.setText(PASSWORD)
        assert not dialog.remember_check.isChecked()
        return dialog.try_open()

    answering(window, typed_not_remembered)
    assert window.open_workspace(address)
    assert keyring_memory.kept == {}


def test_file_open_server_workspace_fills_in_the_fields_and_says_what_fails(
    window, demo_url, pg_server
):
    address = parse_server_url(demo_url)

    def fill(dialog: ServerDialog) -> bool:
        assert dialog.windowTitle() == "Open Server Workspace"
        dialog.host_edit.setText("127.0.0.1")
        dialog.port_spin.setValue(pg_server.port)
        dialog.user_edit.setText("postgres")
        dialog.database_edit.setText("no_such_database")
        assert not dialog.try_open()
        assert "no database no_such_database" in dialog.message_label.text()
        dialog.database_edit.setText(address.dbname)
        dialog.ssl_combo.setCurrentIndex(dialog.ssl_combo.findData("disable"))
        return dialog.try_open()

    answering(window, fill)
    window.action_open_server.trigger()
    assert window.session.is_open
    opened = window.session.workspace.server
    assert opened is not None and opened.dbname == address.dbname
    assert "sslmode=disable" in opened.url
    assert not window.action_restore.isEnabled()  # a file's backups; not on a server


def test_page_by_page_on_a_server(window, demo_url, qtbot, tmp_path):
    assert window.open_workspace(demo_url)
    session = window.session
    assert session.path is None and isinstance(session.location, ServerAddress)

    # scorecard
    window.show_page(list(window.pages).index("scorecard"))
    page = window.current_page()
    page.refresh()
    names = [item.text(COL_KPI) for item in page.kpi_items()]
    assert any(name.startswith("Revenue") for name in names) and len(names) > 10

    # a value typed on the Data page, and its undo
    window.session.set_period(Period.month(2026, 10))
    window.show_page(list(window.pages).index("data"))
    data = window.current_page()
    row, column = 0, len(data.grid.periods) - 1
    cell = data.grid.cell(row, column)
    before = cell.value
    type_into(data, row, column, "4321")
    assert stored_value(cell) == 4321.0
    window.action_undo.trigger()
    assert stored_value(cell) == before

    # a review pack, written off the GUI thread
    dialog = ExportDialog(session, window)
    qtbot.addWidget(dialog)
    assert dialog.destination.parent == Path.home()  # a server has no folder of its own
    assert dialog.destination.name == "Solbacka Hem AB review pack 2026-10.xlsx"
    dialog.set_destination(tmp_path / "pack.xlsx")
    with qtbot.waitSignal(dialog.exported, timeout=60000) as signal:
        dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.busy)
    dialog.wait_until_idle()
    assert signal.args[0].format is ExportFormat.PACK
    assert "Scorecard" in openpyxl.load_workbook(tmp_path / "pack.xlsx").sheetnames

    # a review: started, a comment and a decision stored on the server
    window.show_page(list(window.pages).index("reviews"))
    reviews = window.current_page()
    reviews.today = date(2026, 11, 12)
    reviews.refresh()

    def fill(start_dialog):
        start_dialog.set_period(Period.month(2026, 10))
        start_dialog.set_units([models.Unit.get(models.Unit.name == "Umeå store").id])
        return True

    reviews.open_start_dialog = fill
    reviews.start_review()
    meeting = reviews.meeting
    first = next(key for key in meeting.agenda_keys() if key[0] == "kpi")
    meeting.select_key(first)
    view = meeting.item_view
    view.comment.setPlainText("Said on the server.")
    view.save_comment()
    view.records.decision_text.setText("Keep going")
    view.records.add_decision_button.click()
    item = meeting.agenda.item(first[1])
    assert item.comment.text == "Said on the server."
    assert [d.data.text for d in item.decisions] == ["Keep going"]
    with raw(demo_url) as connection:
        texts = connection.execute("SELECT text FROM decision").fetchall()
    assert ("Keep going",) in texts


def test_an_import_through_the_wizard_on_a_server_and_its_undo(window, pg_url, qtbot):
    from kpidesk.services.kpis import KpiData, create_kpi
    from kpidesk.services.units import create_unit, root_unit_id

    assert window.create_and_open(pg_url)
    workspace = window.session.workspace
    assert workspace.is_server
    root = root_unit_id()
    for name in ("Sthlm", "Gbg"):
        create_unit(workspace, name, root)
    for code, name, measure in (
        ("REV", "Omsättning", "currency"),
        ("CUST", "Kunder", "count"),
        ("SAT", "Andel nöjda", "percent"),
    ):
        create_kpi(workspace, KpiData(code=code, name=name, measure_unit=measure))

    wizard = ImportWizard(window.session, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.set_path(DATA / "long_sv.xlsx")
    idle(wizard, qtbot)
    for step in (Step.LAYOUT, Step.MAPPING, Step.CHECK):
        go_next(wizard, qtbot, step)
    wizard.check_step.skip_invalid_check.setChecked(True)
    go_next(wizard, qtbot, Step.DONE)
    assert wizard.state.result is not None and wizard.state.result.imported == 6
    with raw(pg_url) as connection:
        assert connection.execute("SELECT count(*) FROM measurement").fetchone() == (6,)
    wizard.undo_button.click()
    assert wizard.done_step.done_heading.text() == "Import undone"
    with raw(pg_url) as connection:
        assert connection.execute("SELECT count(*) FROM measurement").fetchone() == (0,)
    assert window.settings.workspace_value(workspace.location, "import_folder") == str(DATA)


def test_a_client_older_than_the_servers_schema_opens_read_only_and_says_so(window, demo_url):
    from kpidesk.store.postgres import newest_version

    with raw(demo_url) as connection:
        connection.execute(
            "UPDATE kpidesk_meta SET value = %s WHERE key = 'schema_version'",
            (str(newest_version() + 1),),
        )
    assert window.open_workspace(demo_url)
    assert window.session.read_only
    banner = window.read_only_banner
    assert banner is not None and "newer version of KPI Desk" in banner.text
    assert "Update KPI Desk" in banner.text
    assert banner.action_button is None or banner.action_button.isHidden()
    assert not window.action_import.isEnabled()


def test_a_lost_connection_is_one_line_keeps_the_typing_and_saves_nothing(
    window, demo_url, pg_server
):
    address = parse_server_url(demo_url)
    assert window.open_workspace(demo_url)
    window.session.set_period(Period.month(2026, 10))
    window.show_page(list(window.pages).index("data"))
    page = window.current_page()
    row, column = 0, len(page.grid.periods) - 1
    cell = page.grid.cell(row, column)
    before = stored_value(cell)

    # the server ended the session while the app was idle: the next change connects again
    terminate(pg_server, address.dbname)
    type_into(page, row, column, "111")
    assert stored_value(cell) == 111.0

    # the server cannot be reached: said in one line, the typing kept, nothing saved
    pg_server.psql("postgres", f"ALTER DATABASE {address.dbname} ALLOW_CONNECTIONS false")
    terminate(pg_server, address.dbname)
    steps = page.session.undo_stack.count()
    try:
        type_into(page, row, column, "222")
        assert "was lost" in page.message_text and "nothing of the change was saved" in (
            page.message_text
        )
        assert "\n" not in page.message_text
        editor = page.table.viewport().findChild(QLineEdit)
        assert editor is not None and editor.text() == "222"
        assert page.session.undo_stack.count() == steps  # no undo step for what was not saved

        # a page shown meanwhile says it in one line too, without a crash report
        window.show_page(list(window.pages).index("scorecard"))
        assert any("was lost" in bar.text for bar in window.messages())
        assert "was lost" in window.statusBar().currentMessage()
    finally:
        pg_server.psql("postgres", f"ALTER DATABASE {address.dbname} ALLOW_CONNECTIONS true")
    with raw(demo_url) as connection:
        value = connection.execute(
            "SELECT value FROM measurement WHERE kpi_id = %s AND unit_id = %s AND period = %s",
            (cell.kpi_id, cell.unit_id, cell.period.key),
        ).fetchone()
    assert value == (111.0,) and before != 111.0

    # the server is back: Return in the kept editor stores it
    window.show_page(list(window.pages).index("data"))
    type_into(page, row, column, "222")
    assert stored_value(cell) == 222.0


# helpers ---------------------------------------------------------------------------------


def terminate(pg_server, dbname: str) -> None:
    """End every session on the database from a second connection, as an administrator or
    a restart of the server would."""
    pg_server.psql(
        "postgres",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE datname = '{dbname}' AND pid <> pg_backend_pid()",
    )


def type_into(page, row: int, column: int, text: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    index = page.model.index(row, column)
    editor = page.table.viewport().findChild(QLineEdit)
    if editor is None or not editor.isVisible():
        page.table.setCurrentIndex(index)
        page.table.edit(index)
        editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None, "the cell did not open an editor"
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    settle()


def stored_value(cell) -> float | None:
    row = (
        models.Measurement.select(models.Measurement.value)
        .where(
            (models.Measurement.kpi == cell.kpi_id)
            & (models.Measurement.unit == cell.unit_id)
            & (models.Measurement.period == cell.period.key)
        )
        .first()
    )
    return None if row is None else row.value


def idle(wizard: ImportWizard, qtbot) -> None:
    qtbot.waitUntil(lambda: not wizard.busy, timeout=60000)
    assert wizard.wait_until_idle()


def go_next(wizard: ImportWizard, qtbot, step: int) -> None:
    assert wizard.next_button.isEnabled(), wizard.message_text
    wizard.next_button.click()
    idle(wizard, qtbot)
    assert wizard.step == step, wizard.message_text


def test_settings_keep_a_server_by_its_url_without_a_password(tmp_path):
    settings = AppSettings(tmp_path / "kpidesk.ini")
    settings.add_recent_file("postgresql://anna:secret@db.example.com:5433/solbacka")
    settings.add_recent_file(tmp_path / "a.kpidesk")
    settings.sync()
    again = AppSettings(tmp_path / "kpidesk.ini")
    first, second = again.recent_files[1], again.recent_files[0]
    assert isinstance(first, ServerAddress) and first.url == (
        "postgresql://anna@db.example.com:5433/solbacka"
    )
    assert second == (tmp_path / "a.kpidesk").resolve()
    assert "secret" not in (tmp_path / "kpidesk.ini").read_text()
    assert again.last_workspace == (tmp_path / "a.kpidesk").resolve()
