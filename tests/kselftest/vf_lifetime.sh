#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetimes of the synthetic device, the modules and the VF:
#
#  - the simulated device is deleted while its VF is joined: the VF is
#    left an ordinary device (no master, no SLAVE flag, its MTU back) that
#    passes traffic on its own;
#  - the same when the modules are unloaded while the VF is joined;
#  - 20 VF add/delete cycles while joined: each joins and is released,
#    every switch is counted, nothing leaks;
#  - 10 module load/unload cycles with a VF joined, then the VF still
#    works.
#
# timeout: 1200

# Helpers run through check and wait_for:
# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

SIM_BUS=/sys/bus/netvsc_sim
SYNTH_MTU=1400			# the synthetic MTU; veth's is 1500
ADD_DEL_CYCLES=20
MODULE_CYCLES=10

# ------------------------------------------------------------------ helpers

sim_switches() {
	cat "$(sim_dbg "$1")/switches"
}

eth_stat() {
	in_g ethtool -S "$1" | awk -v k="$2:" '$1 == k { print $2 }'
}

# master_of_is NS DEV MASTER: ip link says DEV's master is MASTER.
master_of_is() {
	[ "$(dev_master "$1" "$2")" = "$3" ]
}

# joined_to NS VF SYNTH ID: VF is the joined VF of SYNTH (sim ID).
joined_to() {
	datapath_is "$4" vf && master_of_is "$1" "$2" "$3"
}

T0=$EPOCHREALTIME
# took WHAT: print how long the test has run so far.
took() {
	ktap_diag "$1: $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s into the test"
}

# released ID SYNTH: sim ID's synthetic device SYNTH has no VF and its
# data path is synthetic.
released() {
	datapath_is "$1" synthetic && no_vf "$TOPO_G" "$2"
}

# free_dev NS DEV: DEV exists with no master and no SLAVE flag (one ip
# call: cheap enough for the cycles).
free_dev() {
	local line

	line=$(ipn "$1" -o link show dev "$2") || { echo "$2 does not exist"; return 1; }
	case "$line" in
	*" master "*) echo "$2 has a master: $line"; return 1 ;;
	*[\<,]SLAVE[,\>]*) echo "$2 has the SLAVE flag: $line"; return 1 ;;
	esac
}

# vf_add: vf0 in the guest netns, its peer up in the host netns (no
# bridge: the cycles need its carrier only).
vf_add() {
	ip link add vf0 netns "$TOPO_G" address "$TOPO_MAC" type veth \
		peer name vf0p netns "$TOPO_H" &&
		ip -n "$TOPO_H" link set vf0p up
}

# works_alone: vf0, given the guest address, passes traffic to the host.
works_alone() {
	in_g ip addr add "$TOPO_GUEST_IP/24" dev vf0 || return 1
	in_g ip link set vf0 up || return 1
	wait_for 20 has_flag "$TOPO_G" vf0 LOWER_UP || { echo "vf0 has no carrier"; return 1; }
	topo_ping 5 || { echo "no reply through vf0"; in_g ip -s link show dev vf0; return 1; }
}

# ------------------------------------------------------------------ tests

nvs_require_modules
ktap_plan 19

nvs_load || ktap_diag "nvs_load failed"
if topo_setup "$TOPO_ID" "$TOPO_MAC" &&
   in_g ip link set "$TOPO_DEV" mtu "$SYNTH_MTU"; then
	ktap_ok "topology"
else
	ktap_fail "topology"
fi

# --- the simulated device goes away while its VF is joined
topo_vf_add vf0
check "vf0 joined" wait_for 30 joined_to "$TOPO_G" vf0 "$TOPO_DEV" "$TOPO_ID"
log_mark del-device
if sim_del "$TOPO_ID"; then
	check "device deleted: VF left with no master and no SLAVE flag" unowned "$TOPO_G" vf0
else
	ktap_fail "device deleted: VF left with no master and no SLAVE flag" "sim_del failed"
fi
check_log "device deleted: log says the VF was released" ": VF vf0 released"
check_eq "device deleted: VF MTU restored" 1500 "$(dev_mtu "$TOPO_G" vf0)"
check "device deleted: VF passes traffic on its own" works_alone
in_g ip addr flush dev vf0
topo_vf_del vf0
took "device deletion"

# --- the modules go away while the VF is joined
sim_new_in "$TOPO_G" 1 "$TOPO_MAC"
s1=$(sim_ifname_in "$TOPO_G" 1)
in_g ip link set "$s1" mtu "$SYNTH_MTU"
in_g ip link set "$s1" up
topo_vf_add vf0
check "vf0 joined (device 1)" wait_for 30 joined_to "$TOPO_G" vf0 "$s1" 1
log_mark rmmod
if nvs_unload; then
	ktap_ok "modules unloaded while the VF is joined"
