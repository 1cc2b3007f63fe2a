#!/usr/bin/env bash
# Seal's `www` as a domU behind netback, checked from the Linux dom0 (issue 8): bakes
# Tests/xen/www-domU/run.sh, the image, its .xl (toolchain/xl-config.sh) and the expected index
# and /bytes digest into dom0's /test, boots Xen + dom0 and checks what dom0 saw: the first HTTP
# 200, GET / byte-exact, GET /bytes/5242880's sha256, `ab -n 1000 -c 8` without a failure,
# `xl destroy`. Prints the console, the checks and `N passed, M failed`.
#   Tests/xen/test-dom0-www.sh [SEAL_WWW_ZIMAGE]   (default build/xen-arm/www.zImage)
#   GUEST=linux Tests/xen/test-dom0-www.sh         the busybox httpd domU instead of Seal
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
source "$root/Tests/xen/web-guest.sh"
test_dir=$root/build/xen/www-domU-test
rm -rf "$test_dir"
mkdir -p "$test_dir/expected"
cp "$root/Tests/xen/www-domU/run.sh" "$test_dir/"
prepare_guest www "${1:-}" "$test_dir" || { echo "0 passed, 1 failed"; exit 1; }
cp "$root/Apps/www/site/index.html" "$test_dir/expected/"
# The pattern of www's GET /bytes/<n> (byte i = i mod 251), as Tests/qemu/www-checks.sh computes it.
size=5242880
sha=$(python3 -c '
import hashlib, sys
n = int(sys.argv[1]); period = bytes(range(251))
print(hashlib.sha256(period * (n // 251) + period[: n % 251]).hexdigest())' "$size")
printf 'BYTES_SIZE=%s\nBYTES_SHA256=%s\n' "$size" "$sha" > "$test_dir/expected.env"

log=$root/build/xen/test-dom0-www.log
boot_rig "$test_dir" "$log"
status=$?
check "dom0 test status 0 (got $status)" test "$status" -eq 0
dom0_checks "$log" "xl create" "first HTTP 200" "GET /: 200" "GET /bytes/$size" "ab -n 1000 -c 8" "xl destroy"
finish
