#!/usr/bin/env bash
# Every host-board test: builds the host images they need, then runs each Tests/host/test-*.sh
# (as root: they create network namespaces and TAP devices) and totals the results.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source Tests/qemu/lib.sh
mkdir -p build
build_images host echo get www site kv || exit 1
run_scripts host Tests/host/test-*.sh
