#!/usr/bin/env bash
# Downloads Debian armhf packages and unpacks them under build/armhf/<package>/ without
# installing anything system-wide (apt-get download + dpkg -x). Prints the unpacked folder
# of each package. Cached: a package already unpacked is not fetched again.
#   toolchain/fetch-armhf.sh PACKAGE...
#   toolchain/fetch-armhf.sh --dtb NAME.dtb   prints the path of a device tree from the current
#                                             linux-image-*-armmp (e.g. sun4i-a10-cubieboard.dtb)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/build/armhf
mkdir -p "$cache/debs"

if [ "${1:-}" = "--dtb" ]; then
  name=${2:?fetch-armhf.sh --dtb NAME.dtb}
  # Any armmp kernel already unpacked will do: the board's DTB changes rarely.
  found=$(ls "$cache"/linux-image-*-armmp/usr/lib/linux-image-*/"$name" 2> /dev/null | head -n 1 || true)
  if [ -z "$found" ]; then
    resolve() {
      apt-cache depends linux-image-armmp:armhf 2> /dev/null \
        | sed -n 's/.*Depends: \(linux-image-[0-9.]*-[0-9]*-armmp\):armhf/\1/p' | head -n 1
    }
    package=$(resolve || true)
    if [ -z "$package" ]; then
      "$0" dpkg > /dev/null 2>&1 || true   # adds the armhf architecture and updates the lists
      package=$(resolve || true)
    fi
    [ -n "$package" ] || { echo "fetch-armhf.sh: cannot resolve linux-image-armmp:armhf" >&2; exit 1; }
    directory=$("$0" "$package" | tail -n 1)
    found=$(ls "$directory"/usr/lib/linux-image-*/"$name" 2> /dev/null | head -n 1 || true)
  fi
  [ -n "$found" ] || { echo "fetch-armhf.sh: no $name in the armmp kernel package" >&2; exit 1; }
  echo "$found"
  exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  dpkg --add-architecture armhf
  apt-get update -qq
fi

for package in "$@"; do
  target=$cache/$package
  if [ ! -f "$target/.unpacked" ]; then
    (cd "$cache/debs" && { apt-get download -q "$package:armhf" > /dev/null 2>&1 || { apt-get update -qq && apt-get download -q "$package:armhf" > /dev/null; }; })
    deb=$(ls -t "$cache/debs/${package}_"*_armhf.deb | head -n 1)
    rm -rf "$target"
    mkdir -p "$target"
    dpkg -x "$deb" "$target"
    touch "$target/.unpacked"
  fi
  echo "$target"
done
