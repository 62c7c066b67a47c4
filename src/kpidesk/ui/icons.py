"""Icons from the bundled Lucide set (ISC licence), tinted to the palette's text colour.

Lucide's SVGs draw with ``currentColor``, which Qt's SVG renderer would paint black; the
colour is put in before rendering so icons read on light and dark themes alike.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from kpidesk.paths import resources_dir

SIZES = (16, 20, 24, 32, 48)


def icon_path(name: str) -> str:
    return str(resources_dir() / "icons" / "lucide" / f"{name}.svg")


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """A named Lucide icon; ``color`` defaults to the application palette's text colour.

    Selected items (a highlighted navigation row) get the highlighted-text colour.
    """
    palette = QGuiApplication.palette()
    if color is None:
        color = palette.color(QPalette.ColorRole.WindowText)
    selected = palette.color(QPalette.ColorRole.HighlightedText)
    return _icon(name, QColor(color).name(), selected.name())


@cache
def _icon(name: str, hex_color: str, selected_color: str) -> QIcon:
    with open(icon_path(name), encoding="utf-8") as stream:
        svg = stream.read()
    result = QIcon()
    for mode, colour in ((QIcon.Mode.Normal, hex_color), (QIcon.Mode.Selected, selected_color)):
        renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", colour).encode("utf-8")))
        for size in SIZES:
            for scale in (1, 2):
                pixmap = QPixmap(QSize(size, size) * scale)
                pixmap.setDevicePixelRatio(scale)
                pixmap.fill(Qt.GlobalColor.transparent)
                painter = QPainter(pixmap)
                renderer.render(painter, QRectF(0, 0, size, size))
                painter.end()
                result.addPixmap(pixmap, mode)
    return result


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / "kpidesk.svg"))
