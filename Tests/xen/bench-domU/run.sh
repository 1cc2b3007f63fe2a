#!/bin/sh
# dom0 side of Tests/bench/xen.sh: for each guest in /test/bench.list (`NAME CONFIG` lines: Seal's
# www, the busybox httpd domU), RUNS times: `xl create`, poll GET / until the first HTTP 200,
# `xl destroy`. Prints `result: <name>_create_ms=<ms>` (xl create's own time) and
# `result: <name>_http_ms=<ms>` (xl create started -> first 200) and `result: <name>_answer_ms=<ms>`
# (xl create returned -> first 200) per run; exits with the number of runs that failed.
. /test/lib.sh
. /test/bench.env
fast_arp
while read -r label config; do
  name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$config")
  run=1
  while [ "$run" -le "$RUNS" ]; do
    mark "$label run $run: xl create"
    if ! create_guest "$config"; then
      fail "$label run $run: xl create"; guest_logs "$name"; break
    fi
    wait_http "http://$ADDRESS/" "$LIMIT"
    if [ -n "$http_ms" ]; then
      ok "$label run $run: xl create returned after $create_returned_ms ms, first HTTP 200 after $http_ms ms"
      result "${label}_create_ms" "$create_returned_ms"
      result "${label}_http_ms" "$http_ms"
      result "${label}_answer_ms" "$((http_ms - create_returned_ms))"
    else
      fail "$label run $run: no HTTP 200 within $LIMIT s"; guest_logs "$name"
    fi
    destroy_guest "$name" || { fail "$label run $run: xl destroy"; break; }
    run=$((run + 1))
  done
done < /test/bench.list
mark "done"
exit "$failures"
