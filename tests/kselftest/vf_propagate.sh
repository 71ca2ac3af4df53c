#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the synthetic device passes on to its joined VF: up and down; the
# MTU (the VF first, rolled back when the synthetic path fails, nothing
# changed when the VF refuses, refused up front above the VF's max MTU);
# promisc, allmulti and the multicast list, undone on leave and redone
# on rejoin; VLAN traffic over the VF.
# timeout: 400

# Functions run through check and wait_for; topo helpers take no argument.
# shellcheck disable=SC2317,SC2119

# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"

NPING=5
# A tagged echo request: ping's 98 bytes and the 802.1Q tag.
VLAN_FRAME=102
VID=10
VLAN_GUEST_IP=10.10.0.1
VLAN_HOST_IP=10.10.0.2
MADDR=01:00:5e:01:02:03

# detail DEV NAME: a number from ip -d link show DEV (promiscuity, maxmtu)
detail() {
	in_g ip -d link show dev "$1" | grep -o " $2 [0-9]*" | head -n 1 |
		awk '{ print $2 }'
}

detail_is() {
	[ "$(detail "$1" "$2")" = "$3" ]
}

mtu() {
	in_g cat "/sys/class/net/$1/mtu"
}

is_up() {
	[ $(($(in_g cat "/sys/class/net/$1/flags") & 1)) = 1 ]
}

is_down() {
	! is_up "$1"
}

has_maddr() {
	in_g ip maddr show dev "$1" | grep -q "link  *$2"
}

no_maddr() {
	! has_maddr "$@"
}

# rx_state VF: promiscuity, allmulti and whether it has MADDR
rx_state() {
	local m=no

	has_maddr "$1" $MADDR && m=yes
	echo "promiscuity=$(detail "$1" promiscuity) allmulti=$(detail "$1" allmulti) maddr=$m"
}

nvs_require_modules
ktap_plan 34

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

topo_vf_add
check "a VF joins" wait_for 30 path_is vf

# ------------------------------------------------------------ up and down

in_g ip link set "$dev" down
check "synthetic down: the VF goes down, the data path synthetic" \
	wait_for 30 eval 'is_down "$vf" && path_is synthetic'
check_eq "synthetic down: the VF stays ours" "$dev" "$(topo_vf_master)"
in_g ip link set "$dev" up
check "synthetic up: the VF comes up and joins again" \
	wait_for 30 eval 'is_up "$vf" && path_is vf'

# ------------------------------------------------------------ MTU

check "ip link set mtu 1400 on the synthetic device" in_g ip link set "$dev" mtu 1400
check_eq "the VF and the host follow" "dev=1400 vf=1400 host=1400" \
	"dev=$(mtu "$dev") vf=$(mtu "$vf") host=$(sim_read mtu)"

sim_knob fail_mtu 1
if in_g ip link set "$dev" mtu 1300 2>/dev/null; then
	ktap_fail "the host fails the next MTU change: mtu 1300 is refused"
else
	ktap_ok "the host fails the next MTU change: mtu 1300 is refused"
fi
check_eq "rolled back: both MTUs unchanged, the fault used up" \
	"dev=1400 vf=1400 host=1400 fail_mtu=0" \
	"dev=$(mtu "$dev") vf=$(mtu "$vf") host=$(sim_read mtu) fail_mtu=$(sim_read fail_mtu)"
check "mtu 1500 works again" in_g ip link set "$dev" mtu 1500
check_eq "the VF follows" "dev=1500 vf=1500 host=1500" \
	"dev=$(mtu "$dev") vf=$(mtu "$vf") host=$(sim_read mtu)"

# ------------------------------------------------------------ rx mode

base_promisc=$(detail "$vf" promiscuity)
base_allmulti=$(detail "$vf" allmulti)

in_g ip link set "$dev" promisc on
check "promisc on: the VF's promiscuity rises" \
	wait_for 10 detail_is "$vf" promiscuity $((base_promisc + 1))
