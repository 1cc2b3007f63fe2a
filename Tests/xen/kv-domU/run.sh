#!/bin/sh
# dom0 side of Tests/xen/test-dom0-kv.sh: `xl create`s the kv guest with a blank 16 MiB disk
# (/tmp/kv-disk.img, through blkback) and a vif on xenbr0; with curl: PUTs KV_SYNCED keys,
# POST /sync, PUTs KV_UNSYNCED more; `xl destroy`, `xl create` again, and checks that every synced
# key is still there with its value (and that any unsynced key present has its value too).
# Prints `ok   …` / `FAIL …` lines; exits with the number of failures.
. /test/lib.sh
. /test/guest.env
base=http://$ADDRESS
synced=${KV_SYNCED:-40} unsynced=${KV_UNSYNCED:-10}   # guest.env may set them
fast_arp
vuart=/var/log/xen/console/guest-$NAME-vuart0.log pv=/var/log/xen/console/guest-$NAME.log
dd if=/dev/zero of=/tmp/kv-disk.img bs=1M count=16 2> /dev/null

start() { # start LABEL: create the guest and wait (bounded) for its first answer to GET /kv/
  mark "xl create ($1)"
  if create_guest /test/guest.xl; then
    ok "xl create of $KIND kv with a blank blkback disk ($1) returned after $create_returned_ms ms"
  else
    fail "xl create of $KIND kv ($1)"; guest_logs "$NAME"; exit "$failures"
  fi
  wait_http "$base/kv/" 120
  if [ -n "$http_ms" ]; then
    ok "first HTTP 200 ($1) $http_ms ms after xl create started"
  else
    fail "first HTTP 200 ($1) within 120 s"; guest_logs "$NAME"; destroy_guest "$NAME"; exit "$failures"
  fi
}
console_has() { cat "$vuart" "$pv" 2> /dev/null | tr -d '\r' | grep -q "$1"; }

# Values of many sizes (1 byte to 60 KB), kept in dom0 to compare with.
mkdir -p /tmp/kv
i=0
while [ $i -lt $((synced + unsynced)) ]; do
  head -c $(( (i * 7919) % 60000 + 1 )) /dev/urandom > "/tmp/kv/value-$i"
  i=$((i + 1))
done
put() { # put KEY FILE: prints the status
  timeout 40 curl -sS --max-time 30 -o /dev/null -w '%{http_code}' -H 'Expect:' -X PUT \
    --data-binary "@$2" "$base/kv/$1" 2> /dev/null || true
}

start "first boot"
check "the first boot formatted the blank disk" console_has "kv: formatted a new store: 0 keys"
bad=0 i=0
while [ $i -lt "$synced" ]; do
  code=$(put "synced/key-$i" "/tmp/kv/value-$i")
  [ "$code" = 201 ] || { bad=$((bad + 1)); echo "    PUT synced/key-$i: $code"; }
  i=$((i + 1))
done
check "PUT of $synced new keys: 201 each ($bad not)" [ "$bad" = 0 ]
code=$(fetch sync "$base/sync" -X POST)
check "POST /sync: 204 ($code)" [ "$code" = 204 ]
bad=0
while [ $i -lt $((synced + unsynced)) ]; do
  code=$(put "unsynced/key-$i" "/tmp/kv/value-$i")
  [ "$code" = 201 ] || bad=$((bad + 1))
  i=$((i + 1))
done
check "PUT of $unsynced more keys after the sync: 201 each ($bad not)" [ "$bad" = 0 ]
code=$(fetch one "$base/kv/synced/key-1")
check "GET of a key before the destroy: 200 ($code), its value" cmp -s /tmp/kv/value-1 /tmp/one.body
[ "$failures" -gt 0 ] && guest_logs "$NAME"
if destroy_guest "$NAME"; then ok "xl destroy (first boot)"; else fail "xl destroy (first boot)"; fi

start "second boot"
console_has "kv: opened a store" && opened=$(cat "$vuart" "$pv" 2> /dev/null | tr -d '\r' | grep -m1 "kv: opened a store")
check "the second boot opened the store (${opened:-no such line})" console_has "kv: opened a store"
missing=0 wrong=0 i=0
while [ $i -lt "$synced" ]; do
  code=$(fetch value "$base/kv/synced/key-$i")
  if [ "$code" = 404 ]; then
    missing=$((missing + 1)); echo "    synced/key-$i: missing"
  elif [ "$code" != 200 ] || ! cmp -s "/tmp/kv/value-$i" /tmp/value.body; then
    wrong=$((wrong + 1)); echo "    synced/key-$i: $code, $(stat -c %s /tmp/value.body 2> /dev/null) bytes"
  fi
  i=$((i + 1))
done
check "after xl destroy and re-create, every synced key is there with its value ($synced keys, $missing missing, $wrong wrong)" \
  [ "$missing $wrong" = "0 0" ]
code=$(fetch listing "$base/kv/?prefix=synced/")
listed=$(grep -c '^synced/key-' /tmp/listing.body 2> /dev/null)
check "GET /kv/?prefix=synced/ lists all $synced ($code, ${listed:-0} listed)" [ "$code ${listed:-0}" = "200 $synced" ]
present=0 wrong=0
while [ $i -lt $((synced + unsynced)) ]; do
  code=$(fetch value "$base/kv/unsynced/key-$i")
  if [ "$code" = 200 ]; then
    present=$((present + 1)); cmp -s "/tmp/kv/value-$i" /tmp/value.body || wrong=$((wrong + 1))
  fi
  i=$((i + 1))
done
check "unsynced keys present after the destroy hold their values ($present of $unsynced present, $wrong wrong)" [ "$wrong" = 0 ]
code=$(put "synced/key-0" /tmp/kv/value-1)
check "the re-created store takes writes: PUT replacing a key: 204 ($code)" [ "$code" = 204 ]

[ "$failures" -gt 0 ] && guest_logs "$NAME"
if destroy_guest "$NAME"; then ok "xl destroy (second boot)"; else fail "xl destroy (second boot)"; fi
mark "done"
exit "$failures"
