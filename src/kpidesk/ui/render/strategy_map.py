"""Drawing a strategy map with QPainter, from the pure layout of
:mod:`kpidesk.domain.strategy_layout`: one painter routine for the app's window, the PNG
and SVG exports and the first page of the PDF report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from kpidesk.domain.periods import format_period
from kpidesk.domain.strategy_layout import MapLayout, Metrics, Rect, StrategyMap
from kpidesk.i18n import _, gettext_for
from kpidesk.palette import FILL_COLORS, SYMBOL_COLORS
from kpidesk.services.strategy import layout

INK = QColor("#1d2433")
MUTED = QColor("#5b6475")
BAND_FILLS = ("#f3f6fb", "#f7f5ef", "#f2f7f3", "#f7f2f6", "#eef6f6")
VISION_FILL = QColor("#20365c")
ARROW = QColor("#3b4f74")
LATE = QColor("#b42318")
BASE_PIXELS = 11.0
"""The body text's size in the map's own units (points at 100 %)."""


def fonts() -> tuple[QFont, QFont, QFont, QFont]:
    """Body, goal title, vision and band label fonts."""
    body = QFont()
    body.setPixelSize(int(BASE_PIXELS))
    title = QFont(body)
    title.setBold(True)
    title.setPixelSize(int(BASE_PIXELS + 1))
    vision = QFont(body)
    vision.setPixelSize(int(BASE_PIXELS * 1.6))
    vision.setBold(True)
    label = QFont(body)
    label.setBold(True)
    label.setPixelSize(int(BASE_PIXELS + 1))
    return body, title, vision, label


def metrics() -> Metrics:
    """The layout's measures from the fonts this module draws with."""
    body, title, vision, _label = fonts()
    sample = "abcdefghijklmnopqrstuvwxyzåäö ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789"
    body_m, vision_m = QFontMetricsF(body), QFontMetricsF(vision)
    return Metrics(
        char_width=body_m.horizontalAdvance(sample) / len(sample),
        line_height=body_m.lineSpacing() + 2,
        title_line_height=QFontMetricsF(title).lineSpacing() + 1,
        vision_line_height=vision_m.lineSpacing() + 2,
        vision_char_width=vision_m.horizontalAdvance(sample) / len(sample),
    )


def map_layout(smap: StrategyMap, width: float = 1120.0) -> MapLayout:
    return layout(smap, width=width, metrics=metrics())


def _rect(rect: Rect) -> QRectF:
    return QRectF(rect.x, rect.y, rect.w, rect.h)


def line_rects(smap: StrategyMap, shape: MapLayout) -> list[tuple[QRectF, str, int]]:
    """Each KPI and initiative line: where it is, and ("kpi" or "initiative", its id)."""
    m = metrics()
    rows = []
    for goal in smap.goals:
        box = shape.boxes.get(goal.id)
        if box is None:
            continue
        y = box.line_top
        for kind, item_id in [("kpi", k.id) for k in goal.kpis] + [
            ("initiative", i.id) for i in goal.initiatives
        ]:
            rows.append((QRectF(box.rect.x + 6, y, box.rect.w - 12, m.line_height), kind, item_id))
            y += m.line_height
    return rows


def _arrow(painter: QPainter, start: tuple[float, float], end: tuple[float, float]) -> None:
    a, b = QPointF(*start), QPointF(*end)
    painter.setPen(QPen(ARROW, 1.6))
    painter.drawLine(a, b)
    direction = b - a
    length = (direction.x() ** 2 + direction.y() ** 2) ** 0.5 or 1.0
    ux, uy = direction.x() / length, direction.y() / length
    size = 9.0
    left = QPointF(b.x() - size * ux + size * 0.5 * uy, b.y() - size * uy - size * 0.5 * ux)
    right = QPointF(b.x() - size * ux - size * 0.5 * uy, b.y() - size * uy + size * 0.5 * ux)
    painter.setBrush(QBrush(ARROW))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawPolygon(QPolygonF([b, left, right]))


