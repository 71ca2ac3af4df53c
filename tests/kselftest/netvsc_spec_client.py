#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Talk to the netvsc generic netlink family using only its YAML spec.

Everything about the family -- its name and version, the commands, the
attribute numbers and types, the enums and flags, the multicast group --
comes from Documentation/netlink/specs/netvsc.yaml.  Nothing here knows
the uapi header; the only numbers below are those of netlink itself and
of nlctrl, which every generic netlink client needs.

Usage:
  netvsc_spec_client.py [--spec FILE] info
  netvsc_spec_client.py [--spec FILE] do OP [ATTR[=VALUE]...]
  netvsc_spec_client.py [--spec FILE] dump OP [ATTR[=VALUE]...]
  netvsc_spec_client.py [--spec FILE] listen [--count N] [--timeout S]
                                             [--ready-file FILE]
  netvsc_spec_client.py [--spec FILE] c-checks

ATTR is an attribute name of the operation's attribute set; VALUE is
parsed as the spec's type says (enum entry names are accepted).  A flag
attribute takes no value.  ATTR:TYPE=VALUE sends the attribute with
another type (u8, u16, u32, u64, string, flag, binary as hex), and
@NUMBER:TYPE=VALUE sends an attribute type the spec does not have: both
are for testing the kernel's validation.

Output: "do" prints the reply as one JSON object ({} if the kernel only
acked), "dump" a JSON array, "listen" one JSON object per notification
and line ({"op": ..., "attrs": {...}}).  Attribute values are decoded by
the spec: enums as entry names, flags as lists of names, nests as
objects; attributes the spec does not know are listed under "_unknown".

"c-checks" prints a C program that compares every constant the spec
defines (under the C names the spec gives them) with the uapi header it
is compiled against, for tests that keep the spec and the header in step.

Errors: one line on stderr, e.g.
  netvsc_spec_client: dev-get: error EINVAL (Invalid argument):
  msg="..." bad-attr=ifindex policy=type:u32,min:1