in_g ip link set "$dev" promisc off
check "promisc off: the VF's promiscuity is back" \
	wait_for 10 detail_is "$vf" promiscuity "$base_promisc"
in_g ip link set "$dev" allmulticast on
check "allmulticast on: the VF's allmulti rises" \
	wait_for 10 detail_is "$vf" allmulti $((base_allmulti + 1))
in_g ip link set "$dev" allmulticast off
check "allmulticast off: the VF's allmulti is back" \
	wait_for 10 detail_is "$vf" allmulti "$base_allmulti"
in_g ip maddr add $MADDR dev "$dev"
check "ip maddr add on the synthetic device: on the VF" \
	wait_for 10 has_maddr "$vf" $MADDR
in_g ip maddr del $MADDR dev "$dev"
check "ip maddr del: gone from the VF" wait_for 10 no_maddr "$vf" $MADDR

# All three set, then the VF leaves (down, still ours) and joins again.
in_g ip link set "$dev" promisc on allmulticast on
in_g ip maddr add $MADDR dev "$dev"
wait_for 10 has_maddr "$vf" $MADDR
in_g ip link set "$vf" down
wait_for 30 path_is synthetic
check_eq "the VF leaves: promisc, allmulti and the address are taken back" \
	"promiscuity=$base_promisc allmulti=$base_allmulti maddr=no" "$(rx_state "$vf")"
in_g ip link set "$vf" up
wait_for 30 path_is vf
check_eq "the VF joins again: promisc, allmulti and the address are back" \
	"promiscuity=$((base_promisc + 1)) allmulti=$((base_allmulti + 1)) maddr=yes" \
	"$(rx_state "$vf")"
in_g ip link set "$dev" promisc off allmulticast off
in_g ip maddr del $MADDR dev "$dev"
check_eq "all off again on the synthetic device: back on the VF" \
	"promiscuity=$base_promisc allmulti=$base_allmulti maddr=no" "$(rx_state "$vf")"

# ------------------------------------------------------------ VLAN

# VLAN 10 on both ends: the host's is an upper of the bridge, so frames
# reach it only with their tag; the counters show which path they took.
in_g ip link add link "$dev" name "$dev.$VID" type vlan id $VID
in_g ip addr add "$VLAN_GUEST_IP/24" dev "$dev.$VID"
in_g ip link set "$dev.$VID" up
in_g ip neigh replace $VLAN_HOST_IP lladdr "$TOPO_BR_MAC" dev "$dev.$VID" nud permanent
in_h ip link add link br0 name br0.$VID type vlan id $VID
in_h ip addr add "$VLAN_HOST_IP/24" dev br0.$VID
in_h ip link set br0.$VID up
in_h ip neigh replace $VLAN_GUEST_IP lladdr "$TOPO_MAC" dev br0.$VID nud permanent

# In protocol mode the synthetic device offers VLAN tx offload, as NDIS
# does: the tag travels beside the frame, and the frames the VF counts
# are 4 bytes shorter.
if sim_proto; then
	vlan_offload=on
	vlan_tx_frame=$((VLAN_FRAME - 4))
else
	vlan_offload=off
	vlan_tx_frame=$VLAN_FRAME
fi
host_rx0=$(in_h cat /sys/class/net/br0.$VID/statistics/rx_packets)
stats_snap ST0
check "VLAN $VID: $NPING pings" \
	in_g ping -q -c $NPING -i 0.2 -W 2 -I "$dev.$VID" $VLAN_HOST_IP
stats_snap ST1
host_rx1=$(in_h cat /sys/class/net/br0.$VID/statistics/rx_packets)
check_eq "VLAN $VID: tagged frames out of the VF and replies in through it" \
	"tx-vlan-offload=$vlan_offload vf_tx_packets=$NPING vf_tx_bytes=$((NPING * vlan_tx_frame)) vf_rx_packets=$NPING synth_tx_packets=0 synth_rx_packets=0" \
	"tx-vlan-offload=$(in_g ethtool -k "$dev" | awk '$1 == "tx-vlan-offload:" { print $2 }') $(deltas vf_tx_packets vf_tx_bytes vf_rx_packets synth_tx_packets synth_rx_packets)"
