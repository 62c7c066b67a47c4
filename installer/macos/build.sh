#!/usr/bin/env bash
# KPI Desk for macOS: dist/KPI Desk.app in dist/kpidesk-<version>-macos-<arch>.dmg.
#
#   python3.12 -m venv .venv && PYTHON=.venv/bin/python installer/macos/build.sh
#
# Needs Python 3.12+ and the Xcode command line tools (iconutil, hdiutil and codesign come
# with macOS). The .app is signed ad hoc (it runs on the machine that built it and, after
# the user allows it once in System Settings → Privacy & Security, on others); set
# KPIDESK_CODESIGN_IDENTITY to a "Developer ID Application" identity to sign it for
# distribution, then notarise the .dmg (see installer/README.md).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-.venv/bin/python}
STARTED=$SECONDS

echo "installer: installing the Python packages"
"$PYTHON" -m pip install --quiet --upgrade pip
"$PYTHON" -m pip install --quiet -e '.[dev,installer]'
VERSION=$("$PYTHON" installer/project_version.py)
ARCH=$(uname -m)
APP="dist/KPI Desk.app"
DMG="dist/kpidesk-$VERSION-macos-$ARCH.dmg"

echo "installer: compiling the translations"
"$PYTHON" -m babel.messages.frontend compile --use-fuzzy -D kpidesk -d src/kpidesk/resources/locale >/dev/null

echo "installer: building $APP (the icon from the resources' icons/png via iconutil)"
rm -rf dist/kpidesk "$APP"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/kpidesk.spec

echo "installer: checking the .app"
plutil -lint "$APP/Contents/Info.plist" >/dev/null
/usr/libexec/PlistBuddy -c "Print :CFBundleDocumentTypes:0:CFBundleTypeExtensions:0" \
  "$APP/Contents/Info.plist" | grep -qx kpidesk
if ! codesign --verify --deep --strict "$APP" 2>/dev/null; then
  codesign --force --deep --sign "${KPIDESK_CODESIGN_IDENTITY:--}" "$APP"
  codesign --verify --deep --strict "$APP"
fi
"$PYTHON" installer/check_bundle.py "$APP/Contents/MacOS/kpidesk"

echo "installer: making $DMG"
stage=build/dmg
rm -rf "$stage" "$DMG" && mkdir -p "$stage"
cp -R "$APP" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -quiet -volname "KPI Desk $VERSION" -srcfolder "$stage" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$DMG"

echo "installer: checking the .dmg (mount it, run the self-test from it)"
mount=$(mktemp -d /tmp/kpidesk-dmg-XXXXXX)
hdiutil attach -quiet -nobrowse -readonly -mountpoint "$mount" "$DMG"
trap 'hdiutil detach -quiet "$mount" || true' EXIT
QT_QPA_PLATFORM=offscreen "$mount/KPI Desk.app/Contents/MacOS/kpidesk" --self-test

echo "installer: done in $((SECONDS - STARTED)) s: $DMG ($(du -h "$DMG" | cut -f1)), app $(du -sh "$APP" | cut -f1) unpacked"
