#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Carrier of the synthetic device.  While a VF is joined it follows the
# VF's: the VF's peer going down takes the carrier and the data path
# (synthetic, reason "carrier lost") without a leave, its coming back up
# restores both; each change is one data path switch.  A VF that joins
# before its link is up leaves the carrier to the synthetic link until it
# has link.  Without a VF the simulated host's link knob sets the carrier.
# All of it without a carrier hold (vf_carrier_hold_ms=0, what the driver
# did before it had one): vf_carrier_hold.sh tests the hold.
# timeout: 300

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

FRAME=98
NPING=3
# enum netvsc_state and enum netvsc_reason (include/uapi/linux/netvsc.h)
STATE_JOINED=2
REASON_CARRIER_LOST=4

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

nvs_require_modules
ktap_plan 33

if ! nvs_load vf_carrier_hold_ms=0; then
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
check "a VF joins: data path vf, one switch" wait_for 30 path_is vf 1
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
		wait_for 30 path_is synthetic $switches
	check_genl "cycle $cycle: still joined, last switch for carrier lost" \
		"$STATE_JOINED $REASON_CARRIER_LOST"
	check_eq "cycle $cycle: the VF keeps its master, no leave" \
		"master=$dev left=$left" "master=$(topo_vf_master) left=$(dmesg_count "VF $vf left")"

	in_h ip link set "$peer" up
	check "cycle $cycle: peer up: carrier 1, operstate up" \
		wait_for 10 link_is "$dev" 1 up
	switches=$((switches + 1))
	check "cycle $cycle: data path vf, switch $switches" \
		wait_for 30 path_is vf $switches
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

# ------------------------------------------------------ joined before link

# A VF that joins before its link is up (its peer is still down) leaves
# the carrier and the traffic to the synthetic path; from its first
# carrier on, the carrier is the VF's.
log_mark "joined before link"
ip link add "$vf" netns "$TOPO_G" address "$TOPO_MAC" type veth \
	peer name "$peer" netns "$TOPO_H"
in_h ip link set "$peer" master br0
check_log "a VF without carrier joins; the log says the synthetic path carries on" \
	"VF $vf has no carrier yet"
check "VF without carrier: carrier 1 from the synthetic link, data path synthetic" \
	eval 'link_is "$dev" 1 up && topo_synthetic && carrier_is "$vf" 0'
stats_snap ST0
topo_ping $NPING
stats_snap ST1
check_eq "$NPING pings ride the synthetic path until the VF has link" \
	"synth_tx_packets=$NPING synth_rx_packets=$NPING vf_tx_packets=0 vf_rx_packets=0" \
	"$(deltas synth_tx_packets synth_rx_packets vf_tx_packets vf_rx_packets)"
in_h ip link set "$peer" up
check "the VF's link comes up: data path vf, carrier 1" \
	wait_for 30 eval 'topo_joined && link_is "$dev" 1 up'
in_h ip link set "$peer" down
check "from then on the carrier is the VF's: peer down, carrier 0" \
	wait_for 10 link_is "$dev" 0 down
in_g ip link del "$vf"
check "that VF removed: carrier 1 from the synthetic link" \
	wait_for 30 eval 'link_is "$dev" 1 up && topo_synthetic'

# ------------------------------------------------------------ not joined

echo 0 >"$(sim_dbg "$TOPO_ID")/link"
check "no VF: sim link 0: carrier 0, operstate down" \
	wait_for 10 link_is "$dev" 0 down
echo 1 >"$(sim_dbg "$TOPO_ID")/link"
check "no VF: sim link 1: carrier 1, operstate up" \
	wait_for 10 link_is "$dev" 1 up
check "no VF: pings over the synthetic path" topo_ping $NPING

ktap_finished
