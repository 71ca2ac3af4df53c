#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/netlink/specs/netvsc.yaml against the uapi header and the
# kernel: netvsc_spec_client.py, which knows the family only through the
# spec, does dev-get (do and dump), dev-set and listens to notifications,
# and what it sees must match vfctl (which is built on the header) field
# by field.  The kernel's registered ops and input policy must match the
# spec, and a malformed request must be refused with an extack naming the
# attribute.
# timeout: 900
# shellcheck disable=SC2119  # topo_* and nvs_load without arguments

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

CLIENT=$NETVSC_DIR/tests/kselftest/netvsc_spec_client.py
SPEC=$NETVSC_DIR/Documentation/netlink/specs/netvsc.yaml
HEADER=$NETVSC_DIR/include/uapi/linux/netvsc.h
VFCTL=$NETVSC_DIR/tools/vfctl/vfctl

nvs_require_modules
if [ ! -x "$VFCTL" ]; then
	echo "# SKIP: tools/vfctl/vfctl not built (make -C tools/vfctl)"
	exit 4
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "# SKIP: python3-yaml not installed"
	exit 4
fi
ktap_plan 45
# The client as nobody runs it: the checkout may be private.
nvs_unprivileged_copy "$CLIENT" "$SPEC" || exit 1

# shellcheck disable=SC2317  # called through helpers
client() {
	python3 "$CLIENT" --spec "$SPEC" "$@"
}

client_g() {
	in_g python3 "$CLIENT" --spec "$SPEC" "$@"
}

# shellcheck disable=SC2317  # called through check_nlerr
client_nobody() {
	in_g "${NVS_NOBODY[@]}" python3 "$NVS_PUBLIC/${CLIENT##*/}" \
		--spec "$NVS_PUBLIC/${SPEC##*/}" "$@"
}

# The spec client's view of a device, turned into vfctl's JSON shape, and
# vfctl's own minus what only vfctl prints; compare.py A B exits 0 when
# they are equal, else prints the differences.
cat >compare.py <<'EOF'
import json
import sys

ALIAS = {"tx-csum": "tx-checksum", "rx-csum": "rx-checksum"}


def from_spec(a):
    if "_unknown" in a:
        raise SystemExit("attributes the spec does not know: %s" %
                         a["_unknown"])

    def feats(k):
        return None if k not in a else [ALIAS.get(f, f) for f in a[k]]

    def limits(k):
        if k not in a:
            return None
        return {n.replace("-", "_"): v for n, v in a[k].items()}

    def settings():
        v = a.get("vf-settings")
        if v is None:
            return None
        h = v.get("perm-addr")
        return {"perm_addr": (":".join(h[i:i + 2] for i in range(0, 12, 2))
                              if h is not None else None),
                "rx_ring": v.get("rx-ring"), "tx_ring": v.get("tx-ring")}

    def stats(p):
        return {k[len(p) + 1:].replace("-", "_"): v
                for k, v in a["stats"].items() if k.startswith(p + "-")}

    d = {
        "ifname": a["ifname"], "ifindex": a["ifindex"],
        "vf": ({"ifname": a["vf-ifname"], "ifindex": a["vf-ifindex"]}
               if "vf-ifindex" in a else None),
        "mode": a["mode"], "state": a["state"], "datapath": a["datapath"],
        "pin": a["pin"], "join_delay_ms": a["join-delay-ms"],
        "carrier_hold_ms": a["carrier-hold-ms"],
        "carrier_held": "carrier-held" in a,
        "carrier_holds": a["carrier-holds"],
        "switches": a["switches"],
        "last_switch": (dict({"time_ns": a["last-switch-ns"],
                              "reason": a["last-switch-reason"]},
                             **({"boottime_ns": a["last-switch-boottime-ns"]}
                                if "last-switch-boottime-ns" in a else {}))
                        if "last-switch-ns" in a else None),
        "stats": ({"synthetic": stats("synth"), "vf": stats("vf")}
                  if "stats" in a else None),
        "features": {"active": feats("features"),
                     "synthetic": feats("synth-features"),
                     "vf": feats("vf-features")},
        "limits": {"active": limits("limits"),
                   "synthetic": limits("synth-limits"),
                   "vf": limits("vf-limits")},
        "vf_settings": settings(),
    }
    for k in ("event", "reason"):
        if k in a:
            d[k] = a[k]
    return d