def paint_map(
    painter: QPainter, smap: StrategyMap, shape: MapLayout, language: str | None = None
) -> None:
    """Draw the map at the painter's origin, in the layout's units."""
    _ = gettext_for(language)
    body, title_font, vision_font, label_font = fonts()
    m = metrics()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, shape.width, shape.height), QColor("white"))

    vision = _rect(shape.vision)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(VISION_FILL)
    painter.drawRoundedRect(vision, 8, 8)
    painter.setPen(QColor("white"))
    painter.setFont(vision_font)
    y = shape.vision.y + 8
    for line in shape.vision_lines:
        painter.drawText(
            QRectF(vision.x(), y, vision.width(), m.vision_line_height),
            Qt.AlignmentFlag.AlignCenter,
            line,
        )
        y += m.vision_line_height
    painter.setFont(body)
    painter.setPen(QColor("#dce4f2"))
    for line in shape.mission_lines:
        painter.drawText(
            QRectF(vision.x(), y, vision.width(), m.line_height), Qt.AlignmentFlag.AlignCenter, line
        )
        y += m.line_height

    for index, band in enumerate(shape.bands):
        rect = _rect(band.rect)
        painter.setPen(QPen(QColor("#d5dbe5"), 1))
        painter.setBrush(QColor(BAND_FILLS[index % len(BAND_FILLS)]))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(INK)
        painter.setFont(label_font)
        painter.drawText(
            QRectF(rect.x() + 10, rect.y(), 104, rect.height()),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            | int(Qt.TextFlag.TextWordWrap),
            band.label,
        )

    for arrow in shape.arrows:
        _arrow(painter, arrow.start, arrow.end)

    for goal in smap.goals:
        box = shape.boxes.get(goal.id)
        if box is None:
            continue
        rect = _rect(box.rect)
        painter.setPen(QPen(QColor(SYMBOL_COLORS[goal.status]), 2))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(rect, 6, 6)
        strip = QRectF(rect.x() + 1, rect.y() + 1, 6, rect.height() - 2)
        painter.fillRect(strip, QColor(SYMBOL_COLORS[goal.status]))
        painter.setPen(INK)
        painter.setFont(title_font)
        y = box.rect.y + 8
        title_metrics = QFontMetricsF(painter.font())
        for line in box.title_lines:
            line_rect = QRectF(rect.x() + 14, y, rect.width() - 22, m.title_line_height)
            painter.drawText(
                line_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                title_metrics.elidedText(line, Qt.TextElideMode.ElideRight, line_rect.width()),
            )
            y += m.title_line_height
        painter.setFont(body)
        y = box.line_top
        metrics_ = QFontMetricsF(body)
        for kpi in goal.kpis:
            badge = QRectF(rect.x() + 14, y + 1, m.line_height - 3, m.line_height - 3)
            painter.setPen(QPen(QColor(SYMBOL_COLORS[kpi.status]), 1))
            painter.setBrush(QColor(FILL_COLORS[kpi.status]))
            painter.drawRoundedRect(badge, 3, 3)
            painter.setPen(QColor(SYMBOL_COLORS[kpi.status]))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, kpi.status.symbol)
            painter.setPen(INK)
            text_rect = QRectF(
                badge.right() + 6, y, rect.right() - badge.right() - 14, m.line_height
            )
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics_.elidedText(kpi.name, Qt.TextElideMode.ElideRight, text_rect.width()),
            )
            y += m.line_height
        for initiative in goal.initiatives:
            late = initiative.late > 0
            painter.setPen(LATE if late else MUTED)
            mark = "✓" if initiative.status == "done" else "▸"
            text = f"{mark} {initiative.title}"
            if late:
                text += "  " + _("({count} late)").format(count=initiative.late)
            text_rect = QRectF(rect.x() + 14, y, rect.width() - 22, m.line_height)
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics_.elidedText(text, Qt.TextElideMode.ElideRight, text_rect.width()),
            )
            y += m.line_height

    painter.setFont(body)
    painter.setPen(MUTED)
    caption = " · ".join(part for part in (smap.unit, format_period(smap.period, language)) if part)
    painter.drawText(
        QRectF(0, shape.height - 18, shape.width - 20, 16),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        caption,
    )


def render_image(smap: StrategyMap, *, width: float = 1120.0, scale: float = 2.0) -> QImage:
    shape = map_layout(smap, width)
    image = QImage(
        QSize(int(shape.width * scale), int(shape.height * scale)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDotsPerMeterX(int(96 * scale / 0.0254))
    image.setDotsPerMeterY(int(96 * scale / 0.0254))
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.scale(scale, scale)
    paint_map(painter, smap, shape)
    painter.end()
    return image


def write_png(smap: StrategyMap, path: Path) -> None:
    if not render_image(smap).save(str(path), "PNG"):
        raise OSError(_("The image could not be written."))


def svg_bytes(smap: StrategyMap, title: str) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtSvg import QSvgGenerator

    shape = map_layout(smap)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(int(shape.width), int(shape.height)))
    generator.setViewBox(QRectF(0, 0, shape.width, shape.height))
    generator.setTitle(title)
    generator.setResolution(96)
    painter = QPainter(generator)
    paint_map(painter, smap, shape)
    painter.end()
    buffer.close()
    return bytes(data.data())


def write_svg(smap: StrategyMap, path: Path, title: str) -> None:
    Path(path).write_bytes(svg_bytes(smap, title))


def fit_into(
    painter: QPainter, smap: StrategyMap, area: QRectF, language: str | None = None
) -> None:
    """Draw the map scaled to fit ``area`` (a PDF page), centred at its top; laid out at
    the width that lets it be drawn largest (narrower for a portrait page)."""
    shapes = [map_layout(smap, width) for width in (1120.0, 960.0, 840.0, 740.0, 660.0)]

    def fitted(shape: MapLayout) -> float:
        return min(area.width() / shape.width, area.height() / shape.height)

    shape = max(shapes, key=fitted)
    scale = fitted(shape)
    painter.save()
    painter.translate(area.x() + (area.width() - shape.width * scale) / 2, area.y())
    painter.scale(scale, scale)
    clip = QPainterPath()
    clip.addRect(QRectF(0, 0, shape.width, shape.height))
    painter.setClipPath(clip)
    paint_map(painter, smap, shape, language)
    painter.restore()
