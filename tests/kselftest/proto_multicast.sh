#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: multicast on the synthetic path.  The host applies the
# NDIS packet filter as NDIS defines it: NDIS_PACKET_TYPE_MULTICAST passes
# only the groups of the multicast list, which the guest never programs,
# so a guest with multicast groups must ask for ALL_MULTICAST, as the
# in-tree driver does.  Then IPv6 neighbour discovery works: the host
# pings the guest's link-local address, which needs the guest to receive
# the host's neighbour solicitation, sent to a solicited-node group.
# timeout: 180

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

# NETVSC_RX_* (drivers/net/hyperv/transport.h), as the host decoded the
# guest's NDIS filter
RX_MULTICAST=2
RX_ALLMULTI=4

ktap_plan 7
proto_start
proto_topology

filter() {
	proto_get "$TOPO_ID" rx_filter
}

# The guest's link-local address, once DAD is done.
guest_ll() {
	in_g ip -6 -o addr show dev "$TOPO_DEV" scope link |
		awk '!/tentative/ { sub(/\/.*/, "", $4); print $4; exit }'
}

check "the guest has IPv6 multicast groups" \
	eval '[ -n "$(in_g ip maddr show dev "$TOPO_DEV" | grep "33:33:ff")" ]'
check_eq "the guest asks for all multicast, not for a list it never sent" \
	"allmulti=$RX_ALLMULTI multicast=0" \
	"allmulti=$(($(filter) & RX_ALLMULTI)) multicast=$(($(filter) & RX_MULTICAST))"
solicits() {
	in_g awk '$1 == "Icmp6InNeighborSolicits" { print $2 }' /proc/net/snmp6
}

check "the guest's link-local address is ready" wait_for 30 guest_ll
ll=$(guest_ll)
ns0=$(solicits)
check "the host reaches it: neighbour discovery on the synthetic path" \
	in_h ping -6 -q -c 2 -W 5 "$ll%br0"
check "the guest received the host's neighbour solicitation" \
	test "$(solicits)" -gt "$ns0"

ktap_finished
