#!/usr/bin/python3
"""Linux-side clients for the host network tests: clients.py HOST TEST [SIZE]; exit 0 on success."""
import hashlib, os, socket, sys, threading, time

host, test = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20

def tcp_echo(size):
    data = os.urandom(size)
    s = socket.create_connection((host, 7), timeout=30)
    # sendall's timeout covers the whole call (Python 3.5+), which a slow lossy link exceeds;
    # the caller's `timeout` command bounds the run instead.
    s.settimeout(None)
    errors = []
    def sender():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            errors.append(e)
    start = time.monotonic()
    thread = threading.Thread(target=sender)
    thread.start()
    digest, count = hashlib.sha256(), 0
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        digest.update(chunk)
        count += len(chunk)
    thread.join()
    elapsed = time.monotonic() - start
    s.close()
    ok = not errors and count == size and digest.hexdigest() == hashlib.sha256(data).hexdigest()
    print(f"tcp echo: sent {size} received {count} bytes in {elapsed:.2f} s "
          f"({size / elapsed / 1e6:.1f} MB/s), sha256 {'matches' if ok else 'DIFFERS'} {errors or ''}")
    return ok

def tcp_discard(size):
    s = socket.create_connection((host, 9), timeout=10)
    s.sendall(os.urandom(size))
    s.shutdown(socket.SHUT_WR)
    rest = s.recv(1)  # the server closes after our FIN, sending nothing
    s.close()
    print(f"tcp discard: sent {size} bytes, got {len(rest)} back, then end of stream")
    return rest == b""

def udp_echo(size):
    data = os.urandom(size)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for attempt in range(3):
        s.sendto(data, (host, 7))
        try:
            reply, source = s.recvfrom(65536)
        except socket.timeout:
            continue
        ok = reply == data and source == (host, 7)
        print(f"udp echo: {size} bytes, reply {len(reply)} bytes from {source[0]}:{source[1]}, "
              f"{'identical' if ok else 'DIFFERENT'} (attempt {attempt + 1})")
        return ok
    print("udp echo: no reply in 3 attempts")
    return False

def tcp_echo_parallel(count, size):
    results = [False] * count
    def one(index):
        try:
            results[index] = tcp_echo(size)
        except OSError as e:
            print(f"connection {index}: {e}")
    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return all(results)

tests = {"tcp-echo": lambda: tcp_echo(size), "tcp-discard": lambda: tcp_discard(256 << 10),
         "udp-echo": lambda: udp_echo(1000), "tcp-echo-parallel": lambda: tcp_echo_parallel(4, 256 << 10)}
try:
    sys.exit(0 if tests[test]() else 1)
except OSError as e:
    print(f"{test}: {e}")
    sys.exit(1)