(a single line) and exit status 1; 2 for bad usage, 3 for a reply the
spec cannot decode.
"""

import argparse
import errno
import json
import os
import select
import socket
import struct
import sys
import time

import yaml

PROG = "netvsc_spec_client"
DEFAULT_SPEC = os.path.join(os.path.dirname(os.path.realpath(__file__)),
                            "..", "..", "Documentation", "netlink", "specs",
                            "netvsc.yaml")

# netlink(7)
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_DUMP_INTR = 0x10
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_NOOP = 1
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_TYPE_MASK = 0x3fff
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_POLICY = 4
NLMSGERR_ATTR_MISS_TYPE = 5
NL_POLICY_TYPE_ATTR = {1: "type", 2: "min", 3: "max", 4: "min", 5: "max",
                       6: "min-len", 7: "max-len"}
NL_ATTR_TYPES = ["invalid", "flag", "u8", "u16", "u32", "u64", "s8", "s16",
                 "s32", "s64", "binary", "string", "nul-string", "nest",
                 "nest-array", "bitfield32"]

# nlctrl, the generic netlink controller
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_CMD_GETPOLICY = 10
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_POLICY = 8
CTRL_ATTR_OP_POLICY = 9
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
CTRL_ATTR_POLICY_DO = 1
CTRL_ATTR_POLICY_DUMP = 2
GENL_ADMIN_PERM = 0x01
GENL_CMD_CAP_DO = 0x02
GENL_CMD_CAP_DUMP = 0x04
GENL_UNS_ADMIN_PERM = 0x10

SCALARS = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q",
           "s8": "b", "s16": "h", "s32": "i", "s64": "q"}


class UsageError(Exception):
    pass


class DecodeError(Exception):
    pass


class NlError(Exception):
    """The kernel refused a request; carries its extended ack."""

    def __init__(self, err):
        super().__init__(err)
        self.errno = err
        self.msg = None
        self.bad_attr = None
        self.policy = {}
        self.miss_type = None

    def __str__(self):
        name = errno.errorcode.get(self.errno, str(self.errno))
        s = "error %s (%s)" % (name, os.strerror(self.errno))
        if self.msg:
            s += ": msg=%s" % json.dumps(self.msg)
        if self.bad_attr:
            s += " bad-attr=%s" % self.bad_attr
        if self.policy:
            s += " policy=" + ",".join("%s:%s" % kv
                                       for kv in self.policy.items())
        if self.miss_type is not None:
            s += " missing-attr=%s" % self.miss_type
        return s


def c_name(s):
    return s.upper().replace("-", "_")


# ------------------------------------------------------------------ spec

class Enum:
    def __init__(self, family, y):
        self.name = y["name"]
        self.flags = y["type"] == "flags"
        self.prefix = y.get("name-prefix", "%s-%s-" % (family, self.name))
        self.values = {}
        start = y.get("value-start", 0)
        for i, e in enumerate(y["entries"]):
            if isinstance(e, str):
                e = {"name": e}
            if "value" in e:
                v = e["value"]
            elif self.flags:
                v = 1 << (start + i)
            else:
                v = start + i
            self.values[e["name"]] = v
        self.names = {v: k for k, v in self.values.items()}

    def decode(self, v):
        if not self.flags:
            return self.names.get(v, v)
        out = []
        for bit in range(64):
            if v & (1 << bit):
                out.append(self.names.get(1 << bit, "bit-%d" % bit))
        return out

    def encode(self, s):
        if self.flags:
            v = 0
            for part in s.split(","):
                v |= self.values[part] if part in self.values \
                    else int(part, 0)
            return v
        if s in self.values:
            return self.values[s]
        return int(s, 0)


class Attr:
    def __init__(self, y, value):
        self.name = y["name"]
        self.type = y["type"]
        self.value = value
        self.enum = y.get("enum")
        self.nested = y.get("nested-attributes")
        self.checks = y.get("checks", {})


class AttrSet:
    def __init__(self, family, y):
        self.name = y["name"]
        self.prefix = y.get("name-prefix", "%s-a-%s-" % (family, self.name))
        self.max_name = y.get("attr-max-name", self.prefix + "max")
        self.cnt_name = y.get("attr-cnt-name", "__" + self.prefix + "max")
        self.by_name = {}
        self.by_value = {}
        val = 1
        for a in y["attributes"]:
            if "value" in a:
                val = a["value"]
            attr = Attr(a, val)
            self.by_name[attr.name] = attr
            self.by_value[val] = attr
            val += 1


class Op:
    def __init__(self, y, value):
        self.name = y["name"]
        self.value = value
        self.attr_set = y.get("attribute-set")
        self.do = y.get("do")
        self.dump = y.get("dump")
        self.event = y.get("event")
        self.notify = y.get("notify")
        self.mcgrp = y.get("mcgrp")
        self.flags = y.get("flags", [])

    def request_attrs(self, mode):
        sub = self.do if mode == "do" else self.dump
        if not sub:
            return None
        return (sub.get("request") or {}).get("attributes", [])


class Spec:
    def __init__(self, path):
        # libyaml's loader when there is one: much faster under emulation.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(path) as f:
            y = yaml.load(f, Loader=loader)
        self.y = y
        self.name = y["name"]
        self.version = y.get("version", 1)
        self.enums = {}
        for d in y.get("definitions", []):
            if d["type"] in ("enum", "flags"):
                self.enums[d["name"]] = Enum(self.name, d)
        self.attr_sets = {}
        for s in y["attribute-sets"]:
            self.attr_sets[s["name"]] = AttrSet(self.name, s)
        ops = y["operations"]
        if ops.get("enum-model", "unified") != "unified":
            raise UsageError("only the unified enum model is supported")
        self.op_prefix = ops.get("name-prefix", self.name + "-cmd-")
        self.ops = {}
        self.ops_by_value = {}
        val = 1
        for o in ops["list"]:
            if "value" in o:
                val = o["value"]
            op = Op(o, val)
            self.ops[op.name] = op
            self.ops_by_value[val] = op
            val += 1
        self.mcgrps = [g["name"] for g in
                       y.get("mcast-groups", {}).get("list", [])]

    def op(self, name):
        if name not in self.ops:
            raise UsageError("no operation %r in the spec (have: %s)" %
                             (name, ", ".join(self.ops)))
        return self.ops[name]


# ------------------------------------------------------------------ attrs

def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def iter_attrs(data):
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4 or off + alen > len(data):
            raise DecodeError("malformed attribute at offset %d" % off)
        yield off, atype & NLA_TYPE_MASK, data[off + 4:off + alen]
        off += (alen + 3) & ~3


def encode_value(spec, attr, atype, text):
    enum = spec.enums.get(attr.enum) if attr else None
    if atype in SCALARS:
        v = enum.encode(text) if enum else int(text, 0)
        return struct.pack("=" + SCALARS[atype], v)
    if atype == "string":
        return text.encode() + b"\0"
    if atype == "flag":
        if text is not None:
            raise UsageError("flag %s takes no value" % attr.name)
        return b""
    if atype == "binary":
        return bytes.fromhex(text)
    raise UsageError("cannot encode type %s" % atype)


def encode_request(spec, op, mode, args):
    """ATTR[=VALUE], ATTR:TYPE=VALUE or @NUM:TYPE=VALUE to attributes."""
    aset = spec.attr_sets[op.attr_set]
    allowed = op.request_attrs(mode)
    if allowed is None:
        raise UsageError("%s has no %s" % (op.name, mode))
    out = b""
    for arg in args:
        key, sep, text = arg.partition("=")
        text = text if sep else None
        name, _, override = key.partition(":")
        if name.startswith("@"):
            if not override:
                raise UsageError("%s: a raw attribute needs a type" % arg)
            out += nla(int(name[1:], 0),
                       encode_value(spec, None, override, text))
            continue
        if name not in aset.by_name:
            raise UsageError("no attribute %r in set %s" % (name, aset.name))
        attr = aset.by_name[name]
        if not override and name not in allowed:
            raise UsageError("%s %s does not take %s" % (op.name, mode, name))
        atype = override or attr.type
        if atype != "flag" and text is None:
            raise UsageError("%s needs a value" % name)
        out += nla(attr.value, encode_value(spec, attr, atype, text))
    return out


def decode_attrs(spec, set_name, data):
    aset = spec.attr_sets[set_name]
    out = {}
    for _, atype, payload in iter_attrs(data):
        attr = aset.by_value.get(atype)
        if attr is None:
            out.setdefault("_unknown", []).append(atype)
            continue
        if attr.type in ("pad", "unused"):
            continue
        out[attr.name] = decode_value(spec, aset, attr, payload)
    return out


def decode_value(spec, aset, attr, payload):
    t = attr.type
    if t in SCALARS:
        size = struct.calcsize(SCALARS[t])
        if len(payload) != size:
            raise DecodeError("%s.%s: %s of %d bytes" %
                              (aset.name, attr.name, t, len(payload)))
        v = struct.unpack("=" + SCALARS[t], payload)[0]
        if attr.enum:
            return spec.enums[attr.enum].decode(v)
        return v
    if t == "string":
        if not payload or payload[-1] != 0:
            raise DecodeError("%s.%s: string without a NUL" %
                              (aset.name, attr.name))
        return payload[:-1].decode("utf-8", "surrogateescape")
    if t == "flag":
        if payload:
            raise DecodeError("%s.%s: flag with a payload" %
                              (aset.name, attr.name))
        return True
    if t == "nest":
        return decode_attrs(spec, attr.nested, payload)
    if t == "binary":
        return payload.hex()
    raise DecodeError("%s.%s: unsupported type %s" % (aset.name, attr.name, t))


# ------------------------------------------------------------------ socket

class GenlSocket:
    def __init__(self, spec):
        self.spec = spec
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                NETLINK_GENERIC)
        self.sk.bind((0, 0))
        for opt in (NETLINK_EXT_ACK, NETLINK_CAP_ACK):
            try:
                self.sk.setsockopt(SOL_NETLINK, opt, 1)
            except OSError:
                pass
        self.seq = int(time.time()) & 0xffffff
        self.family_id = None
        self.family_version = None
        self.groups = {}
        self.kernel_ops = {}

    def send(self, msg_type, flags, cmd, version, attrs):
        self.seq += 1
        payload = struct.pack("=BBH", cmd, version, 0) + attrs
        hdr = struct.pack("=IHHII", 16 + len(payload), msg_type,
                          NLM_F_REQUEST | flags, self.seq, 0)
        self.last_request = hdr + payload
        self.sk.send(self.last_request)
        return self.seq

    def recv_msgs(self):
        data, _, mflags, _ = self.sk.recvmsg(1 << 17)
        if mflags & socket.MSG_TRUNC:
            raise DecodeError("netlink message truncated")
        off = 0
        while off + 16 <= len(data):
            mlen, mtype, mfl, seq, _ = struct.unpack_from("=IHHII", data, off)
            if mlen < 16 or off + mlen > len(data):
                raise DecodeError("malformed netlink message")
            yield mtype, mfl, seq, data[off + 16:off + mlen]
            off += (mlen + 3) & ~3

    def _name_offset(self, off, set_name):
        """Name the attribute at byte @off of the last request."""
        req = self.last_request
        base = 20
        aset = self.spec.attr_sets.get(set_name) if set_name else None
        for aoff, atype, _ in iter_attrs(req[base:]):
            if base + aoff == off:
                attr = aset.by_value.get(atype) if aset else None
                return attr.name if attr else "type-%d" % atype
        return "offset-%d" % off

    def _error(self, mfl, payload, set_name):
        err = struct.unpack_from("=i", payload)[0]
        e = NlError(-err)
        off = 4
        if mfl & NLM_F_CAPPED:
            off += 16
        else:
            off += (struct.unpack_from("=I", payload, 4)[0] + 3) & ~3
        if mfl & NLM_F_ACK_TLVS:
            self._extack(e, payload[off:], set_name)
        return e

    def _extack(self, e, tlvs, set_name):
        for _, atype, val in iter_attrs(tlvs):
            if atype == NLMSGERR_ATTR_MSG:
                e.msg = val.rstrip(b"\0").decode(errors="replace")
            elif atype == NLMSGERR_ATTR_OFFS:
                e.bad_attr = self._name_offset(
                    struct.unpack("=I", val)[0], set_name)
            elif atype == NLMSGERR_ATTR_MISS_TYPE:
                e.miss_type = struct.unpack("=I", val)[0]
            elif atype == NLMSGERR_ATTR_POLICY:
                self._policy_desc(e.policy, val)

    def request(self, msg_type, cmd, version, attrs, dump, set_name):
        """Send a request; return the payloads (after the genl header) of
        the replies, raising NlError if the kernel refused it."""
        flags = NLM_F_DUMP if dump else NLM_F_ACK
        seq = self.send(msg_type, flags, cmd, version, attrs)
        replies = []
        while True:
            for mtype, mfl, mseq, payload in self.recv_msgs():
                if mseq != seq:
                    continue
                if mfl & NLM_F_DUMP_INTR:
                    raise NlError(errno.EINTR)
                if mtype == NLMSG_ERROR:
                    e = self._error(mfl, payload, set_name)
                    if e.errno:
                        raise e
                    return replies
                if mtype == NLMSG_DONE:
                    err = struct.unpack_from("=i", payload)[0] \
                        if len(payload) >= 4 else 0
                    if err < 0:
                        e = NlError(-err)
                        if mfl & NLM_F_ACK_TLVS:
                            self._extack(e, payload[4:], set_name)
                        raise e
                    return replies
                if mtype == NLMSG_NOOP:
                    continue
                if mtype != msg_type:
                    continue
                replies.append(payload)

    def resolve(self):
        attrs = nla(CTRL_ATTR_FAMILY_NAME, self.spec.name.encode() + b"\0")
        replies = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, attrs,
                               False, None)
        for payload in replies:
            for _, atype, val in iter_attrs(payload[4:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    self.family_id = struct.unpack("=H", val[:2])[0]
                elif atype == CTRL_ATTR_VERSION:
                    self.family_version = struct.unpack("=I", val)[0]
                elif atype == CTRL_ATTR_OPS:
                    for _, _, o in iter_attrs(val):
                        oid = oflags = None
                        for _, otype, oval in iter_attrs(o):
                            if otype == CTRL_ATTR_OP_ID:
                                oid = struct.unpack("=I", oval)[0]
                            elif otype == CTRL_ATTR_OP_FLAGS:
                                oflags = struct.unpack("=I", oval)[0]
                        self.kernel_ops[oid] = oflags
                elif atype == CTRL_ATTR_MCAST_GROUPS:
                    for _, _, grp in iter_attrs(val):
                        name = gid = None
                        for _, gtype, gval in iter_attrs(grp):
                            if gtype == CTRL_ATTR_MCAST_GRP_NAME:
                                name = gval.rstrip(b"\0").decode()
                            elif gtype == CTRL_ATTR_MCAST_GRP_ID:
                                gid = struct.unpack("=I", gval)[0]
                        self.groups[name] = gid
        if self.family_id is None:
            raise DecodeError("nlctrl did not give the family id")

    def op_request(self, op, mode, attrs):
        replies = self.request(self.family_id, op.value, self.spec.version,
                               attrs, mode == "dump", op.attr_set)
        out = []
        for payload in replies:
            cmd = payload[0]
            rop = self.spec.ops_by_value.get(cmd)
            set_name = rop.attr_set if rop and rop.attr_set else op.attr_set
            out.append(decode_attrs(self.spec, set_name, payload[4:]))
        return out

    def policy(self):
        """The kernel's input policy of the family, by nlctrl.

        Returns ({policy index: {attr type: {key: value}}},
                 {cmd: {"do": index, "dump": index}}).
        """
        attrs = nla(CTRL_ATTR_FAMILY_NAME, self.spec.name.encode() + b"\0")
        replies = self.request(GENL_ID_CTRL, CTRL_CMD_GETPOLICY, 1, attrs,
                               True, None)
        policies = {}
        op_policy = {}
        for payload in replies:
            for _, atype, val in iter_attrs(payload[4:]):
                if atype == CTRL_ATTR_POLICY:
                    for _, idx, pol in iter_attrs(val):
                        for _, attr, desc in iter_attrs(pol):
                            d = policies.setdefault(idx, {}) \
                                .setdefault(attr, {})
                            self._policy_desc(d, desc)
                elif atype == CTRL_ATTR_OP_POLICY:
                    for _, cmd, pol in iter_attrs(val):
                        for _, ptype, pval in iter_attrs(pol):
                            mode = {CTRL_ATTR_POLICY_DO: "do",
                                    CTRL_ATTR_POLICY_DUMP: "dump"}.get(ptype)
                            if mode:
                                op_policy.setdefault(cmd, {})[mode] = \
                                    struct.unpack("=I", pval)[0]
        return policies, op_policy

    @staticmethod
    def _policy_desc(d, desc):
        for _, ptype, pval in iter_attrs(desc):
            key = NL_POLICY_TYPE_ATTR.get(ptype)
            if not key:
                continue
            if len(pval) == 8:
                v = struct.unpack("=q" if ptype in (2, 3) else "=Q", pval)[0]
            else:
                v = struct.unpack("=I", pval)[0]
            if key == "type":
                v = NL_ATTR_TYPES[v] if v < len(NL_ATTR_TYPES) else v
            d[key] = v

    def subscribe(self, group):
        if group not in self.groups:
            raise DecodeError("the kernel has no %r group for %s" %
                              (group, self.spec.name))
        self.sk.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                           self.groups[group])

    def notifications(self, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            r, _, _ = select.select([self.sk], [], [], left)
            if not r:
                return
            for mtype, _, _, payload in self.recv_msgs():
                if mtype != self.family_id:
                    continue
                op = self.spec.ops_by_value.get(payload[0])
                if op is None or not (op.event or op.notify):
                    continue
                set_name = op.attr_set
                if op.notify:
                    set_name = self.spec.ops[op.notify].attr_set
                yield op, decode_attrs(self.spec, set_name, payload[4:])


# ------------------------------------------------------------------ C checks

def c_checks(spec):
    """A C program comparing the spec's constants with the uapi header."""
    y = spec.y
    lines = []

    def eq(name, value):
        lines.append("\tCHECK(%s, %sULL);" % (c_name(name), value))

    for d in y.get("definitions", []):
        if d["type"] not in ("enum", "flags"):
            continue
        e = spec.enums[d["name"]]
        for entry, v in e.values.items():
            eq(e.prefix + entry, v)
    for aset in spec.attr_sets.values():
        for attr in aset.by_name.values():
            eq(aset.prefix + attr.name, attr.value)
        last = max(aset.by_value)
        eq(aset.max_name, last)
        eq(aset.cnt_name, last + 1)
    ops = y["operations"]
    for op in spec.ops.values():
        eq(spec.op_prefix + op.name, op.value)
    last = max(spec.ops_by_value)
    eq(ops.get("cmd-max-name", spec.op_prefix + "max"), last)
    eq(ops.get("cmd-cnt-name", "__" + spec.op_prefix + "max"), last + 1)
    if "c-version-name" in y:
        eq(y["c-version-name"], spec.version)
    strs = []
    if "c-family-name" in y:
        strs.append((c_name(y["c-family-name"]), spec.name))
    for g in y.get("mcast-groups", {}).get("list", []):
        if "c-define-name" in g:
            strs.append((c_name(g["c-define-name"]), g["name"]))
    for name, value in strs:
        lines.append("\tCHECK_STR(%s, %s);" % (name, json.dumps(value)))
    header = y.get("uapi-header", "linux/%s.h" % spec.name)
    return """/* Generated from the %s spec by %s. */
#include <stdio.h>
#include <string.h>
#include <%s>

static int bad;

#define CHECK(a, b) do { \\
	if ((unsigned long long)(a) != (b)) { \\
		printf("mismatch: %%s is %%llu in the header, %%llu in the spec\\n", \\
		       #a, (unsigned long long)(a), (unsigned long long)(b)); \\
		bad = 1; \\
	} \\
} while (0)
#define CHECK_STR(a, b) do { \\
	if (strcmp(a, b)) { \\
		printf("mismatch: %%s: \\"%%s\\" in the header, \\"%%s\\" in the spec\\n", \\
		       #a, a, b); \\
		bad = 1; \\
	} \\
} while (0)

int main(void)
{
%s
	if (!bad)
		printf("%%d constants match\\n", %d);
	return bad;
}
""" % (spec.name, PROG, header, "\n".join(lines), len(lines))


