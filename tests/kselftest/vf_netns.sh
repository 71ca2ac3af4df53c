#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VFs and network namespaces:
#
#  - a VF that appears in another netns is moved into the synthetic
#    device's netns (renamed if its name is taken there), claimed, joined;
#  - a synthetic device moved to another netns takes its VF along;
#  - a VF the user moves away is released and not moved back, but claimed
#    again when the user brings it back;
#  - a second candidate in another netns is neither moved nor left hidden
#    while the synthetic device has a VF, and is moved in once it has none;
#  - a bond slave in another netns is left to its bond;
#  - the netns of the VF's veth peer, then the synthetic device's own
#    netns are destroyed while a VF is joined: the VF is released, the
#    synthetic device returns to init_net, and the netns cleanup finishes
#    (no reference left behind).
#
# timeout: 900

# Helpers run through check and wait_for:
# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

SIM_BUS=/sys/bus/netvsc_sim
NS_X=nvs_x			# another netns
NS_N=nvs_n			# the synthetic device's new netns
NS_P=nvs_p			# the netns of a VF's veth peer
MAC_B=00:15:5d:00:00:02		# synthetic device of the bond slave test

# ------------------------------------------------------------------ helpers

in_ns_exists() {
	nsx "$1" test -e "/sys/class/net/$2"
}

not_in() {
	! nsx "$1" test -e "/sys/class/net/$2"
}

# moved DEV FROM TO: DEV left netns FROM and is in TO.
moved() {
	not_in "$2" "$1" && in_ns_exists "$3" "$1"
}

has_vf() {
	[ -n "$(lowers "$1" "$2")" ]
}

# cleanup_barrier N: wait until the netns cleanup in progress has finished
# (unregistered devices freed: no reference left).  Namespaces are cleaned
# up one batch at a time by a single-threaded work queue, and a batch
# ends only once its devices are freed, so a netns deleted now is cleaned
# up, and its veth peer in init_net disappears, only after that.
cleanup_barrier() {
	local ns=nvs_mk$1 dev=nvsmk$1

	ip netns add "$ns" || return 1
	if ! ip link add "$dev" type veth peer name "${dev}p" netns "$ns"; then
		ip netns del "$ns"
		return 1
	fi
	ip netns del "$ns"
	if ! wait_for 60 not_in "" "$dev"; then
		echo "the cleanup of netns $ns did not finish in 60 s"
		dmesg | grep -E 'waiting for .* to become free' | tail -n 3
		return 1
	fi
	! dmesg | grep -E 'waiting for .* to become free'
}

# ------------------------------------------------------------------ tests

nvs_require_modules
ktap_plan 42

nvs_load || ktap_diag "nvs_load failed"
if topo_setup "$TOPO_ID" "$TOPO_MAC" && ns_new "$NS_X"; then
	ktap_ok "topology"
else
	ktap_fail "topology"
fi
S=$TOPO_DEV

# --- a VF created in init_net is moved in
log_mark init-net
ip link add vfi address "$TOPO_MAC" type veth peer name vfip netns "$TOPO_H"
in_h ip link set vfip master br0
in_h ip link set vfip up
check "VF created in init_net is moved into the synthetic device's netns" \
	wait_for 30 moved vfi "" "$TOPO_G"
check_log "log says it is moved" "moving VF vfi into our namespace"
check "moved VF is claimed and joins" wait_for 30 still_vf vfi
in_h ip link del vfip
wait_for 20 no_vf "$TOPO_G" "$S" || ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"

# --- its name is taken in our netns: it is renamed
log_mark rename
in_g ip link add vfr type dummy
topo_vf_add vfr "$TOPO_MAC" "$NS_X"
if wait_for 30 has_vf "$TOPO_G" "$S"; then
	r=$(lowers "$TOPO_G" "$S")
	case "$r" in
	vfr|"")
		ktap_fail "VF whose name is taken is moved in under another name" "its name: '$r'" ;;
	*)
		if not_in "$NS_X" vfr; then
			ktap_ok "VF whose name is taken is moved in under another name ($r)"
		else
			ktap_fail "VF whose name is taken is moved in under another name" \
				"vfr is still in $NS_X; $S has VF $r"
		fi
		;;
	esac
	check "renamed VF joins" wait_for 30 still_vf "$r"