else
	ktap_fail "modules unloaded while the VF is joined" "$(lsmod | grep netvsc)"
fi
check "modules unloaded: VF left with no master and no SLAVE flag" unowned "$TOPO_G" vf0
check_log "modules unloaded: log says the VF was released" ": VF vf0 released"
check_eq "modules unloaded: VF MTU restored" 1500 "$(dev_mtu "$TOPO_G" vf0)"
check "modules unloaded: VF passes traffic on its own" works_alone
in_g ip addr flush dev vf0
topo_vf_del vf0
took "module unload"

# --- VF add/delete cycles while joined
nvs_load || ktap_diag "nvs_load failed"
sim_new_in "$TOPO_G" 2 "$TOPO_MAC"
s2=$(sim_ifname_in "$TOPO_G" 2)
in_g ip link set "$s2" up
sw0=$(eth_stat "$s2" datapath_switches)
host0=$(sim_switches 2)
why=()
for ((i = 1; i <= ADD_DEL_CYCLES; i++)); do
	if ! vf_add; then
		why=("cycle $i: cannot add vf0")
		break
	fi
	if ! wait_for 30 joined_to "$TOPO_G" vf0 "$s2" 2; then
		why=("cycle $i: vf0 did not join" "$(in_g ip link show dev vf0)")
		break
	fi
	if ! timeout 60 ip -n "$TOPO_H" link del vf0p; then
		why=("cycle $i: deleting vf0 failed or hung")
		break
	fi
	if ! wait_for 30 released 2 "$s2"; then
		why=("cycle $i: vf0 not released" "data path $(datapath 2)")
		break
	fi
done
if [ ${#why[@]} -eq 0 ]; then
	ktap_ok "$ADD_DEL_CYCLES VF add/delete cycles: each joined, then released"
else
	ktap_fail "$ADD_DEL_CYCLES VF add/delete cycles: each joined, then released" "${why[@]}"
fi
check_eq "datapath_switches counted every switch" \
	$((sw0 + 2 * ADD_DEL_CYCLES)) "$(eth_stat "$s2" datapath_switches)"
check_eq "the host completed every switch" \
	$((host0 + 2 * ADD_DEL_CYCLES)) "$(sim_switches 2)"
check "device deleted after the cycles (nothing holds it)" \
	timeout 120 sh -c "echo 2 >$SIM_BUS/del_device"

took "add/delete cycles"

# --- module load/unload cycles with a VF joined
nvs_unload || ktap_diag "nvs_unload failed"
topo_vf_add vf0
why=()
for ((i = 1; i <= MODULE_CYCLES; i++)); do
	if ! nvs_load; then
		why=("cycle $i: cannot load the modules")
		break
	fi
	if ! sim_new_in "$TOPO_G" 3 "$TOPO_MAC"; then
		why=("cycle $i: cannot create device 3")
		break
	fi
	s3=$(sim_ifname_in "$TOPO_G" 3)
	if ! wait_for 20 master_of_is "$TOPO_G" vf0 "$s3"; then
		why=("cycle $i: vf0 not claimed at creation" "$(in_g ip link show dev vf0)")
		break
	fi
	in_g ip link set "$s3" up
	if ! wait_for 30 joined_to "$TOPO_G" vf0 "$s3" 3; then
		why=("cycle $i: vf0 did not join" "data path $(datapath 3)")
		break
	fi
	if ! timeout 120 rmmod netvsc_sim || ! timeout 120 rmmod netvsc; then
		why=("cycle $i: cannot unload the modules" "$(lsmod | grep netvsc)")
		break
	fi
	nvs_unload	# nothing left to unload: just forget the modules
	if ! out=$(free_dev "$TOPO_G" vf0); then
		why=("cycle $i: after unloading: $out")
		break
	fi
done
if [ ${#why[@]} -eq 0 ]; then
	ktap_ok "$MODULE_CYCLES module load/unload cycles with vf0: each claimed, joined, released"
else
	ktap_fail "$MODULE_CYCLES module load/unload cycles with vf0: each claimed, joined, released" "${why[@]}"
fi
check "after the cycles: modules gone" sh -c "! test -d /sys/module/netvsc_sim && ! test -d /sys/module/netvsc"
check "after the cycles: VF passes traffic on its own" works_alone
took "module cycles"

ktap_finished
