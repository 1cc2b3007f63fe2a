#!/bin/sh
# dom0 side of Tests/xen/test-dom0-www.sh: `xl create`s the www guest with a vif on xenbr0, waits
# (bounded) for its first HTTP 200, then checks with curl and ab from dom0: the index byte-exact,
# GET /bytes/5242880's sha256, `ab -n 1000 -c 8` without a failure; then `xl destroy`. Prints
# `ok   …` / `FAIL …` lines (lib.sh) and the guest's console tail on a failure; exits with the
# number of failures.
. /test/lib.sh
. /test/guest.env
. /test/expected.env
base=http://$ADDRESS
fast_arp

mark "xl create"
if create_guest /test/guest.xl; then
  ok "xl create of $KIND www returned after $create_returned_ms ms"
else
  fail "xl create of $KIND www"; guest_logs "$NAME"; exit "$failures"
fi
wait_http "$base/" 120
mark "http"
if [ -n "$http_ms" ]; then
  ok "first HTTP 200 $http_ms ms after xl create started"
  result create_to_200_ms "$http_ms"
else
  fail "first HTTP 200 within 120 s"; guest_logs "$NAME"; destroy_guest "$NAME"; exit "$failures"
fi

code=$(fetch index "$base/")
if [ "$code" = 200 ] && cmp -s /test/expected/index.html /tmp/index.body; then
  ok "GET /: 200, byte-exact with Apps/www/site/index.html"
else
  fail "GET /: 200 ($code), byte-exact with Apps/www/site/index.html ($(stat -c %s /tmp/index.body 2> /dev/null) bytes)"
  cat /tmp/index.error
fi

started=$(now_ms)
code=$(FETCH_SECONDS=180 fetch bytes "$base/bytes/$BYTES_SIZE")
took=$(elapsed_ms "$started" "$(now_ms)")
size=$(stat -c %s /tmp/bytes.body 2> /dev/null)
sum=$(sha256sum < /tmp/bytes.body 2> /dev/null | cut -d' ' -f1)
if [ "$code $size $sum" = "200 $BYTES_SIZE $BYTES_SHA256" ]; then
  ok "GET /bytes/$BYTES_SIZE: 200, sha256 equal ($took ms)"
  result bytes_ms "$took"
else
  fail "GET /bytes/$BYTES_SIZE: 200, sha256 equal (got $code, $size bytes, $sum)"; cat /tmp/bytes.error
fi
rm -f /tmp/bytes.body

mark "ab"
timeout 600 ab -q -n 1000 -c 8 -s 60 "$base/" > /tmp/ab.txt 2>&1
complete=$(sed -n 's/^Complete requests: *//p' /tmp/ab.txt)
failed=$(sed -n 's/^Failed requests: *//p' /tmp/ab.txt)
non2xx=$(sed -n 's/^Non-2xx responses: *//p' /tmp/ab.txt)
rate=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' /tmp/ab.txt)
if [ "${complete:-none} ${failed:-none} ${non2xx:-0}" = "1000 0 0" ]; then
  ok "ab -n 1000 -c 8: 1000 complete, 0 failed, 0 non-2xx ($rate requests/s)"
  result ab_requests_per_second "$rate"
else
  fail "ab -n 1000 -c 8: 1000 complete, 0 failed, 0 non-2xx (got ${complete:-none} complete, ${failed:-none} failed, ${non2xx:-0} non-2xx)"
  tail -n 30 /tmp/ab.txt | sed 's/^/    | /'
fi
mark "ab done"

[ "$failures" -gt 0 ] && guest_logs "$NAME"
if destroy_guest "$NAME"; then ok "xl destroy"; else fail "xl destroy"; fi
mark "done"
exit "$failures"
