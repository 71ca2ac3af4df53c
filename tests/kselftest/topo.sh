# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Test topology for the netvsc VF tests.  Source after lib.sh.
#
#   guest netns "$TOPO_G"                host netns "$TOPO_H"
#   +---------------------+              +------------------------------+
#   | $TOPO_DEV (netvsc)  |== synthetic =| nvsh$ID --+                  |
#   |  10.9.0.1/24        |              |           br0 10.9.0.2/24    |
#   | $TOPO_VF (veth)  ---|==== "VF" ====| ${TOPO_VF}p-+  02:00:00:00:00:fe|
#   +---------------------+              +------------------------------+
#
# topo_setup [ID] [MAC]   sim device ID (default 0) with MAC (default
#                         $TOPO_MAC), moved into the guest netns, host side
#                         bridged; addresses and static neighbours set so
#                         that ping counts are exact.
# topo_vf_add [NAME] [MAC] [NS]  a veth "VF" NAME (default $TOPO_VF) with MAC
#                         (default $TOPO_MAC) in netns NS (default guest);
#                         its peer NAMEp is a port of br0 in the host netns.
# topo_vf_del [NAME]      delete it (the peer goes with it).
# topo_vf_master [NAME]   print the VF's master, empty if none.
# topo_datapath           what the simulated host last switched to.
# topo_stat NAME          a counter from ethtool -S of $TOPO_DEV.
# topo_joined             true once the data path is the VF.
# topo_synthetic          true once the data path is synthetic.
# topo_ping N             N pings from the guest to the host, 0.2 s apart.
# in_g CMD... / in_h CMD...   run in the guest / host netns.
#
# topo_setup sets TOPO_* variables: call it directly, never through check
# (which runs its command in a subshell), e.g.
#	topo_setup && ktap_ok "topology" || ktap_fail "topology"

TOPO_ID=0
TOPO_MAC=00:15:5d:00:00:01
TOPO_G=nvs_g
TOPO_H=nvs_h
TOPO_DEV=
TOPO_VF=vf0
TOPO_GUEST_IP=10.9.0.1
TOPO_HOST_IP=10.9.0.2
TOPO_BR_MAC=02:00:00:00:00:fe

in_g() { ip netns exec "$TOPO_G" "$@"; }
in_h() { ip netns exec "$TOPO_H" "$@"; }

topo_setup() {
	local host

	TOPO_ID=${1:-0}
	TOPO_MAC=${2:-$TOPO_MAC}
	ns_new "$TOPO_G" || return 1
	ns_new "$TOPO_H" || return 1
	sim_new "$TOPO_ID" "$TOPO_MAC" || return 1
	TOPO_DEV=$(sim_ifname "$TOPO_ID") || return 1
	host=$(sim_host_ifname "$TOPO_ID")

	ip link set "$TOPO_DEV" netns "$TOPO_G" || return 1
	ip link set "$host" netns "$TOPO_H" || return 1

	in_h ip link add br0 address "$TOPO_BR_MAC" type bridge || return 1
	in_h ip link set "$host" master br0 || return 1
	in_h ip link set "$host" up || return 1
	in_h ip link set br0 up || return 1
	in_h ip addr add "$TOPO_HOST_IP/24" dev br0 || return 1
	in_h ip neigh replace "$TOPO_GUEST_IP" lladdr "$TOPO_MAC" dev br0 nud permanent || return 1

	in_g ip link set lo up
	in_g ip addr add "$TOPO_GUEST_IP/24" dev "$TOPO_DEV" || return 1
	in_g ip link set "$TOPO_DEV" up || return 1
	in_g ip neigh replace "$TOPO_HOST_IP" lladdr "$TOPO_BR_MAC" dev "$TOPO_DEV" nud permanent || return 1
	wait_for 10 _topo_carrier
}

_topo_carrier() {
	[ "$(in_g cat "/sys/class/net/$TOPO_DEV/carrier" 2>/dev/null)" = 1 ]
}

topo_vf_add() {
	local name=${1:-$TOPO_VF} mac=${2:-$TOPO_MAC} ns=${3:-$TOPO_G}

	ip link add "$name" netns "$ns" address "$mac" type veth \
		peer name "${name}p" netns "$TOPO_H" || return 1
	in_h ip link set "${name}p" master br0 || return 1
	in_h ip link set "${name}p" up
}

topo_vf_del() {
	in_h ip link del "${1:-$TOPO_VF}p"
}

topo_vf_master() {
	local link

	link=$(in_g readlink "/sys/class/net/${1:-$TOPO_VF}/master" 2>/dev/null) || return 0
	basename "$link"
}

topo_datapath() {
	cat "$(sim_dbg "$TOPO_ID")/datapath"
}

topo_stat() {
	in_g ethtool -S "$TOPO_DEV" | awk -v k="$1:" '$1 == k { print $2 }'
}

topo_joined() {
	[ "$(topo_datapath)" = vf ]
}

topo_synthetic() {
	[ "$(topo_datapath)" = synthetic ]
}

topo_ping() {
	in_g ping -q -c "$1" -i 0.2 -W 2 "$TOPO_HOST_IP" >/dev/null
}
