#!/usr/bin/env bash
# Install the Linux package into a throw-away prefix and home, as a user would, and check it:
# the installed kpidesk passes its self-test, the .desktop entry validates and points at it,
# *.kpidesk files are of type application/x-kpidesk and open with kpidesk.desktop, and the
# uninstall leaves nothing behind.
#
#   installer/linux/check_package.sh dist/kpidesk-<version>-linux-<arch>.tar.gz
set -euo pipefail

ARCHIVE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kpidesk-package-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "  FAILED  $*" >&2; exit 1; }
ok() { echo "  ok  $*"; }

mkdir -p "$WORK/unpacked" "$WORK/home"
tar -C "$WORK/unpacked" -xzf "$ARCHIVE"
folder=$(find "$WORK/unpacked" -mindepth 1 -maxdepth 1 -type d | head -n 1)
PREFIX="$WORK/prefix with space"

# A user with an empty home, whose data folders are the prefix's share (as ~/.local/share is).
export HOME="$WORK/home"
export XDG_DATA_HOME="$PREFIX/share" XDG_CONFIG_HOME="$WORK/home/.config"
export XDG_DATA_DIRS=/usr/share
unset KPIDESK_HOME
out=$(sh "$folder/install.sh" --prefix "$PREFIX")
echo "$out" | grep -q "KPI Desk is installed" || fail "install.sh said: $out"
ok "install.sh --prefix: installed"

line=$(QT_QPA_PLATFORM=offscreen "$PREFIX/bin/kpidesk" --self-test) \
  || fail "the installed kpidesk failed its self-test"
ok "installed kpidesk: $line"

desktop="$PREFIX/share/applications/kpidesk.desktop"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$desktop" || fail "$desktop does not validate"
fi
grep -qF "Exec=\"$PREFIX/lib/kpidesk/kpidesk\" %f" "$desktop" || fail "Exec in $desktop: $(grep ^Exec "$desktop")"
grep -q "^MimeType=application/x-kpidesk;" "$desktop" || fail "no MimeType in $desktop"
ok "kpidesk.desktop validates, Exec points at the installed app with %f"

for size in 16 48 256 512; do
  [ -f "$PREFIX/share/icons/hicolor/${size}x${size}/apps/kpidesk.png" ] || fail "no ${size}px icon"
done
ok "icons installed (16…512 px and scalable)"

if command -v update-mime-database >/dev/null 2>&1; then
  grep -q "application/x-kpidesk:\*\.kpidesk" "$PREFIX/share/mime/globs2" \
    || fail "the MIME database does not know *.kpidesk"
  if command -v gio >/dev/null 2>&1; then
    "$PREFIX/bin/kpidesk" new "$WORK/Test workspace.kpidesk" >/dev/null
    cp "$WORK/Test workspace.kpidesk" "$WORK/renamed.bin"
    by_name=$(gio info -a standard::content-type "$WORK/Test workspace.kpidesk" | awk '/content-type/ {print $2}')
    by_content=$(gio info -a standard::content-type "$WORK/renamed.bin" | awk '/content-type/ {print $2}')
    [ "$by_name" = application/x-kpidesk ] || fail "a .kpidesk file is of type $by_name"
    [ "$by_content" = application/x-kpidesk ] || fail "a renamed workspace is of type $by_content"
    if command -v update-desktop-database >/dev/null 2>&1; then
      grep -q "application/x-kpidesk=kpidesk.desktop" "$PREFIX/share/applications/mimeinfo.cache" \
        || fail "kpidesk.desktop is not registered for application/x-kpidesk"
    fi
    ok "*.kpidesk is application/x-kpidesk (by name and by content), opened by kpidesk.desktop"
  else
    ok "*.kpidesk is in the MIME database (gio not installed: content sniffing not checked)"
  fi
fi

out=$(sh "$PREFIX/lib/kpidesk/uninstall.sh")
echo "$out" | grep -q "was removed" || fail "uninstall said: $out"
left=$(find "$PREFIX" -type f ! -path "*/share/mime/*" ! -name "mimeinfo.cache" ! -name "icon-theme.cache" | head -n 5)
[ -z "$left" ] || fail "the uninstall left: $left"
ok "uninstall.sh removes it all"