else
	ktap_fail "VF whose name is taken is moved in under another name" \
		"$S has no VF" "$(log_since | tail -n 10)"
	ktap_fail "renamed VF joins" "not moved in"
fi
check "dummy that had the name is left alone" \
	sh -c "ip -n $TOPO_G -d link show dev vfr | grep -qw dummy && ! ip -n $TOPO_G link show dev vfr | grep -q master"
in_h ip link del vfrp
in_g ip link del vfr
wait_for 20 no_vf "$TOPO_G" "$S" || ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"

# --- the synthetic device moves to another netns: the VF follows
topo_vf_add vf0
check "vf0 joined" wait_for 30 still_vf vf0
ns_new "$NS_N"
log_mark synth-move
in_g ip link set "$S" netns "$NS_N"
S_N=$(sim_ifname_in "$NS_N" "$TOPO_ID")
check "synthetic device moved: VF follows it into the new netns" \
	wait_for 30 moved vf0 "$TOPO_G" "$NS_N"
check_log "log says the VF was released in the old netns" ": VF vf0 released"
check_log "log says the VF is moved" "moving VF vf0 into our namespace"
check "VF claimed again in the new netns" wait_for 30 master_is "$NS_N" vf0 "$S_N"
ip -n "$NS_N" link set "$S_N" up
check "synthetic device up in the new netns: VF rejoins" \
	wait_for 30 sh -c "[ \"\$(cat $(sim_dbg "$TOPO_ID")/datapath)\" = vf ] && ip -n $NS_N link show dev vf0 | grep -q 'master $S_N '"

log_mark synth-back
ip -n "$NS_N" link set "$S_N" netns "$TOPO_G"
S=$(sim_ifname_in "$TOPO_G" "$TOPO_ID")
TOPO_DEV=$S
check "synthetic device moved back: VF follows it back" \
	wait_for 30 moved vf0 "$NS_N" "$TOPO_G"
in_g ip link set "$S" up
check "... and rejoins once the synthetic device is up" wait_for 30 still_vf vf0

# --- the user moves the VF away: released, not moved back
log_mark user-move
in_g ip link set vf0 netns "$NS_X"
check "VF moved away by the user: data path synthetic" wait_for 20 topo_synthetic
check "VF moved away by the user: synthetic device has no VF" wait_for 20 no_vf "$TOPO_G" "$S"
check_log "log says the VF was released" ": VF vf0 released"
check "released VF has no master and no SLAVE flag" unowned "$NS_X" vf0
ip -n "$NS_X" link set vf0 up
ip -n "$NS_X" link set vf0 down
ip -n "$NS_X" link set vf0 up
# Bounded wait for what must not happen: a move takes a work item only.
if wait_for 5 moved vf0 "$NS_X" "$TOPO_G"; then
	ktap_fail "VF moved away by the user is not moved back" "$(log_since | tail -n 5)"
elif log_has "moving VF vf0"; then
	ktap_fail "VF moved away by the user is not moved back" "$(log_since | grep -F 'moving VF vf0')"
else
	check "VF moved away by the user is not moved back" unowned "$NS_X" vf0
fi
ip -n "$NS_X" link set vf0 netns "$TOPO_G"
check "VF the user brings back is claimed again" wait_for 20 master_is "$TOPO_G" vf0 "$S"
check "... and joins" wait_for 30 still_vf vf0

# --- a second candidate in another netns while there is a VF
log_mark second
topo_vf_add vfy "$TOPO_MAC" "$NS_X"
if wait_for 5 moved vfy "$NS_X" "$TOPO_G"; then
	ktap_fail "second candidate in another netns is not moved in" "$(log_since | tail -n 5)"
