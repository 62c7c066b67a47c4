"""Compare two folders of screenshots pixel by pixel (see ``tools/screenshots.py``).

    .venv/bin/python tools/compare_screenshots.py BEFORE_DIR AFTER_DIR

Prints each picture that is missing on one side, differs in size, or differs in pixels
(how many, and the box around them); exits 1 if any does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def differences(before: Path, after: Path) -> list[str]:
    from PySide6.QtGui import QImage

    found = []
    names = sorted({p.name for p in before.glob("*.png")} | {p.name for p in after.glob("*.png")})
    for name in names:
        if not (before / name).exists() or not (after / name).exists():
            side = "before" if not (before / name).exists() else "after"
            found.append(f"{name}: missing {side}")
            continue
        first = QImage(str(before / name)).convertToFormat(QImage.Format.Format_ARGB32)
        second = QImage(str(after / name)).convertToFormat(QImage.Format.Format_ARGB32)
        if first.size() != second.size():
            found.append(
                f"{name}: size {first.width()}×{first.height()} against "
                f"{second.width()}×{second.height()}"
            )
            continue
        if first == second:
            continue
        width = first.width()
        count, xs, ys = 0, [], []
        for y in range(first.height()):
            a = bytes(first.constScanLine(y))[: width * 4]
            b = bytes(second.constScanLine(y))[: width * 4]
            if a == b:
                continue
            for x in range(width):
                if a[4 * x : 4 * x + 4] != b[4 * x : 4 * x + 4]:
                    count += 1
                    xs.append(x)
                    ys.append(y)
        found.append(
            f"{name}: {count} pixels differ in x {min(xs)}–{max(xs)}, y {min(ys)}–{max(ys)}"
        )
    return found


def main(arguments: list[str]) -> int:
    if len(arguments) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = Path(arguments[0]), Path(arguments[1])
    found = differences(before, after)
    for line in found:
        print(line)
    count = len({p.name for p in before.glob("*.png")} | {p.name for p in after.glob("*.png")})
    print(f"{count} pictures, {len(found)} differ")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
