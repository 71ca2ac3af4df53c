#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults of the simulated host around the VF: a data path switch the
# host fails, one it does not complete within the driver's bound, and
# synthetic transmits it drops.  The VF joins but the data path stays
# synthetic and keeps passing traffic; once the faults are cleared, the
# VF going down and up joins for real.
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
NPING=5
OTHER_MAC=02:00:00:00:00:43
# enum netvsc_state and enum netvsc_reason (include/uapi/linux/netvsc.h)
STATE_JOINED=2
REASON_SWITCH_FAILED=5

SYNTH_DELTAS="synth_tx_packets=$NPING synth_tx_bytes=$((NPING * FRAME)) synth_rx_packets=$NPING synth_rx_bytes=$((NPING * FRAME)) vf_tx_packets=0 vf_rx_packets=0"
VF_DELTAS="vf_tx_packets=$NPING vf_tx_bytes=$((NPING * FRAME)) vf_rx_packets=$NPING vf_rx_bytes=$((NPING * FRAME)) synth_tx_packets=0 synth_rx_packets=0"

# ping_deltas: NPING pings, then the counters they moved
ping_deltas() {
	stats_snap ST0
	topo_ping $NPING || echo "pings lost"
	stats_snap ST1
	deltas synth_tx_packets synth_tx_bytes synth_rx_packets synth_rx_bytes \
		vf_tx_packets vf_rx_packets
}

vf_ping_deltas() {
	stats_snap ST0
	topo_ping $NPING || echo "pings lost"
	stats_snap ST1
	deltas vf_tx_packets vf_tx_bytes vf_rx_packets vf_rx_bytes \
		synth_tx_packets synth_rx_packets
}

# log_rose PATTERN N: more than N kernel log lines match PATTERN
log_rose() {
	[ "$(dmesg_count "$1")" -gt "$2" ]
}

# The host completed a switch since the slow one was asked for, and is
# on the synthetic path.
host_settled() {
	[ "$(sim_read datapath)" = synthetic ] &&
		[ "$(sim_read switches)" -gt "$host_switches" ]
}

vf_running() {
	in_g ip link show dev "$TOPO_VF" | grep -q 'state UP'
}

nvs_require_modules
ktap_plan 19

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
HAVE_GENL=
genl_state >/dev/null 2>&1 && HAVE_GENL=1

# ------------------------------------------------------------ the host fails the switch

# The VF is up, with carrier, before it takes our MAC: the switch at its
# join is then the only one asked for.
topo_vf_add "$vf" "$OTHER_MAC"
in_g ip link set "$vf" up
wait_for 10 vf_running

failed=$(dmesg_count "data path switch to VF $vf failed")
joined=$(dmesg_count "joined VF $vf")
sim_knob fail_switch 1
in_g ip link set "$vf" address "$TOPO_MAC"
check "fail_switch=1: the switch to the VF fails and is logged" \
	wait_for 30 log_rose "data path switch to VF $vf failed.*staying synthetic" "$failed"
check_eq "the VF is ours and joined all the same" \
	"master=$dev joined=$((joined + 1))" \
	"master=$(topo_vf_master) joined=$(dmesg_count "joined VF $vf")"
check_eq "the data path stays synthetic, no switch counted, the fault used up" \
	"synthetic switches=0 fail_switch=0" \
	"$(topo_datapath) switches=$(topo_stat datapath_switches) fail_switch=$(sim_read fail_switch)"
check_genl "still joined, last switch attempt failed" \
	"$STATE_JOINED $REASON_SWITCH_FAILED"
check_eq "traffic goes on over the synthetic path: $NPING pings exactly" \
	"$SYNTH_DELTAS" "$(ping_deltas)"

# ------------------------------------------------------------ the host is too slow

timeouts=$(dmesg_count "host did not complete the data path switch to VF within 10000 ms")
joined=$(dmesg_count "joined VF $vf")
host_switches=$(sim_read switches)
sim_knob switch_delay_ms 12000
in_g ip link set "$vf" down
in_g ip link set "$vf" up
check "switch_delay_ms=12000: the VF joins again" \
	wait_for 30 log_rose "joined VF $vf" "$joined"
check "the switch times out after 10 s and is logged" \
	wait_for 30 log_rose "host did not complete the data path switch to VF within 10000 ms" "$timeouts"
check_eq "the data path stays synthetic, no switch counted" \
	"synthetic switches=0" "$(topo_datapath) switches=$(topo_stat datapath_switches)"
check_eq "traffic goes on over the synthetic path: $NPING pings exactly" \
	"$SYNTH_DELTAS" "$(ping_deltas)"
# The host answers late, with the synthetic path asked for last.
check "the late answers leave the host on the synthetic path" \
	wait_for 30 host_settled
check_eq "and the guest too" "synthetic switches=0" \
	"$(topo_datapath) switches=$(topo_stat datapath_switches)"

# ------------------------------------------------------------ faults cleared

sim_knob switch_delay_ms 0
in_g ip link set "$vf" down
in_g ip link set "$vf" up
check "faults cleared, VF down and up: it joins for real" \
	wait_for 30 path_is vf 1
check_eq "$NPING pings ride the VF exactly" "$VF_DELTAS" "$(vf_ping_deltas)"

# ------------------------------------------------------------ synthetic transmits dropped

# While the VF carries the traffic, the host's synthetic drops do not
# touch it; once the VF is gone, the first synthetic frames are lost.
sim_knob drop_tx 3
check_eq "drop_tx=3 while joined: $NPING pings ride the VF, nothing dropped" \
	"$VF_DELTAS drop_tx=3" "$(vf_ping_deltas) drop_tx=$(sim_read drop_tx)"

topo_vf_del
check "the VF is removed: data path synthetic" wait_for 30 path_is synthetic 2
host_drop0=$(in_h cat "/sys/class/net/$(sim_host_ifname "$TOPO_ID")/statistics/rx_dropped")
stats_snap ST0
replies=$(in_g ping -c $NPING -i 0.2 -W 1 "$TOPO_HOST_IP" | grep -o '[0-9]* received')
stats_snap ST1
host_drop1=$(in_h cat "/sys/class/net/$(sim_host_ifname "$TOPO_ID")/statistics/rx_dropped")
check_eq "the host drops the first 3 of $NPING synthetic requests" \
	"$((NPING - 3)) received, host dropped 3, drop_tx=0" \
	"$replies, host dropped $((host_drop1 - host_drop0)), drop_tx=$(sim_read drop_tx)"
check_eq "the guest sent all $NPING and got $((NPING - 3)) replies, on the synthetic path" \
	"synth_tx_packets=$NPING synth_rx_packets=$((NPING - 3)) vf_tx_packets=0 vf_rx_packets=0" \
	"$(deltas synth_tx_packets synth_rx_packets vf_tx_packets vf_rx_packets)"
check_eq "then traffic is whole again: $NPING pings exactly" \
	"$SYNTH_DELTAS" "$(ping_deltas)"

ktap_finished
