#!/usr/bin/env bash
# The host board's `www` against Linux's own stack, inside a network namespace this test creates
# (root), and Tests/qemu/www-checks.sh run from Linux's side: the site's files byte-exact with
# their media types, HEAD, 404, 431, ab with and without keep-alive, 20 MiB of /bytes, a 5 MiB
# POST /echo, and 50 slow clients while a normal client is still served.
#
# Topology as in test-network.sh: Linux's tap-linux (10.0.8.1) <- Tests/host/impair.py (relaying
# only) -> tap-seal, opened by the Seal process (10.0.8.2).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/Tests/qemu/lib.sh"
python=/usr/bin/python3
namespace=sealwww$$
linux_address=10.0.8.1
seal_address=10.0.8.2
image=$root/build/host/www
work=$(mktemp -d)
source "$root/Tests/host/lib.sh"
trap host_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "test-www: needs root"; echo "0 passed, 1 failed"; exit 1; }
for tool in curl ab "$python"; do
  command -v "$tool" > /dev/null || { echo "test-www: $tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done
if [ ! -x "$image" ]; then
  make -C "$root" --no-print-directory image BOARD=host APP=www > "$work/build.log" 2>&1 \
    || { cat "$work/build.log"; echo "0 passed, 1 failed"; exit 1; }
fi

make_namespace
start_relay "$linux_address"

echo "www: host board over TAP, http://$seal_address/ in namespace $namespace"
start "$work/www.log" "$image" tap=tap-seal ip=$seal_address/24
www_pid=$last_pid
wait_for_line "$work/www.log" '^listening on port 80$' 10
wait_for_line "$work/www.log" "^ip: $seal_address/24\$" 10
sed 's/^/    | /' "$work/www.log"
check "listening on port 80" has_line "$work/www.log" "listening on port 80"
check "announced ip: $seal_address/24" has_line "$work/www.log" "ip: $seal_address/24"

on_client=(ip netns exec "$namespace")
source "$root/Tests/qemu/www-checks.sh"
has_line "$work/www.log" "listening on port 80" && www_checks host "http://$seal_address"

check "www still running" kill -0 "$www_pid"
check "relay still running" kill -0 "$relay_pid"
check "no panic in www's output" bash -c "! grep -q '^panic' '$work/www.log'"
grep -q '^panic' "$work/www.log" && sed 's/^/    | /' "$work/www.log" | tail -n 20
finish
