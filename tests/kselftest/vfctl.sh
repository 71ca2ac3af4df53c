#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vfctl, the userspace side of the netvsc generic netlink family: show
# (text and JSON) checked against ip link and ethtool, monitor through a
# VF join/leave cycle, set (join delay, data path pin), every bad input,
# permissions, network namespaces and the module-not-loaded message.
# timeout: 600
# shellcheck disable=SC2119  # topo_* and nvs_load without arguments

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

VFCTL=$NETVSC_DIR/tools/vfctl/vfctl
NS_OTHER=nvs_vfctl_o
# A name that needs escaping in JSON.
DEV2='nv"s\b'
DEV2_MAC=00:15:5d:00:00:02
NOT_LOADED='vfctl: netvsc module not loaded (generic netlink family "netvsc" not found)'

nvs_require_modules
if [ ! -x "$VFCTL" ]; then
	echo "# SKIP: tools/vfctl/vfctl not built (make -C tools/vfctl)"
	exit 4
fi
ktap_plan 99
# vfctl as nobody runs it: the checkout may be private.
nvs_unprivileged_copy "$VFCTL" || exit 1

# ------------------------------------------------------------------ helpers

# jget EXPR: print EXPR evaluated on the JSON document d read from stdin
# (strings as they are, anything else as JSON).
jget() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))' "$1"
}

# check_err DESC STATUS PATTERN... -- CMD...: CMD fails with STATUS,
# prints nothing on stdout and one "vfctl: " line holding every PATTERN
# on stderr.
check_err() {
	local desc=$1 want=$2 out err rc pat pats=()

	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pats+=("$1")
		shift
	done
	shift
	out=$("$@" 2>./stderr)
	rc=$?
	err=$(cat ./stderr)
	if [ "$rc" -ne "$want" ]; then
		ktap_fail "$desc" "command: $*" "exit status $rc, expected $want" \
			"stderr: $err"
		return 1
	fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ $err != "vfctl: "* ]]; then
		ktap_fail "$desc" "stderr is not one 'vfctl: ' line:" "$err"
		return 1
	fi
	for pat in "${pats[@]}"; do
		if [[ $err != *"$pat"* ]]; then
			ktap_fail "$desc" "stderr lacks '$pat':" "$err"
			return 1
		fi
	done
	if [ -n "$out" ]; then
		ktap_fail "$desc" "unexpected output:" "$out"
		return 1
	fi
	ktap_diag "$err"
	ktap_ok "$desc"
}

vf() {
	in_g "$VFCTL" "$@"
}

# What set can change, of device $1:
# "join_delay_ms carrier_hold_ms pin datapath".
settings() {
	vf -j show "$1" |
		jget '"%s %s %s %s" % (d[0]["join_delay_ms"], d[0]["carrier_hold_ms"], d[0]["pin"], d[0]["datapath"])'
}

module_delay() {
	cat /sys/module/netvsc/parameters/vf_join_delay_ms
}

module_hold() {
	cat /sys/module/netvsc/parameters/vf_carrier_hold_ms
}

# ethtool -S of $1 in the guest, "name value" lines.
eth_stats() {
	in_g ethtool -S "$1" | sed -n 's/^ *\([a-z_]*\): \([0-9]*\)$/\1 \2/p' |
		sort
}

# The same counters from vfctl -j show, under the ethtool names.
vfctl_stats() {
	vf -j show "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
for path, pfx in (("synthetic", "synth"), ("vf", "vf")):
    for k, v in d["stats"][path].items():
        print("%s_%s %d" % (pfx, k, v))
print("datapath_switches %d" % d["switches"])' | sort
}

# shellcheck disable=SC2317  # run through wait_for
# ethtool, vfctl, ethtool: true when all three agree (no packet came in
# between).
counters_match() {
	local a b v

	a=$(eth_stats "$1")
	v=$(vfctl_stats "$1")
	b=$(eth_stats "$1")
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$v" ]
}

# shellcheck disable=SC2317  # run through wait_for
# True once process $1 has a netlink socket subscribed to a multicast
# group (/proc/net/netlink shows the first 32 groups).
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

