#!/usr/bin/env bash
# Downloads Debian armhf packages and unpacks them under build/armhf/<package>/ without
# installing anything system-wide (apt-get download + dpkg -x). Prints the unpacked folder
# of each package. Cached: a package already unpacked is not fetched again.
#   toolchain/fetch-armhf.sh PACKAGE...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/build/armhf
mkdir -p "$cache/debs"

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
