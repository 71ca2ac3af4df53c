#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send a file over TCP at a bounded rate, so that it spans some events.

usage: paced_send.py HOST PORT FILE RATE_BYTES_PER_S
"""
import socket
import sys
import time

CHUNK = 16384


def main():
    host, port, path, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    sock = socket.create_connection((host, port), timeout=60)
    start = time.monotonic()
    sent = 0
    with open(path, 'rb') as f:
        while True:
            buf = f.read(CHUNK)
            if not buf:
                break
            sock.sendall(buf)
            sent += len(buf)
            ahead = sent / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)
    sock.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
