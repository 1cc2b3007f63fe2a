# Helpers of the dom0 side of the web tests (busybox sh; baked into dom0 as /test/lib.sh and
# sourced by /test/run.sh). Every wait is bounded. Results are printed as `ok   …` / `FAIL …`
# lines, progress as `test: <event> uptime=<s>`, measurements as `result: <key>=<value>`.
failures=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: ok or FAIL after the command's status.
check() { description=$1; shift; if "$@"; then ok "$description"; else fail "$description"; fi; }
mark() { echo "test: $1 uptime=$(cut -d' ' -f1 /proc/uptime)"; }
result() { echo "result: $1=$2"; }

# Milliseconds of the wall clock (date's %N), or of /proc/uptime (10 ms steps) without it.
now_ms() {
  local now
  now=$(date +%s%N 2> /dev/null)
  case "$now" in
    *N*|"") awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime ;;
    *) echo "${now%??????}" ;;
  esac
}
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", b - a }'; }

# ARP on the bridge: a guest that is not up yet leaves 10.0.0.2's entry unresolved; by default
# Linux asks again only every second, which would round every create -> 200 time up to it.
fast_arp() {
  { echo 50 > /proc/sys/net/ipv4/neigh/xenbr0/retrans_time_ms
    echo 2 > /proc/sys/net/ipv4/neigh/xenbr0/mcast_solicit; } 2> /dev/null
}

# create_guest CONFIG: `xl create` (at most 120 s); sets domid and create_started (ms) and
# create_returned_ms (how long xl create took).
create_guest() {
  local name
  name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$1")
  # A guest before this one may have had the same address with another MAC: forget it, or dom0
  # would send to the old MAC until its neighbour entry goes stale (seconds).
  ip neigh flush dev xenbr0 > /dev/null 2>&1
  create_started=$(now_ms)
  if timeout 120 xl create "$1" > /tmp/xl-create.log 2>&1; then
    create_returned_ms=$(elapsed_ms "$create_started" "$(now_ms)")
    domid=$(xl domid "$name" 2> /dev/null)
    # vif-bridge brings the backend up and into xenbr0; make sure of the first.
    [ -n "$domid" ] && ip link set "vif$domid.0" up 2> /dev/null
    return 0
  fi
  create_returned_ms=""
  domid=""
  cat /tmp/xl-create.log
  return 1
}

# wait_http URL LIMIT_SECONDS: polls URL every 100 ms with overlapping busybox wget clients (each
# bounded to 2 s; wget succeeds on a 2xx answer only) until one succeeds; sets http_ms to the
# milliseconds from create_started to that answer, or to "" after LIMIT_SECONDS or once the
# domain `domid` (from create_guest) is gone (it crashed). The static busybox starts much faster
# under emulation than curl with its 30 libraries.
wait_http() {
  local url=$1 limit=$2 deadline marker=/tmp/http-ok poll=0
  rm -f "$marker"
  deadline=$(( $(cut -d. -f1 /proc/uptime) + limit ))
  http_ms=""
  while [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ]; do
    if [ -s "$marker" ]; then break; fi
    ( timeout 2 wget -q -O /dev/null "$url" 2> /dev/null && now_ms >> "$marker" ) &
    poll=$((poll + 1))
    # Once a second: is the domain still there? (xl list DOMID fails for a gone domain.)
    if [ $((poll % 10)) = 0 ] && [ -n "${domid:-}" ] && ! xl list "$domid" > /dev/null 2>&1; then
      echo "wait_http: domain $domid is gone"; break
    fi
    sleep 0.1
  done
  # Let the pollers still running finish (each is bounded to 2 s).
  wait
  if [ -s "$marker" ]; then
    http_ms=$(elapsed_ms "$create_started" "$(sort -n "$marker" | head -n 1)")
  fi
}

# fetch NAME URL [curl options]: the body to /tmp/NAME.body, the head to /tmp/NAME.headers;
# prints the status code (000 when nothing came back). FETCH_SECONDS bounds it (default 60).
fetch() {
  local name=$1 url=$2
  shift 2
  timeout $(( ${FETCH_SECONDS:-60} + 10 )) curl -sS --max-time "${FETCH_SECONDS:-60}" -o "/tmp/$name.body" \
    -D "/tmp/$name.headers" -w '%{http_code}' "$@" "$url" 2> "/tmp/$name.error" || true
}

# guest_logs NAME [LINES]: the tails of the guest's consoles (vpl011 and PV) and `xl list`.
guest_logs() {
  local file
  for file in "/var/log/xen/console/guest-$1-vuart0.log" "/var/log/xen/console/guest-$1.log"; do
    [ -s "$file" ] || continue
    echo "---- $file (last ${2:-40} lines)"
    tr -d '\r' < "$file" | tail -n "${2:-40}" | sed 's/^/    | /'
  done
  echo "---- xl list"
  xl list 2> /dev/null | sed 's/^/    | /'
}

# destroy_guest NAME: `xl destroy` (at most 60 s); waits until the name is gone.
destroy_guest() {
  local tries=0
  timeout 60 xl destroy "$1" || return 1
  while xl domid "$1" > /dev/null 2>&1 && [ $tries -lt 50 ]; do sleep 0.2; tries=$((tries + 1)); done
  ! xl domid "$1" > /dev/null 2>&1
}
