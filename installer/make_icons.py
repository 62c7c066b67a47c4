"""The app icon at every size the platforms ask for, from the package's
``resources/icons/kpidesk.svg`` (``src/kpidesk/resources/``).

    python installer/make_icons.py                   # PNGs into the resources' icons/png/
    python installer/make_icons.py --ico OUT.ico     # + a Windows icon from those PNGs
    python installer/make_icons.py --iconset DIR     # + a macOS .iconset (for iconutil)

The PNGs are drawn with Qt's SVG renderer (offscreen, no display needed). The ``.ico`` and
the ``.iconset`` are put together from the PNGs in plain Python, so the PyInstaller spec can
make them on Windows and macOS without Qt or Pillow: an ICO file is a small directory of
images, and since Windows Vista each image may simply be a PNG.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "src" / "kpidesk" / "resources" / "icons"
SVG = ICONS / "kpidesk.svg"
PNG_DIR = ICONS / "png"
# 16…512 for desktops and the .ico; 1024 for the macOS Retina 512@2x slot.
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's names in an .iconset: (file name, pixel size).
ICONSET = (
    ("icon_16x16.png", 16),
    ("icon_16x16@2x.png", 32),
    ("icon_32x32.png", 32),
    ("icon_32x32@2x.png", 64),
    ("icon_128x128.png", 128),
    ("icon_128x128@2x.png", 256),
    ("icon_256x256.png", 256),
    ("icon_256x256@2x.png", 512),
    ("icon_512x512.png", 512),
    ("icon_512x512@2x.png", 1024),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_name(size: int) -> str:
    return f"kpidesk-{size}.png"


def png_path(size: int, png_dir: Path = PNG_DIR) -> Path:
    return png_dir / png_name(size)


def render_pngs(svg: Path = SVG, png_dir: Path = PNG_DIR, sizes: tuple[int, ...] = SIZES) -> None:
    """Draw ``svg`` at each size into ``png_dir`` (with Qt, offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    png_dir.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        if not image.save(str(png_path(size, png_dir)), "PNG"):
            raise SystemExit(f"make_icons: cannot write {png_path(size, png_dir)}")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ico_bytes(images: list[bytes]) -> bytes:
    """An ICO container holding ``images`` (PNG data, each at most 256 px square)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, payload = [], []
    for data in images:
        width, height = png_size(data)
        if width > 256 or height > 256:
            raise ValueError(f"an ICO image is at most 256 px, not {width}×{height}")
        # 0 stands for 256 in the one-byte width and height; 1 plane, 32 bits per pixel.
        entries.append(
            struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(data), offset)
        )
        payload.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(payload)


def read_ico(data: bytes) -> list[tuple[int, int, bytes]]:
    """(width, height, image data) for each image of an ICO file; raises ValueError."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    if reserved != 0 or kind != 1 or count == 0:
        raise ValueError("not an ICO file")
    images = []
    for index in range(count):
        width, height, _colors, _zero, _planes, _bpp, size, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        if offset + size > len(data):
            raise ValueError("ICO image runs past the end of the file")
        images.append((width or 256, height or 256, data[offset : offset + size]))
    return images


def write_ico(out: Path, png_dir: Path = PNG_DIR, sizes: tuple[int, ...] = ICO_SIZES) -> Path:
    images = [png_path(size, png_dir).read_bytes() for size in sizes]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(ico_bytes(images))
    return out


def write_iconset(out_dir: Path, png_dir: Path = PNG_DIR) -> Path:
    """A ``kpidesk.iconset`` folder for ``iconutil -c icns`` (macOS)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for name, size in ICONSET:
        shutil.copyfile(png_path(size, png_dir), out_dir / name)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--png-dir", type=Path, default=PNG_DIR)
    parser.add_argument(
        "--no-render", action="store_true", help="use the PNGs already there, do not draw them"
    )
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    parser.add_argument("--iconset", type=Path, help="also write a macOS .iconset folder here")
    options = parser.parse_args(argv)
    if not options.no_render:
        render_pngs(png_dir=options.png_dir)
    if options.ico:
        write_ico(options.ico, options.png_dir)
    if options.iconset:
        write_iconset(options.iconset, options.png_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
