#!/usr/bin/env python3
"""The `kv` app's HTTP client for the tests: the API checks, and one round of the crash test.

  kv-client.py api BASE_URL
      every route: put/get/delete, listing by prefix, sync, snapshots, the error statuses.
  kv-client.py crash-round BASE_URL STATE_FILE ROUND
      checks the store against STATE_FILE (keys acknowledged after a completed POST /sync),
      writes 25 keys, syncs, records them, then keeps writing unsynced keys until killed.
Values are a function of the key, so any key present can be checked whether or not it was synced.
Prints `ok - …` / `not ok - …` lines; exits 1 on a failure. Every request has a timeout.
"""
import hashlib
import random
import http.client
import sys
import urllib.parse


def value_of(key: str) -> bytes:
    digest = hashlib.sha256(key.encode()).digest()
    length = 1 + int.from_bytes(digest[:2], "big") % 6000
    return (digest * (length // 32 + 1))[:length]


class Client:
    def __init__(self, base: str):
        url = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=20)

    def request(self, method: str, path: str, body: bytes | None = None):
        self.connection.request(method, path, body=body)
        response = self.connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())


failures = 0


def check(condition: bool, text: str):
    global failures
    print(("ok - " if condition else "not ok - ") + text, flush=True)
    if not condition:
        failures += 1


def quote(key: str) -> str:
    return urllib.parse.quote(key, safe="/")


def api(base: str):
    client = Client(base)
    status, _, _ = client.request("PUT", "/kv/greeting", b"hello")
    check(status == 201, f"PUT a new key: {status}")
    status, body, _ = client.request("GET", "/kv/greeting")
    check((status, body) == (200, b"hello"), f"GET it back: {status} {body[:20]!r}")
    status, _, _ = client.request("PUT", "/kv/greeting", b"hello again")
    check(status == 204, f"PUT replacing it: {status}")
    big = bytes(range(256)) * 4096
    status, _, _ = client.request("PUT", "/kv/big%20value", big)
    status2, body, _ = client.request("GET", "/kv/big%20value")
    check((status, status2, body == big) == (201, 200, True), f"a 1 MiB value round trip: {status} {status2}")
    for name in ("user/alice", "user/bob", "user/carol", "zebra"):
        client.request("PUT", "/kv/" + quote(name), name.encode())
    status, body, _ = client.request("GET", "/kv/?prefix=user/")
    check((status, body) == (200, b"user/alice\nuser/bob\nuser/carol\n"), f"list by prefix: {status} {body!r}")
    status, _, _ = client.request("POST", "/snapshot/before")
    check(status == 201, f"POST /snapshot/before: {status}")
    client.request("DELETE", "/kv/user/bob")
    client.request("PUT", "/kv/user/alice", b"changed")
    status, body, _ = client.request("GET", "/kv/user/bob")
    check(status == 404, f"GET a deleted key: {status}")
    status, body, _ = client.request("GET", "/snapshot/before/user/bob")
    check((status, body) == (200, b"user/bob"), f"the snapshot still has it: {status} {body!r}")
    status, body, _ = client.request("GET", "/snapshot/before/user/alice")
    check((status, body) == (200, b"user/alice"), f"the snapshot has the old value: {status} {body!r}")
    status, body, _ = client.request("GET", "/snapshot/before/?prefix=user/")
    check(body == b"user/alice\nuser/bob\nuser/carol\n", f"list a snapshot: {status} {body!r}")
    status, _, _ = client.request("POST", "/snapshot/before")
    check(status == 409, f"a second snapshot of the same name: {status}")
    status, _, _ = client.request("GET", "/snapshot/nothing/user/bob")
    check(status == 404, f"GET from a missing snapshot: {status}")
    status, _, _ = client.request("POST", "/sync")
    check(status == 204, f"POST /sync: {status}")
    status, _, _ = client.request("DELETE", "/kv/never-there")
    check(status == 404, f"DELETE of a missing key: {status}")
    status, _, headers = client.request("POST", "/kv/greeting", b"x")
    check(status == 405 and headers.get("Allow") == "GET, HEAD, PUT, DELETE", f"POST to a key: {status} {headers.get('Allow')}")
    status, _, _ = client.request("PUT", "/kv/" + "k" * 300, b"x")
    check(status == 400, f"a 300-byte key: {status}")
    too_big = Client(base)
    too_big.connection.putrequest("PUT", "/kv/huge")
    too_big.connection.putheader("Content-Length", str(2 << 20))
    too_big.connection.endheaders()
    response = too_big.connection.getresponse()
    check(response.status == 413, f"a 2 MiB value refused from its head: {response.status}")
    status, body, _ = client.request("GET", "/kv/greeting")
    check((status, body) == (200, b"hello again"), f"the store still answers: {status}")


def crash_round(base: str, state_file: str, round_number: str):
    with open(state_file, "a+") as state:
        state.seek(0)
        synced = [line.strip() for line in state if line.strip()]
    client = Client(base)
    status, body, _ = client.request("GET", "/kv/?prefix=crash/")
    present = [urllib.parse.unquote(line) for line in body.decode().splitlines()]
    missing = sorted(set(synced) - set(present))
    check(status == 200 and not missing,
          f"round {round_number}: all {len(synced)} synced keys survived ({len(present)} present, missing {missing[:3]})")
    wrong = []
    # Every synced key's value, and a sample of the others (bounded time in late rounds).
    others = sorted(set(present) - set(synced))
    sample = set(synced) | set(random.Random(len(present)).sample(others, min(200, len(others))))
    for key in sorted(sample & set(present)):
        status, value, _ = client.request("GET", "/kv/" + quote(key))
        if status != 200 or value != value_of(key):
            wrong.append(key)
    check(not wrong, f"round {round_number}: every present key has its value ({len(wrong)} wrong: {wrong[:3]})")
    written = []
    for index in range(25):
        key = f"crash/round{round_number}/synced/{index}"
        status, _, _ = client.request("PUT", "/kv/" + quote(key), value_of(key))
        if status in (201, 204):
            written.append(key)
    status, _, _ = client.request("POST", "/sync")
    check(status == 204 and len(written) == 25, f"round {round_number}: 25 puts and a sync ({status})")
    if status == 204:
        with open(state_file, "a") as state:
            state.writelines(key + "\n" for key in written)
    print(f"round {round_number}: synced; writing unsynced keys until killed", flush=True)
    # 150 keys shared by every round, written over and over: the live data stays bounded while
    # the log fills and compacts.
    for index in range(100000):
        key = f"crash/unsynced/{index % 150}"
        client.request("PUT", "/kv/" + quote(key), value_of(key))
        if index % 37 == 36:
            client.request("DELETE", "/kv/" + quote(f"crash/unsynced/{(index - 20) % 150}"))


def main():
    try:
        if sys.argv[1] == "api":
            api(sys.argv[2])
        elif sys.argv[1] == "crash-round":
            crash_round(sys.argv[2], sys.argv[3], sys.argv[4])
    except (OSError, http.client.HTTPException) as error:
        if sys.argv[1] == "api":
            check(False, f"connection failed: {error!r}")
    sys.exit(1 if failures else 0)


main()
