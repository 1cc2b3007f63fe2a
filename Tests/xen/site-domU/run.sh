#!/bin/sh
# dom0 side of Tests/xen/test-dom0-site.sh: `xl create`s the site guest with /test/disk.img (a
# FAT disk made on the host) through blkback and a vif on xenbr0, then fetches every file of
# /test/manifest (`sha256 size url-path` lines) with curl and compares sizes and digests, checks
# GET / and a 404; then `xl destroy` and `xl create` again on the same disk file. A Seal guest
# (started with `rw`) also takes a PUT, which must still be there after the re-create. Exits with
# the number of failures.
. /test/lib.sh
. /test/guest.env
base=http://$ADDRESS
fast_arp

start() { # start LABEL: create the guest and wait for its first answer
  mark "xl create ($1)"
  if create_guest /test/guest.xl; then
    ok "xl create of $KIND site with a blkback disk ($1) returned after $create_returned_ms ms"
  else
    fail "xl create of $KIND site with a blkback disk ($1)"; guest_logs "$NAME"; exit "$failures"
  fi
  vbd=$(xenstore-read "/local/domain/0/backend/vbd/$domid/51712/state" 2> /dev/null)
  wait_http "$base/" 120
  if [ -n "$http_ms" ]; then
    ok "first HTTP 200 ($1) $http_ms ms after xl create started"
  else
    fail "first HTTP 200 ($1) within 120 s (blkback state ${vbd:-none})"; guest_logs "$NAME"; destroy_guest "$NAME"
    exit "$failures"
  fi
  vbd=$(xenstore-read "/local/domain/0/backend/vbd/$domid/51712/state" 2> /dev/null)
  # XenbusStateConnected = 4 (xen/include/public/io/xenbus.h); 51712 is xvda (202 << 8).
  check "blkback connected ($1, state ${vbd:-none})" [ "$vbd" = 4 ]
}

start "first boot"
count=0 bad=0
while read -r sum size path; do
  code=$(fetch file "$base$path")
  got_size=$(stat -c %s /tmp/file.body 2> /dev/null)
  got_sum=$(sha256sum < /tmp/file.body | cut -d' ' -f1)
  count=$((count + 1))
  if [ "$code $got_size $got_sum" != "200 $size $sum" ]; then
    bad=$((bad + 1)); echo "    $path: $code, $got_size bytes, $got_sum"
  fi
  [ "$path" = /index.html ] && index_sum=$sum
done < /test/manifest
check "every file of the disk byte-exact ($((count - bad)) of $count)" [ "$count" -gt 0 -a "$bad" = 0 ]
code=$(fetch root "$base/")
got_sum=$(sha256sum < /tmp/root.body | cut -d' ' -f1)
check "GET / serves index.html ($code)" [ "$code $got_sum" = "200 $index_sum" ]
code=$(fetch missing "$base/no/such/file")
check "GET of a missing file: 404 ($code)" [ "$code" = 404 ]

if [ "$KIND" = seal ]; then
  # Written through blkfront and blkback into /test/disk.img, read back after a re-create.
  head -c 1048576 /dev/urandom > /tmp/upload.bin
  code=$(fetch put "$base/uploaded/new%20file.bin" -H 'Expect:' -T /tmp/upload.bin)
  check "PUT of 1 MiB into a new folder: 201 ($code)" [ "$code" = 201 ]
  code=$(fetch back "$base/uploaded/new%20file.bin")
  check "GET of the uploaded file: 200 ($code), byte-exact" cmp -s /tmp/upload.bin /tmp/back.body
fi
[ "$failures" -gt 0 ] && guest_logs "$NAME"
if destroy_guest "$NAME"; then ok "xl destroy (first boot)"; else fail "xl destroy (first boot)"; fi

# The same disk again: the hotplug script released its loop device and attaches a new one.
start "second boot"
big=$(grep ' /files/Big' /test/manifest)
code=$(fetch again "$base${big##* }")
check "after xl destroy and re-create, the 3 MB file: 200 ($code), byte-exact" \
  [ "$code $(sha256sum < /tmp/again.body | cut -d' ' -f1)" = "200 ${big%% *}" ]
if [ "$KIND" = seal ]; then
  code=$(fetch again "$base/uploaded/new%20file.bin")
  check "after xl destroy and re-create, the uploaded file: 200 ($code), byte-exact" cmp -s /tmp/upload.bin /tmp/again.body
fi

[ "$failures" -gt 0 ] && guest_logs "$NAME"
if destroy_guest "$NAME"; then ok "xl destroy (second boot)"; else fail "xl destroy (second boot)"; fi
mark "done"
exit "$failures"
