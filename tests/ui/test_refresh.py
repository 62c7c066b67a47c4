"""Refresh when seen: at once if visible, else once at the next show."""

from PySide6.QtWidgets import QWidget

from kpidesk.ui.refresh import RefreshWhenSeen


def test_a_hidden_window_catches_up_once_when_shown(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    calls = []
    wanted = [True]
    seen = RefreshWhenSeen(widget, lambda: calls.append(1), wanted=lambda: wanted[0])
    seen.request()
    seen.request()
    assert calls == [] and seen.stale
    widget.show()
    qtbot.waitExposed(widget)
    assert calls == [1] and not seen.stale
    seen.request()  # visible: at once
    assert calls == [1, 1]
    widget.hide()
    widget.show()  # nothing changed meanwhile: no refresh
    assert calls == [1, 1]
    wanted[0] = False
    seen.request()
    assert calls == [1, 1]