monitor_pids=()
stop_monitors() {
	local pid

	for pid in "${monitor_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	monitor_pids=()
}
on_exit stop_monitors

# start_monitor NS FILE [ARGS...]: vfctl ARGS monitor in NS, to FILE.
start_monitor() {
	local ns=$1 file=$2 pid

	shift 2
	ip netns exec "$ns" "$VFCTL" "$@" monitor >"$file" 2>"$file.err" &
	pid=$!
	monitor_pids+=("$pid")
	wait_for 20 nl_subscribed "$pid"
}

# ------------------------------------------------------------------ setup

nvs_load
mod_delay=$(module_delay)

if topo_setup; then
	ktap_ok "topology"
else
	ktap_fail "topology"
fi
# No IPv6 chatter: the counters must stand still when we stop pinging.
for ns in "$TOPO_G" "$TOPO_H"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
topo_ping 3

# ------------------------------------------------------------------ show

check "show DEV succeeds" vf show "$TOPO_DEV"
check "show -- DEV succeeds" vf show -- "$TOPO_DEV"
out=$(vf show "$TOPO_DEV")
ifindex=$(in_g ip -j link show dev "$TOPO_DEV" | jget 'd[0]["ifindex"]')
check_eq "show: first line names the device" "$TOPO_DEV:" \
	"$(printf '%s\n' "$out" | head -n 1)"
check_eq "show: ifindex as ip link" "$ifindex" \
	"$(printf '%s\n' "$out" | sed -n 's/^\tifindex: //p')"
check_eq "show: no VF yet" "none" \
	"$(printf '%s\n' "$out" | sed -n 's/^\tvf: //p')"
check_eq "show: join delay is the module's" "$(module_delay) ms" \
	"$(printf '%s\n' "$out" | sed -n 's/^\tjoin delay: //p')"
check_eq "show: carrier hold is the module's, none held" \
	"$(module_hold) ms, 0 held" \
	"$(printf '%s\n' "$out" | sed -n 's/^\tcarrier hold: //p')"

json=$(vf -j show "$TOPO_DEV")
check "-j show is valid JSON" \
	python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$json"
check_eq "-j show: ifname, ifindex as ip -j link" \
	"[\"$TOPO_DEV\", $ifindex]" \
	"$(jget '[d[0]["ifname"], d[0]["ifindex"]]' <<<"$json")"
check_eq "-j show: synthetic state before a VF" \
	'[null, "transparent", "none", "synthetic", "auto", 0, null]' \
	"$(jget '[d[0][k] for k in ("vf", "mode", "state", "datapath", "pin", "switches", "last_switch")]' <<<"$json")"
check_eq "-j show: keys" \
	'["carrier_held", "carrier_hold_ms", "carrier_holds", "datapath", "features", "ifindex", "ifname", "join_delay_ms", "last_switch", "limits", "mode", "pin", "state", "stats", "switches", "vf", "vf_settings"]' \
	"$(jget 'sorted(d[0])' <<<"$json")"
check_eq "-j show: stats, features, limits without a VF" \
	'[["rx_bytes", "rx_packets", "tx_bytes", "tx_dropped", "tx_packets"], null, null, ["gso_max_segs", "gso_max_size", "tso_max_segs", "tso_max_size"]]' \
	"$(jget '[sorted(d[0]["stats"]["synthetic"]), d[0]["features"]["vf"], d[0]["limits"]["vf"], sorted(d[0]["limits"]["active"])]' <<<"$json")"

pretty=$(vf -p show "$TOPO_DEV")
check "-p show is indented JSON with the same data" python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert sys.argv[2].count("\n") > 20, "not indented"
for x in (a, b):
    del x[0]["stats"]
assert a == b, (a, b)' "$json" "$pretty"

# ------------------------------------------------------------------ monitor

if start_monitor "$TOPO_G" mon.txt && start_monitor "$TOPO_G" mon.json -j &&
   start_monitor "$TOPO_H" mon_h.json -j; then
	ktap_ok "monitors subscribed (guest text and JSON, host JSON)"
else
	ktap_fail "monitors subscribed (guest text and JSON, host JSON)" \
		"$(cat /proc/net/netlink)"
