#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: link status indications.  The host's link knob becomes
# an RNDIS media connect/disconnect indication, and the guest's carrier
# follows it; traffic resumes after the link comes back.
# timeout: 180

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

ktap_plan 9
proto_start
proto_topology

carrier() { [ "$(in_g cat "/sys/class/net/$TOPO_DEV/carrier")" = "$1" ]; }

check "ping with the link up" topo_ping 2
proto_set "$TOPO_ID" link 0
check "carrier off after a disconnect indication" wait_for 10 carrier 0
check "no ping with the link down" \
	sh -c "! ip netns exec $TOPO_G ping -q -c 1 -W 1 $TOPO_HOST_IP"
proto_set "$TOPO_ID" link 1
check "carrier on after a connect indication" wait_for 10 carrier 1
check "ping after the link came back" topo_ping 2

for _ in 1 2 3; do
	proto_set "$TOPO_ID" link 0
	proto_set "$TOPO_ID" link 1
done
check "carrier on after quick flaps that end up" wait_for 10 carrier 1
proto_set "$TOPO_ID" link 0
check "carrier off after quick flaps that end down" wait_for 10 carrier 0
ktap_finished
