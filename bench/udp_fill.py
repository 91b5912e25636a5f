#!/usr/bin/env python3
"""Creates COUNT conntrack entries in the current network namespace: one UDP datagram from one
socket to each of COUNT consecutive addresses from 127.1.0.0, on PORT. Only 127.0.0.0/8 is ever
addressed (checked per datagram). Run it inside a lab namespace: ip netns exec NS python3 udp_fill.py N."""
import socket
import sys
import time

BASE = (127 << 24) | (1 << 16)  # 127.1.0.0


def main():
    count = int(sys.argv[1])
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    if not 0 < count <= (1 << 24) - (1 << 16) - 2:
        sys.exit("count must fit in 127.1.0.0 - 127.255.255.254")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    started = time.time()
    for i in range(count):
        address = BASE + i
        if address >> 24 != 127:
            sys.exit("refusing to send outside 127.0.0.0/8")
        sock.sendto(b"x", ("%d.%d.%d.%d" % (127, (address >> 16) & 255, (address >> 8) & 255, address & 255), port))
    print("sent %d datagrams in %.1f s" % (count, time.time() - started), file=sys.stderr)


if __name__ == "__main__":
    main()