fi

topo_vf_add
check "VF joins" wait_for 20 topo_joined
topo_ping 3

json=$(vf -j show "$TOPO_DEV")
vf_ifindex=$(in_g ip -j link show dev "$TOPO_VF" | jget 'd[0]["ifindex"]')
check_eq "-j show: the VF as ip -j link" \
	"{\"ifindex\": $vf_ifindex, \"ifname\": \"$TOPO_VF\"}" \
	"$(jget 'd[0]["vf"]' <<<"$json")"
check_eq "the VF's master (ip -d link) is the device" "$TOPO_DEV" \
	"$(topo_vf_master)"
check_eq "ip -d link shows the VF enslaved" "1" \
	"$(in_g ip -d link show dev "$TOPO_VF" | grep -c "master $TOPO_DEV ")"
check_eq "-j show: joined on the VF" \
	'["joined", "vf", "auto", 1, "join"]' \
	"$(jget '[d[0]["state"], d[0]["datapath"], d[0]["pin"], d[0]["switches"], d[0]["last_switch"]["reason"]]' <<<"$json")"
check "-j show: last switch time is recent" python3 -c '
import json, sys, time
t = json.loads(sys.argv[1])[0]["last_switch"]["time_ns"]
assert abs(time.time_ns() - t) < 600e9, t' "$json"

# Ages come from CLOCK_BOOTTIME: with the wall clock set a day back, the
# switch's wall time is in the future, and its age is still seconds.
wall=$(date +%s)
date -s "@$((wall - 86400))" >/dev/null
json_back=$(vf -j show "$TOPO_DEV")
text_back=$(vf show "$TOPO_DEV")
date -s "@$(($(date +%s) + 86400))" >/dev/null
check "-j show: the switch's age is its CLOCK_BOOTTIME age, with the wall clock a day back" python3 -c '
import json, sys, time
s = json.loads(sys.argv[1])[0]["last_switch"]
assert 0 < s["boottime_ns"] <= time.clock_gettime_ns(time.CLOCK_BOOTTIME), s
assert s["age_ns"] < 600e9, s' "$json_back"
check "show: the same age, in seconds" python3 -c '
import re, sys
m = re.search(r"last switch: .*, ([0-9]+)\.[0-9]{3} s ago$", sys.argv[1], re.M)
assert m and int(m.group(1)) < 600, sys.argv[1]' "$text_back"
check "-j show: VF features and limits" python3 -c '
import json, sys
d = json.loads(sys.argv[1])[0]
names = {"sg", "tx-checksum", "rx-checksum", "tso", "tso6", "gso-udp-l4",
         "tunnel-gso", "tx-vlan", "rx-vlan", "rxhash", "lro", "highdma"}
for k in ("active", "synthetic", "vf"):
    assert set(d["features"][k]) <= names, d["features"]
assert "sg" in d["features"]["vf"], d["features"]
for k in ("active", "synthetic", "vf"):
    assert len(d["limits"][k]) == 4, d["limits"]
    assert all(v > 0 for v in d["limits"][k].values()), d["limits"]' "$json"

out=$(vf show "$TOPO_DEV")
check_eq "show: the VF" "$TOPO_VF (ifindex $vf_ifindex)" \
	"$(printf '%s\n' "$out" | sed -n 's/^\tvf: //p')"
check_eq "show: state, datapath" "joined vf" \
	"$(printf '%s\n' "$out" | sed -n 's/^\tstate: //p; s/^\tdatapath: //p' | xargs)"
check "show: last switch in ISO 8601 UTC, and its age" grep -qE \
	$'^\tlast switch: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z \\(join\\), [0-9]+\\.[0-9]{3} s ago$' \
	<<<"$out"

if wait_for 30 counters_match "$TOPO_DEV"; then
	ktap_ok "counters as ethtool -S"
else
	ktap_fail "counters as ethtool -S" "ethtool -S:" "$(eth_stats "$TOPO_DEV")" \
		"vfctl:" "$(vfctl_stats "$TOPO_DEV")"
