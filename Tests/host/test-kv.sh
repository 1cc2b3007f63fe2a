#!/usr/bin/env bash
# The host board's `kv` on a blank disk-image file, against Python's HTTP client over TAP in a
# namespace this test creates: the first start formats it, the API checks pass
# (Tests/qemu/kv-client.py api), and after a restart the synced keys are all there.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
python=/usr/bin/python3
namespace=sealkv$$
linux_address=10.0.10.1
seal_address=10.0.10.2
image=$root/build/host/kv
work=$(mktemp -d)
source "$root/Tests/host/lib.sh"
trap host_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "test-kv: needs root"; echo "0 passed, 1 failed"; exit 1; }
make -C "$root" --no-print-directory image BOARD=host APP=kv > "$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
truncate -s 16M "$work/disk.img"
make_namespace
start_relay "$linux_address"

run_kv() { # run_kv LOG: starts kv on the disk and waits for it to listen
  start "$1" "$image" tap=tap-seal ip=$seal_address/24 disk=$work/disk.img
  kv_pid=$last_pid
  wait_for_line "$1" '^listening on port 80$' 10
  wait_for_line "$1" "^ip: $seal_address/24\$" 10
  sed 's/^/    | /' "$1"
}

run_kv "$work/first.log"
check "first start formats the blank disk" grep -q '^kv: formatted a new store: 0 keys' "$work/first.log"
timeout 120 ip netns exec "$namespace" "$python" "$root/Tests/qemu/kv-client.py" api "http://$seal_address" > "$work/api.txt" 2>&1
sed 's/^/    /' "$work/api.txt"
check "API checks ($(grep -c '^ok' "$work/api.txt") ok, $(grep -c '^not ok' "$work/api.txt") not ok)" \
  bash -c "! grep -q '^not ok' '$work/api.txt' && grep -q '^ok' '$work/api.txt'"
stop "$kv_pid"

run_kv "$work/second.log"
check "a restart opens the store with its keys and snapshot (5 keys, 1 snapshot)" \
  grep -q '^kv: opened a store: 5 keys, 1 snapshots' "$work/second.log"
code=$(ip netns exec "$namespace" curl -s -o "$work/value" -w '%{http_code}' --max-time 10 "http://$seal_address/snapshot/before/user/bob")
check "the snapshot survived the restart ($code)" bash -c "[ '$code' = 200 ] && [ \"\$(cat '$work/value')\" = user/bob ]"
stop "$kv_pid"

# partition=2: the store in the second partition of an MBR disk (an SD card with a boot partition
# first); the first partition's bytes stay untouched.
truncate -s 24M "$work/parted.img"
printf 'label: dos\nstart=2048, size=8192, type=c\nstart=10240, type=83\n' | /usr/sbin/sfdisk -q "$work/parted.img"
head -c $((8192 * 512)) /dev/urandom | dd of="$work/parted.img" bs=512 seek=2048 conv=notrunc status=none
first_before=$(dd if="$work/parted.img" bs=512 skip=2048 count=8192 status=none | sha256sum)
start "$work/third.log" "$image" tap=tap-seal ip=$seal_address/24 disk=$work/parted.img partition=2
kv_pid=$last_pid
wait_for_line "$work/third.log" '^listening on port 80$' 10
sed 's/^/    | /' "$work/third.log"
check "partition=2: a new store in the second partition" \
  bash -c "grep -q '^kv: partition 2, 38912 sectors' '$work/third.log' && grep -q '^kv: formatted a new store' '$work/third.log'"
code=$(ip netns exec "$namespace" curl -s -o /dev/null -w '%{http_code}' --max-time 10 -T "$root/README.md" "http://$seal_address/kv/readme")
code2=$(ip netns exec "$namespace" curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://$seal_address/sync")
stop "$kv_pid"
first_after=$(dd if="$work/parted.img" bs=512 skip=2048 count=8192 status=none | sha256sum)
check "partition=2: PUT $code, sync $code2, the first partition untouched" \
  test "$code $code2 $first_before" = "201 204 $first_after"
check "no panic in kv's output" bash -c "! grep -q '^panic' '$work/first.log' '$work/second.log' '$work/third.log'"
finish