def from_vfctl(v):
    v = dict(v)
    v.pop("timestamp", None)
    if v.get("last_switch"):
        v["last_switch"] = dict(v["last_switch"])
        v["last_switch"].pop("time")
        # computed by vfctl when it prints
        v["last_switch"].pop("age_ns", None)
    return v


def main():
    mode, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "lines":
        spec = [json.loads(x)["attrs"] for x in open(a).read().splitlines()]
        vf = [json.loads(x) for x in open(b).read().splitlines()]
    else:
        spec, vf = json.loads(a), json.loads(b)
        if mode == "do":
            spec = [spec]
    spec = [from_spec(x) for x in spec]
    vf = [from_vfctl(x) for x in vf]
    if len(spec) != len(vf):
        raise SystemExit("%d devices from the spec client, %d from vfctl" %
                         (len(spec), len(vf)))
    bad = False
    for s, v in zip(spec, vf):
        for k in sorted(set(s) | set(v)):
            if s.get(k, "<absent>") != v.get(k, "<absent>"):
                print("%s: spec client %s, vfctl %s" %
                      (k, json.dumps(s.get(k, "<absent>")),
                       json.dumps(v.get(k, "<absent>"))))
                bad = True
    sys.exit(bad)


main()
EOF

# compare_get MODE CLIENT_ARGS... : the client's view against vfctl -j
# show (of the device named by ifname= if any); retried by wait_for
# while a stray packet moves the counters between the two reads.
compare_get() {
	local mode=$1 a b args dev=

	shift
	args="$*"
	case "$args" in
	*ifname=*) dev=${args##*ifname=} ;;
	esac
	a=$(client_g "$mode" "$@") || return 1
	b=$(in_g "$VFCTL" -j show ${dev:+"$dev"}) || return 1
	python3 compare.py "$mode" "$a" "$b"
}

