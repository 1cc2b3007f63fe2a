#!/usr/bin/env bash
# Proves that dom0's `xl create` starts a bare zImage (Tests/xen/smoke-guest.S, the shape a Seal
# image will have) with a vpl011: bakes Tests/xen/smoke-domU/ and the guest into dom0's /test,
# boots Xen + dom0 and checks the guest's lines and its own shutdown. Prints the console, the
# checks and `N passed, M failed`.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
guest=$("$root/Tests/xen/build-smoke-guest.sh") || { echo "0 passed, 1 failed"; exit 1; }
test_dir=$root/build/xen/smoke-domU-test
rm -rf "$test_dir"
mkdir -p "$test_dir"
cp "$root"/Tests/xen/smoke-domU/* "$test_dir/"
cp "$guest" "$test_dir/smoke-guest.zImage"

log=$root/build/xen/test-dom0-smoke.log
TIMESTAMPS=1 LOG=$log TIMEOUT=${TIMEOUT:-300} "$root/Tests/xen/boot-dom0.sh" "$test_dir"
status=$?
check "dom0 test status 0 (got $status)" test "$status" -eq 0
for line in "ok   xl create" "ok   guest shut itself down" "ok   guest wrote: hello from domU" \
  "ok   guest wrote: device tree in r2: yes" "ok   guest wrote: seal: halted status=0"; do
  check "${line#ok   }" grep -qF -- "] $line" "$log"
done
finish
