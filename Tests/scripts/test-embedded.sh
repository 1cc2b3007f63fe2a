#!/usr/bin/env bash
# Every portable module compiled for armv7-none-none-eabi in Embedded mode, dependencies first:
# what the host build accepts and Embedded Swift refuses (existentials of non-class protocols,
# untyped throws, reflection) fails here before any image is linked.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
export CHECK_EMBEDDED_DIR=$root/build/check-embedded
rm -rf "$CHECK_EMBEDDED_DIR"
for module in Capabilities Digest DeviceTree Runtime Network HTTP WebServer Virtio Storage FAT KV Xen; do
  check "$module builds in Embedded mode" "$root/toolchain/check-embedded.sh" "$module"
done
finish