check_eq "VLAN $VID: the host's VLAN $VID interface got them" \
	"$NPING" "$((host_rx1 - host_rx0))"
in_g ip link del "$dev.$VID"

# ------------------------------------------------------------ a VF that refuses

# A vxlan device over a dummy of MTU 1500 takes no MTU above 1450.
topo_vf_del
wait_for 30 path_is synthetic
in_g ip link set "$dev" mtu 1400
in_g ip link add dummy0 type dummy
in_g ip link add vx0 address "$TOPO_MAC" type vxlan id 42 dev dummy0 dstport 4789
check "a vxlan VF joins at MTU 1400" \
	wait_for 30 eval 'path_is vf && [ "$(topo_vf_master vx0)" = "$dev" ] && [ "$(mtu vx0)" = 1400 ]'
check "mtu 1450 on the synthetic device" in_g ip link set "$dev" mtu 1450
check_eq "the vxlan VF follows" "dev=1450 vf=1450 host=1450" \
	"dev=$(mtu "$dev") vf=$(mtu vx0) host=$(sim_read mtu)"
if in_g ip link set "$dev" mtu 1500 2>/dev/null; then
	ktap_fail "mtu 1500, above what the vxlan VF takes, is refused"
else
	ktap_ok "mtu 1500, above what the vxlan VF takes, is refused"
fi
check_eq "nothing changed" "dev=1450 vf=1450 host=1450" \
	"dev=$(mtu "$dev") vf=$(mtu vx0) host=$(sim_read mtu)"
in_g ip link del vx0
wait_for 30 path_is synthetic
in_g ip link set "$dev" mtu 1500

# ------------------------------------------------------------ the VF's max MTU

# A tap device's max MTU (65521) is below the largest the synthetic path
# can be given (65535): while it is joined, the synthetic device takes
# nothing above it, up front.
sim_knob max_mtu 65535
check_eq "the synthetic path's max MTU" 65535 "$(detail "$dev" maxmtu)"
modprobe tun 2>/dev/null
if in_g ip tuntap add dev tp0 mode tap &&
   in_g ip link set tp0 address "$TOPO_MAC"; then
	tap_max=$(detail tp0 maxmtu)
	check "a tap VF joins: the synthetic max MTU is the VF's ($tap_max)" \
		wait_for 30 detail_is "$dev" maxmtu "$tap_max"
	refused=$(dmesg_count "refused MTU")
	if in_g ip link set "$dev" mtu $((tap_max + 5)) 2>/dev/null; then
		ktap_fail "mtu $((tap_max + 5)) is refused"
	else
		ktap_ok "mtu $((tap_max + 5)) is refused"
	fi
	check_eq "refused up front: nothing changed, nobody asked" \
		"dev=1500 vf=1500 host=1500 refusals=$refused" \
		"dev=$(mtu "$dev") vf=$(mtu tp0) host=$(sim_read mtu) refusals=$(dmesg_count "refused MTU")"
	sim_knob tso 0
	sim_knob tso 1
	check_eq "a live change of the synthetic path keeps the VF's max MTU" \
		"$tap_max" "$(detail "$dev" maxmtu)"
	in_g ip link del tp0
	check "the VF gone: the synthetic path's max MTU again" \
		wait_for 30 detail_is "$dev" maxmtu 65535
else
	for t in "a tap VF joins" "mtu above its max is refused" \
		 "refused up front" "a live change keeps the max" \
		 "the VF gone: the synthetic max MTU"; do
		ktap_fail "$t" "cannot make a tap device"
	done
fi

ktap_finished
