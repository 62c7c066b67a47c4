import pytest

from kpidesk.ui.main_window import MainWindow
from kpidesk.ui.settings import AppSettings


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
