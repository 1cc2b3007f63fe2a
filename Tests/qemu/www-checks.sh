# The checks every `www` test makes against a running server, wherever it runs (QEMU user
# networking, host board over TAP). Source after Tests/qemu/lib.sh; needs $root and $work, and
# `on_client`, an array prefixed to every client command (empty, or `ip netns exec NAMESPACE`).
#   www_checks LABEL BASE_URL      e.g. www_checks legacy http://127.0.0.1:PORT
# Clients: curl, ab (apache2-utils), python3. Every client runs under `timeout`.

site=$root/Apps/www/site

# fetch NAME URL [curl options]: body to $work/NAME.body, headers to $work/NAME.headers;
# prints the status code (000 when nothing came back). FETCH_SECONDS bounds it (default 20).
fetch() {
  local name=$1 url=$2 limit=${FETCH_SECONDS:-20}; shift 2
  timeout $((limit + 10)) "${on_client[@]}" curl -sS --max-time "$limit" -o "$work/$name.body" -D "$work/$name.headers" \
    -w '%{http_code}' "$@" "$url" 2> "$work/$name.error" || true
}

header() { # header NAME FIELD: the field's value in $work/NAME.headers (case-insensitive name)
  tr -d '\r' < "$work/$1.headers" | sed -n "s/^$2: *//Ip" | tail -n 1
}

# check_file LABEL PATH FILE TYPE: GET PATH is 200, TYPE, and byte for byte FILE.
check_file() {
  local label=$1 path=$2 file=$3 type=$4 name code
  name=file-$(basename "$file")
  code=$(fetch "$name" "$base$path")
  local got_type; got_type=$(header "$name" Content-Type)
  check "$label: GET $path: 200 ($code), Content-Type $type ($got_type), byte-exact with $(basename "$file")" \
    bash -c "[ '$code' = 200 ] && [ '$got_type' = '$type' ] && cmp -s '$file' '$work/$name.body'"
}

# raw_head PORT_URL PATH: sends HEAD over a plain socket (Connection: close) and prints
# `STATUS CONTENT-LENGTH BODY-BYTES-AFTER-THE-HEAD`; curl would hide a body sent after HEAD.
raw_head() {
  timeout 20 "${on_client[@]}" python3 - "$1" "$2" << 'PYTHON'
import socket, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
s = socket.create_connection((url.hostname, url.port or 80), timeout=10)
s.sendall(b"HEAD " + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: seal\r\nConnection: close\r\n\r\n")
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
head, _, rest = data.partition(b"\r\n\r\n")
lines = head.decode("latin-1").split("\r\n")
status = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "none"
length = "none"
for line in lines[1:]:
    name, _, value = line.partition(":")
    if name.strip().lower() == "content-length":
        length = value.strip()
print(status, length, len(rest))
PYTHON
}

# slow_clients URL COUNT: COUNT connections (all must complete their handshake; one the server
# resets to make room before connect() has returned still counts) that each
# trickle one byte of a never-ending request head per second; after 3 s a normal curl must get
# the index, byte-exact. The server may reset slow clients to make room (how many are still
# open at the end is only reported). Exits 0 when all connected and curl succeeded.
slow_clients() {
  timeout 90 "${on_client[@]}" python3 - "$1" "$2" "$site/index.html" << 'PYTHON'
import socket, subprocess, sys, threading, time, urllib.parse
url, count, index = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "rb").read()
parts = urllib.parse.urlsplit(url)
sockets, errors, evicted, lock = [], [], [], threading.Lock()
def connect():
    try:
        s = socket.create_connection((parts.hostname, parts.port or 80), timeout=20)
    except ConnectionResetError:
        # The handshake completed and the server already reset the connection to make room
        # (it evicts the connection that made progress least recently): the client held one.
        with lock:
            evicted.append(1)
        return
    except OSError as error:
        with lock:
            errors.append(error.strerror or type(error).__name__)
        return
    with lock:
        sockets.append(s)
threads = [threading.Thread(target=connect) for _ in range(count)]
for t in threads: t.start()
for t in threads: t.join()
connected = len(sockets)
head = b"GET / HTTP/1.1\r\nHost: seal\r\nX-Slow: " + b"a" * 1000
stop = threading.Event()
def trickle():
    position = 0
    while not stop.is_set():
        for s in list(sockets):
            try:
                s.send(head[position % len(head):position % len(head) + 1])
            except OSError:
                pass
        position += 1
        stop.wait(1)
trickler = threading.Thread(target=trickle)
trickler.start()
time.sleep(3)
started = time.monotonic()
result = subprocess.run(["curl", "-sS", "--max-time", "10", "-o", "-", "-w", "%{http_code}", url + "/"],
                        capture_output=True)
elapsed = time.monotonic() - started
body, code = result.stdout[:-3], result.stdout[-3:].decode()
time.sleep(2)
stop.set()
trickler.join()
alive = 0
for s in sockets:
    try:
        s.send(b"a")
        alive += 1
    except OSError:
        pass
    s.close()
ok = code == "200" and body == index and connected + len(evicted) == count
failures = ", ".join(f"{errors.count(e)} {e}" for e in sorted(set(errors)))
print(f"{connected + len(evicted)} of {count} connected{' (' + failures + ')' if errors else ''}"
      f"{f', {len(evicted)} reset by the server before connect() returned' if evicted else ''}; curl {code} in {elapsed:.2f} s, body {'equal' if body == index else 'differs'}; "
      f"{alive} still open after 5 s")
sys.exit(0 if ok else 1)
PYTHON
}