# ------------------------------------------------------------------ kernel

# Spec type -> the policy types (nlctrl's names) that implement it.
POLICY_TYPES = {"string": {"string", "nul-string"}}
TYPE_MAX = {"u8": 0xff, "u16": 0xffff, "u32": 0xffffffff,
            "u64": 0xffffffffffffffff}


def check_limit(v):
    """A spec check value: an integer or a limit such as "u32-max"."""
    if isinstance(v, int):
        return v
    t, _, which = v.partition("-")
    if t in TYPE_MAX:
        return TYPE_MAX[t] if which == "max" else 0
    raise UsageError("cannot read the check value %r" % v)


def compare_policy(attr, pol):
    probs = []
    ptype = pol.get("type")
    if ptype not in POLICY_TYPES.get(attr.type, {attr.type}):
        probs.append("type %s in the kernel, %s in the spec" %
                     (ptype, attr.type))
    if attr.type in TYPE_MAX:
        smin = check_limit(attr.checks.get("min", 0))
        smax = check_limit(attr.checks.get("max", TYPE_MAX[attr.type]))
        if pol.get("min", smin) != smin or pol.get("max", smax) != smax:
            probs.append("range %s-%s in the kernel, %s-%s in the spec" %
                         (pol.get("min"), pol.get("max"), smin, smax))
    if attr.type in ("string", "binary"):
        if pol.get("max-len") != attr.checks.get("max-len"):
            probs.append("max-len %s in the kernel, %s in the spec" %
                         (pol.get("max-len"), attr.checks.get("max-len")))
    return probs


