#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An MTU change restarts the synthetic path's protocol (the host takes a
# new MTU only with a new NDIS configuration).  Traffic on a joined VF
# must not notice: the device has no qdisc, so stopping its queue for the
# restart would drop every frame, those for the VF too, each with an
# "asks to queue packet" line.  Protocol mode, with a veth VF joined:
# pings at 10 ms over the VF while the MTU goes 1500 -> 1400 -> 1500
# four times; every ping is answered, the kernel logs no such line, the
# host saw each NDIS configuration, and the synthetic path works after.
# timeout: 400

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

NPING=400
CYCLES=4

export NVS_SIM_MODE=proto

nvs_require_modules
ktap_plan 8

if ! nvs_load; then
	ktap_fail "load the modules"
	ktap_finished
fi

WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

if topo_setup && quiet_ipv6; then
	ktap_ok "topology, the simulator in protocol mode"
else
	ktap_fail "topology, the simulator in protocol mode"
	ktap_finished
fi

topo_vf_add
check "a VF joins: data path vf" wait_for 30 path_is vf 1

host_mtu_is() {
	[ "$(sim_read mtu)" = "$1" ]
}

log_mark mtu
in_g ping -q -c $NPING -i 0.01 -W 2 "$TOPO_HOST_IP" >"$WORK/ping" 2>&1 &
ping_pid=$!
changes=ok
for i in $(seq 1 $CYCLES); do
	for mtu in 1400 1500; do
		if ! in_g ip link set "$TOPO_DEV" mtu $mtu; then
			changes="cycle $i: ip link set mtu $mtu failed"
		elif ! wait_for 30 host_mtu_is $mtu; then
			changes="cycle $i: the host's MTU is $(sim_read mtu), not $mtu"
		fi
	done
done
wait "$ping_pid"
ping_rc=$?

check_eq "$CYCLES times MTU 1400 and back, each taken by the host" ok "$changes"
if [ "$ping_rc" -eq 0 ] && grep -q " $NPING received, 0% packet loss" "$WORK/ping"; then
	ktap_ok "all $NPING pings over the VF answered meanwhile"
else
	ktap_fail "all $NPING pings over the VF answered meanwhile" "$(cat "$WORK/ping")"
fi
n=$(log_since | grep -c "asks to queue packet")
check_eq "no \"asks to queue packet\" in the kernel log" 0 "$n"
check_eq "the VF kept the data path" vf "$(topo_datapath)"

topo_vf_del
check "the VF is removed: data path synthetic" wait_for 30 path_is synthetic 2
check "the restarted synthetic path carries pings" topo_ping 5

ktap_finished
