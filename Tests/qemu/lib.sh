# Shared helpers for the QEMU tests: counting checks and printing the closing line.
passed=0
failed=0

check() { # check DESCRIPTION COMMAND...
  local description=$1; shift
  if "$@"; then
    passed=$((passed + 1)); echo "  ok   $description"
  else
    failed=$((failed + 1)); echo "  FAIL $description"
  fi
}

has_line() { grep -qxF -- "$2" "$1"; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# run_scripts LABEL SCRIPT...: runs each test script, echoes its output, and prints
# "LABEL: N passed, M failed" over all of them; a script without a closing line counts as one failure.
run_scripts() {
  local label=$1; shift
  local total_passed=0 total_failed=0 script output line
  for script in "$@"; do
    echo "== $script"
    output=$("$script" 2>&1); echo "$output"
    line=$(echo "$output" | grep -oE '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then total_failed=$((total_failed + 1)); continue; fi
    total_passed=$((total_passed + $(echo "$line" | cut -d' ' -f1)))
    total_failed=$((total_failed + $(echo "$line" | cut -d' ' -f3)))
  done
  echo "$label: $total_passed passed, $total_failed failed"
  [ "$total_failed" -eq 0 ]
}

# build_images BOARD APP...: `make image` for each app (skipping apps that do not exist);
# on failure prints the build log and a failing closing line, and returns non-zero.
build_images() {
  local board=$1 app; shift
  for app in "$@"; do
    [ -d "Apps/$app" ] || continue
    make --no-print-directory image BOARD="$board" APP="$app" > "build/image-$board-$app.log" 2>&1 \
      || { cat "build/image-$board-$app.log"; echo "0 passed, 1 failed"; return 1; }
  done
}

# stop_qemu: ends the background QEMU whose pid is in $qemu_pid (TERM through `timeout`; one that
# ignores it for 5 s is killed) and clears qemu_pid.
stop_qemu() {
  [ -n "${qemu_pid:-}" ] || return 0
  kill "$qemu_pid" 2> /dev/null
  if ! timeout 5 tail --pid="$qemu_pid" -f /dev/null 2> /dev/null; then
    pkill -KILL -P "$qemu_pid" 2> /dev/null; kill -KILL "$qemu_pid" 2> /dev/null
  fi
  wait "$qemu_pid" 2> /dev/null
  qemu_pid=""
}

free_port() { # a TCP port the kernel just handed out, so nobody else holds it
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