fi
check "counters: both paths carried traffic" python3 -c '
import json, sys
s = json.loads(sys.argv[1])[0]["stats"]
assert s["synthetic"]["tx_packets"] >= 3 and s["vf"]["tx_packets"] >= 3, s
' "$(vf -j show "$TOPO_DEV")"

topo_vf_del
# shellcheck disable=SC2317
leave_seen() {
	grep -q '"event":"leave"' mon.json && grep -q ': leave ' mon.txt
}
check "monitor sees the leave" wait_for 20 leave_seen
check_eq "VF gone from show" "null" "$(vf -j show "$TOPO_DEV" | jget 'd[0]["vf"]')"
stop_monitors

check "monitor -j: join, switch (join), switch, leave" python3 -c '
import json, sys
evs = [json.loads(l) for l in open("mon.json")]
got = [(e["event"], e["reason"], e["datapath"]) for e in evs]
assert len(got) == 4, got
assert got[:2] == [("join", "join", "synthetic"), ("switch", "join", "vf")], got
assert got[2][0] == "switch" and got[2][1] == "vf-removed", got
assert got[2][2] == "synthetic", got
assert got[3][0] == "leave" and got[3][1] == "vf-removed", got
for e in evs:
    assert e["ifname"] == sys.argv[1] and e["vf"]["ifname"] == sys.argv[2], e
    assert "stats" in e and "features" in e and "limits" in e, e
' "$TOPO_DEV" "$TOPO_VF"
check "monitor text: the same events, one line each" python3 -c '
import re, sys
lines = open("mon.txt").read().splitlines()
pat = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (\S+): (\S+) reason (\S+) vf (\S+) datapath (\S+)$")
got = []
for l in lines:
    m = pat.match(l)
    assert m, l
    assert m.group(1) == sys.argv[1] and m.group(4) == sys.argv[2], l
    got.append((m.group(2), m.group(3), m.group(5)))
assert len(got) == 4, got
assert got[:2] == [("join", "join", "synthetic"), ("switch", "join", "vf")], got
assert got[2][:1] == ("switch",) and got[2][1] == "vf-removed", got
assert got[3][:1] == ("leave",) and got[3][1] == "vf-removed", got
' "$TOPO_DEV" "$TOPO_VF"
check_eq "monitor in another netns sees nothing" "" "$(cat mon_h.json)"
check_eq "monitors wrote nothing on stderr" "" "$(cat mon.txt.err mon.json.err mon_h.json.err)"

# ------------------------------------------------------------------ dump

sim_new 1 "$DEV2_MAC"
dev2_init=$(sim_ifname 1)
ip link set dev "$dev2_init" name "$DEV2" &&
	ip link set dev "$DEV2" netns "$TOPO_G"
check "second device, named '$DEV2', in the guest" \
	in_g ip link show dev "$DEV2"

json=$(vf -j show)
check "-j show (dump) is valid JSON" \
	python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$json"
# The synthetic devices report their transport's driver (ethtool -i).
is_netvsc() {
	case "$(in_g ethtool -i "$1" 2>/dev/null | sed -n 's/^driver: //p')" in
	netvsc_sim | hv_netvsc) return 0 ;;
	esac
	return 1
}
netvsc_devs=$(
	for n in $(in_g ip -j link show | jget '" ".join(l["ifname"] for l in d if "\"" not in l["ifname"])'); do
		is_netvsc "$n" && echo "$n"
	done
	# The one with a quote, which word splitting cannot carry.
	is_netvsc "$DEV2" && echo "$DEV2"
)
check_eq "dump: exactly the netvsc devices (ethtool -i), escaped right" \
	"$(printf '%s\n' "$netvsc_devs" | python3 -c 'import json, sys; print(json.dumps(sorted(sys.stdin.read().splitlines())))')" \
	"$(jget 'sorted(x["ifname"] for x in d)' <<<"$json")"
check_eq "dump: ifindexes as ip -j link, in order" \
	"$(in_g ip -j link show | python3 -c '
import json, sys
names = json.loads(sys.argv[1])
print(json.dumps(sorted(l["ifindex"] for l in json.load(sys.stdin) if l["ifname"] in names)))' "$(jget '[x["ifname"] for x in d]' <<<"$json")")" \
	"$(jget '[x["ifindex"] for x in d]' <<<"$json")"