# check_nlerr DESC PATTERN... -- CMD...: CMD (a client) exits 1 with
# every PATTERN in its one line on stderr.
check_nlerr() {
	local desc=$1 rc err pat pats=()

	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pats+=("$1")
		shift
	done
	shift
	"$@" >/dev/null 2>./stderr
	rc=$?
	err=$(cat ./stderr)
	if [ "$rc" -ne 1 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
		ktap_fail "$desc" "$*: exit status $rc" "stderr: $err"
		return 1
	fi
	for pat in "${pats[@]}"; do
		if [[ $err != *"$pat"* ]]; then
			ktap_fail "$desc" "stderr lacks '$pat':" "$err"
			return 1
		fi
	done
	ktap_diag "$err"
	ktap_ok "$desc"
}

settings() {
	in_g "$VFCTL" -j show "$TOPO_DEV" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print(d["join_delay_ms"], d["pin"], d["datapath"], d["carrier_hold_ms"])'
}

spec_check() {
	python3 -c '
import sys, yaml
y = yaml.load(open(sys.argv[1]), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
for s in y["attribute-sets"]:
    for a in s["attributes"]:
        if a["name"] == sys.argv[2]:
            print(a.get("checks", {}).get(sys.argv[3]))' "$SPEC" "$1" "$2"
}

# ------------------------------------------------------------------ static

# shellcheck disable=SC2317  # called through check
c_checks() {
	client c-checks >checks.c
}
check "the client turns the spec into C checks" c_checks
if out=$(gcc -Wall -Werror -I"$NETVSC_DIR/include/uapi" -o checks checks.c 2>&1 &&
	 ./checks); then
	ktap_diag "$out"
	ktap_ok "every constant of the spec matches the uapi header"
else
	ktap_fail "every constant of the spec matches the uapi header" "$out"
fi
check_eq "the spec names every NETVSC_ constant of the header" \
	"$(grep -oE '^[[:space:]]*(#define[[:space:]]+)?_*NETVSC_[A-Z0-9_]+' "$HEADER" |
		grep -oE '_*NETVSC_[A-Z0-9_]+' | sort -u)" \
	"$(grep -oE 'CHECK(_STR)?\(_*NETVSC_[A-Z0-9_]+' checks.c | sed 's/.*(//' |
		sort -u)"

# ------------------------------------------------------------------ setup

nvs_load
if topo_setup; then
	ktap_ok "topology"
else
	ktap_fail "topology"
fi
for ns in "$TOPO_G" "$TOPO_H"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
topo_ping 2
topo_vf_add
check "VF joins" wait_for 20 topo_joined
topo_ping 2

info=$(client_g info)
check "info: the family and its events group resolve from the spec" \
	python3 -c '
import json, sys
i = json.loads(sys.argv[1])
assert i["id"] > 0 and i["version"] == 1, i
assert set(i["groups"]) == {"events"}, i' "$info"
ktap_diag "$info"
if out=$(client_g check-kernel 2>&1); then
	ktap_diag "$out"
	ktap_ok "the kernel's ops, flags, groups and input policy match the spec"
else
	ktap_fail "the kernel's ops, flags, groups and input policy match the spec" \
		"$out" "$(client_g policy 2>&1)"
fi

# ------------------------------------------------------------------ dev-get

ifindex=$(in_g ip -j link show dev "$TOPO_DEV" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["ifindex"])')
if wait_for 60 compare_get "do" dev-get ifname="$TOPO_DEV"; then
	ktap_ok "dev-get do (ifname) matches vfctl -j show, field by field"
else
	ktap_fail "dev-get do (ifname) matches vfctl -j show, field by field" \
		"$(compare_get "do" dev-get ifname="$TOPO_DEV" 2>&1)"
fi
check_eq "dev-get do by ifindex" "$TOPO_DEV" \
	"$(client_g "do" dev-get ifindex="$ifindex" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["ifname"])')"

sim_new 1 00:15:5d:00:00:02
dev2=$(sim_ifname 1)
ip link set dev "$dev2" name nvs_spec2 && ip link set dev nvs_spec2 netns "$TOPO_G"
check "second device in the guest" in_g ip link show dev nvs_spec2
if wait_for 60 compare_get dump dev-get; then
	ktap_ok "dev-get dump matches vfctl -j show (all devices)"
else
	ktap_fail "dev-get dump matches vfctl -j show (all devices)" \
		"$(compare_get dump dev-get 2>&1)"
fi
check_eq "dev-get dump has both devices" 2 \
	"$(client_g dump dev-get |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')"

# ------------------------------------------------------------------ notify

rm -f ready
client_g listen --count 2 --timeout 120 \
	--ready-file ready >ntf.json 2>ntf.err &
listen_pid=$!
ip netns exec "$TOPO_G" "$VFCTL" -j monitor >mon.json 2>mon.err &
mon_pid=$!
# shellcheck disable=SC2317  # run at exit
stop_bg() {
	kill "$@" 2>/dev/null
}
on_exit stop_bg "$listen_pid" "$mon_pid"

# shellcheck disable=SC2317  # run through wait_for
nl_subscribed() {
	local pid=$1 fd link inode

	for fd in /proc/"$pid"/fd/*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		case "$link" in
		socket:\[*\]) ;;
		*) continue ;;
		esac
		inode=${link#socket:[}
		inode=${inode%]}
		awk -v ino="$inode" '$10 == ino && $4 != "00000000" { f = 1 }
			END { exit !f }' "/proc/$pid/net/netlink" && return 0
	done
	return 1
}
# shellcheck disable=SC2317  # run through wait_for
listening() {
	[ -e ready ] && nl_subscribed "$mon_pid"
}
check "the spec client and vfctl monitor listen" wait_for 30 listening

check_eq "dev-set pin=synthetic (an ack, no reply)" "{}" \
	"$(client_g "do" dev-set ifname="$TOPO_DEV" pin=synthetic)"
check "the host switched to synthetic" wait_for 10 topo_synthetic
check_eq "vfctl sees the pin" "synthetic synthetic" \
	"$(settings | cut -d" " -f2-3)"
check_eq "dev-set pin=auto" "{}" \
	"$(client_g "do" dev-set ifname="$TOPO_DEV" pin=auto)"
check "the host switched back to the VF" wait_for 10 topo_joined

# shellcheck disable=SC2317  # run through wait_for
listener_done() {
	! kill -0 "$listen_pid" 2>/dev/null
}
check "the spec client got its 2 notifications" wait_for 60 listener_done
wait "$listen_pid"
check_eq "listener exit status" 0 "$?"
check "notifications: dev-ntf, switch (admin) to synthetic, then to vf" \
	python3 -c '
import json
n = [json.loads(l) for l in open("ntf.json")]
got = [(x["op"], x["attrs"]["event"], x["attrs"]["reason"],
        x["attrs"]["datapath"], x["attrs"]["pin"]) for x in n]
assert got == [("dev-ntf", "switch", "admin", "synthetic", "synthetic"),
               ("dev-ntf", "switch", "admin", "vf", "auto")], got'
# shellcheck disable=SC2317  # run through wait_for
monitor_has_2() {
	[ "$(wc -l <mon.json)" -ge 2 ]
}
check "vfctl monitor got them too" wait_for 20 monitor_has_2
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null
check "the notifications match vfctl monitor -j field by field" \
	python3 compare.py lines ntf.json mon.json

# ------------------------------------------------------------------ dev-set

check "dev-set join-delay-ms=4321" \
	client_g "do" dev-set ifname="$TOPO_DEV" join-delay-ms=4321
check_eq "vfctl shows 4321" 4321 "$(settings | cut -d' ' -f1)"
check "dev-set join-delay-default" \
	client_g "do" dev-set ifname="$TOPO_DEV" join-delay-default
check_eq "vfctl shows the module's join delay" \
	"$(cat /sys/module/netvsc/parameters/vf_join_delay_ms)" \
	"$(settings | cut -d' ' -f1)"
check "dev-set carrier-hold-ms=250" \
	client_g "do" dev-set ifname="$TOPO_DEV" carrier-hold-ms=250
check_eq "vfctl shows 250" 250 \
	"$(settings | cut -d' ' -f4)"
check "dev-set carrier-hold-default" \
	client_g "do" dev-set ifname="$TOPO_DEV" carrier-hold-default
check_eq "vfctl shows the module's carrier hold" \
	"$(cat /sys/module/netvsc/parameters/vf_carrier_hold_ms)" \
	"$(settings | cut -d' ' -f4)"

# ------------------------------------------------------------------ errors

before=$(settings)
check_nlerr "ifindex sent as a string: rejected, extack names it" \
	"EINVAL" "bad-attr=ifindex" "msg=" -- client_g "do" dev-get ifindex:string=1
check_nlerr "an attribute the family does not have: rejected, named" \
	"EINVAL" "bad-attr=type-99" -- \
	client_g "do" dev-get ifname="$TOPO_DEV" @99:u32=1
check_nlerr "a reply-only attribute in a request: rejected, named" \
	"EINVAL" "bad-attr=mode" -- client_g "do" dev-get ifname="$TOPO_DEV" mode:u32=0
check_nlerr "join-delay-ms above the spec's max: ERANGE, policy max" \
	"ERANGE" "bad-attr=join-delay-ms" \
	"max:$(spec_check join-delay-ms max)" -- \
	client_g "do" dev-set ifname="$TOPO_DEV" join-delay-ms=600001
check_nlerr "carrier-hold-ms above the spec's max: ERANGE, policy max" \
	"ERANGE" "bad-attr=carrier-hold-ms" \
	"max:$(spec_check carrier-hold-ms max)" -- \
	client_g "do" dev-set ifname="$TOPO_DEV" carrier-hold-ms=600001
check_nlerr "a carrier hold and its default together: named" "EINVAL" \
	"bad-attr=carrier-hold-default" \
	'msg="a carrier hold and the default together"' -- \
	client_g "do" dev-set ifname="$TOPO_DEV" carrier-hold-ms=5 carrier-hold-default
check_nlerr "pin=2: ERANGE, named" "ERANGE" "bad-attr=pin" \
	"max:$(spec_check pin max)" -- client_g "do" dev-set ifname="$TOPO_DEV" pin:u32=2
check_nlerr "ifindex=0: below the spec's min" "ERANGE" "bad-attr=ifindex" \
	"min:$(spec_check ifindex min)" -- client_g "do" dev-get ifindex=0
check_nlerr "dev-get without a device" "EINVAL" \
	'msg="ifindex or ifname required"' -- client_g "do" dev-get
check_nlerr "dev-get lo: not a netvsc device" "Operation not supported" \
	'msg="not a netvsc device"' "bad-attr=ifname" -- client_g "do" dev-get ifname=lo
check_nlerr "dev-get of an unknown device" "ENODEV" \
	'msg="no such device"' "bad-attr=ifname" -- client_g "do" dev-get ifname=nosuchdev
check_nlerr "dev-set with nothing to set" "EINVAL" 'msg="nothing to set"' -- \
	client_g "do" dev-set ifname="$TOPO_DEV"
check_nlerr "dev-set as nobody: EPERM" "EPERM" -- \
	client_nobody "do" dev-set ifname="$TOPO_DEV" join-delay-ms=5
check_eq "nothing changed by the rejected requests" "$before" "$(settings)"

ktap_finished
