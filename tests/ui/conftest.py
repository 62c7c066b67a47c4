import pytest

from kpidesk.ui.collector import collect_on_gui_thread
from kpidesk.ui.main_window import MainWindow
from kpidesk.ui.settings import AppSettings


@pytest.fixture(autouse=True, scope="session")
def _collect_on_the_gui_thread(qapp):
    """As the app does: a worker thread must never free Qt objects (see ui/collector.py)."""
    collector = collect_on_gui_thread(qapp)
    yield
    collector.stop()


@pytest.fixture
def settings():
    return AppSettings()


@pytest.fixture
def window(qtbot, settings):
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.session.close()