ab_run() { # ab_run NAME [ab options]: 2000 requests for / from 16 clients; log in $work/NAME.ab
  local name=$1; shift
  timeout 200 "${on_client[@]}" ab -q -n 2000 -c 16 -s 30 "$@" "$base/" > "$work/$name.ab" 2>&1
  local complete failed non2xx rate
  complete=$(sed -n 's/^Complete requests: *//p' "$work/$name.ab")
  failed=$(sed -n 's/^Failed requests: *//p' "$work/$name.ab")
  non2xx=$(sed -n 's/^Non-2xx responses: *//p' "$work/$name.ab")
  rate=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$work/$name.ab")
  echo "${complete:-none} ${failed:-none} ${non2xx:-0} ${rate:-none}"
}

www_checks() { # www_checks LABEL BASE_URL
  local label=$1 code result complete failures non2xx rate
  base=$2

  check_file "$label" / "$site/index.html" "text/html; charset=utf-8"
  check_file "$label" /style.css "$site/style.css" "text/css; charset=utf-8"
  check_file "$label" /logo.png "$site/logo.png" "image/png"

  local get_length; get_length=$(header file-index.html Content-Length)
  result=$(raw_head "$base" / 2>&1)
  check "$label: HEAD /: 200, Content-Length as GET's ($get_length), no body (got: $result)" \
    test "$result" = "200 $get_length 0"

  code=$(fetch missing "$base/no-such-page")
  check "$label: GET /no-such-page: 404 ($code)" test "$code" = 404

  # Five 4000-byte fields: 20 KB of header section, more than the 16 KiB limit.
  for i in 1 2 3 4 5; do printf 'X-Filler-%s: %s\n' "$i" "$(head -c 4000 /dev/zero | tr '\0' a)"; done \
    > "$work/large-headers.txt"
  code=$(fetch large-headers "$base/" -H @"$work/large-headers.txt")
  check "$label: 20 KB of request headers: 431 ($code)" test "$code" = 431

  result=$(ab_run ab)
  read -r complete failures non2xx rate <<< "$result"
  check "$label: ab -n 2000 -c 16: $complete complete, $failures failed, $non2xx non-2xx ($rate req/s)" \
    test "$complete $failures $non2xx" = "2000 0 0"
  [ "$complete $failures $non2xx" = "2000 0 0" ] || sed 's/^/    | /' "$work/ab.ab" | tail -n 30
  result=$(ab_run ab-keepalive -k)
  read -r complete failures non2xx rate <<< "$result"
  check "$label: ab -k -n 2000 -c 16: $complete complete, $failures failed, $non2xx non-2xx ($rate req/s)" \
    test "$complete $failures $non2xx" = "2000 0 0"
  [ "$complete $failures $non2xx" = "2000 0 0" ] || sed 's/^/    | /' "$work/ab-keepalive.ab" | tail -n 30

  local n=20971520 expected got size started elapsed
  expected=$(python3 -c '
import hashlib, sys
n = int(sys.argv[1]); period = bytes(range(251))
print(hashlib.sha256(period * (n // 251) + period[: n % 251]).hexdigest())' "$n")
  started=$(date +%s%N)
  code=$(FETCH_SECONDS=120 fetch bytes "$base/bytes/$n")
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  size=$(stat -c %s "$work/bytes.body" 2> /dev/null || echo 0)
  got=$(sha256sum < "$work/bytes.body" 2> /dev/null | cut -d' ' -f1)
  check "$label: GET /bytes/$n: $code, $size bytes, sha256 of i mod 251 (${elapsed} ms)" \
    test "$code $size $got" = "200 $n $expected"
  rm -f "$work/bytes.body"

  # POST /echo: small content is collected by the connection (chunked too); content larger
  # than its 16 KiB buffer streams into a buffer of the announced length.
  local echo_size
  for echo_size in 1000 $((5 << 20)); do
    head -c "$echo_size" /dev/urandom > "$work/echo-payload.bin"
    expected=$(sha256sum < "$work/echo-payload.bin" | cut -d' ' -f1)
    started=$(date +%s%N)
    code=$(FETCH_SECONDS=120 fetch echo "$base/echo" --data-binary @"$work/echo-payload.bin" -H 'Content-Type: application/octet-stream')
    elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
    size=$(stat -c %s "$work/echo.body" 2> /dev/null || echo 0)
    got=$(sha256sum < "$work/echo.body" 2> /dev/null | cut -d' ' -f1)
    check "$label: POST /echo of $echo_size bytes: $code, $size bytes back, sha256 equal (${elapsed} ms)" \
      test "$code $size $got" = "200 $echo_size $expected"
    rm -f "$work/echo.body"
  done
  head -c 4000 /dev/urandom > "$work/echo-payload.bin"
  expected=$(sha256sum < "$work/echo-payload.bin" | cut -d' ' -f1)
  code=$(fetch echo "$base/echo" --data-binary @"$work/echo-payload.bin" -H 'Transfer-Encoding: chunked')
  got=$(sha256sum < "$work/echo.body" 2> /dev/null | cut -d' ' -f1)
  check "$label: POST /echo of 4000 chunked bytes: $code, sha256 equal" test "$code $got" = "200 $expected"
  rm -f "$work/echo.body"
  # Larger than the 64 MiB streamed limit: refused from the head alone, the server unharmed.
  code=$(FETCH_SECONDS=10 fetch refused "$base/echo" -X POST -H 'Content-Length: 100000000')
  check "$label: POST /echo announcing 100 MB: $code" test "$code" = "413"

  local status
  result=$(slow_clients "$base" 50 2>&1); status=$?
  check "$label: 50 slow clients trickling headers, a normal curl still served ($result)" \
    test "$status" -eq 0
  check_file "$label (after the slow clients)" / "$site/index.html" "text/html; charset=utf-8"
}
