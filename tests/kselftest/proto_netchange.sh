#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocol mode: the host moves the NIC to another network.  A Hyper-V
# host then sends RNDIS_STATUS_NETWORK_CHANGE; as Linux's in-tree driver
# does, the synthetic device's carrier goes off for 2 s and comes back,
# so that DHCP clients renew their leases: ip monitor sees it go and
# return, with or without a joined VF.  A device without link has nothing
# to renew: its carrier stays off.
# timeout: 240

# shellcheck disable=SC2317,SC2119
# shellcheck source=tests/kselftest/lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
# shellcheck source=tests/kselftest/topo.sh
. "$(dirname "$(readlink -f "$0")")/topo.sh"
# shellcheck source=tests/kselftest/vf.lib
. "$(dirname "$(readlink -f "$0")")/vf.lib"
# shellcheck source=tests/kselftest/proto.lib
. "$(dirname "$(readlink -f "$0")")/proto.lib"

ktap_plan 16
proto_start
proto_topology
quiet_ipv6
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"
dev=$TOPO_DEV

carrier() {
	in_g cat "/sys/class/net/$dev/carrier"
}

changes() {
	in_g cat "/sys/class/net/$dev/carrier_changes"
}

carrier_is() {
	[ "$(carrier)" = "$1" ]
}

# ip monitor showed $dev without carrier, then with it.
flapped() {
	grep -q "$dev: <NO-CARRIER" "$WORK/ipmon.$1" &&
		grep "$dev: " "$WORK/ipmon.$1" | tail -n 1 | grep -q "LOWER_UP"
}

# renew TAG: a network change indication, watched by ip monitor.
renew() {
	in_g ip monitor link >"$WORK/ipmon.$1" 2>&1 &
	mon=$!
	# ip monitor is subscribed once it shows the link it is told about.
	in_g ip link set dev lo mtu 65000
	wait_for 10 grep -q "lo: " "$WORK/ipmon.$1"
	in_g ip link set dev lo mtu 65536
	proto_set "$TOPO_ID" network_change 1
}

# ------------------------------------------------------------ no VF

log_mark "no VF"
c0=$(changes)
renew novf
check_log "the log says the carrier goes for 2 s" \
	"the host moved us to another network: carrier off for 2000 ms"
check "the carrier goes and comes back" \
	wait_for 20 eval 'carrier_is 1 && [ "$(changes)" -ge $((c0 + 2)) ]'
kill $mon
check "ip monitor saw $dev lose its carrier and get it back" flapped novf
check_eq "one carrier loss and one return" $((c0 + 2)) "$(changes)"
check "pings pass afterwards" topo_ping 2

# ------------------------------------------------------------ with a VF

topo_vf_add
check "a VF joins" wait_for 30 topo_joined
log_mark "with a VF"
c0=$(changes)
renew vf
check_log "with a VF, the log says the carrier goes too" \
	"the host moved us to another network: carrier off for 2000 ms"
check "with a VF, the carrier goes and comes back" \
	wait_for 20 eval 'carrier_is 1 && [ "$(changes)" -ge $((c0 + 2)) ]'
kill $mon
check "ip monitor saw it" flapped vf
check "the data path is the VF's again" wait_for 10 topo_joined
topo_vf_del
wait_for 30 topo_synthetic

# ------------------------------------------------------------ no link

proto_set "$TOPO_ID" link 0
check "the host's link down: carrier 0" wait_for 10 carrier_is 0
c0=$(changes)
log_mark "no link"
proto_set "$TOPO_ID" network_change 1
proto_set "$TOPO_ID" link 1
check "link back: carrier 1" wait_for 10 carrier_is 1
check_eq "a network change without link did nothing: no renewal logged" 0 \
	"$(log_since | grep -c "moved us to another network")"

if echo 2 >"$(sim_dbg "$TOPO_ID")/network_change" 2>/dev/null; then
	ktap_fail "network_change refuses 2"
else
	ktap_ok "network_change refuses 2"
fi

ktap_finished
