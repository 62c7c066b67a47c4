#!/bin/sh
# Install KPI Desk from this folder, for you alone (~/.local) or for everyone (--prefix /usr/local,
# as root). It registers the app with the desktop (menu entry, icon) and the .kpidesk file type,
# so a double-click on a workspace opens it in KPI Desk.
#
#   ./install.sh                     install into ~/.local (as root: /usr/local)
#   ./install.sh --prefix DIR        install into DIR/lib/kpidesk, DIR/bin, DIR/share
#   ./install.sh --uninstall [--prefix DIR]   remove it again (your workspaces stay)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then PREFIX=/usr/local; else PREFIX="${HOME}/.local"; fi
ACTION=install
SIZES="16 22 24 32 48 64 128 256 512"
MIME_TYPE=application/x-kpidesk
MIME_ICON=application-x-kpidesk

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }
              PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$PREFIX" in
  /*) ;;
  *) PREFIX="$(pwd)/$PREFIX" ;;
esac

APPDIR="$PREFIX/lib/kpidesk"
BINDIR="$PREFIX/bin"
SHARE="$PREFIX/share"
DESKTOP_FILE="$SHARE/applications/kpidesk.desktop"
MIME_FILE="$SHARE/mime/packages/kpidesk.xml"
ICONS="$SHARE/icons/hicolor"

refresh() {
  # Let the desktop see the change; each tool is optional.
  if command -v update-mime-database >/dev/null 2>&1 && [ -d "$SHARE/mime" ]; then
    update-mime-database "$SHARE/mime" >/dev/null 2>&1 || true
  fi
  if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$SHARE/applications" ]; then
    update-desktop-database -q "$SHARE/applications" >/dev/null 2>&1 || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$ICONS" ]; then
    gtk-update-icon-cache -q -t -f "$ICONS" >/dev/null 2>&1 || true
  fi
}

uninstall() {
  rm -rf "$APPDIR"
  if [ -L "$BINDIR/kpidesk" ]; then rm -f "$BINDIR/kpidesk"; fi
  rm -f "$DESKTOP_FILE" "$MIME_FILE"
  for size in $SIZES; do
    rm -f "$ICONS/${size}x${size}/apps/kpidesk.png" "$ICONS/${size}x${size}/mimetypes/$MIME_ICON.png"
  done
  rm -f "$ICONS/scalable/apps/kpidesk.svg" "$ICONS/scalable/mimetypes/$MIME_ICON.svg"
  refresh
  echo "KPI Desk was removed from $PREFIX. Your workspaces and settings were left as they were."
}

# A desktop entry's Exec value: the path in double quotes, with \ " ` $ escaped (twice for \).
desktop_quote() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g')"
}

install_app() {
  if [ ! -x "$HERE/kpidesk/kpidesk" ]; then
    echo "install.sh: $HERE/kpidesk/kpidesk is missing; run me from the unpacked archive" >&2
    exit 1
  fi
  mkdir -p "$PREFIX/lib" "$BINDIR" "$SHARE/applications" "$SHARE/mime/packages"
  rm -rf "$APPDIR.new"
  cp -R "$HERE/kpidesk" "$APPDIR.new"
  cp "$0" "$APPDIR.new/install.sh" 2>/dev/null || cp "$HERE/install.sh" "$APPDIR.new/install.sh"
  rm -rf "$APPDIR"
  mv "$APPDIR.new" "$APPDIR"
  cat > "$APPDIR/uninstall.sh" <<EOF
#!/bin/sh
# Remove KPI Desk from $PREFIX (your workspaces stay).
exec sh "$APPDIR/install.sh" --uninstall --prefix "$PREFIX"
EOF
  chmod 755 "$APPDIR/uninstall.sh" "$APPDIR/install.sh"
  ln -sfn "$APPDIR/kpidesk" "$BINDIR/kpidesk"

  exec_value=$(desktop_quote "$APPDIR/kpidesk")
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      Exec=*) printf 'Exec=%s %%f\n' "$exec_value" ;;
      TryExec=*) printf 'TryExec=%s\n' "$APPDIR/kpidesk" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done < "$HERE/kpidesk.desktop" > "$DESKTOP_FILE"
  chmod 644 "$DESKTOP_FILE"
  cp "$HERE/kpidesk-mime.xml" "$MIME_FILE"

  for size in $SIZES; do
    mkdir -p "$ICONS/${size}x${size}/apps" "$ICONS/${size}x${size}/mimetypes"
    cp "$HERE/icons/kpidesk-$size.png" "$ICONS/${size}x${size}/apps/kpidesk.png"
    cp "$HERE/icons/kpidesk-$size.png" "$ICONS/${size}x${size}/mimetypes/$MIME_ICON.png"
  done
  mkdir -p "$ICONS/scalable/apps" "$ICONS/scalable/mimetypes"
  cp "$HERE/icons/kpidesk.svg" "$ICONS/scalable/apps/kpidesk.svg"
  cp "$HERE/icons/kpidesk.svg" "$ICONS/scalable/mimetypes/$MIME_ICON.svg"
  refresh

  # Make KPI Desk the default for .kpidesk files (a per-user setting: not for a root install).
  if [ "$(id -u)" != 0 ] && command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default kpidesk.desktop "$MIME_TYPE" >/dev/null 2>&1 || true
  fi

  echo "KPI Desk is installed in $APPDIR."
  echo "Start it from the applications menu, with $BINDIR/kpidesk, or by opening a .kpidesk file."
  case ":${PATH:-}:" in
    *":$BINDIR:"*) ;;
    *) echo "Note: $BINDIR is not on your PATH; the menu entry works all the same." ;;
  esac
  data_dirs="${XDG_DATA_HOME:-$HOME/.local/share}:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
  case ":$data_dirs:" in
    *":$SHARE:"*|*":$SHARE/:"*) ;;
    *) echo "Note: $SHARE is not among the desktop's data folders (XDG_DATA_DIRS): the menu" \
            "entry and the file type are registered there but the desktop may not look." ;;
  esac
  echo "To remove it: $APPDIR/uninstall.sh"
}

if [ "$ACTION" = uninstall ]; then uninstall; else install_app; fi
