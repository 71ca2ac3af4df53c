#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Carrier of the synthetic device.  While a VF is joined it follows the
# VF's: the VF's peer going down takes the carrier and the data path
# (synthetic, reason "carrier lost") without a leave, its coming back up
# restores both; each change is one data path switch.  Without a VF the
# simulated host's link knob sets the carrier.
# timeout: 300

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"

FRAME=98
NPING=3
# enum netvsc_state and enum netvsc_reason (include/uapi/linux/netvsc.h)
STATE_JOINED=2
REASON_CARRIER_LOST=4

quiet_ipv6() {
	in_g sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
		in_h sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}

declare -A ST0 ST1

stats_snap() {
	local -n _st=$1
	local k v

	_st=()
	while read -r k v; do
		[[ $k == *: && $v =~ ^[0-9]+$ ]] && _st[${k%:}]=$v
	done < <(in_g ethtool -S "$TOPO_DEV")
}

deltas() {
	local n out=

	for n in "$@"; do
		out+="$n=$((${ST1[$n]:-0} - ${ST0[$n]:-0})) "
	done
	echo "${out% }"
}

carrier() {
	in_g cat "/sys/class/net/$1/carrier" 2>/dev/null
}

operstate() {
	in_g cat "/sys/class/net/$1/operstate" 2>/dev/null
}

carrier_is() {
	[ "$(carrier "$1")" = "$2" ]
}

# link_is DEV CARRIER OPERSTATE
link_is() {
	[ "$(carrier "$1")" = "$2" ] && [ "$(operstate "$1")" = "$3" ]
}

datapath_is() {
	[ "$(topo_datapath)" = "$1" ] &&
		[ "$(topo_stat datapath_switches)" = "$2" ]
}

dmesg_count() {
	dmesg | grep -c "$1"
}

# The netvsc generic netlink family's view of a device: "STATE REASON",
# its pairing state and the reason of its last data path switch.
GENL_PY='
import os, socket, struct, sys
def nla(t, data):
    n = 4 + len(data)
    return struct.pack("HH", n, t) + data + b"\0" * (-n % 4)
def attrs(buf):
    out, i = {}, 0
    while i + 4 <= len(buf):
        n, t = struct.unpack_from("HH", buf, i)
        if n < 4:
            break
        out[t & 0x3fff] = buf[i + 4:i + n]
        i += (n + 3) & ~3
    return out
def request(s, family, cmd, body, seq):
    payload = struct.pack("BBH", cmd, 1, 0) + body
    s.send(struct.pack("IHHII", 16 + len(payload), family, 1, seq, 0) + payload)
    data = s.recv(65536)
    n, t = struct.unpack_from("IH", data, 0)
    if t == 2:
        err = -struct.unpack_from("i", data, 16)[0]
        if err:
            raise OSError(err, os.strerror(err))
    return attrs(data[20:n])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
a = request(s, 0x10, 3, nla(2, b"netvsc\0"), 1)
family = struct.unpack("H", a[1][:2])[0]
a = request(s, family, 1, nla(2, sys.argv[1].encode() + b"\0"), 2)
print(struct.unpack("I", a[6][:4])[0], struct.unpack("I", a[12][:4])[0])
'

genl_state() {
	in_g python3 -c "$GENL_PY" "$TOPO_DEV"
}

# check_genl DESC EXPECTED: the netlink view, or a skip without the family
check_genl() {
	local got

	if [ -z "$HAVE_GENL" ]; then
		ktap_skip "$1" "no netvsc generic netlink family"
		return 0
	fi
	got=$(genl_state 2>&1)
	check_eq "$1" "$2" "$got"
}

nvs_require_modules
ktap_plan 27

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

if topo_setup && quiet_ipv6; then
	ktap_ok "topology"
else
	ktap_fail "topology"
	ktap_finished
fi

dev=$TOPO_DEV
vf=$TOPO_VF
peer=${TOPO_VF}p
HAVE_GENL=
genl_state >/dev/null 2>&1 && HAVE_GENL=1

topo_vf_add
check "a VF joins: data path vf, one switch" wait_for 30 datapath_is vf 1
check "joined: carrier 1, operstate up" wait_for 10 link_is "$dev" 1 up

switches=1
for cycle in 1 2; do
	left=$(dmesg_count "VF $vf left")
	joined=$(dmesg_count "joined VF $vf")

	in_h ip link set "$peer" down
	check "cycle $cycle: peer down: the VF has no carrier" \
		wait_for 10 carrier_is "$vf" 0
	check "cycle $cycle: the synthetic device follows: carrier 0, operstate down" \
		wait_for 10 link_is "$dev" 0 down
	switches=$((switches + 1))
	check "cycle $cycle: data path synthetic, switch $switches" \
		wait_for 30 datapath_is synthetic $switches
	check_genl "cycle $cycle: still joined, last switch for carrier lost" \
		"$STATE_JOINED $REASON_CARRIER_LOST"
	check_eq "cycle $cycle: the VF keeps its master, no leave" \
		"master=$dev left=$left" "master=$(topo_vf_master) left=$(dmesg_count "VF $vf left")"

	in_h ip link set "$peer" up
	check "cycle $cycle: peer up: carrier 1, operstate up" \
		wait_for 10 link_is "$dev" 1 up
	switches=$((switches + 1))
	check "cycle $cycle: data path vf, switch $switches" \
		wait_for 30 datapath_is vf $switches
	check_eq "cycle $cycle: the VF kept its master, no leave, no new join" \
		"master=$dev left=$left joined=$joined" \
		"master=$(topo_vf_master) left=$(dmesg_count "VF $vf left") joined=$(dmesg_count "joined VF $vf")"

	stats_snap ST0
	topo_ping $NPING
	stats_snap ST1
	check_eq "cycle $cycle: $NPING pings ride the VF again" \
		"vf_tx_packets=$NPING vf_rx_packets=$NPING synth_tx_packets=0 synth_rx_packets=0" \
		"$(deltas vf_tx_packets vf_rx_packets synth_tx_packets synth_rx_packets)"
done

# The VF goes away while it has no carrier: the synthetic link is up.
in_h ip link set "$peer" down
check "peer down once more: carrier 0" wait_for 10 link_is "$dev" 0 down
in_g ip link del "$vf"
check "the VF removed without carrier: carrier 1 from the synthetic link" \
	wait_for 30 eval 'link_is "$dev" 1 up && topo_synthetic'
stats_snap ST0
topo_ping $NPING
stats_snap ST1
check_eq "$NPING pings ride the synthetic path" \
	"synth_tx_packets=$NPING synth_tx_bytes=$((NPING * FRAME)) synth_rx_packets=$NPING vf_tx_packets=0 vf_rx_packets=0" \
	"$(deltas synth_tx_packets synth_tx_bytes synth_rx_packets vf_tx_packets vf_rx_packets)"

# ------------------------------------------------------------ not joined

echo 0 >"$(sim_dbg "$TOPO_ID")/link"
check "no VF: sim link 0: carrier 0, operstate down" \
	wait_for 10 link_is "$dev" 0 down
echo 1 >"$(sim_dbg "$TOPO_ID")/link"
check "no VF: sim link 1: carrier 1, operstate up" \
	wait_for 10 link_is "$dev" 1 up
check "no VF: pings over the synthetic path" topo_ping $NPING

ktap_finished
