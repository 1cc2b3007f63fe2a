#!/usr/bin/env bash
# Every QEMU test: builds the images they need, then runs each test script and totals the results.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source Tests/qemu/lib.sh
mkdir -p build
build_images qemu-virt hello fault echo get www site kv || exit 1
run_scripts qemu Tests/qemu/test-*.sh