else
	ktap_ok "second candidate in another netns is not moved in"
fi
check "second candidate in another netns is not left hidden (no master, no SLAVE flag)" \
	unowned "$NS_X" vfy
check "vf0 stays the VF" still_vf vf0
log_mark second-takes-over
topo_vf_del vf0
check "vf0 deleted: the candidate in the other netns is moved in" \
	wait_for 30 moved vfy "$NS_X" "$TOPO_G"
check "... claimed and joined" wait_for 30 still_vf vfy
topo_vf_del vfy
wait_for 20 no_vf "$TOPO_G" "$S" || ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"

# --- a bond slave in another netns, when its synthetic device appears
[ -d /sys/module/bonding ] || { modprobe bonding max_bonds=0 && on_exit modprobe -r bonding; }
log_mark bond-slave
ip -n "$NS_X" link add nvsbond0 type bond
ip -n "$NS_X" link add vfb address "$MAC_B" type veth peer name vfbp
ip -n "$NS_X" link set vfb master nvsbond0
ip -n "$NS_X" link set vfbp up
ip -n "$NS_X" link set nvsbond0 up
sim_new_in "$TOPO_G" 1 "$MAC_B"
s1=$(sim_ifname_in "$TOPO_G" 1)
in_g ip link set "$s1" up
if wait_for 5 moved vfb "$NS_X" "$TOPO_G"; then
	ktap_fail "bond slave in another netns stays in its netns" \
		"$(log_since | grep -v -e 'nvs-selftest' | tail -n 5)"
else
	ktap_ok "bond slave in another netns stays in its netns"
fi
check_eq "bond slave in another netns stays the bond's slave" nvsbond0 \
	"$(dev_master "$NS_X" vfb)"
check "synthetic device took no VF from the bond" no_vf "$TOPO_G" "$s1"

# --- the netns of the VF's veth peer is destroyed: the VF dies with it
ns_new "$NS_P"
ip link add vfq netns "$TOPO_G" address "$TOPO_MAC" type veth peer name vfqp netns "$NS_P"
ip -n "$NS_P" link set vfqp up
check "VF with its peer in $NS_P joined" wait_for 30 still_vf vfq
log_mark peer-netns
ip netns del "$NS_P"
check "peer netns destroyed: VF released (data path synthetic)" wait_for 30 topo_synthetic
check "peer netns destroyed: VF gone, synthetic device has no VF" \
	wait_for 30 sh -c "! ip -n $TOPO_G link show dev vfq >/dev/null 2>&1 && [ -z \"\$(ip netns exec $TOPO_G ls /sys/class/net/$S | grep '^lower_')\" ]"
check_log "log says the VF was released" ": VF vfq released"
check "netns cleanup finished, nothing left holding the VF" cleanup_barrier 1

# --- the synthetic device's netns is destroyed while its VF is joined
topo_vf_add vf0
check "vf0 joined" wait_for 30 still_vf vf0
log_mark synth-netns
ip netns del "$TOPO_G"
check "netns destroyed: synthetic device back in init_net" \
	wait_for 30 sh -c "[ -n \"\$(ls $SIM_BUS/devices/netvsc_sim$TOPO_ID/net 2>/dev/null)\" ]"
check "netns destroyed: data path synthetic" wait_for 30 topo_synthetic
check_log "log says the VF was released" ": VF vf0 released"
check "netns cleanup finished, nothing left holding the VF or the synthetic device" \
	cleanup_barrier 2
S0=$(sim_ifname "$TOPO_ID")
ip link add vfz address "$TOPO_MAC" type veth peer name vfzp netns "$TOPO_H"
on_exit ip link del vfz
in_h ip link set vfzp master br0
in_h ip link set vfzp up
check "synthetic device in init_net claims a new VF" \
	wait_for 20 master_is "" vfz "$S0"
ip link set "$S0" up
check "... which joins" wait_for 30 topo_joined

ktap_finished