check_eq "dump: text output has both devices" "2" \
	"$(vf show | grep -c '^[^[:space:]].*:$')"

# ------------------------------------------------------------------ set

before=$(settings "$TOPO_DEV")
check "set join-delay on the second device" vf set "$DEV2" join-delay 4321
check_eq "show reports the per-device join delay" "4321 ms" \
	"$(vf show "$DEV2" | sed -n 's/^\tjoin delay: //p')"
check_eq "the other device keeps its join delay" "$before" \
	"$(settings "$TOPO_DEV")"
check_eq "the module parameter is unchanged" "$mod_delay" "$(module_delay)"
check "set join-delay 600000 (the maximum)" vf set "$DEV2" join-delay 600000
check_eq "-j show: 600000" "600000" \
	"$(vf -j show "$DEV2" | jget 'd[0]["join_delay_ms"]')"
check "set join-delay default" vf set "$DEV2" join-delay default
check_eq "back to the module's join delay" "$(module_delay)" \
	"$(vf -j show "$DEV2" | jget 'd[0]["join_delay_ms"]')"
before=$(settings "$TOPO_DEV")
check "set carrier-hold on the second device" vf set "$DEV2" carrier-hold 0
check_eq "-j show reports the per-device carrier hold, not held" "[0, false]" \
	"$(vf -j show "$DEV2" | jget '[d[0]["carrier_hold_ms"], d[0]["carrier_held"]]')"
check_eq "the other device keeps its carrier hold" "$before" \
	"$(settings "$TOPO_DEV")"
check "set carrier-hold 600000 and join-delay 7 at once" \
	vf set "$DEV2" carrier-hold 600000 join-delay 7
check_eq "-j show: both" "[600000, 7]" \
	"$(vf -j show "$DEV2" | jget '[d[0]["carrier_hold_ms"], d[0]["join_delay_ms"]]')"
check "set carrier-hold default join-delay default" \
	vf set "$DEV2" carrier-hold default join-delay default
check_eq "back to the module's carrier hold and join delay" \
	"[$(module_hold), $(module_delay)]" \
	"$(vf -j show "$DEV2" | jget '[d[0]["carrier_hold_ms"], d[0]["join_delay_ms"]]')"

topo_vf_add
check "VF joins again" wait_for 20 topo_joined
check "set datapath synthetic" vf set "$TOPO_DEV" datapath synthetic
check "the host switched to synthetic (sim debugfs)" wait_for 10 topo_synthetic
check_eq "-j show: pinned synthetic, reason admin" \
	'["synthetic", "synthetic", "admin", "joined"]' \
	"$(vf -j show "$TOPO_DEV" | jget '[d[0]["pin"], d[0]["datapath"], d[0]["last_switch"]["reason"], d[0]["state"]]')"
check "set datapath auto" vf set "$TOPO_DEV" datapath auto
check "the host switched back to the VF (sim debugfs)" wait_for 10 topo_joined
check_eq "-j show: released, reason admin" '["auto", "vf", "admin"]' \
	"$(vf -j show "$TOPO_DEV" | jget '[d[0]["pin"], d[0]["datapath"], d[0]["last_switch"]["reason"]]')"

# ------------------------------------------------------------------ bad input

before=$(settings "$TOPO_DEV")
check_err "show: unknown device" 1 "nosuchdev" "no such device" -- \
	vf show nosuchdev
check_err "show: not a netvsc device" 1 "lo" "not a netvsc device" -- \
	vf show lo
check_err "show: name too long" 1 "no such device" -- \
	vf show 0123456789abcdefghij
check_err "set: unknown device" 1 "nosuchdev" "no such device" -- \
	vf set nosuchdev join-delay 5
check_err "set: not a netvsc device" 1 "lo" "not a netvsc device" -- \
	vf set lo datapath synthetic
check_err "set join-delay -1" 2 "invalid join-delay '-1'" -- \
	vf set "$TOPO_DEV" join-delay -1
check_err "set join-delay abc" 2 "invalid join-delay 'abc'" -- \
	vf set "$TOPO_DEV" join-delay abc
