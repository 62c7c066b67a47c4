#!/usr/bin/env bash
# The Debian/Ubuntu packages `make installer` needs on the build machine:
#  - the X11 libraries Qt's xcb platform plugin links to and a desktop may lack; their .so
#    files are copied into the bundle (libxcb-cursor0 and friends);
#  - desktop-file-utils and shared-mime-info, to check the .desktop entry and the MIME type;
#  - xvfb and xauth, to run the bundle once on a real (virtual) X server;
#  - binutils, gcc and icu-devtools, to trim the ICU data to the languages KPI Desk speaks.
# Installs what is missing when run as root (or with sudo available); otherwise says what
# to install and fails.
set -euo pipefail

BUNDLED_LIBS=(
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1 libxcb-glx0 libxkbcommon-x11-0 libxkbcommon0 libx11-xcb1
)
TOOLS=(desktop-file-utils shared-mime-info xvfb xauth binutils gcc icu-devtools)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "installer: not a Debian/Ubuntu system; make sure these are installed:" \
    "${BUNDLED_LIBS[*]} ${TOOLS[*]}" >&2
  exit 0
fi

missing=()
for package in "${BUNDLED_LIBS[@]}" "${TOOLS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "installer: these Debian packages are needed and missing: ${missing[*]}" >&2
  echo "installer: install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installer: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