def check_kernel(spec, sk):
    """Compare what the kernel registered with the spec; list mismatches."""
    probs = []
    if sk.family_version != spec.version:
        probs.append("version %s in the kernel, %s in the spec" %
                     (sk.family_version, spec.version))
    if set(sk.groups) != set(spec.mcgrps):
        probs.append("multicast groups %s in the kernel, %s in the spec" %
                     (sorted(sk.groups), sorted(spec.mcgrps)))

    for op in spec.ops.values():
        flags = sk.kernel_ops.get(op.value)
        if not (op.do or op.dump):
            if flags is not None:
                probs.append("%s: the kernel handles it, the spec has no "
                             "do or dump" % op.name)
            continue
        if flags is None:
            probs.append("%s: not registered by the kernel" % op.name)
            continue
        for bit, name, want in (
                (GENL_CMD_CAP_DO, "do", bool(op.do)),
                (GENL_CMD_CAP_DUMP, "dump", bool(op.dump)),
                (GENL_ADMIN_PERM, "admin-perm", "admin-perm" in op.flags),
                (GENL_UNS_ADMIN_PERM, "uns-admin-perm",
                 "uns-admin-perm" in op.flags)):
            if bool(flags & bit) != want:
                probs.append("%s: %s is %s in the kernel, %s in the spec" %
                             (op.name, name, bool(flags & bit), want))
    for oid in sk.kernel_ops:
        if oid not in spec.ops_by_value:
            probs.append("the kernel has command %d, the spec has not" % oid)

    policies, op_policy = sk.policy()
    requested = {}
    checked = set()
    for op in spec.ops.values():
        aset = spec.attr_sets.get(op.attr_set)
        for mode in ("do", "dump"):
            req = op.request_attrs(mode)
            if req is None:
                continue
            requested.setdefault(op.attr_set, set()).update(req)
            idx = op_policy.get(op.value, {}).get(mode)
            if idx is None:
                if req:
                    probs.append("%s %s: the kernel has no policy" %
                                 (op.name, mode))
                continue
            checked.add((idx, op.attr_set))
            pol = policies.get(idx, {})
            for name in req:
                attr = aset.by_name[name]
                if attr.value not in pol:
                    probs.append("%s %s: the kernel does not accept %s" %
                                 (op.name, mode, name))
                    continue
                for p in compare_policy(attr, pol[attr.value]):
                    probs.append("%s %s: %s: %s" % (op.name, mode, name, p))
    # What the kernel accepts must be in some request of the spec.
    for idx, set_name in sorted(checked):
        aset = spec.attr_sets[set_name]
        for atype in sorted(policies.get(idx, {})):
            attr = aset.by_value.get(atype)
            name = attr.name if attr else "type %d" % atype
            if name not in requested.get(set_name, ()):
                probs.append("the kernel accepts %s, no request in the "
                             "spec has it" % name)
    return probs


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=DEFAULT_SPEC)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info")
    for mode in ("do", "dump"):
        p = sub.add_parser(mode)
        p.add_argument("op")
        p.add_argument("attrs", nargs="*")
    p = sub.add_parser("listen")
    p.add_argument("--count", type=int)
    p.add_argument("--timeout", type=float)
    p.add_argument("--ready-file")
    sub.add_parser("c-checks")
    sub.add_parser("policy")
    sub.add_parser("check-kernel")
    args = ap.parse_args()

    spec = Spec(args.spec)
    if args.cmd == "c-checks":
        sys.stdout.write(c_checks(spec))
        return 0

    what = args.cmd
    try:
        sk = GenlSocket(spec)
        sk.resolve()
    except NlError as e:
        if e.errno == errno.ENOENT:
            print("%s: family %r not found (module not loaded)" %
                  (PROG, spec.name), file=sys.stderr)
        else:
            print("%s: nlctrl: %s" % (PROG, e), file=sys.stderr)
        return 1

    try:
        if args.cmd == "policy":
            policies, op_policy = sk.policy()
            idx_set = {}
            ops = {}
            for cmd, modes in op_policy.items():
                op = spec.ops_by_value.get(cmd)
                ops[op.name if op else cmd] = modes
                for idx in modes.values():
                    if op and op.attr_set:
                        idx_set[idx] = spec.attr_sets[op.attr_set]
            named = {}
            for idx, pol in policies.items():
                aset = idx_set.get(idx)
                named[idx] = {}
                for atype, d in pol.items():
                    attr = aset.by_value.get(atype) if aset else None
                    named[idx][attr.name if attr else atype] = d
            print(json.dumps({"policies": named, "ops": ops}))
        elif args.cmd == "check-kernel":
            probs = check_kernel(spec, sk)
            for p in probs:
                print("mismatch: " + p)
            if probs:
                return 1
            print("the kernel's %s family matches the spec" % spec.name)
        elif args.cmd == "info":
            kops = {}
            for oid, flags in sk.kernel_ops.items():
                op = spec.ops_by_value.get(oid)
                kops[op.name if op else oid] = flags
            print(json.dumps({
                "family": spec.name, "id": sk.family_id,
                "version": sk.family_version, "groups": sk.groups,
                "ops": kops}))
        elif args.cmd in ("do", "dump"):
            op = spec.op(args.op)
            what = "%s %s" % (op.name, args.cmd)
            attrs = encode_request(spec, op, args.cmd, args.attrs)
            res = sk.op_request(op, args.cmd, attrs)
            if args.cmd == "do":
                print(json.dumps(res[0] if res else {}))
            else:
                print(json.dumps(res))
        elif args.cmd == "listen":
            groups = {o.mcgrp for o in spec.ops.values() if o.mcgrp}
            groups = groups or set(spec.mcgrps)
            for g in sorted(groups):
                sk.subscribe(g)
            if args.ready_file:
                open(args.ready_file, "w").close()
            n = 0
            for op, attrs in sk.notifications(args.timeout):
                print(json.dumps({"op": op.name, "attrs": attrs}),
                      flush=True)
                n += 1
                if args.count and n >= args.count:
                    break
            if args.count and n < args.count:
                print("%s: listen: %d of %d notifications before the "
                      "timeout" % (PROG, n, args.count), file=sys.stderr)
                return 1
    except NlError as e:
        print("%s: %s: %s" % (PROG, what, e), file=sys.stderr)
        return 1
    except UsageError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2
    except (DecodeError, struct.error) as e:
        print("%s: %s: cannot decode: %s" % (PROG, what, e), file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UsageError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(1)