check_err "set join-delay 600001: the kernel refuses" 1 \
	"Numerical result out of range" "join-delay-ms" "600000" -- \
	vf set "$TOPO_DEV" join-delay 600001
check_err "set join-delay 2^32" 2 "invalid join-delay" -- \
	vf set "$TOPO_DEV" join-delay 4294967296
check_err "set join-delay without a value" 2 "join-delay needs a value" -- \
	vf set "$TOPO_DEV" join-delay
check_err "set carrier-hold 600001: the kernel refuses" 1 \
	"Numerical result out of range" "carrier-hold-ms" "600000" -- \
	vf set "$TOPO_DEV" carrier-hold 600001
check_err "set carrier-hold x" 2 "invalid carrier-hold 'x'" -- \
	vf set "$TOPO_DEV" carrier-hold x
check_err "set carrier-hold without a value" 2 "carrier-hold needs a value" -- \
	vf set "$TOPO_DEV" carrier-hold
check_err "set carrier-hold 5 with a bad join-delay: nothing is set" 1 \
	"Numerical result out of range" "join-delay-ms" -- \
	vf set "$TOPO_DEV" carrier-hold 5 join-delay 600001
check_err "set vf-settings keep" 2 "invalid vf-settings 'keep'" -- \
	vf set "$TOPO_DEV" vf-settings keep
check "set vf-settings clear, with nothing remembered" \
	vf set "$TOPO_DEV" vf-settings clear
check_eq "show: no VF settings" "none" \
	"$(vf show "$TOPO_DEV" | sed -n 's/^\tvf settings: //p')"
check_err "set datapath vf" 2 "invalid datapath 'vf'" -- \
	vf set "$TOPO_DEV" datapath vf
check_err "set without a setting" 2 "nothing to set" -- vf set "$TOPO_DEV"
check_err "set without a device" 2 "missing device" -- vf set
check_err "set: unknown setting" 2 "unknown setting 'mtu'" -- \
	vf set "$TOPO_DEV" mtu 1500
check_err "unknown command" 2 "unknown command 'frobnicate'" -- \
	vf frobnicate
check_err "no command" 2 "missing command" -- vf
check_err "unknown option" 2 "unknown option '-x'" -- vf -x show
check_err "show: two devices" 2 "unexpected argument" -- \
	vf show "$TOPO_DEV" "$DEV2"
check_err "set as nobody: EPERM" 1 "Operation not permitted" -- \
	in_g "${NVS_NOBODY[@]}" "$NVS_PUBLIC/vfctl" set "$TOPO_DEV" join-delay 5
check_eq "nothing changed by the bad input" "$before" \
	"$(settings "$TOPO_DEV")"
check "show as nobody works" in_g "${NVS_NOBODY[@]}" "$NVS_PUBLIC/vfctl" -j show "$TOPO_DEV"
check_eq "--help" "Usage: vfctl [OPTIONS] show [DEV]" "$("$VFCTL" --help | head -n 1)"
check "--version" grep -q "^vfctl [0-9]" <<<"$("$VFCTL" --version)"

# ------------------------------------------------------------------ netns

ns_new "$NS_OTHER"
check_eq "dump in another netns is empty" "[]" \
	"$(in_ns "$NS_OTHER" "$VFCTL" -j show)"
check_err "the device is not found from another netns" 1 \
	"$TOPO_DEV" "no such device" -- \
	in_ns "$NS_OTHER" "$VFCTL" show "$TOPO_DEV"
check_err "nor set from another netns" 1 "no such device" -- \
	in_ns "$NS_OTHER" "$VFCTL" set "$TOPO_DEV" join-delay 5

# ------------------------------------------------------------------ unloaded

topo_vf_del
sim_del 1
sim_del "$TOPO_ID"
check "unload the modules" nvs_unload
check_err "show without the module" 1 "$NOT_LOADED" -- "$VFCTL" show
check_eq "the exact message" "$NOT_LOADED" "$("$VFCTL" show 2>&1)"
check_err "monitor without the module" 1 "$NOT_LOADED" -- "$VFCTL" monitor

ktap_finished
