#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed writes to the netvsc simulator's sysfs and debugfs files.

Usage: sysfs_fuzz.py [--seed N] [--count N] [--splat-re RE] [--uid UID]

Writes, each with one write(2) of exact bytes:
  /sys/bus/netvsc_sim/new_device  a fixed corpus of malformed lines, then
                                  --count random mutations of a valid one
  /sys/bus/netvsc_sim/del_device  the same
  /sys/kernel/debug/netvsc_sim/** non-numbers, out-of-range numbers for
                                  the bounded knobs, and writes to the
                                  read-only files
An oracle that knows the accepted syntax ("<u32> <unicast MAC>" and a
u32 with kstrtou32's syntax) tells malformed inputs from valid ones:
every malformed write must fail and change nothing (the devices and
every readable debugfs value are compared before and after); a valid one
that happens to come out of a mutation is undone.  Inputs that match
--splat-re (the kernel log patterns the test runner fails on) are not
sent: the simulator echoes bad input to the kernel log.

With --uid, only checks that the user gets EACCES or EPERM for every
file.  Output: "# " lines, then "ok"/"FAIL" in the last line; exit 0 or 1.
"""

import argparse
import errno
import os
import random
import re
import sys

BUS = "/sys/bus/netvsc_sim"
DBG = "/sys/kernel/debug/netvsc_sim"
U32_MAX = 0xFFFFFFFF
MAC_RE = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")

failures = []


def fail(msg):
    if len(failures) < 20:
        print("# FAIL: " + msg)
    failures.append(msg)


def show(b):
    s = repr(b)
    return s if len(s) < 80 else s[:76] + "...'"


def write(path, data):
    """One write(2); 0 or the errno."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        return "errno %d" % e.errno


def devices():
    return sorted(os.listdir(BUS + "/devices"))


def c_string(b):
    """What the kernel sees of a sysfs write: up to the first NUL."""
    return b.split(b"\0", 1)[0]


# The kernel's isspace() on Latin-1.
KSPACE = " \t\n\v\f\r\xa0"


def new_valid(b):
    """The id if new_device must accept B, else None."""
    s = c_string(b).decode("latin-1").strip(KSPACE)
    # sscanf("%u %17s %n") and nothing after: two tokens.
    toks = re.split("[%s]+" % re.escape(KSPACE), s) if s else []
    if len(toks) != 2 or not re.fullmatch("[0-9]+", toks[0]):
        return None
    if int(toks[0]) > U32_MAX or len(toks[1]) != 17 or not MAC_RE.fullmatch(toks[1]):
        return None
    mac = bytes.fromhex(toks[1].replace(":", ""))
    if mac[0] & 1 or mac == bytes(6):
        return None
    return int(toks[0])


def del_valid(b):
    """The id if B parses for del_device (kstrtou32, base 10), else None."""
    s = c_string(b).decode("latin-1")
    m = re.fullmatch(r"\+?([0-9]+)\n?", s)
    if not m or not m.group(1).isascii() or int(m.group(1)) > U32_MAX:
        return None
    return int(m.group(1))


def int_syntax(b):
    """True if B may be taken by kstrtoull or kstrtoll (base 0) after
    simple_attr_write's cut to 23 bytes: such a write is not malformed."""
    s = c_string(b[:23]).decode("latin-1")
    m = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\n?", s)
    if not m:
        return False
    v = int(m.group(2), 0) if not re.fullmatch("0[0-7]+", m.group(2)) else int(m.group(2), 8)
    if m.group(1) == "-":
        v = -v
    return -2**63 <= v <= 2**64 - 1


class Gen:
    def __init__(self, seed, splat_re):
        self.r = random.Random(seed)
        self.splat = re.compile(splat_re.encode()) if splat_re else None

    def ok(self, b):
        return not (self.splat and self.splat.search(b))

    def mutate(self, base):
        r = self.r
        b = bytearray(base)
        for _ in range(r.randint(1, 4)):
            op = r.randrange(8)
            i = r.randrange(len(b) + 1)
            if op == 0 and b:
                b[min(i, len(b) - 1)] = r.randrange(256)
            elif op == 1:
                b[i:i] = bytes([r.randrange(256)])
            elif op == 2 and b:
                del b[min(i, len(b) - 1)]
            elif op == 3:
                b[i:i] = r.choice([b" ", b"\n", b"\t", b"\0", b":", b"-", b"+", b"0x"])
            elif op == 4:
                b[i:i] = str(r.choice([U32_MAX, U32_MAX + 1, 2**64, 2**64 - 1, -1, 10**30])).encode()
            elif op == 5:
                b = b[:i]
            elif op == 6:
                b += b * r.randint(1, 3)
            else:
                b[i:i] = bytes(r.randrange(32, 127) for _ in range(r.randint(1, 20)))
        return bytes(b)


NEW_CORPUS = [
    b"", b"\n", b" ", b"\0", b"0", b"0\n", b"0 ", b"-1 00:15:5d:00:70:01",
    b"abc 00:15:5d:00:70:01", b"0x10 00:15:5d:00:70:01", b"+70 00:15:5d:00:70:01",
    b"70 00:15:5d:00:70", b"70 00:15:5d:00:70:01:02", b"70 00:15:5d:00:70:0g",
    b"70 00-15-5d-00-70-01", b"70 0015.5d00.7001", b"70 00:15:5d:00:70:1",
    b"70 01:00:5e:00:00:01", b"70 00:00:00:00:00:00", b"70 ff:ff:ff:ff:ff:ff",
    b"70 00:15:5d:00:70:01 extra", b"70 00:15:5d:00:70:01 0", b"70 70 70",
    b"4294967296 00:15:5d:00:70:01", b"99999999999999999999 00:15:5d:00:70:01",
    b"18446744073709551616 00:15:5d:00:70:01", b"70  ", b"70\n00:15:5d",
    b"A" * 4095, b"7" * 4096, b"7 " + b"a" * 5000, bytes(range(256)),
    b"\xff\xfe\xfd", b"70 \xe4\xb8\xad:15:5d:00:70:01",
]

DEL_CORPUS = [
    b"", b"\n", b" ", b"\0", b"x", b"-1", b"-0", b"1 2", b" 1", b"1\n\n",
    b"0x5", b"1e3", b"4294967296", b"99999999999999999999",
    b"18446744073709551616", b"12345", b"4294967295", b"9" * 4096,
    b"+", b"++1", bytes(range(1, 256)),
]

# Debugfs knobs with bounds: values that must be refused.
KNOB_BAD = {
    "sg": [b"2", b"4294967297"], "tx_csum": [b"2"], "rx_csum": [b"2"],
    "tso": [b"2", b"18446744073709551615"], "tso_max_size": [b"0", b"1"],
    "tso_max_segs": [b"0", b"1"], "max_mtu": [b"0", b"67", b"65536"],
    "link": [b"2", b"4294967296"],
}

DBG_GARBAGE = [
    b"", b"\n", b" ", b"abc", b"1x", b"0x", b"0xg", b"--1", b"+-1", b"1 2",
    b"1.5", b"99999999999999999999999", b"0x1ffffffffffffffff", b"\0\1\2",
    b" 1", b"1\n\n", b"x" * 5000, b"1" * 30 + b"x",
]


def fuzz_new(gen, count):
    base = devices()
    sent = rejected = undone = 0
    cands = list(NEW_CORPUS)
    for _ in range(count):
        cands.append(gen.mutate(b"70 00:15:5d:00:70:01"))
    for b in cands:
        # sysfs takes an empty write without calling the store: no test.
        if not b or not gen.ok(b):
            continue
        want = new_valid(b)
        existing = {int(d[len("netvsc_sim"):]) for d in devices()}
        if want is not None and want in existing:
            want = None     # EEXIST is a rejection too
        err = write(BUS + "/new_device", b)
        sent += 1
        now = devices()
        if want is None:
            if err == 0:
                fail("new_device accepted %s" % show(b))
            elif now != base:
                fail("new_device refused %s but the devices changed: %s" % (show(b), now))
            else:
                rejected += 1
        elif err == 0:
            undone += 1
        # Undo whatever a write made.
        for d in set(now) - set(base):
            write(BUS + "/del_device", d[len("netvsc_sim"):].encode())
        if devices() != base:
            fail("cannot get back to the devices %s" % base)
            break
    print("# new_device: %d writes, %d malformed ones refused, %d valid mutations undone" %
          (sent, rejected, undone))


def fuzz_del(gen, count):
    base = devices()
    existing = {int(d[len("netvsc_sim"):]) for d in base}
    sent = rejected = 0
    cands = list(DEL_CORPUS)
    for _ in range(count):
        cands.append(gen.mutate(b"70"))
    for b in cands:
        if not b or not gen.ok(b):
            continue
        v = del_valid(b)
        if v is not None and v in existing:
            continue        # would delete a device of the test
        err = write(BUS + "/del_device", b)
        sent += 1
        if err == 0:
            fail("del_device accepted %s" % show(b))
        elif devices() != base:
            fail("del_device refused %s but the devices changed" % show(b))
        else:
            rejected += 1
    print("# del_device: %d writes, %d refused" % (sent, rejected))


def dbg_files():
    out = []
    for root, _, files in os.walk(DBG):
        for f in sorted(files):
            out.append(os.path.join(root, f))
    return sorted(out)


def snapshot(files):
    return {f: read(f) for f in files}


def fuzz_debugfs(gen, count):
    files = dbg_files()
    before = snapshot(files)
    sent = rejected = 0
    for f in files:
        name = os.path.basename(f)
        writable = os.stat(f).st_mode & 0o200
        cands = list(DBG_GARBAGE)
        for _ in range(count):
            cands.append(gen.mutate(b"1"))
        if writable:
            cands = [b for b in cands if not int_syntax(b)]
            cands += KNOB_BAD.get(name, [])
        else:
            cands += [b"0", b"1", b"synthetic", b"vf"]
        for b in cands:
            if not gen.ok(b):
                continue
            old = read(f)
            err = write(f, b)
            sent += 1
            if err == 0:
                fail("%s accepted %s" % (f, show(b)))
            elif read(f) != old:
                fail("%s refused %s but changed from %r to %r" % (f, show(b), old, read(f)))
            else:
                rejected += 1
    after = snapshot(files)
    for f in files:
        if before[f] != after[f]:
            fail("%s changed: %r -> %r" % (f, before[f], after[f]))
    print("# debugfs: %d files, %d writes, %d refused" % (len(files), sent, rejected))


def unprivileged(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    n = 0
    for f in [BUS + "/new_device", BUS + "/del_device"]:
        for b in [b"70 00:15:5d:00:70:01", b"70", b"x"]:
            err = write(f, b)
            n += 1
            if err not in (errno.EACCES, errno.EPERM):
                fail("uid %d: %s %s gave %s" % (uid, f, show(b), err and os.strerror(err)))
    err = write(DBG + "/defaults/sg", b"0")
    n += 1
    if err not in (errno.EACCES, errno.EPERM, errno.ENOENT):
        fail("uid %d: debugfs write gave %s" % (uid, err and os.strerror(err)))
    print("# uid %d: %d writes, all refused" % (uid, n) if not failures else
          "# uid %d: %d writes" % (uid, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=random.randrange(2**31))
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--splat-re", default="")
    ap.add_argument("--uid", type=int)
    a = ap.parse_args()

    if a.uid is not None:
        unprivileged(a.uid)
    else:
        print("# seed %d, %d random mutations per target" % (a.seed, a.count))
        gen = Gen(a.seed, a.splat_re)
        fuzz_new(gen, a.count)
        fuzz_del(gen, a.count)
        fuzz_debugfs(gen, max(1, a.count // 10))
    if failures:
        print("# %d failures; FAIL" % len(failures))
        return 1
    print("# ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
