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
