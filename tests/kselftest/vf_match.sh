#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VF matching: which devices a synthetic device claims as its VF, which
# ones it refuses, and how a claimed VF is hidden from IPv6 addrconf.
#
#  - a VF that exists before the modules load, one that exists before its
#    synthetic device is created and one created after it are claimed and
#    join;
#  - a device whose permanent (not current) MAC is the synthetic MAC is
#    claimed (a mac80211_hwsim radio: the only device the VM can make with
#    a permanent MAC, veth has none);
#  - VLAN, bridge, bond, macvlan, macvtap and ipvlan devices with the
#    synthetic MAC, a second veth with it and a bond slave with it are
#    refused;
#  - a claimed VF carries IFF_SLAVE and gets no IPv6 link-local address,
#    while a veth that does not match gets one.
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

NS_M=nvs_m			# netns of the pre-existing VFs
MAC_PRE=00:15:5d:00:00:11	# VF that exists before the modules load
MAC_EARLY=00:15:5d:00:00:12	# VF that exists before its synthetic device
MAC_BOND=00:15:5d:00:00:13	# bond slave that exists before it

# ------------------------------------------------------------------ helpers

# check_no_log DESC TEXT: TEXT is not in the kernel log.
check_no_log() {
	if log_has "$2"; then
		ktap_fail "$1" "unexpected kernel log line with: $2" \
			"$(log_since | grep -F -- "$2")"
	else
		ktap_ok "$1"
	fi
}

