#!/usr/bin/python3
"""A userspace stand-in for `tc qdisc ... netem` (this kernel has no sch_netem): relays Ethernet
frames between a TAP device it owns (Linux's side, with Linux's address on it) and another
interface it reaches through a packet socket (the TAP the Seal process owns), dropping, delaying
and reordering them in both directions as netem would.

    impair.py LINUX_TAP SEAL_INTERFACE [--loss 0.03] [--delay 0.005] [--reorder 0.10] [--seed N]

netem's reorder: a reordered frame goes out at once while the others wait `delay`. Runs until
killed; prints a one-line count of what it did on exit.
"""
import argparse, fcntl, heapq, os, random, select, signal, socket, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
ETH_P_ALL = 0x0003

parser = argparse.ArgumentParser()
parser.add_argument("linux_tap")
parser.add_argument("seal_interface")
parser.add_argument("--loss", type=float, default=0.0)
parser.add_argument("--delay", type=float, default=0.0)
parser.add_argument("--reorder", type=float, default=0.0)
parser.add_argument("--seed", type=int, default=1)
arguments = parser.parse_args()
chance = random.Random(arguments.seed)

tap = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", arguments.linux_tap.encode(), IFF_TAP | IFF_NO_PI))
packet = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
packet.bind((arguments.seal_interface, 0))
packet.setblocking(False)

counts = {"relayed": 0, "dropped": 0, "reordered": 0}
queue = []  # (due, sequence, direction, frame)
sequence = 0

def stop(*_):
    print(f"impair: {counts['relayed']} relayed, {counts['dropped']} dropped, {counts['reordered']} reordered",
          flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)

def deliver(direction, frame):
    try:
        if direction == "to-seal":
            packet.send(frame)
        else:
            os.write(tap, frame)
        counts["relayed"] += 1
    except (BlockingIOError, OSError):
        counts["dropped"] += 1

def accept(direction, frame):
    global sequence
    if chance.random() < arguments.loss:
        counts["dropped"] += 1
        return
    if arguments.delay > 0 and chance.random() >= arguments.reorder:
        sequence += 1
        heapq.heappush(queue, (time.monotonic() + arguments.delay, sequence, direction, frame))
    else:
        if arguments.delay > 0:
            counts["reordered"] += 1
        deliver(direction, frame)

last_report = time.monotonic()
while True:
    if os.environ.get("IMPAIR_VERBOSE") and time.monotonic() - last_report > 2:
        last_report = time.monotonic()
        print(f"impair: {counts} queued {len(queue)}", flush=True)
    timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
    readable, _, _ = select.select([tap, packet], [], [], timeout)
    if tap in readable:
        for _ in range(64):
            try:
                accept("to-seal", os.read(tap, 65536))
            except BlockingIOError:
                break
    if packet in readable:
        for _ in range(64):
            try:
                frame, address = packet.recvfrom(65536)
            except BlockingIOError:
                break
            if address[2] == socket.PACKET_OUTGOING:
                continue  # our own injections, seen again on the way out
            accept("to-linux", frame)
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, direction, frame = heapq.heappop(queue)
        deliver(direction, frame)
