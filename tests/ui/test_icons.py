"""Tinted Lucide icons, rendered at the size asked for when first asked for."""

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette, QPixmap

from kpidesk.ui.icons import icon


def inked_colours(pixmap: QPixmap) -> set[str]:
    image = pixmap.toImage()
    return {
        QColor(image.pixel(x, y)).name()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_each_mode_draws_at_the_size_asked_for_in_its_colour(qapp):
    palette = QGuiApplication.palette()
    normal = palette.color(QPalette.ColorRole.WindowText).name()
    selected = palette.color(QPalette.ColorRole.HighlightedText).name()
    target = icon("target")
    assert not target.isNull()
    for side in (16, 22, 48):
        pixmap = target.pixmap(QSize(side, side))
        assert pixmap.size() == QSize(side, side)
        assert inked_colours(pixmap) == {normal}
    assert inked_colours(target.pixmap(QSize(22, 22), QIcon.Mode.Selected)) == {selected}
    assert inked_colours(icon("target", "#c0392b").pixmap(22, 22)) == {"#c0392b"}
    assert target.actualSize(QSize(22, 40)) == QSize(22, 22)
    assert target.pixmap(QSize(24, 24), 2.0).size() == QSize(48, 48)
    assert not target.pixmap(QSize(22, 22), QIcon.Mode.Disabled).isNull()


def test_a_copy_that_changes_leaves_the_shared_icon_alone(qapp):
    shared = icon("gauge")
    copy = QIcon(shared)
    copy.addPixmap(QPixmap(8, 8))
    del copy
    assert inked_colours(icon("gauge").pixmap(20, 20))