# refused DESC NS DEV SYNTH ID: DEV, which carries the synthetic MAC, was
# neither claimed nor hidden, and SYNTH still has no VF.
check_refused() {
	local desc=$1 ns=$2 dev=$3 synth=$4 id=$5 why=()
	local out

	if [ "$(nsx "$ns" cat "/sys/class/net/$dev/address" 2>/dev/null)" != "$TOPO_MAC" ]; then
		why+=("precondition: $dev does not have MAC $TOPO_MAC")
	fi
	out=$(unowned "$ns" "$dev") || why+=("$out")
	out=$(no_vf "$ns" "$synth") || why+=("$out")
	datapath_is "$id" synthetic || why+=("data path is $(datapath "$id")")
	! log_has ": VF $dev claimed" || why+=("kernel log says VF $dev claimed")
	if [ ${#why[@]} -eq 0 ]; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc" "${why[@]}" "$(nsx "$ns" ip -d link show dev "$dev" 2>&1)"
	fi
}

has_ll6() {
	nsx "$1" ip -6 -o addr show dev "$2" scope link 2>/dev/null | grep -q 'inet6 fe80:'
}

# oper_up NS DEV: DEV's operational state is up (linkwatch has run for it,
# addrconf has seen its carrier).
oper_up() {
	[ "$(link_field "$1" "$2" state)" = UP ]
}

# ------------------------------------------------------------------ tests

nvs_require_modules
ktap_plan 35

# --- a VF that exists before the modules are loaded
if [ -d /sys/module/netvsc ]; then
	nvs_unload >/dev/null 2>&1
fi
ns_new "$NS_M"
ip -n "$NS_M" link set lo up
ip -n "$NS_M" link add vfpre address "$MAC_PRE" type veth peer name vfprep
ip -n "$NS_M" link set vfprep up

if [ -d /sys/module/netvsc ]; then
	ktap_skip "VF created before the modules load is claimed" \
		"netvsc was loaded already and could not be unloaded"
	ktap_skip "VF created before the modules load joins" \
		"netvsc was loaded already and could not be unloaded"
	nvs_load || ktap_diag "nvs_load failed"
else
	nvs_load || ktap_diag "nvs_load failed"
	log_mark pre-module
	sim_new_in "$NS_M" 11 "$MAC_PRE"
	s11=$(sim_ifname_in "$NS_M" 11)
	check "VF created before the modules load is claimed" \
		wait_for 20 master_is "$NS_M" vfpre "$s11"
	ip -n "$NS_M" link set "$s11" up
	check "VF created before the modules load joins" \
		wait_for 30 datapath_is 11 vf
fi

# --- a VF that exists before its synthetic device is created; the
# VF is up and the synthetic device is down: the join needs only the VF up
ip -n "$NS_M" link add vfearly address "$MAC_EARLY" mtu 1400 type veth peer name vfearlyp
ip -n "$NS_M" link set vfearlyp up
ip -n "$NS_M" link set vfearly up
log_mark early
sim_new_in "$NS_M" 12 "$MAC_EARLY"
s12=$(sim_ifname_in "$NS_M" 12)
check "VF created before its synthetic device is claimed at creation" \
	wait_for 20 master_is "$NS_M" vfearly "$s12"
check_log "log says the early VF was claimed" ": VF vfearly claimed"
# The join sets the VF's MTU to the synthetic one (1500).
check "early VF joins while only the VF is up (MTU 1400 -> 1500)" \
	wait_for 30 mtu_is "$NS_M" vfearly 1500
ip -n "$NS_M" link set "$s12" up
check "early VF: data path is the VF once the synthetic device is up" \
	wait_for 30 datapath_is 12 vf

# --- a veth enslaved to a bond before the synthetic device exists
bonding_loaded=
[ -d /sys/module/bonding ] || { modprobe bonding max_bonds=0 && bonding_loaded=1; }
[ -z "$bonding_loaded" ] || on_exit modprobe -r bonding
ip -n "$NS_M" link add nvsbond1 type bond
ip -n "$NS_M" link add vfbond address "$MAC_BOND" type veth peer name vfbondp
ip -n "$NS_M" link set vfbond master nvsbond1
ip -n "$NS_M" link set vfbondp up
ip -n "$NS_M" link set nvsbond1 up
log_mark bond-slave
sim_new_in "$NS_M" 13 "$MAC_BOND"
s13=$(sim_ifname_in "$NS_M" 13)
ip -n "$NS_M" link set "$s13" up
check_eq "bond slave with the MAC is left to its bond" nvsbond1 \
	"$(dev_master "$NS_M" vfbond)"
check "synthetic device took no VF from the bond" no_vf "$NS_M" "$s13"
check_log "log says the bond slave belongs to another device" \
	"vfbond has our MAC but belongs to another device; not taking it"

# --- a VF created after its synthetic device, and its hiding
if topo_setup "$TOPO_ID" "$TOPO_MAC"; then
	ktap_ok "topology"
else
	ktap_fail "topology" "topo_setup failed"
fi
S=$TOPO_DEV

log_mark vf0
topo_vf_add vf0
check "VF created after the synthetic device is claimed (master, upper/lower links)" \
	wait_for 20 master_is "$TOPO_G" vf0 "$S"
check "VF created after the synthetic device joins (data path vf)" \
	wait_for 30 topo_joined
check_log "log says claimed" ": VF vf0 claimed"
check_log "log says joined" ": joined VF vf0"
check_log "log says the data path is the VF" ": data path is VF vf0"
check "claimed VF has the SLAVE flag" has_flag "$TOPO_G" vf0 SLAVE

# A veth that does not match, brought up after the VF is up with carrier:
# once addrconf gave it a link-local address it had its chance on the VF.
in_g ip link add ctl0 type veth peer name ctl0p netns "$TOPO_H"
in_h ip link set ctl0p up
wait_for 20 oper_up "$TOPO_G" vf0 ||
	ktap_diag "vf0 is not up: $(ipn "$TOPO_G" -o link show dev vf0)"
in_g ip link set ctl0 up
if wait_for 30 has_ll6 "$TOPO_G" ctl0; then
	ktap_ok "non-matching veth gets an IPv6 link-local address"
	if has_ll6 "$TOPO_G" vf0 ||
	   [ -n "$(in_g ip -6 -o addr show dev vf0)" ]; then
		ktap_fail "claimed VF gets no IPv6 address" \
			"$(in_g ip -6 addr show dev vf0)"
	else
		ktap_ok "claimed VF gets no IPv6 address"
	fi
else
	ktap_fail "non-matching veth gets an IPv6 link-local address" \
		"$(in_g ip -6 addr show dev ctl0)" \
		"disable_ipv6: $(in_g sysctl -n net.ipv6.conf.ctl0.disable_ipv6 2>&1)"
	ktap_skip "claimed VF gets no IPv6 address" \
		"no positive control: addrconf gave the control veth no address"
fi

# --- a second veth with the same MAC
log_mark vf1
topo_vf_add vf1
in_g ip link set vf1 up
check_log "second veth with the MAC is refused with a log line" \
	"vf1 has our MAC but vf0 is already our VF; ignoring it"
check "second veth gets no master and no SLAVE flag" unowned "$TOPO_G" vf1
check "first VF stays the VF" still_vf vf0

# Let go of both: the refusals below need a synthetic device without a VF.
topo_vf_del vf1
topo_vf_del vf0
wait_for 20 topo_synthetic
wait_for 20 no_vf "$TOPO_G" "$S" || ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"

# --- devices that carry the MAC but are not VFs.  Each is deleted after
# its check, so that one claimed by mistake does not decide the next.

# gone NS DEV: delete DEV and wait until the synthetic device has no VF.
gone() {
	in_ns "$1" ip link del "$2" 2>/dev/null
	wait_for 20 no_vf "$TOPO_G" "$S" ||
		ktap_diag "$S still has a VF: $(lowers "$TOPO_G" "$S")"
}

log_mark vlan
in_g ip link add link ctl0 name ctl0.5 address "$TOPO_MAC" type vlan id 5 &&
	in_g ip link set ctl0.5 up
check_refused "VLAN device with the MAC is not a VF" "$TOPO_G" ctl0.5 "$S" "$TOPO_ID"
gone "$TOPO_G" ctl0.5

log_mark bond
in_g ip link add nvsbond0 address "$TOPO_MAC" type bond &&
	in_g ip link set nvsbond0 up
check_refused "bond master with the MAC is not a VF" "$TOPO_G" nvsbond0 "$S" "$TOPO_ID"
gone "$TOPO_G" nvsbond0

log_mark macvlan
in_g ip link add link ctl0 name mvl0 address "$TOPO_MAC" type macvlan mode bridge &&
	in_g ip link set mvl0 up
check_refused "macvlan with the MAC is not a VF" "$TOPO_G" mvl0 "$S" "$TOPO_ID"
gone "$TOPO_G" mvl0

log_mark macvtap
if err=$(in_g ip link add link ctl0 name mvt0 address "$TOPO_MAC" type macvtap mode bridge 2>&1); then
	in_g ip link set mvt0 up
	check_refused "macvtap with the MAC is not a VF" "$TOPO_G" mvt0 "$S" "$TOPO_ID"
	gone "$TOPO_G" mvt0
else
	ktap_skip "macvtap with the MAC is not a VF" "cannot create a macvtap device: $err"
fi

log_mark bridge
in_g ip link add nvsbr0 address "$TOPO_MAC" type bridge &&
	in_g ip link set nvsbr0 up
check_refused "bridge with the MAC is not a VF" "$TOPO_G" nvsbr0 "$S" "$TOPO_ID"

# An ipvlan always has its lower device's MAC, and a lower device that is
# a candidate would be claimed first.  A bridge is no candidate, so an
# ipvlan over the bridge above has the synthetic MAC and nothing else to
# keep it from matching but its kind.
log_mark ipvlan
in_g ip link add link nvsbr0 name ipv0 type ipvlan mode l2 &&
	in_g ip link set ipv0 up
check_refused "ipvlan with the MAC (over the bridge) is not a VF" "$TOPO_G" ipv0 "$S" "$TOPO_ID"
gone "$TOPO_G" ipv0
gone "$TOPO_G" nvsbr0

# --- positive control: the synthetic device still takes a veth
log_mark vf2
topo_vf_add vf2
check "veth with the MAC is claimed after the refusals" \
	wait_for 20 master_is "$TOPO_G" vf2 "$S"
check "... and joins" wait_for 30 still_vf vf2

# --- a device whose permanent MAC, not its current one, matches
hwsim_loaded=
wlan=
if [ ! -d /sys/module/mac80211_hwsim ] &&
   modprobe mac80211_hwsim radios=1 2>/dev/null; then
	hwsim_loaded=1
	on_exit modprobe -r mac80211_hwsim
	for d in /sys/class/net/*; do
		if [ -e "$d/phy80211" ] && [ "$(cat "$d/type")" = 1 ]; then
			wlan=${d##*/}
			break
		fi
	done
fi
perm=
[ -z "$wlan" ] || perm=$(ethtool -P "$wlan" 2>/dev/null | awk '{ print $NF }')
case "$perm" in
""|00:00:00:00:00:00)
	reason="no device with a permanent MAC: veth has none (its address is set or random, perm_addr stays zero)"
	if [ -n "$hwsim_loaded" ]; then
		reason+=" and the mac80211_hwsim radio has none either"
	else
		reason+=" and mac80211_hwsim cannot be loaded"
	fi
	for t in "radio has a current MAC other than its permanent one" \
		 "device matching by permanent MAC is claimed" \
		 "log says the permanent-MAC device was claimed" \
		 "device matching by permanent MAC has the SLAVE flag" \
		 "device matching by permanent MAC is released with its synthetic device" \
		 "released device has no SLAVE flag"; do
		ktap_skip "$t" "$reason"
	done
	;;
*)
	# hwsim radios are netns-local: the synthetic device comes to them.
	ip link set "$wlan" down
	ip link set "$wlan" address 02:00:00:00:0a:0a
	check "radio has a current MAC other than its permanent one ($perm)" \
		test "$(cat "/sys/class/net/$wlan/address")" = 02:00:00:00:0a:0a
	log_mark perm
	sim_new 14 "$perm"
	s14=$(sim_ifname 14)
	check "device matching by permanent MAC is claimed" \
		wait_for 20 master_is "" "$wlan" "$s14"
	check_log "log says the permanent-MAC device was claimed" ": VF $wlan claimed"
	check "device matching by permanent MAC has the SLAVE flag" has_flag "" "$wlan" SLAVE
	sim_del 14
	check "device matching by permanent MAC is released with its synthetic device" \
		wait_for 20 sh -c "! test -e /sys/class/net/$wlan/master"
	check "released device has no SLAVE flag" unowned "" "$wlan"
	;;
esac

ktap_finished
