#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run one QMP command on a QEMU monitor socket.

Usage: qmp.py SOCKET COMMAND [JSON-ARGUMENTS]

Prints the command's "return" value as JSON and exits 0, or prints the
error's description on stderr and exits 1.  Events that QEMU sends in
between are skipped.  tests/vm/run.sh uses it to hot-plug PCI NICs.
"""

import json
import socket
import sys


def replies(sock):
    """Yield the JSON objects QEMU sends, one a line."""
    buf = b""
    while True:
        while b"\n" not in buf:
            data = sock.recv(65536)
            if not data:
                raise EOFError("monitor closed the connection")
            buf += data
        line, buf = buf.split(b"\n", 1)
        if line.strip():
            yield json.loads(line)


def execute(sock, it, command, arguments=None):
    """Send one command; return its "return" value or raise on "error"."""
    msg = {"execute": command}
    if arguments is not None:
        msg["arguments"] = arguments
    sock.sendall(json.dumps(msg).encode() + b"\n")
    for reply in it:
        if "return" in reply:
            return reply["return"]
        if "error" in reply:
            raise RuntimeError(reply["error"].get("desc", "unknown error"))
    raise EOFError("no reply")


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    args = json.loads(sys.argv[3]) if len(sys.argv) == 4 else None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    try:
        sock.connect(sys.argv[1])
        it = replies(sock)
        greeting = next(it)
        if "QMP" not in greeting:
            raise RuntimeError("not a QMP greeting: %s" % greeting)
        execute(sock, it, "qmp_capabilities")
        print(json.dumps(execute(sock, it, sys.argv[2], args)))
    except (OSError, EOFError, RuntimeError, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 1
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
