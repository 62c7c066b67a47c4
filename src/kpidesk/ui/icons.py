"""Icons from the bundled Lucide set (ISC licence), tinted to the palette's text colour.

Lucide's SVGs draw with ``currentColor``, which Qt's SVG renderer would paint black; the
colour is put in before rendering so icons read on light and dark themes alike.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleOption
from shiboken6 import Shiboken

from kpidesk.paths import resources_dir

_clones: list[TintedSvgEngine] = []


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
    return QIcon(TintedSvgEngine(svg, hex_color, selected_color))


class TintedSvgEngine(QIconEngine):
    """Draws a square SVG in one colour (another when selected), at the size asked for.

    Each size is rendered the first time it is needed and kept, so an icon that is never
    shown (a menu not yet opened) costs nothing.
    """

    def __init__(self, svg: str, color: str, selected_color: str) -> None:
        super().__init__()
        self._svg = svg
        self._colors = {QIcon.Mode.Normal: color, QIcon.Mode.Selected: selected_color}
        self._renderers: dict[str, QSvgRenderer] = {}
        self._pixmaps: dict[tuple[int, float, QIcon.Mode], QPixmap] = {}

    def clone(self) -> QIconEngine:
        """A copy for an icon that detaches (``addPixmap`` on a shared icon).

        Qt deletes the copy, but PySide leaves its wrapper to Python, so the wrapper is kept
        until Qt has deleted it.
        """
        _clones[:] = [engine for engine in _clones if Shiboken.isValid(engine)]
        engine = TintedSvgEngine(self._svg, *self._colors.values())
        _clones.append(engine)
        return engine

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = min(size.width(), size.height())
        key = (side, scale, mode)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = self._render(side, scale, mode)
            self._pixmaps[key] = pixmap
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        scale = device.devicePixelRatioF() if device is not None else 1.0
        pixmap = self.scaledPixmap(rect.size(), mode, state, scale)
        side = min(rect.width(), rect.height())
        left = rect.x() + (rect.width() - side) // 2
        top = rect.y() + (rect.height() - side) // 2
        painter.drawPixmap(QRect(left, top, side, side), pixmap)

    def _render(self, side: int, scale: float, mode: QIcon.Mode) -> QPixmap:
        color = self._colors.get(mode, self._colors[QIcon.Mode.Normal])
        renderer = self._renderers.get(color)
        if renderer is None:
            data = QByteArray(self._svg.replace("currentColor", color).encode("utf-8"))
            renderer = self._renderers[color] = QSvgRenderer(data)
        pixmap = QPixmap(QSize(side, side) * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, side, side))
        painter.end()
        if mode == QIcon.Mode.Disabled and isinstance(QApplication.instance(), QApplication):
            pixmap = QApplication.style().generatedIconPixmap(mode, pixmap, QStyleOption())
        return pixmap


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / "kpidesk.svg"))
