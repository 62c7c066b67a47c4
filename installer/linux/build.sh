#!/usr/bin/env bash
# `make installer` on Linux: the bundle in dist/kpidesk/, checked, and the package a user
# installs, dist/kpidesk-<version>-linux-<arch>.tar.gz, checked by installing it.
#
#   PYTHON=.venv/bin/python installer/linux/build.sh
#
# The system packages and the Python ones are the Makefile's business (installer-deps).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-.venv/bin/python}
VERSION=$("$PYTHON" installer/project_version.py)
ARCH=$(uname -m)
NAME="kpidesk-$VERSION-linux-$ARCH"
STARTED=$SECONDS

step_started=$SECONDS
step() { step_started=$SECONDS; echo "installer: $*"; }
took() { echo "installer:   … $((SECONDS - step_started)) s"; }

step "building the bundle with PyInstaller (dist/kpidesk/)"
rm -rf dist/kpidesk
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/kpidesk.spec
took

step "checking the bundle"
"$PYTHON" installer/check_bundle.py dist/kpidesk/kpidesk
took

step "packing dist/$NAME.tar.gz"
stage="build/package/$NAME"
rm -rf build/package && mkdir -p "$stage/icons"
cp -a dist/kpidesk "$stage/kpidesk"
cp installer/linux/install.sh "$stage/install.sh"
chmod 755 "$stage/install.sh"
RESOURCES=src/kpidesk/resources
cp "$RESOURCES/kpidesk.desktop" "$RESOURCES/kpidesk-mime.xml" "$stage/"
cp "$RESOURCES"/icons/png/kpidesk-*.png "$RESOURCES/icons/kpidesk.svg" "$stage/icons/"
rm -f "$stage/icons/kpidesk-1024.png"
cat > "$stage/README.txt" <<EOF
KPI Desk $VERSION for Linux ($ARCH)

Install for yourself:     ./install.sh
Install for everyone:     sudo ./install.sh --prefix /usr/local
Remove:                   ~/.local/lib/kpidesk/uninstall.sh   (or the prefix you chose)

Or run it in place, without installing: ./kpidesk/kpidesk
Check that it works on this machine:    ./kpidesk/kpidesk --self-test
EOF
rm -f "dist/$NAME.tar.gz"
tar -C build/package --owner=0 --group=0 -czf "dist/$NAME.tar.gz" "$NAME"
took

step "checking the package: install, self-test, file type, uninstall"
bash installer/linux/check_package.sh "dist/$NAME.tar.gz"
took

bundle_bytes=$(du -sb dist/kpidesk | cut -f1)
package_bytes=$(stat -c %s "dist/$NAME.tar.gz")
echo "installer: done in $((SECONDS - STARTED)) s"
echo "installer:   dist/kpidesk/kpidesk             $(awk "BEGIN {printf \"%.1f MB unpacked (du -sb; goal under 150 MB)\", $bundle_bytes / 1e6}")"
echo "installer:   dist/$NAME.tar.gz  $(awk "BEGIN {printf \"%.1f MB\", $package_bytes / 1e6}")"
